//! `pydigest info`: which feeds.toml and database are in use and why, and what the store holds.
//! Reads only: a missing database is reported, never created.

use super::{Invocation, stdout};
use crate::Exit;
use crate::cli::InfoArgs;
use crate::store::{Store, StoreError, StoreStats};
use crate::text::for_terminal;
use serde::Serialize;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where a file in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Origin {
    /// `--config` / `--db`.
    Flag,
    /// `$PYDIGEST_CONFIG` / `$PYDIGEST_DB`.
    Env,
    /// `./feeds.toml`.
    Cwd,
    /// The user config dir (feeds.toml).
    UserConfigDir,
    /// No feeds.toml anywhere: the built-in catalogue.
    Builtin,
    /// `database` in feeds.toml.
    ConfigFile,
    /// The user data dir (the database).
    UserDataDir,
}

impl Origin {
    fn describe(self, flag: &str, env_var: &str) -> String {
        match self {
            Origin::Flag => format!("the {flag} flag"),
            Origin::Env => format!("${env_var}"),
            Origin::Cwd => "./feeds.toml in the current folder".into(),
            Origin::UserConfigDir => "the user config folder".into(),
            Origin::Builtin => "no feeds.toml found: the built-in catalogue".into(),
            Origin::ConfigFile => "`database` in feeds.toml".into(),
            Origin::UserDataDir => "the user data folder".into(),
        }
    }
}

/// An explicit path came from the environment when the variable holds exactly it (clap folds
/// both into one value; a flag with the same value is the same file either way).
fn flag_or_env(path: &Path, var: &str) -> Origin {
    if std::env::var_os(var).is_some_and(|v| Path::new(&v) == path) {
        Origin::Env
    } else {
        Origin::Flag
    }
}

#[derive(Debug, Serialize)]
struct ConfigInfo {
    path: Option<PathBuf>,
    origin: Origin,
    sources: usize,
    topics: usize,
}

#[derive(Debug, Serialize)]
struct DatabaseInfo {
    path: PathBuf,
    origin: Origin,
    exists: bool,
    bytes: Option<u64>,
    schema_version: Option<i64>,
    supported_schema_version: i64,
    /// Why the counts are missing, when they are.
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct Info {
    version: &'static str,
    config: ConfigInfo,
    database: DatabaseInfo,
    store: Option<StoreStats>,
}

/// Prints the report.
pub(super) fn run(
    ctx: &Invocation,
    args: &InfoArgs,
    config_arg: Option<&Path>,
    db_arg: Option<&Path>,
) -> anyhow::Result<Exit> {
    // The same order as `load_config` and `db_path`, told from what they chose.
    let config_origin = match (&ctx.config.path, config_arg) {
        (_, Some(p)) => flag_or_env(p, "PYDIGEST_CONFIG"),
        (None, None) => Origin::Builtin,
        (Some(p), None) if p == Path::new("feeds.toml") => Origin::Cwd,
        (Some(_), None) => Origin::UserConfigDir,
    };
    let db_origin = match db_arg {
        Some(p) => flag_or_env(p, "PYDIGEST_DB"),
        None if ctx.config.settings.database.is_some() => Origin::ConfigFile,
        None => Origin::UserDataDir,
    };
    let config = ConfigInfo {
        path: ctx.config.path.as_ref().map(|p| absolute(p)),
        origin: config_origin,
        sources: ctx.config.sources.len(),
        topics: ctx.config.topics.len(),
    };
    let supported = Store::schema_version();
    let meta = std::fs::metadata(&ctx.db_path).ok();
    let mut database = DatabaseInfo {
        path: absolute(&ctx.db_path),
        origin: db_origin,
        exists: meta.is_some(),
        bytes: meta.map(|m| m.len()),
        schema_version: None,
        supported_schema_version: supported,
        note: None,
    };
    let mut store = None;
    if database.exists {
        match Store::open_read_only(&ctx.db_path) {
            Ok(s) => {
                database.schema_version = Some(supported);
                store = Some(s.stats()?);
            }
            Err(StoreError::NeedsMigration { found, .. }) => {
                database.schema_version = Some(found);
                database.note =
                    Some("older schema: the next command with write access upgrades it".into());
            }
            Err(StoreError::TooNew { found, .. }) => {
                database.schema_version = Some(found);
                database.note = Some("written by a newer pydigest: upgrade pydigest".into());
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        database.note = Some("not created yet: `pydigest fetch` creates it".into());
    }
    let info = Info {
        version: env!("CARGO_PKG_VERSION"),
        config,
        database,
        store,
    };
    let mut out = stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &info)?;
        writeln!(out)?;
    } else {
        out.write_all(for_terminal(&text(&info), true).as_bytes())?;
    }
    Ok(Exit::Ok)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn text(info: &Info) -> String {
    let c = &info.config;
    let d = &info.database;
    let mut t = format!("pydigest {}\n", info.version);
    let config_path = c
        .path
        .as_ref()
        .map_or_else(|| "(built-in)".into(), |p| p.display().to_string());
    t += &format!(
        "feeds.toml:  {config_path}\n             from {}; {} sources, {} topics\n",
        c.origin.describe("--config", "PYDIGEST_CONFIG"),
        c.sources,
        c.topics
    );
    t += &format!(
        "database:    {}\n             from {}",
        d.path.display(),
        d.origin.describe("--db", "PYDIGEST_DB")
    );
    if let Some(b) = d.bytes {
        t += &format!("; {} KiB", b.div_ceil(1024));
    }
    t.push('\n');
    let schema = d
        .schema_version
        .map_or_else(|| "-".into(), |v| v.to_string());
    t += &format!(
        "schema:      {schema} (this pydigest: {})\n",
        d.supported_schema_version
    );
    if let Some(note) = &d.note {
        t += &format!("             {note}\n");
    }
    if let Some(s) = &info.store {
        t += &format!(
            "store:       {} sources, {} entries, {} stories\nlast fetch:  {}\n",
            s.sources,
            s.entries,
            s.stories,
            s.last_fetch.as_deref().unwrap_or("never")
        );
    }
    t
}
