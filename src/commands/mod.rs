//! One module per subcommand; [`run`] loads what they share and dispatches.

mod completions;
mod digest;
mod explain;
mod export;
mod fetch;
mod follow;
mod info;
mod init;
mod inspect;
mod man;
mod opml;
mod search;
mod sources;
mod stories;
mod subscribe;
mod watch;

use crate::calendar::{CalendarError, DigestRange};
use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::digest::topics::{Classifier, LEXICON};
use crate::digest::{
    Digest, DigestOptions, PREPARED_VERSION, Prepared, digest_of_prepared, prepare,
    prepared_title_terms, title_term_counts, trend_baseline, trend_weeks,
};
use crate::store::Store;
use crate::store::id_set_stamp;
use crate::{Exit, UsageError};
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// What every command may need: the configuration and where the database is.
pub(crate) struct Invocation {
    /// Validated feeds.toml.
    pub config: Config,
    /// Database file.
    pub db_path: PathBuf,
    /// `--quiet`.
    pub quiet: bool,
    /// `-v` count: 1 adds a line per source, 2 request and parse details.
    pub verbose: u8,
}

impl Invocation {
    /// Opens the store and registers the configured sources in it.
    pub(crate) fn open_store(&self) -> anyhow::Result<Store> {
        let mut store = Store::open(&self.db_path)?;
        store
            .sync_sources(&self.config.sources)
            .context("registering sources")?;
        Ok(store)
    }

    /// Opens the store for a command that only reads: as [`Invocation::open_store`] when the
    /// database can be written, else read-only as it is (another user's store, a backup, a
    /// read-only mount).
    pub(crate) fn open_store_read(&self) -> anyhow::Result<Store> {
        match self.open_store() {
            Err(e)
                if self.db_path.is_file()
                    && e.chain().any(|c| {
                        c.downcast_ref::<crate::store::StoreError>()
                            .is_some_and(crate::store::StoreError::is_read_only)
                    }) =>
            {
                tracing::info!(
                    "{} cannot be written here: reading it as it is",
                    self.db_path.display()
                );
                Ok(Store::open_read_only(&self.db_path)?)
            }
            r => r,
        }
    }

    /// A `--source` filter must name configured sources: a typo is a usage error listing them.
    pub(crate) fn check_source_ids(&self, ids: &[String]) -> Result<(), UsageError> {
        let known = |id: &String| self.config.sources.iter().any(|c| &c.id == id);
        match ids.iter().find(|id| !known(id)) {
            None => Ok(()),
            Some(s) => {
                let known: Vec<&str> = self.config.sources.iter().map(|c| c.id.as_str()).collect();
                Err(UsageError(format!(
                    "unknown source {s:?}; known sources: {}",
                    known.join(", ")
                )))
            }
        }
    }

    /// True when a progress bar belongs on stderr: it is a terminal and `--quiet` is off.
    pub(crate) fn show_progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }
}

/// Runs the command.
pub(crate) fn run(cli: Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Init(args) => return init::run(args),
        Command::Completions(args) => return completions::run(args),
        Command::Man => return man::run(),
        _ => {}
    }
    let config = load_config(cli.config.as_deref())?;
    let db_path = db_path(cli.db.as_deref(), &config)?;
    let ctx = Invocation {
        config,
        db_path,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Init(_) | Command::Completions(_) | Command::Man => {
            unreachable!("handled above")
        }
        Command::Fetch(args) => fetch::run(&ctx, &args),
        Command::Sources(args) => sources::run(&ctx, &args),
        Command::Inspect(args) => inspect::run(&ctx, &args),
        Command::Stories(args) => stories::run(&ctx, &args),
        Command::Digest(args) => digest::run(&ctx, &args),
        Command::Explain(args) => explain::run(&ctx, &args),
        Command::Search(args) => search::run(&ctx, &args),
        Command::Export(args) => export::run(&ctx, &args),
        Command::Info(args) => info::run(&ctx, &args, cli.config.as_deref(), cli.db.as_deref()),
        Command::Watch(args) => watch::run(&ctx, &args),
    }
}

/// Finds feeds.toml: `--config`/`$PYDIGEST_CONFIG`, else ./feeds.toml, else the user config dir,
/// else the built-in catalogue.
pub(crate) fn load_config(explicit: Option<&Path>) -> anyhow::Result<Config> {
    if let Some(path) = explicit {
        return Ok(Config::load(path)?);
    }
    let local = PathBuf::from("feeds.toml");
    if local.is_file() {
        return Ok(Config::load(&local)?);
    }
    if let Some(dirs) = directories::ProjectDirs::from("", "", "pydigest") {
        let user = dirs.config_dir().join("feeds.toml");
        if user.is_file() {
            return Ok(Config::load(&user)?);
        }
    }
    tracing::info!(
        "no feeds.toml found: using the built-in catalogue (run `pydigest init` to write one)"
    );
    Ok(Config::builtin())
}

