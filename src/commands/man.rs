//! `pydigest man`: the manual page in roff, from the clap definitions: the main page, then one
//! page per subcommand (`pydigest-fetch`, `pydigest-sources-import`…), concatenated.

use super::stdout;
use crate::Exit;
use crate::cli::Cli;
use clap::CommandFactory as _;
use std::io::Write as _;

/// Prints the pages.
pub(super) fn run() -> anyhow::Result<Exit> {
    stdout().write_all(&pages()?)?;
    Ok(Exit::Ok)
}

/// The main page and every subcommand's page, as one roff stream (`man -l -` shows them in turn).
pub(super) fn pages() -> std::io::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    // Building fills in display names (`pydigest-fetch`) and propagates the global options.
    cmd.build();
    let mut out = Vec::new();
    render(&cmd, &mut out)?;
    Ok(out)
}

fn render(cmd: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let title = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_string();
    clap_mangen::Man::new(cmd.clone())
        .title(title)
        .source(format!("pydigest {}", env!("CARGO_PKG_VERSION")))
        .render(out)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        render(sub, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_has_a_page() {
        let roff = String::from_utf8(pages().unwrap()).unwrap();
        for name in [
            "pydigest-fetch",
            "pydigest-sources-import",
            "pydigest-completions",
        ] {
            assert!(roff.contains(&format!(".TH {name}")), "no page {name}");
        }
    }
}
