//! `pydigest init`: write the built-in catalogue as a starter feeds.toml.

use crate::cli::InitArgs;
use crate::config::DEFAULT_CATALOGUE;
use crate::{Exit, UsageError};
use anyhow::Context as _;

/// Writes feeds.toml unless it exists (or `--force`).
pub(super) fn run(args: &InitArgs) -> anyhow::Result<Exit> {
    if args.path.exists() && !args.force {
        return Err(UsageError(format!(
            "{} already exists (use --force to overwrite)",
            args.path.display()
        ))
        .into());
    }
    if let Some(dir) = args.path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::files::write_atomic(&args.path, DEFAULT_CATALOGUE.as_bytes())
        .with_context(|| format!("writing {}", args.path.display()))?;
    eprintln!(
        "wrote {} — edit it, then run `pydigest fetch`",
        args.path.display()
    );
    Ok(Exit::Ok)
}
