//! feeds.toml: raw serde structs (every key known, every value spanned) validated into a
//! [`Config`] the rest of the program trusts. Every error names the file, the line and the key.

use crate::model::SourceKind;
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;
use url::Url;

mod deliver;
pub(crate) use deliver::{MailConfig, Watch};

/// The catalogue shipped with pydigest, written out by `pydigest init`.
pub(crate) const DEFAULT_CATALOGUE: &str = include_str!("../feeds.toml");

/// A feeds.toml problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigError {
    /// The file (or `"<built-in>"`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The offending key, when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// CSS selectors for scraping a `page` source; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selectors {
    /// One element per item.
    pub item: Option<String>,
    /// The title inside an item.
    pub title: Option<String>,
    /// The link (`href`) inside an item.
    pub link: Option<String>,
    /// The summary inside an item.
    pub summary: Option<String>,
    /// The date inside an item.
    pub date: Option<String>,
    /// Headings that name the section items sit under.
    pub section: Option<String>,
    /// On an archive page: the links to follow to issue pages, each split like a newsletter
    /// issue.
    pub follow: Option<String>,
    /// Issue pages followed per fetch, newest first (default 2).
    pub max_follow: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    settings: Option<Spanned<RawSettings>>,
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    topic: Vec<Spanned<RawTopic>>,
    #[serde(default)]
    llm: Option<Spanned<RawLlm>>,
    #[serde(default)]
    mail: Option<Spanned<deliver::RawMail>>,
    #[serde(default)]
    watch: Vec<Spanned<deliver::RawWatch>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    database: Option<Spanned<String>>,
    concurrency: Option<Spanned<i64>>,
    per_host: Option<Spanned<i64>>,
    connect_timeout_secs: Option<Spanned<f64>>,
    timeout_secs: Option<Spanned<f64>>,
    retries: Option<Spanned<i64>>,
    max_body_mib: Option<Spanned<f64>>,
    time_zone: Option<Spanned<String>>,
    user_agent: Option<Spanned<String>>,
    failing_days: Option<Spanned<i64>>,
    max_per_topic: Option<Spanned<i64>>,
    max_per_source: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    name: Option<String>,
    url: Spanned<String>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    weight: Option<Spanned<f64>>,
    #[serde(default)]
    tags: Vec<String>,
    topic: Option<Spanned<String>>,
    selectors: Option<Selectors>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    name: Spanned<String>,
    terms: Option<Spanned<BTreeMap<String, f64>>>,
    #[serde(default)]
    sources: Vec<Spanned<String>>,
}

/// Where a source's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// An http(s) URL.
    Http(Url),
    /// A local file (`file:` URL, relative paths resolved against the config's folder).
    File(PathBuf),
}

/// A validated source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Source {
    /// Unique id: lowercase letters, digits, `-` and `_`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The URL as written in feeds.toml.
    pub url: String,
    /// Where to read it from.
    pub location: Location,
    /// What the source publishes.
    pub kind: SourceKind,
    /// Ranking weight (default 1.0).
    pub weight: f64,
    /// Free-form tags; `aggregator` marks a Planet-style re-publisher.
    pub tags: Vec<String>,
    /// A topic hint for every story from this source.
    pub topic: Option<String>,
    /// CSS selectors for `page` sources.
    pub selectors: Option<Selectors>,
}

impl Source {
    /// True for Planet-style aggregators that re-publish other blogs.
    pub(crate) fn is_aggregator(&self) -> bool {
        self.tags.iter().any(|t| t == "aggregator")
    }
}

/// A validated topic of the taxonomy.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Topic {
    /// Display name, unique.
    pub name: String,
    /// Lower-cased terms or phrases with their weights.
    pub terms: Vec<(String, f64)>,
    /// Source ids that hint this topic.
    pub sources: Vec<String>,
}

