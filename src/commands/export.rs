//! `pydigest export`: weekly digests as markdown pages with front matter (for MkDocs, Hugo,
//! Jekyll), a page of search results, or an Atom feed of the weeks, written into a folder.
//!
//! Re-exporting the same data gives the same bytes and touches nothing. A manifest,
//! `DIR/.pydigest-export.json`, remembers the sha256 of what was last written to each file; a
//! file whose content no longer matches it (or that exists but pydigest never wrote) was
//! changed by someone else and is kept unless `--force` (exit code 3 when anything was kept).
//! Every file is written to a temporary file in the same folder and renamed into place
//! ([`crate::files`]).

use super::{Invocation, arg_error, period_digest};
use crate::calendar::{
    CalendarError, DigestRange, parse_day, parse_weeks, weeks_between, weeks_since,
};
use crate::cli::{ExportArgs, ExportFormat};
use crate::digest::{DigestOptions, build_digest};
use crate::files::write_files;
use crate::model::Story;
use crate::render::export::{atom_feed, search_file_name, search_page, week_file_name, week_page};
use crate::render::page::{index_page, render_page};
use crate::store::Store;
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The index page that `--format html` writes beside the weeks.
const HTML_INDEX: &str = "index.html";

/// The file that `--format atom` writes.
pub(super) const ATOM_FILE: &str = "digest.atom";

fn label(weeks: &[DigestRange]) -> String {
    let name = |r: &DigestRange| r.week_label().unwrap_or_default();
    match (weeks.first(), weeks.last()) {
        (Some(a), Some(b)) if a.start == b.start => name(a),
        (Some(a), Some(b)) => format!("{}..{}", name(a), name(b)),
        _ => String::new(),
    }
}

/// Runs the command.
pub(super) fn run(ctx: &Invocation, args: &ExportArgs) -> anyhow::Result<Exit> {
    let tz = ctx.config.settings.time_zone;
    let now = Utc::now();
    if args.query.is_some() && args.format != ExportFormat::Markdown {
        return Err(UsageError(
            "--query writes a markdown page; --format atom and html export weekly digests".into(),
        )
        .into());
    }
    if let Some(q) = &args.query
        && q.trim().is_empty()
    {
        return Err(UsageError("--query is empty: give one or more words".into()).into());
    }
    let weeks = match (&args.weeks, &args.since) {
        (Some(w), _) => Some(parse_weeks(w, now, tz).map_err(|e| arg_error("--weeks", e))?),
        (None, Some(s)) => Some(
            parse_day(s)
                .and_then(|day| weeks_since(day, now, tz))
                .map_err(|e| match e {
                    CalendarError::WeekNotEnded { ref week, .. } => UsageError(format!(
                        "--since: {e}; use --weeks {week} to export it anyway"
                    )),
                    e => arg_error("--since", e),
                })?,
        ),
        (None, None) if args.query.is_some() => None,
        (None, None) => Some(vec![DigestRange::last_complete_week(now, tz)]),
    };
    let store = ctx.open_store_read()?;
    let aggregators = ctx.config.aggregator_ids();
    let opts = DigestOptions {
        include_sponsored: args.include_sponsored,
    };

    let files: Vec<(String, String)> = if let Some(query) = &args.query {
        let range = weeks
            .as_deref()
            .and_then(|w| Some((w.first()?.since, w.last()?.until)));
        let stories = matching_stories(&store, query, range, &aggregators)?;
        match search_file(query, stories, ctx, tz, opts) {
            Some(f) => vec![f],
            None => {
                let within = weeks
                    .as_deref()
                    .map(|w| format!(" in {}", label(w)))
                    .unwrap_or_default();
                eprintln!(
                    "nothing to export: no stories match {:?}{within}",
                    for_terminal(query, false)
                );
                return Ok(Exit::Ok);
            }
        }
    } else {
        let weeks = weeks.unwrap_or_default();
        let digests = week_digests(&store, &weeks, ctx, opts)?;
        if digests.is_empty() {
            eprintln!(
                "nothing to export: no stories in {} (run `pydigest fetch` first, or pick other weeks)",
                label(&weeks)
            );
            return Ok(Exit::Ok);
        }
        let empty = weeks.len() - digests.len();
        if empty > 0 && !ctx.quiet {
            eprintln!(
                "skipped {empty} week{} without stories",
                if empty == 1 { "" } else { "s" }
            );
        }
        match args.format {
            ExportFormat::Atom => {
                let mut digests = digests;
                top_up(&mut digests, &store, &weeks, args.feed_entries, ctx, opts)?;
                let link = |d: &crate::digest::Digest| entry_link(&args.out_dir, d);
                vec![(ATOM_FILE.to_string(), atom_feed(&digests, &link))]
            }
            ExportFormat::Html => html_files(&digests),
            ExportFormat::Markdown => digests
                .iter()
                .map(|d| {
                    (
                        week_file_name(&d.range.week_label().unwrap_or_default()),
                        week_page(d),
                    )
                })
                .collect(),
        }
    };

    let report = write_files(&args.out_dir, &files, args.force)?;
    for path in &report.written {
        if !ctx.quiet {
            eprintln!("wrote {}", for_terminal(&path.display().to_string(), false));
        }
    }
    for (path, why) in &report.kept {
        eprintln!(
            "kept {}: {why} (use --force to overwrite)",
            for_terminal(&path.display().to_string(), false)
        );
    }
    if !ctx.quiet {
        eprintln!(
            "{} file{}: {} written, {} unchanged, {} kept",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            report.written.len(),
            report.unchanged,
            report.kept.len()
        );
    }
    Ok(if report.kept.is_empty() {
        Exit::Ok
    } else {
        Exit::Partial
    })
}

