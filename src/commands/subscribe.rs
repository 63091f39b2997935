//! `pydigest sources add` and `sources remove`: subscribe and unsubscribe by editing feeds.toml
//! in place. The file is the user's: comments and layout are kept (toml_edit), the result is
//! validated before it replaces the original, and the replacement is atomic (temp + rename).

use super::opml::{slug, valid_id};
use super::{Invocation, stdout};
use crate::cli::{AddSourceArgs, RemoveSourceArgs};
use crate::config::{Config, Source, parse_location};
use crate::fetch::{FetchJob, Outcome};
use crate::model::SourceKind;
use crate::parse::{ParseOptions, charset_from_content_type, decode, parse_document};
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use anyhow::Context as _;
use chrono::Utc;
use std::io::Write;
use std::path::{Path, PathBuf};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

/// Feed types a page may advertise in `<link rel="alternate" type=…>`.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
];

/// A fetched document.
struct Fetched {
    body: Vec<u8>,
    content_type: Option<String>,
    final_url: String,
}

fn feeds_toml(ctx: &Invocation) -> anyhow::Result<PathBuf> {
    ctx.config.path.clone().ok_or_else(|| {
        UsageError(
            "the built-in catalogue is in use and cannot be edited: run `pydigest init` to write a feeds.toml, or pass --config FILE".into(),
        )
        .into()
    })
}

/// Fetches one URL with pydigest's client, caps and redirect rules.
fn fetch(ctx: &Invocation, url: &str) -> anyhow::Result<Fetched> {
    let location = parse_location(url, Path::new(".")).map_err(UsageError)?;
    let job = FetchJob {
        source: Source {
            id: "add".into(),
            name: url.into(),
            url: url.into(),
            location,
            kind: SourceKind::Feed,
            weight: 1.0,
            tags: Vec::new(),
            topic: None,
            selectors: None,
        },
        state: Default::default(),
    };
    let mut captured = None;
    crate::fetch::fetch_all(
        vec![job],
        &ctx.config.settings,
        |_, o, _| o,
        |_, o| captured = Some(o),
    )?;
    let shown = for_terminal(url, false);
    match captured {
        Some(Outcome::Fetched {
            body,
            content_type,
            final_url,
            ..
        }) => Ok(Fetched {
            body,
            content_type,
            final_url,
        }),
        Some(Outcome::Failed { error, .. }) => Err(anyhow::anyhow!(
            "{shown}: {}",
            for_terminal(&error.to_string(), false)
        )),
        Some(other) => Err(anyhow::anyhow!("{shown}: nothing fetched ({other:?})")),
        None => Err(anyhow::anyhow!("{shown}: interrupted")),
    }
}