/// Global settings with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Settings {
    /// Database file from feeds.toml (already resolved against the config folder).
    pub database: Option<PathBuf>,
    /// Sources fetched at once.
    pub concurrency: usize,
    /// Sources fetched at once from one host.
    pub per_host: usize,
    /// TCP/TLS connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout (headers and body).
    pub timeout: Duration,
    /// Retries after a timeout or 5xx.
    pub retries: u32,
    /// Largest body accepted, after decompression.
    pub max_body_bytes: u64,
    /// The user's time zone, for week boundaries.
    pub time_zone: Tz,
    /// User-Agent header.
    pub user_agent: String,
    /// A source failing this many days is reported as long-failing.
    pub failing_days: u32,
    /// Stories shown per digest section; the rest are summarised in one line.
    pub max_per_topic: usize,
    /// Stories shown per source within a digest section.
    pub max_per_source: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database: None,
            concurrency: 16,
            per_host: 4,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retries: 2,
            max_body_bytes: 10 * 1024 * 1024,
            time_zone: Tz::UTC,
            user_agent: format!(
                "pydigest/{} (+https://github.com/pydigest/pydigest)",
                env!("CARGO_PKG_VERSION")
            ),
            failing_days: 7,
            max_per_topic: 8,
            max_per_source: 3,
        }
    }
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    /// The file it came from (`None` for the built-in catalogue).
    pub path: Option<PathBuf>,
    /// Global settings.
    pub settings: Settings,
    /// Sources in file order.
    pub sources: Vec<Source>,
    /// Topics in file order.
    pub topics: Vec<Topic>,
    /// The `[llm]` table, when present (only `digest --llm` uses it).
    pub llm: Option<LlmConfig>,
    /// The `[mail]` table, when present (only `digest --mail` uses it).
    pub mail: Option<MailConfig>,
    /// The `[[watch]]` tables in file order.
    pub watches: Vec<Watch>,
}

/// The feeds.toml being validated, so an error can name its file and line.
struct ConfigText<'a> {
    file: String,
    text: &'a str,
}

impl ConfigText<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|b| *b == b'\n')
            .count()
            + 1
    }

    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        key: &str,
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> Result<T, ConfigError> {
        Err(ConfigError {
            file: self.file.clone(),
            line: Some(self.line_of(span.start)),
            key: Some(key.to_string()),
            message: message.into(),
            hint: hint.map(str::to_string),
        })
    }
}

impl Config {
    /// Reads and validates a feeds.toml file.
    pub(crate) fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: None,
            key: None,
            message: format!("cannot read: {e}"),
            hint: Some(
                "pass --config FILE, or run `pydigest init` to write a starter feeds.toml".into(),
            ),
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        Config::parse(&text, &path.display().to_string(), &dir).map(|mut c| {
            c.path = Some(path.to_path_buf());
            c
        })
    }

    /// Parses and validates feeds.toml text; `dir` resolves relative paths.
    pub(crate) fn parse(text: &str, file: &str, dir: &Path) -> Result<Config, ConfigError> {
        let ctx = ConfigText {
            file: file.to_string(),
            text,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| ctx.line_of(s.start));
            let message = e.message().trim().to_string();
            let hint = if message.contains("unknown field") {
                Some("check the spelling; see the feeds.toml reference in README.md".to_string())
            } else if message.contains("missing field") {
                Some(
                    "every [[source]] needs `id` and `url`; every [[topic]] needs `name`"
                        .to_string(),
                )
            } else {
                Some("see the feeds.toml reference in README.md".to_string())
            };
            ConfigError {
                file: file.to_string(),
                line,
                key: key_near(text, e.span()),
                message,
                hint,
            }
        })?;
        let settings = validate_settings(
            &ctx,
            raw.settings.map(Spanned::into_inner).unwrap_or_default(),
            dir,
        )?;
        let hints: Vec<(String, Spanned<String>)> = raw
            .topic
            .iter()
            .flat_map(|t| {
                let t = t.get_ref();
                let name = t.name.get_ref().trim().to_string();
                t.sources.iter().map(move |s| (name.clone(), s.clone()))
            })
            .collect();
        let builtin = raw.topic.is_empty();
        let mut topics = if builtin {
            BUILTIN_TOPICS.clone()
        } else {
            validate_topics(&ctx, raw.topic)?
        };
        let sources = validate_sources(&ctx, raw.source, dir, &topics)?;
        let llm = raw.llm.map(|l| validate_llm(&ctx, l, dir)).transpose()?;
        let mail = raw
            .mail
            .map(|m| deliver::validate_mail(&ctx, m))
            .transpose()?;
        let watches = deliver::validate_watches(&ctx, raw.watch)?;
        let known = |id: &str| sources.iter().any(|s| s.id == id);
        if builtin {
            // The built-in taxonomy's hints name catalogue sources this file may not define.
            for t in &mut topics {
                t.sources.retain(|id| known(id));
            }
        }
        for (topic, src) in &hints {
            if !known(src.get_ref()) {
                return ctx.err(
                    src.span(),
                    "sources",
                    format!("topic {topic:?} names unknown source {:?}", src.get_ref()),
                    Some("use the `id` of a [[source]]"),
                );
            }
        }
        Ok(Config {
            path: None,
            settings,
            sources,
            topics,
            llm,
            mail,
            watches,
        })
    }

    /// The built-in catalogue, for when no feeds.toml exists.
    pub(crate) fn builtin() -> Config {
        Config::parse(DEFAULT_CATALOGUE, "<built-in feeds.toml>", Path::new("."))
            .expect("the built-in catalogue is valid")
    }

    /// Ids of the Planet-style aggregators, whose sightings rank after the original feeds'.
    pub(crate) fn aggregator_ids(&self) -> Vec<String> {
        self.sources
            .iter()
            .filter(|s| s.is_aggregator())
            .map(|s| s.id.clone())
            .collect()
    }

    /// The source with this id.
    pub(crate) fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// Best-effort key name at an error position (the text before `=` on that line).
