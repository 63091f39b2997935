//! Command-line types (clap derive) and nothing else.

// The doc comments here are clap's --help text, written for a terminal ("[[topic]]",
// "DIR/search-<words>.md"); escaping them for rustdoc would change what users see.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Python ecosystem news: fetch feeds and newsletters, merge the same story seen in many places,
/// and write a weekly digest grouped by topic.
#[derive(Debug, Parser)]
#[command(
    name = "pydigest",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Exit codes: 0 all well, 1 unexpected error, 2 bad usage or configuration, 3 some sources failed (the others were stored), 130 interrupted (Ctrl-C) after finishing the current writes."
)]
pub(crate) struct Cli {
    /// feeds.toml to use (else $PYDIGEST_CONFIG, ./feeds.toml, the user config dir, the built-in catalogue).
    #[arg(long, global = true, env = "PYDIGEST_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// SQLite database (else $PYDIGEST_DB, `database` in feeds.toml, the user data dir).
    #[arg(long, global = true, env = "PYDIGEST_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr; no progress bar or summary.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write a starter feeds.toml (the built-in catalogue).
    Init(InitArgs),
    /// Fetch sources concurrently and store new entries.
    Fetch(FetchArgs),
    /// List sources with their health; import or export them.
    Sources(SourcesArgs),
    /// Parse one feed or page (file or URL) without storing it.
    Inspect(InspectArgs),
    /// List stories (one per article, however many sources carried it).
    Stories(StoriesArgs),
    /// Write the weekly digest (markdown, or JSON with --json).
    Digest(DigestArgs),
    /// Show one story: its sightings and why it is filed under its topic.
    Explain(ExplainArgs),
    /// Full-text search over everything fetched, best match first, each story once.
    Search(SearchArgs),
    /// Write weekly digests (markdown pages with front matter, or an Atom feed) or the stories
    /// matching a query into a folder, for a static site or a feed reader.
    Export(ExportArgs),
    /// Show which feeds.toml and database are in use and why, the schema version, and what the
    /// store holds.
    Info(InfoArgs),
    /// Print a shell completion script (e.g. `pydigest completions bash > ~/.local/share/bash-completion/completions/pydigest`).
    Completions(CompletionsArgs),
    /// Print the manual page (roff, every subcommand included): `pydigest man | man -l -`.
    Man,
    /// Print the stories matching a [[watch]] that no earlier `watch` run printed (nothing when
    /// nothing is new).
    Watch(WatchArgs),
}

/// `pydigest watch`.
#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// Fetch every source first (a partial fetch failure still reports, exit code 3).
    #[arg(long)]
    pub fetch: bool,
    /// Print a JSON array instead of one line per story.
    #[arg(long)]
    pub json: bool,
}

/// `pydigest info`.
#[derive(Debug, Args)]
pub(crate) struct InfoArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `pydigest completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `pydigest init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Where to write it.
    #[arg(default_value = "feeds.toml", value_name = "PATH")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `pydigest fetch`.
#[derive(Debug, Args)]
pub(crate) struct FetchArgs {
    /// Only these sources (repeatable).
    #[arg(long = "source", value_name = "ID")]
    pub sources: Vec<String>,
}

/// `pydigest sources`.
#[derive(Debug, Args)]
pub(crate) struct SourcesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Import or export instead of listing.
    #[command(subcommand)]
    pub action: Option<SourcesAction>,
}

/// `pydigest sources import|export`.
#[derive(Debug, Subcommand)]
pub(crate) enum SourcesAction {
    /// Add sources from an OPML file or a Planet `name<TAB>url` TSV to feeds.toml.
    Import(ImportArgs),
    /// Write the sources as OPML to stdout or a file.
    Export(ExportSourcesArgs),
    /// Subscribe to a feed, or to a site whose page advertises its feed, in feeds.toml.
    Add(AddSourceArgs),
    /// Unsubscribe: remove a source from feeds.toml (its stored entries stay unless --purge).
    Remove(RemoveSourceArgs),
}

/// `pydigest sources add`.
#[derive(Debug, Args)]
pub(crate) struct AddSourceArgs {
    /// A feed URL, or a site page whose `<link rel="alternate">` names its feed.
    #[arg(value_name = "URL")]
    pub url: String,
    /// The source id (else derived from the feed's title).
    #[arg(long)]
    pub id: Option<String>,
    /// Display name (else the feed's title).
    #[arg(long)]
    pub name: Option<String>,
    /// What the source publishes (`page`: scrape URL itself, no feed discovery).
    #[arg(long, value_enum, default_value_t = crate::model::SourceKind::Feed)]
    pub kind: crate::model::SourceKind,
    /// Tags, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "TAG,...")]
    pub tags: Vec<String>,
    /// When the page advertises several feeds, take the Nth (from 1) instead of the first.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub pick: Option<u16>,
}

/// `pydigest sources remove`.
#[derive(Debug, Args)]
pub(crate) struct RemoveSourceArgs {
    /// The source id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Also delete its stored entries (and stories no other source carried).
    #[arg(long)]
    pub purge: bool,
}