fn db_path(explicit: Option<&Path>, config: &Config) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = &config.settings.database {
        return Ok(p.clone());
    }
    let dirs = directories::ProjectDirs::from("", "", "pydigest").ok_or_else(|| {
        UsageError("no home directory to keep the database in: pass --db FILE".into())
    })?;
    Ok(dirs.data_dir().join("pydigest.db"))
}

/// The digest of `range`: its stories, and the headlines of the weeks before it for trending
/// terms. The one way a period's digest is built (`digest`, `export` and the digest tests).
///
/// Each story's prepared entry (filing, summary) and each baseline week's title-term counts
/// are cached in the store, keyed by [`taxonomy_key`] and a fingerprint of the sightings
/// behind them: a week read again reads indexes and the cache, and only the stories that
/// changed are read in full and classified again. The digest is the same with or without it.
pub(crate) fn period_digest(
    store: &Store,
    config: &Config,
    range: &DigestRange,
    opts: DigestOptions,
) -> anyhow::Result<Digest> {
    let aggregators = config.aggregator_ids();
    let taxonomy = taxonomy_key(config);
    let variant = i64::from(opts.include_sponsored);
    // Read first: whatever is read after it is at least this new.
    let clock = store.change_clock().context("reading stories")?;
    let ids = store
        .story_ids_between(range.since, range.until)
        .context("reading stories")?;
    let cached = store
        .cached_digest_entries(range.since, range.until, variant, &taxonomy)
        .context("reading stories")?;
    let changed = match cached.values().map(|(stamp, _)| *stamp).min() {
        Some(oldest) => store
            .stories_changed_after(oldest, range.since, range.until, ids.len())
            .context("reading stories")?,
        None => HashMap::new(),
    };
    let mut entries: HashMap<i64, Option<Prepared>> = cached
        .into_iter()
        .filter(|(id, (stamp, _))| changed.get(id).is_none_or(|c| c <= stamp))
        .map(|(id, (_, entry))| (id, entry))
        .collect();
    let stale: Vec<i64> = ids
        .iter()
        .filter(|id| !entries.contains_key(id))
        .copied()
        .collect();
    if !stale.is_empty() {
        // A cold week is read in one ordered pass; a few stale stories by id.
        let stories = if stale.len() == ids.len() {
            store.stories_between(Some(range.since), Some(range.until), &aggregators)
        } else {
            store.stories_by_ids(&stale, &aggregators)
        }
        .context("reading stories")?;
        let classifier = Classifier::from_config(config);
        let fresh: Vec<(i64, Option<Prepared>)> = stories
            .into_iter()
            .map(|s| (s.id, prepare(s, &classifier, opts)))
            .collect();
        let rows: Vec<(i64, Option<&Prepared>)> =
            fresh.iter().map(|(id, p)| (*id, p.as_ref())).collect();
        if let Err(e) = store.put_digest_entries(variant, &taxonomy, clock, &rows) {
            tracing::info!("not caching the digest's stories: {e}");
        }
        entries.extend(fresh);
    }
    let mut prepared: Vec<Prepared> = entries.into_values().flatten().collect();
    prepared.sort_by_key(|p| p.id);
    let terms = prepared_title_terms(&prepared);
    // Trends compare this period's titles with earlier ones: with no stories there are none.
    let before = if ids.is_empty() {
        BTreeMap::new()
    } else {
        let wanted: HashSet<&str> = terms.iter().flatten().map(String::as_str).collect();
        trend_baseline_terms(
            store, config, range, opts, variant, &taxonomy, clock, &wanted,
        )?
    };
    // The classifier's topic order without compiling it when every story was cached.
    let order: Vec<&str> = config.topics.iter().map(|t| t.name.as_str()).collect();
    let mut digest = digest_of_prepared(prepared, terms, &before, &order, config, range);
    watch::add_watch_sections(store, &config.watches, &mut digest)?;
    Ok(digest)
}