fn key_near(text: &str, span: Option<std::ops::Range<usize>>) -> Option<String> {
    let span = span?;
    let start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// The one range check for numeric settings: the key's value when `ok` accepts it, an error at
/// its line otherwise (saying what is `expected`, and the default), the default when absent.
fn bounded<T: Copy + fmt::Display>(
    ctx: &ConfigText<'_>,
    v: &Option<Spanned<T>>,
    key: &str,
    default: T,
    ok: impl Fn(T) -> bool,
    expected: &str,
) -> Result<T, ConfigError> {
    match v {
        None => Ok(default),
        Some(s) if !ok(*s.get_ref()) => ctx.err(
            s.span(),
            key,
            format!("must be {expected}, got {}", s.get_ref()),
            Some(&format!("the default is {default}")),
        ),
        Some(s) => Ok(*s.get_ref()),
    }
}

/// A count that must be at least `min`.
fn at_least(min: i64) -> impl Fn(i64) -> bool {
    move |n| n >= min
}

/// Seconds in (0, 3600].
fn seconds(
    ctx: &ConfigText<'_>,
    v: &Option<Spanned<f64>>,
    key: &str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let ok = |s: f64| s.is_finite() && s > 0.0 && s <= 3600.0;
    let s = bounded(
        ctx,
        v,
        key,
        default.as_secs_f64(),
        ok,
        "between 0 and 3600 seconds",
    )?;
    Ok(Duration::from_secs_f64(s))
}

fn validate_settings(
    ctx: &ConfigText<'_>,
    raw: RawSettings,
    dir: &Path,
) -> Result<Settings, ConfigError> {
    let d = Settings::default();
    let time_zone = match &raw.time_zone {
        None => d.time_zone,
        Some(s) => s.get_ref().parse::<Tz>().or_else(|_| {
            ctx.err(
                s.span(),
                "time_zone",
                format!("unknown time zone {:?}", s.get_ref()),
                Some("use an IANA name such as \"Europe/Berlin\" or \"UTC\""),
            )
        })?,
    };
    const MIB: f64 = 1024.0 * 1024.0;
    let max_body_mib = bounded(
        ctx,
        &raw.max_body_mib,
        "max_body_mib",
        d.max_body_bytes as f64 / MIB,
        |m| m.is_finite() && m > 0.0 && m <= 1024.0,
        "between 0 and 1024",
    )?;
    let user_agent = match &raw.user_agent {
        None => d.user_agent,
        Some(s) if s.get_ref().trim().is_empty() || s.get_ref().chars().any(char::is_control) => {
            return ctx.err(
                s.span(),
                "user_agent",
                "must be non-empty printable text",
                None,
            );
        }
        Some(s) => s.get_ref().clone(),
    };
    Ok(Settings {
        database: raw.database.as_ref().map(|p| expand_path(p.get_ref(), dir)),
        concurrency: bounded(
            ctx,
            &raw.concurrency,
            "concurrency",
            d.concurrency as i64,
            at_least(1),
            "at least 1",
        )? as usize,
        per_host: bounded(
            ctx,
            &raw.per_host,
            "per_host",
            d.per_host as i64,
            at_least(1),
            "at least 1",
        )? as usize,
        connect_timeout: seconds(
            ctx,
            &raw.connect_timeout_secs,
            "connect_timeout_secs",
            d.connect_timeout,
        )?,
        timeout: seconds(ctx, &raw.timeout_secs, "timeout_secs", d.timeout)?,
        // An error above 10 like every other key, where it used to be clamped silently.
        retries: bounded(
            ctx,
            &raw.retries,
            "retries",
            i64::from(d.retries),
            |n| (0..=10).contains(&n),
            "between 0 and 10",
        )? as u32,
        max_body_bytes: (max_body_mib * MIB) as u64,
        time_zone,
        user_agent,
        failing_days: bounded(
            ctx,
            &raw.failing_days,
            "failing_days",
            i64::from(d.failing_days),
            at_least(1),
            "at least 1",
        )? as u32,
        max_per_topic: bounded(
            ctx,
            &raw.max_per_topic,
            "max_per_topic",
            d.max_per_topic as i64,
            at_least(1),
            "at least 1",
        )? as usize,
        max_per_source: bounded(
            ctx,
            &raw.max_per_source,
            "max_per_source",
            d.max_per_source as i64,
            at_least(1),
            "at least 1",
        )? as usize,
    })
}

/// `~/x` → home; relative paths → against the config folder.
fn expand_path(p: &str, dir: &Path) -> PathBuf {
    if let Some(rest) = p.strip_prefix("~/")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    let path = PathBuf::from(p);
    if path.is_absolute() {
        path
    } else {
        dir.join(path)
    }
}

fn validate_topics(
    ctx: &ConfigText<'_>,
    raw: Vec<Spanned<RawTopic>>,
) -> Result<Vec<Topic>, ConfigError> {
    let mut seen = HashSet::new();
    let mut topics = Vec::new();
    for t in raw {
        let t = t.into_inner();
        let name = t.name.get_ref().trim().to_string();
        if name.is_empty() {
            return ctx.err(t.name.span(), "name", "topic name is empty", None);
        }
        if !seen.insert(name.to_lowercase()) {
            return ctx.err(
                t.name.span(),
                "name",
                format!("duplicate topic {name:?}"),
                Some("each [[topic]] needs its own name"),
            );
        }
        let mut terms = Vec::new();
        let Some(raw_terms) = &t.terms else {
            return ctx.err(
                t.name.span(),
                "terms",
                format!("topic {name:?} has no terms"),
                Some("add terms = { \"word\" = 2, ... }"),
            );
        };
        for (term, weight) in raw_terms.get_ref() {
            if !(weight.is_finite() && *weight > 0.0) {
                return ctx.err(
                    raw_terms.span(),
                    "terms",
                    format!("weight of {term:?} must be a positive number"),
                    None,
                );
            }
            let term = crate::text::collapse_ws(&term.to_lowercase());
            if term.is_empty() {
                return ctx.err(raw_terms.span(), "terms", "empty term", None);
            }
            terms.push((term, *weight));
        }
        let sources = t.sources.iter().map(|s| s.get_ref().clone()).collect();
        topics.push(Topic {
            name,
            terms,
            sources,
        });
    }
    Ok(topics)
}

fn validate_sources(
    ctx: &ConfigText<'_>,
    raw: Vec<Spanned<RawSource>>,
    dir: &Path,
    topics: &[Topic],
) -> Result<Vec<Source>, ConfigError> {
    let mut seen = HashSet::new();
    let mut sources = Vec::new();
    for s in raw {
        let s = s.into_inner();
        let id = s.id.get_ref().clone();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return ctx.err(
                s.id.span(),
                "id",
                format!("invalid source id {id:?}"),
                Some("use lowercase letters, digits, `-` and `_`"),
            );
        }
        if !seen.insert(id.clone()) {
            return ctx.err(
                s.id.span(),
                "id",
                format!("duplicate source id {id:?}"),
                Some("each [[source]] needs its own id"),
            );
        }
        let url = s.url.get_ref().trim().to_string();
        let location = parse_location(&url, dir).or_else(|why| {
            ctx.err(
                s.url.span(),
                "url",
                why,
                Some("use an http(s) URL or file:PATH"),
            )
        })?;
        let kind = match &s.kind {
            None => SourceKind::Feed,
            Some(k) => SourceKind::parse(k.get_ref()).map_or_else(
                || {
                    ctx.err(
                        k.span(),
                        "kind",
                        format!("unknown kind {:?}", k.get_ref()),
                        Some("one of feed, newsletter, podcast, page"),
                    )
                },
                Ok,
            )?,
        };
        let weight = match &s.weight {
            None => 1.0,
            Some(w)
                if !(w.get_ref().is_finite() && *w.get_ref() >= 0.0 && *w.get_ref() <= 100.0) =>
            {
                return ctx.err(
                    w.span(),
                    "weight",
                    format!("must be between 0 and 100, got {}", w.get_ref()),
                    None,
                );
            }
            Some(w) => *w.get_ref(),
        };
        if let Some(t) = &s.topic
            && !topics
                .iter()
                .any(|x| x.name.eq_ignore_ascii_case(t.get_ref()))
        {
            let names: Vec<&str> = topics.iter().map(|x| x.name.as_str()).collect();
            return ctx.err(
                t.span(),
                "topic",
                format!("unknown topic {:?}", t.get_ref()),
                Some(&format!("known topics: {}", names.join(", "))),
            );
        }
        if s.selectors.is_some() && kind != SourceKind::Page && kind != SourceKind::Newsletter {
            return ctx.err(
                s.id.span(),
                "selectors",
                "selectors only apply to kind = \"page\" or \"newsletter\"",
                Some("set kind = \"page\", or remove [source.selectors]"),
            );
        }
        if let Some(sel) = &s.selectors {
            for (key, value) in [
                ("item", &sel.item),
                ("title", &sel.title),
                ("link", &sel.link),
                ("summary", &sel.summary),
                ("date", &sel.date),
                ("section", &sel.section),
                ("follow", &sel.follow),
            ] {
                if let Some(v) = value
                    && scraper::Selector::parse(v).is_err()
                {
                    // Selectors are not spanned: point at the first occurrence of the value
                    // after this source's id, which is where the user wrote it.
                    let start = s.id.span().start;
                    let at = ctx.text[start..]
                        .find(v.as_str())
                        .map_or(start, |i| start + i);
                    return ctx.err(
                        at..at,
                        &format!("selectors.{key}"),
                        format!("invalid CSS selector {v:?}"),
                        Some("use a CSS selector such as \"article h2 a\""),
                    );
                }
            }
        }
        sources.push(Source {
            name: s
                .name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| id.clone()),
            id,
            url,
            location,
            kind,
            weight,
            tags: s.tags,
            topic: s.topic.map(Spanned::into_inner),
            selectors: s.selectors,
        });
    }
    Ok(sources)
}

