//! `pydigest completions SHELL`: a completion script generated from the clap definitions.

use super::stdout;
use crate::Exit;
use crate::cli::{Cli, CompletionsArgs};
use clap::CommandFactory as _;
use std::io::Write as _;

/// Prints the completion script for the shell.
pub(super) fn run(args: &CompletionsArgs) -> anyhow::Result<Exit> {
    // clap_complete panics on a failed write; a buffer keeps `| head` a quiet exit 0.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "pydigest", &mut script);
    stdout().write_all(&script)?;
    Ok(Exit::Ok)
}
