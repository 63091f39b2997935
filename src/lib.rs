//! pydigest: Python ecosystem news, fetched, merged, grouped by topic and summarised.
//!
//! Data flows one way: feeds.toml → config → fetch → [`parse`] → store → digest → render.
//! `run` is the single place where errors become a message and an exit code.
//!
//! Crate-private by default: the public API is what the binary ([`main`]) and the
//! sibling crates in `fuzz/` and `bench/server` ([`parse`], [`model`]) use, so the compiler
//! reports everything else that nothing calls.

#[doc(hidden)]
pub mod bench_api;
pub(crate) mod calendar;
pub(crate) mod canon;
pub(crate) mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod digest;
pub(crate) mod fetch;
pub(crate) mod files;
pub(crate) mod llm;
pub(crate) mod mail;
pub mod model;
pub mod parse;
pub(crate) mod render;
pub(crate) mod store;
pub(crate) mod text;

#[cfg(test)]
#[path = "../tests/support/corpus.rs"]
mod test_corpus;

use std::process::ExitCode;

/// Exit codes, the same for every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// All well.
    Ok = 0,
    /// An unexpected error.
    Error = 1,
    /// Bad usage or configuration.
    Usage = 2,
    /// Some sources failed; the others were stored.
    Partial = 3,
    /// Interrupted (Ctrl-C) after finishing the current writes.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// A usage error: wrong arguments or values, reported with exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub(crate) String);

/// The binary's whole job: parses the command line, runs it, and returns the exit code.
pub fn main() -> ExitCode {
    run(<cli::Cli as clap::Parser>::parse())
}

/// Runs a parsed command line and maps any error to one message on stderr and an exit code.
fn run(cli: cli::Cli) -> ExitCode {
    init_logging(cli.verbose, cli.quiet);
    match commands::run(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return Exit::Ok.into();
            }
            eprintln!(
                "pydigest: error: {}",
                text::for_terminal(&message(&err), true)
            );
            exit_code_for(&err).into()
        }
    }
}

/// `outer: inner: …` like `{:#}`, without repeating a cause its parent's message already quotes
/// (thiserror messages embed `{source}`, and `{:#}` would print it twice).
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// True when the error is a closed stdout (`| head`): the reader has what it wanted.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|c| {
        // serde_json wraps the io::Error and its `source()` skips it, so ask it directly.
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
    })
}

fn exit_code_for(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.is::<config::ConfigError>() || cause.is::<UsageError>() {
            return Exit::Usage;
        }
        if matches!(
            cause.downcast_ref::<store::StoreError>(),
            Some(
                store::StoreError::TooNew { .. }
                    | store::StoreError::Dir { .. }
                    | store::StoreError::NeedsMigration { .. }
                    | store::StoreError::NotADatabase { .. }
                    | store::StoreError::ReadOnly { .. }
            )
        ) {
            return Exit::Usage;
        }
    }
    Exit::Error
}

fn init_logging(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("PYDIGEST_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("pydigest={level},warn")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none(),
        )
        .with_target(false)
        .without_time()
        .try_init();
}