/// The `[llm]` table: an OpenAI-compatible chat-completions endpoint for `digest --llm`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LlmConfig {
    /// Endpoint base, e.g. `http://localhost:11434/v1` (`/chat/completions` is appended).
    pub base_url: Url,
    /// Model name as the endpoint knows it.
    pub model: String,
    /// Name of the environment variable holding the API key (never the key itself).
    pub api_key_env: Option<String>,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Most stories handed to the model.
    pub max_stories: usize,
    /// Sampling temperature, when set.
    pub temperature: Option<f64>,
    /// A file whose text replaces the built-in editorial instructions.
    pub prompt_file: Option<PathBuf>,
    /// Largest prompt (in characters) sent in one request; more material is summarised per
    /// topic first.
    pub max_prompt_chars: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLlm {
    base_url: Option<Spanned<String>>,
    model: Option<Spanned<String>>,
    api_key_env: Option<Spanned<String>>,
    timeout_secs: Option<Spanned<f64>>,
    max_stories: Option<Spanned<i64>>,
    temperature: Option<Spanned<f64>>,
    prompt_file: Option<Spanned<String>>,
    max_prompt_chars: Option<Spanned<i64>>,
}

/// A key naming the environment variable that holds a secret (`api_key_env`, `password_env`):
/// it must look like a variable name. The value is never echoed, since a user may have pasted
/// the secret itself here.
fn secret_env_name(
    ctx: &ConfigText<'_>,
    v: &Option<Spanned<String>>,
    key: &str,
    secret: &str,
    example: &str,
) -> Result<Option<String>, ConfigError> {
    let Some(k) = v else { return Ok(None) };
    let name = k.get_ref();
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        return Ok(Some(name.clone()));
    }
    ctx.err(
        k.span(),
        key,
        format!("must be the name of an environment variable, not the {secret} itself"),
        Some(&format!(
            "e.g. {key} = \"{example}\", then export {example}=..."
        )),
    )
}