/// Title-term counts of the trend baseline: for a week, the sum of each earlier week's counts,
/// cached per week (valid while the week holds the same stories and none changed after the
/// tick it was stamped with); for any other range, counted from the headlines. `clock` is the
/// tick read before any of it. Only the `wanted` terms are kept (the period's own title terms:
/// the only ones trends look up), which spares building a map of every earlier headline's terms.
#[allow(clippy::too_many_arguments)]
fn trend_baseline_terms(
    store: &Store,
    config: &Config,
    range: &DigestRange,
    opts: DigestOptions,
    variant: i64,
    taxonomy: &str,
    clock: i64,
    wanted: &HashSet<&str>,
) -> anyhow::Result<BTreeMap<String, usize>> {
    let aggregators = config.aggregator_ids();
    if range.week.is_none() {
        let (since, until) = trend_baseline(range);
        let history = store
            .story_headlines_between(Some(since), Some(until), &aggregators)
            .context("reading earlier weeks")?;
        return Ok(title_term_counts(history, opts, since, until));
    }
    let weeks: Vec<(DateTime<Utc>, DateTime<Utc>, Vec<i64>)> = trend_weeks(range)
        .into_iter()
        .map(|(since, until)| Ok((since, until, store.story_ids_between(since, until)?)))
        .collect::<Result<_, crate::store::StoreError>>()
        .context("reading earlier weeks")?;
    // The week's baseline, summed and cut down to the wanted terms, is kept under one row: it
    // serves while the four weeks hold the same stories, none of them changed after its tick,
    // and this week's titles have the same terms. Reading it spares parsing four weeks' maps.
    let stamp = baseline_stamp(weeks.iter().map(|(_, _, ids)| id_set_stamp(ids)), wanted);
    if let Some((s, tick, counts)) = store
        .cached_baseline_terms(range.since, range.until, variant, taxonomy)
        .context("reading earlier weeks")?
        && s == stamp
    {
        let mut unchanged = true;
        for (since, until, ids) in &weeks {
            unchanged = unchanged && week_unchanged(store, tick, *since, *until, ids)?;
        }
        if unchanged {
            return Ok(counts);
        }
    }
    let mut before: BTreeMap<String, usize> = BTreeMap::new();
    for (since, until, ids) in &weeks {
        let (since, until) = (*since, *until);
        let stamp = id_set_stamp(ids);
        let cached = match store
            .cached_week_terms(since, until, variant, taxonomy, wanted)
            .context("reading earlier weeks")?
        {
            Some((s, tick, counts))
                if s == stamp && week_unchanged(store, tick, since, until, ids)? =>
            {
                Some(counts)
            }
            _ => None,
        };
        let counts = match cached {
            Some(counts) => counts,
            None => {
                let history = store
                    .story_headlines_between(Some(since), Some(until), &aggregators)
                    .context("reading earlier weeks")?;
                let counts = title_term_counts(history, opts, since, until);
                if let Err(e) =
                    store.put_week_terms(since, until, variant, taxonomy, stamp, clock, &counts)
                {
                    tracing::info!("not caching an earlier week's title terms: {e}");
                }
                counts
            }
        };
        for (term, n) in counts {
            if wanted.contains(term.as_str()) {
                *before.entry(term).or_default() += n;
            }
        }
    }
    if let Err(e) = store.put_baseline_terms(
        range.since,
        range.until,
        variant,
        taxonomy,
        stamp,
        clock,
        &before,
    ) {
        tracing::info!("not caching the week's trend baseline: {e}");
    }
    Ok(before)
}

/// True when none of the stories `ids` (sorted) of the week `[since, until)` changed after
/// tick `tick`; a story that left the week changed its id-set stamp, which the caller checks.
fn week_unchanged(
    store: &Store,
    tick: i64,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    ids: &[i64],
) -> anyhow::Result<bool> {
    let changed = store
        .stories_changed_after(tick, since, until, ids.len())
        .context("reading earlier weeks")?;
    Ok(changed.keys().all(|id| ids.binary_search(id).is_err()))
}

/// Fingerprint of a week's trend baseline: its weeks' id-set stamps, in order, and the set of
/// wanted terms (order-free). `DefaultHasher::new` is keyed the same in every run, and a
/// rebuilt binary changes the taxonomy key anyway.
fn baseline_stamp(weeks: impl Iterator<Item = i64>, wanted: &HashSet<&str>) -> i64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let terms = wanted.iter().fold(0u64, |acc, t| {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        acc.wrapping_add(h.finish())
    });
    let mut h = DefaultHasher::new();
    for w in weeks {
        w.hash(&mut h);
    }
    terms.hash(&mut h);
    h.finish() as i64
}

/// What a cached digest entry depends on besides the story itself: the taxonomy (topics,
/// source hints, the lexicon), which sources are aggregators (they decide a story's main
/// sighting), and the code that prepares stories (its version, and this very binary, so a
/// rebuilt classifier never serves an older build's filing).
pub(crate) fn taxonomy_key(config: &Config) -> String {
    let hints: Vec<(&str, Option<&str>)> = config
        .sources
        .iter()
        .map(|s| (s.id.as_str(), s.topic.as_deref()))
        .collect();
    let binary = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{} {:?}", m.len(), m.modified().ok()))
        .unwrap_or_default();
    crate::parse::content_hash(&[
        &PREPARED_VERSION.to_string(),
        env!("CARGO_PKG_VERSION"),
        &binary,
        &format!("{:?}", config.topics),
        &format!("{hints:?}"),
        &config.aggregator_ids().join("\n"),
        LEXICON,
    ])
}

/// A date argument's error, naming the argument (the calendar's messages name only the value).
pub(crate) fn arg_error(flag: &str, err: CalendarError) -> UsageError {
    UsageError(format!("{flag}: {err}"))
}

/// Standard output, locked; a closed pipe surfaces as an error that `run` turns into exit 0.
pub(crate) fn stdout() -> std::io::StdoutLock<'static> {
    std::io::stdout().lock()
}
