//! The `pydigest` binary: parse arguments, run, exit with the code the library chose.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    pydigest::run(pydigest::cli::Cli::parse())
}
