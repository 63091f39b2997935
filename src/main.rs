//! The `pydigest` binary: parse arguments, run, exit with the code the library chose.

use std::process::ExitCode;

fn main() -> ExitCode {
    pydigest::main()
}