fn validate_llm(
    ctx: &ConfigText<'_>,
    raw: Spanned<RawLlm>,
    dir: &Path,
) -> Result<LlmConfig, ConfigError> {
    let table = raw.span();
    let raw = raw.into_inner();
    let Some(base) = &raw.base_url else {
        return ctx.err(
            table,
            "base_url",
            "[llm] needs base_url",
            Some("e.g. base_url = \"http://localhost:11434/v1\" for Ollama"),
        );
    };
    let base_url = match Url::parse(base.get_ref().trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
        _ => {
            return ctx.err(
                base.span(),
                "base_url",
                format!("not an http(s) URL: {:?}", base.get_ref()),
                Some("e.g. \"https://api.openai.com/v1\""),
            );
        }
    };
    let model = match &raw.model {
        Some(m) if !m.get_ref().trim().is_empty() => m.get_ref().trim().to_string(),
        Some(m) => return ctx.err(m.span(), "model", "model is empty", None),
        None => {
            return ctx.err(
                table,
                "model",
                "[llm] needs model",
                Some("e.g. model = \"llama3.1\""),
            );
        }
    };
    let api_key_env = secret_env_name(
        ctx,
        &raw.api_key_env,
        "api_key_env",
        "key",
        "OPENAI_API_KEY",
    )?;
    let temperature = match &raw.temperature {
        None => None,
        Some(t) if !(t.get_ref().is_finite() && (0.0..=2.0).contains(t.get_ref())) => {
            return ctx.err(
                t.span(),
                "temperature",
                format!("must be between 0 and 2, got {}", t.get_ref()),
                None,
            );
        }
        Some(t) => Some(*t.get_ref()),
    };
    Ok(LlmConfig {
        base_url,
        model,
        api_key_env,
        timeout: seconds(
            ctx,
            &raw.timeout_secs,
            "timeout_secs",
            Duration::from_secs(120),
        )?,
        max_stories: bounded(
            ctx,
            &raw.max_stories,
            "max_stories",
            40,
            at_least(1),
            "at least 1",
        )? as usize,
        temperature,
        prompt_file: raw
            .prompt_file
            .as_ref()
            .map(|p| expand_path(p.get_ref(), dir)),
        max_prompt_chars: bounded(
            ctx,
            &raw.max_prompt_chars,
            "max_prompt_chars",
            24_000,
            at_least(1000),
            "at least 1000",
        )? as usize,
    })
}
/// The built-in taxonomy (the `[[topic]]` tables of the built-in catalogue), used when a
/// feeds.toml has no `[[topic]]` table of its own.
static BUILTIN_TOPICS: std::sync::LazyLock<Vec<Topic>> =
    std::sync::LazyLock::new(|| Config::builtin().topics);