/// Weeks looked back at most when topping up the Atom feed: five years.
const TOP_UP_WEEKS: i64 = 260;

/// Adds the digests of the weeks before the range, newest first, until there are `want`: a feed
/// reader keeps only what the feed holds, so a narrow re-export must not shrink it.
fn top_up(
    digests: &mut Vec<crate::digest::Digest>,
    store: &Store,
    weeks: &[DigestRange],
    want: usize,
    ctx: &Invocation,
    opts: DigestOptions,
) -> anyhow::Result<()> {
    let Some(first) = weeks.first() else {
        return Ok(());
    };
    let tz = ctx.config.settings.time_zone;
    for back in 1..=TOP_UP_WEEKS {
        if digests.len() >= want {
            break;
        }
        let monday = first.start - chrono::Duration::days(7 * back);
        let week = weeks_between(monday, monday, tz);
        digests.extend(week_digests(store, &week, ctx, opts)?);
    }
    Ok(())
}

/// Where an Atom entry points: the week's markdown page when it was exported into the same
/// folder (relative, as the feed sits beside it), else the digest's first story.
fn entry_link(out_dir: &std::path::Path, d: &crate::digest::Digest) -> Option<String> {
    if let Some(week) = d.range.week_label() {
        let page = week_file_name(&week);
        if out_dir.join(&page).is_file() {
            return Some(page);
        }
    }
    d.top
        .iter()
        .filter_map(|id| d.item(*id))
        .chain(d.sections.iter().flat_map(|s| &s.items))
        .filter_map(|i| i.url.clone())
        .find(|u| u.starts_with("https://") || u.starts_with("http://"))
}

/// One page per week, `2025-W42.html`, and `index.html` linking them, newest first.
fn html_files(digests: &[crate::digest::Digest]) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = digests
        .iter()
        .map(|d| {
            let week = d.range.week_label().unwrap_or_default();
            (format!("{week}.html"), render_page(d))
        })
        .collect();
    let mut index: Vec<(String, String)> = digests
        .iter()
        .map(|d| {
            let week = d.range.week_label().unwrap_or_default();
            (format!("{week}.html"), d.title.clone())
        })
        .collect();
    index.reverse();
    files.push((HTML_INDEX.to_string(), index_page(&index)));
    files
}

/// The digests of the weeks that have stories.
fn week_digests(
    store: &Store,
    weeks: &[DigestRange],
    ctx: &Invocation,
    opts: DigestOptions,
) -> anyhow::Result<Vec<crate::digest::Digest>> {
    let mut out = Vec::new();
    for range in weeks {
        let digest = period_digest(store, &ctx.config, range, opts)?;
        if !digest.is_empty() {
            out.push(digest);
        }
    }
    Ok(out)
}

/// The search page for `stories` (newest first), or `None` when none is left to show.
fn search_file(
    query: &str,
    stories: Vec<Story>,
    ctx: &Invocation,
    tz: Tz,
    opts: DigestOptions,
) -> Option<(String, String)> {
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
    let first = stories.iter().filter_map(|s| s.published).min()?;
    let last = stories.iter().filter_map(|s| s.published).max()?;
    let range = DigestRange::days(local(first), local(last), tz).ok()?;
    let digest = build_digest(stories, &[], &ctx.config, &range, opts);
    let mut items: Vec<_> = digest.sections.into_iter().flat_map(|s| s.items).collect();
    if items.is_empty() {
        return None;
    }
    items.sort_by(|a, b| b.published.cmp(&a.published).then(a.id.cmp(&b.id)));
    for i in &mut items {
        i.date = i
            .published
            .map(|p| local(p).format("%Y-%m-%d").to_string())
            .unwrap_or_default();
    }
    let newest = items[0].published.map(local);
    Some((search_file_name(query), search_page(query, &items, newest)))
}

/// Stories matching `query` (the same query language and ranking as `pydigest search`), with
/// all their sightings, newest first.
fn matching_stories(
    store: &crate::store::Store,
    query: &str,
    range: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
    aggregators: &[String],
) -> anyhow::Result<Vec<Story>> {
    /// A search page lists at most this many stories.
    const MAX_STORIES: usize = 500;
    let Some(fts) = crate::store::plain_to_fts(query) else {
        return Ok(Vec::new());
    };
    let hits = store
        .search(&crate::store::SearchQuery {
            fts,
            since: range.map(|r| r.0),
            until: range.map(|r| r.1),
            sources: Vec::new(),
            author: None,
            limit: MAX_STORIES,
        })
        .context("searching stories")?;
    let mut stories = Vec::with_capacity(hits.len());
    for hit in hits.iter().filter(|h| h.story_id > 0) {
        if let Some(story) = store.story(hit.story_id, aggregators)? {
            stories.push(story);
        }
    }
    stories.sort_by(|a, b| b.published.cmp(&a.published).then(a.id.cmp(&b.id)));
    Ok(stories)
}