fn is_html(f: &Fetched) -> bool {
    if f.content_type
        .as_deref()
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
    {
        return true;
    }
    let head: String = String::from_utf8_lossy(&f.body[..f.body.len().min(512)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

fn text_of(f: &Fetched) -> String {
    let charset = f
        .content_type
        .as_deref()
        .and_then(charset_from_content_type);
    decode(&f.body, charset.as_deref()).text
}

/// The feeds a page advertises, in page order: (URL, title).
fn advertised_feeds(page: &Fetched) -> Vec<(String, Option<String>)> {
    let doc = scraper::Html::parse_document(&text_of(page));
    let Ok(sel) = scraper::Selector::parse("link[rel][href][type]") else {
        return Vec::new();
    };
    let base = url::Url::parse(&page.final_url).ok();
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for link in doc.select(&sel) {
        let v = link.value();
        let alternate = v.attr("rel").is_some_and(|r| {
            r.split_whitespace()
                .any(|t| t.eq_ignore_ascii_case("alternate"))
        });
        let ty = v.attr("type").unwrap_or("").trim().to_ascii_lowercase();
        if !alternate || !FEED_TYPES.contains(&ty.as_str()) {
            continue;
        }
        let href = v.attr("href").unwrap_or("").trim();
        let Some(url) = base
            .as_ref()
            .and_then(|b| b.join(href).ok())
            .or_else(|| url::Url::parse(href).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
        else {
            continue;
        };
        let url = url.to_string();
        if out.iter().all(|(u, _)| *u != url) {
            out.push((url, v.attr("title").map(str::to_string)));
        }
    }
    out
}

fn page_title(page: &Fetched) -> Option<String> {
    let doc = scraper::Html::parse_document(&text_of(page));
    let sel = scraper::Selector::parse("title").ok()?;
    let t = doc.select(&sel).next()?.text().collect::<String>();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// Parses `f` as a feed of `kind` and returns its title.
fn feed_title(f: &Fetched, kind: SourceKind) -> anyhow::Result<Option<String>> {
    let charset = f
        .content_type
        .as_deref()
        .and_then(charset_from_content_type);
    let opts = ParseOptions {
        base_url: Some(&f.final_url),
        http_charset: charset.as_deref(),
        kind: Some(kind),
        aggregator: false,
        selectors: None,
        now: Some(Utc::now()),
    };
    let doc = parse_document(&f.body, &opts).map_err(|e| {
        UsageError(format!(
            "{} is neither a feed nor a page that names one: {}",
            for_terminal(&f.final_url, false),
            for_terminal(&e.to_string(), false)
        ))
    })?;
    Ok(doc.meta.title.filter(|t| !t.trim().is_empty()))
}

/// Runs `sources add`.
pub(super) fn add(ctx: &Invocation, args: &AddSourceArgs) -> anyhow::Result<Exit> {
    let path = feeds_toml(ctx)?;
    let kind = args.kind;
    let given = args.url.trim();
    if !(given.starts_with("http://") || given.starts_with("https://")) {
        return Err(UsageError(format!(
            "{}: give an http(s) URL (a feed, or a site page that links to its feed)",
            for_terminal(given, false)
        ))
        .into());
    }
    let first = fetch(ctx, given)?;
    let (url, title) = if kind == SourceKind::Page {
        (given.to_string(), page_title(&first))
    } else if is_html(&first) {
        let feeds = advertised_feeds(&first);
        if feeds.is_empty() {
            return Err(UsageError(format!(
                "{} names no feed (no <link rel=\"alternate\"> of an RSS, Atom or JSON feed type): give the feed's URL, or --kind page to scrape the page",
                for_terminal(given, false)
            ))
            .into());
        }
        let pick = usize::from(args.pick.unwrap_or(1));
        if pick > feeds.len() {
            return Err(UsageError(format!(
                "--pick {pick}: the page names only {} feed(s)",
                feeds.len()
            ))
            .into());
        }
        if feeds.len() > 1 && !ctx.quiet {
            eprintln!(
                "{} names {} feeds:",
                for_terminal(given, false),
                feeds.len()
            );
            for (i, (u, t)) in feeds.iter().enumerate() {
                eprintln!(
                    "  {}{} {}{}",
                    if i + 1 == pick { '*' } else { ' ' },
                    i + 1,
                    for_terminal(u, false),
                    t.as_deref()
                        .map(|t| format!(" ({})", for_terminal(t, false)))
                        .unwrap_or_default()
                );
            }
            if args.pick.is_none() {
                eprintln!("taking the first; --pick N takes another");
            }
        }
        let url = feeds[pick - 1].0.clone();
        let feed = fetch(ctx, &url)?;
        let title = feed_title(&feed, kind)?;
        (url, title.or_else(|| page_title(&first)))
    } else {
        (given.to_string(), feed_title(&first, kind)?)
    };
    if let Some(existing) = ctx.config.sources.iter().find(|s| s.url == url) {
        return Err(UsageError(format!(
            "{} is already a source: {}",
            for_terminal(&url, false),
            existing.id
        ))
        .into());
    }
    let name = args
        .name
        .clone()
        .or(title)
        .or_else(|| {
            url::Url::parse(&url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
        })
        .unwrap_or_else(|| url.clone());
    let name = for_terminal(&name, false);
    let taken = |id: &str| ctx.config.sources.iter().any(|s| s.id == id);
    let id = match &args.id {
        Some(id) if !valid_id(id) => {
            return Err(UsageError(format!(
                "--id {}: use lowercase letters, digits, `-` and `_`",
                for_terminal(id, false)
            ))
            .into());
        }
        Some(id) if taken(id) => {
            return Err(UsageError(format!("--id {id}: a source with this id exists")).into());
        }
        Some(id) => id.clone(),
        None => {
            let base = slug(&name);
            let mut id = base.clone();
            let mut n = 2;
            while taken(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        }
    };

    let mut table = Table::new();
    table["id"] = value(id.as_str());
    table["name"] = value(name.as_str());
    table["url"] = value(url.as_str());
    table["kind"] = value(kind.as_str());
    let tags: Vec<&str> = args
        .tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    if !tags.is_empty() {
        table["tags"] = value(tags.into_iter().collect::<Array>());
    }
    table.decor_mut().set_prefix("\n");
    edit(&path, |doc| {
        match doc.get_mut("source") {
            None => {
                let mut list = ArrayOfTables::new();
                list.push(table);
                doc.insert("source", Item::ArrayOfTables(list));
            }
            Some(Item::ArrayOfTables(list)) => list.push(table),
            Some(_) => {
                return Err(UsageError(
                    "`source` in feeds.toml is not a [[source]] list".into(),
                ));
            }
        }
        Ok(())
    })?;
    writeln!(stdout(), "{id}")?;
    if !ctx.quiet {
        eprintln!(
            "{}: added {id} ({}, {})",
            path.display(),
            kind.as_str(),
            for_terminal(&url, false)
        );
    }
    Ok(Exit::Ok)
}

/// Runs `sources remove`.
pub(super) fn remove(ctx: &Invocation, args: &RemoveSourceArgs) -> anyhow::Result<Exit> {
    let path = feeds_toml(ctx)?;
    let id = args.id.as_str();
    if ctx.config.source(id).is_none() {
        return Err(UsageError(format!(
            "no source {} in {} (see `pydigest sources`)",
            for_terminal(id, false),
            path.display()
        ))
        .into());
    }
    let mut unlinked = 0;
    edit(&path, |doc| {
        let mut section: Option<(isize, String)> = None;
        if let Some(Item::ArrayOfTables(list)) = doc.get_mut("source") {
            let found = list
                .iter()
                .position(|t| t.get("id").and_then(Item::as_str) == Some(id));
            if let Some(i) = found {
                section = list.get(i).and_then(section_comment);
                list.remove(i);
            }
        }
        // A comment set off from the removed table by a blank line heads a section of the file,
        // not this source: it stays, above whatever table now comes next.
        if let Some((pos, comment)) = section
            && let Some(next) = next_table_mut(doc, pos)
        {
            let old = next
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_string();
            next.decor_mut()
                .set_prefix(format!("{}\n{old}", comment.trim_end_matches('\n')));
        }
        // A topic naming a source that no longer exists would make feeds.toml invalid.
        if let Some(Item::ArrayOfTables(topics)) = doc.get_mut("topic") {
            for t in topics.iter_mut() {
                if let Some(arr) = t.get_mut("sources").and_then(Item::as_array_mut) {
                    let before = arr.len();
                    arr.retain(|v| v.as_str() != Some(id));
                    unlinked += before - arr.len();
                }
            }
        }
        Ok(())
    })?;
    let mut note = String::new();
    if unlinked > 0 {
        note.push_str(&format!("; unlinked from {unlinked} topic(s)"));
    }
    if args.purge {
        let mut store = crate::store::Store::open(&ctx.db_path)?;
        let (entries, stories) = store.purge_source(id)?;
        note.push_str(&format!(
            "; {entries} stored entries and {stories} stories only it carried deleted"
        ));
    } else {
        note.push_str("; its stored entries are kept (--purge deletes them)");
    }
    if !ctx.quiet {
        eprintln!("{}: removed {id}{note}", path.display());
    }
    Ok(Exit::Ok)
}

/// The part of a table's leading comments that a blank line separates from it, with the table's
/// position in the document.
fn section_comment(t: &Table) -> Option<(isize, String)> {
    let prefix = t.decor().prefix()?.as_str()?;
    let cut = prefix.rfind("\n\n")?;
    let keep = &prefix[..cut + 2];
    (!keep.trim().is_empty()).then(|| (t.position().unwrap_or(0), keep.to_string()))
}

/// The table that comes first in the document after position `pos`.
fn next_table_mut(doc: &mut DocumentMut, pos: isize) -> Option<&mut Table> {
    let mut best: Option<(isize, String, Option<usize>)> = None;
    for (key, item) in doc.as_table() {
        let mut consider = |p: Option<isize>, index: Option<usize>| {
            if let Some(p) = p.filter(|p| *p > pos)
                && best.as_ref().is_none_or(|(b, _, _)| p < *b)
            {
                best = Some((p, key.to_string(), index));
            }
        };
        match item {
            Item::Table(t) => consider(t.position(), None),
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    consider(t.position(), Some(i));
                }
            }
            _ => {}
        }
    }
    let (_, key, index) = best?;
    match (doc.get_mut(&key)?, index) {
        (Item::Table(t), None) => Some(t),
        (Item::ArrayOfTables(a), Some(i)) => a.get_mut(i),
        _ => None,
    }
}

/// Applies `change` to feeds.toml, validates the result and replaces the file atomically.
fn edit(
    path: &Path,
    change: impl FnOnce(&mut DocumentMut) -> Result<(), UsageError>,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    change(&mut doc)?;
    let mut new = doc.to_string();
    // toml_edit can drop the final newline when the last table shrinks; keep the file's ending.
    if text.ends_with('\n') && !new.ends_with('\n') {
        new.push('\n');
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    // A change that would leave feeds.toml invalid is refused before anything is written.
    Config::parse(&new, &path.display().to_string(), dir)?;
    write_atomically(path, &new)
}

/// Writes a sibling temp file and renames it over `path`: readers see the old or the new file,
/// never half of one, and a crash leaves the original intact.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "feeds.toml".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", path.display()))
}