/// Parses a source URL: http(s) URLs as they are, `file:` URLs and paths against `dir`.
pub(crate) fn parse_location(url: &str, dir: &Path) -> Result<Location, String> {
    if let Some(rest) = url.strip_prefix("file:") {
        let path_str = rest.strip_prefix("//").unwrap_or(rest);
        if path_str.is_empty() {
            return Err("empty file: path".into());
        }
        let path = PathBuf::from(path_str);
        return Ok(Location::File(if path.is_absolute() {
            path
        } else {
            dir.join(path)
        }));
    }
    match Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(Location::Http(u))
        }
        Ok(u) => Err(format!(
            "unsupported URL scheme {:?} in {url:?}",
            u.scheme()
        )),
        Err(e) => Err(format!("invalid URL {url:?}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "feeds.toml", Path::new("/cfg"))
    }

    #[test]
    fn the_builtin_catalogue_is_valid_and_real() {
        let c = Config::builtin();
        assert!(c.sources.len() >= 25, "{}", c.sources.len());
        assert!(c.topics.len() >= 10);
    }

    #[test]
    fn without_topic_tables_the_builtin_taxonomy_applies_with_hints_cut_to_known_sources() {
        let c = parse("[[source]]\nid = \"realpython\"\nurl = \"https://a.org/\"\n").unwrap();
        let builtin = Config::builtin();
        let names = |c: &Config| c.topics.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&c), names(&builtin));
        let hinted: Vec<&str> = c
            .topics
            .iter()
            .flat_map(|t| t.sources.iter().map(String::as_str))
            .collect();
        assert_eq!(hinted, ["realpython"]);
        let own = parse("[[topic]]\nname = \"Web\"\nterms = { django = 3 }\n").unwrap();
        assert_eq!(
            names(&own),
            ["Web"],
            "[[topic]] tables replace the built-in taxonomy"
        );
    }

    #[test]
    fn file_urls_resolve_against_the_config_folder() {
        let c = parse("[[source]]\nid = \"a\"\nurl = \"file:feeds/a.xml\"\n").unwrap();
        assert_eq!(
            c.sources[0].location,
            Location::File(PathBuf::from("/cfg/feeds/a.xml"))
        );
    }

    #[rstest]
    #[case(
        "[[source]]\nid = \"a\"\nurl = \"https://a.org/\"\nkindd = \"feed\"\n",
        4,
        "kindd"
    )]
    #[case(
        "[[source]]\nid = \"a\"\nurl = \"https://a.org/\"\n[[source]]\nid = \"a\"\nurl = \"https://b.org/\"\n",
        5,
        "id"
    )]
    #[case("[[source]]\nid = \"a\"\nurl = \"ftp://a.org/\"\n", 3, "url")]
    #[case("[settings]\nconcurrency = -1\n", 2, "concurrency")]
    #[case("[settings]\ntime_zone = \"Mars/Olympus\"\n", 2, "time_zone")]
    #[case(
        "[[source]]\nid = \"a\"\nurl = \"https://a.org/\"\nkind = \"blog\"\n",
        4,
        "kind"
    )]
    #[case(
        "[[topic]]\nname = \"Web\"\nterms = { django = 3 }\n[[source]]\nid = \"a\"\nurl = \"https://a.org/\"\ntopic = \"Webb\"\n",
        7,
        "topic"
    )]
    #[case("[settings]\nretries = 11\n", 2, "retries")]
    #[case(
        "[[source]]\nid = \"a\"\nurl = \"https://a.org/\"\n[[topic]]\nname = \"Web\"\nterms = { django = 3 }\nsources = [\"a\",\n  \"astral\"]\n",
        8,
        "sources"
    )]
    #[case("[settings\n", 1, "")]
    fn errors_name_line_and_key(#[case] text: &str, #[case] line: usize, #[case] key: &str) {
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, Some(line), "{e}");
        if !key.is_empty() {
            assert!(e.to_string().contains(key), "{e}");
        }
        assert!(e.to_string().starts_with("feeds.toml:"), "{e}");
    }
}