/// `pydigest sources import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// An .opml/.xml file, or a .tsv of `name<TAB>feed_url` lines.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Show what would be added without writing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `pydigest sources export`.
#[derive(Debug, Args)]
pub(crate) struct ExportSourcesArgs {
    /// OPML 2.0 (the only format, and the default).
    #[arg(long, default_value_t = true)]
    pub opml: bool,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `pydigest inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// A file path or an http(s) URL.
    #[arg(value_name = "PATH|URL")]
    pub target: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Read it as this kind of source (default: detected).
    #[arg(long, value_enum)]
    pub kind: Option<crate::model::SourceKind>,
}

/// `pydigest stories`.
#[derive(Debug, Args)]
pub(crate) struct StoriesArgs {
    /// Only stories published on or after this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only stories published before this date.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only stories this source carried (repeatable).
    #[arg(long = "source", value_name = "ID")]
    pub sources: Vec<String>,
    /// Only the N most recently published stories (still listed oldest first).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `pydigest digest`.
#[derive(Debug, Args)]
pub(crate) struct DigestArgs {
    /// ISO week, e.g. 2025-W42 (default: the last complete week in the configured time zone).
    #[arg(long, value_name = "YYYY-Www", conflicts_with_all = ["since", "until"])]
    pub week: Option<String>,
    /// First day (YYYY-MM-DD, in the configured time zone) instead of a week.
    #[arg(long, value_name = "DATE", requires = "until")]
    pub since: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "since")]
    pub until: Option<String>,
    /// Fetch every source first (a partial fetch failure still writes the digest, exit code 3).
    #[arg(long)]
    pub fetch: bool,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print JSON instead of markdown.
    #[arg(long)]
    pub json: bool,
    /// markdown (default) or html: one self-contained page.
    #[arg(long, value_enum, default_value_t = DigestFormat::Markdown, conflicts_with = "json")]
    pub format: DigestFormat,
    /// Also send the digest by e-mail as the [mail] table says (a failure: exit code 3).
    #[arg(long)]
    pub mail: bool,
    /// Keep sponsored items and job ads.
    #[arg(long)]
    pub include_sponsored: bool,
    /// Show the matched terms behind each story's topic.
    #[arg(long)]
    pub why: bool,
    /// Open with a narrative written by the language model of the [llm] table.
    #[arg(long)]
    pub llm: bool,
    /// With --llm: ask the model again even when the store has its answer.
    #[arg(long, requires = "llm")]
    pub no_cache: bool,
}

/// `pydigest explain`.
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// Story id (as in `digest --json`).
    #[arg(value_name = "STORY_ID")]
    pub story: i64,
}

/// `pydigest search`.
#[derive(Debug, Args)]
#[command(
    after_help = "Plain queries: every word must match (stemmed: `thread` finds `threading`), \"a quoted phrase\" matches as a phrase, and punctuation or AND/OR/NOT are just words. A bare word ending in * is a prefix (pyth*). With --fts the query is raw SQLite FTS5 syntax: AND, OR, NOT, prefix*, NEAR(a b, 5), title:word."
)]
pub(crate) struct SearchArgs {
    /// What to look for.
    #[arg(value_name = "QUERY", num_args = 1.., required = true)]
    pub query: Vec<String>,
    /// Read QUERY as raw FTS5 syntax (AND/OR/NOT, prefix*, NEAR(), column:word).
    #[arg(long)]
    pub fts: bool,
    /// Only entries published since: YYYY-MM-DD, RFC 3339, or 12h / 7d / 4w ago.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only entries published until (a date includes that whole day): YYYY-MM-DD, RFC 3339, or 12h / 7d / 4w ago.
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only entries from this source (repeatable).
    #[arg(long = "source", value_name = "ID")]
    pub sources: Vec<String>,
    /// Only entries matching one of this [[topic]]'s terms.
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,
    /// Only entries whose authors contain this (case-insensitive).
    #[arg(long, value_name = "NAME")]
    pub author: Option<String>,
    /// At most this many stories.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Print JSON.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print a markdown list with matches in bold.
    #[arg(long)]
    pub markdown: bool,
}

/// How `pydigest digest` renders.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub(crate) enum DigestFormat {
    /// Markdown.
    #[default]
    Markdown,
    /// One self-contained HTML page (inline CSS, no scripts).
    Html,
}

/// What `pydigest export` writes.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub(crate) enum ExportFormat {
    /// One page per week, `DIR/2025-W42.md`, with YAML front matter (MkDocs, Hugo, Jekyll).
    #[default]
    Markdown,
    /// One Atom feed, `DIR/digest.atom`, with an entry per week.
    Atom,
    /// One self-contained HTML page per week, `DIR/2025-W42.html`, and `DIR/index.html`.
    Html,
}

/// `pydigest export`.
#[derive(Debug, Args)]
#[command(
    after_help = "Re-exporting the same data rewrites nothing. Files changed since the last export (per DIR/.pydigest-export.json) or not written by pydigest are kept, with a warning and exit code 3, unless --force."
)]
pub(crate) struct ExportArgs {
    /// Folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// ISO weeks, e.g. 2025-W40..2025-W43 or 2025-W42 (default: the last complete week).
    #[arg(long, value_name = "YYYY-Www[..YYYY-Www]", conflicts_with = "since")]
    pub weeks: Option<String>,
    /// Every week from this day's week through the last complete week (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Write the stories matching these words to DIR/search-<words>.md instead (limited to
    /// --weeks/--since when given).
    #[arg(long, value_name = "WORDS")]
    pub query: Option<String>,
    /// markdown: DIR/2025-W42.md per week; atom: DIR/digest.atom; html: DIR/2025-W42.html per
    /// week and DIR/index.html.
    #[arg(long, value_enum, default_value_t = ExportFormat::Markdown)]
    pub format: ExportFormat,
    /// Overwrite files changed since the last export.
    #[arg(long)]
    pub force: bool,
    /// Keep sponsored items and job ads.
    #[arg(long)]
    pub include_sponsored: bool,
    /// Atom: the feed holds at least the N latest digests up to the range's last week, so
    /// re-exporting a narrow range does not shrink it.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub feed_entries: usize,
}
