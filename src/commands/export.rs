//! `pydigest export`: weekly digests as markdown pages with front matter (for MkDocs, Hugo,
//! Jekyll), a page of search results, or an Atom feed of the weeks, written into a folder.
//!
//! Re-exporting the same data gives the same bytes and touches nothing. A manifest,
//! `DIR/.pydigest-export.json`, remembers the sha256 of what was last written to each file; a
//! file whose content no longer matches it (or that exists but pydigest never wrote) was
//! changed by someone else and is kept unless `--force` (exit code 3 when anything was kept).
//! Every file is written to a temporary file in the same folder and renamed into place.

use super::Ctx;
use crate::cli::{ExportArgs, ExportFormat};
use crate::digest::{DigestOptions, DigestRange, build_digest};
use crate::render::export::{atom_feed, search_file_name, search_page, week_file_name, week_page};
use crate::store::{Store, StoryRow};
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use anyhow::Context as _;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Name of the manifest inside the output folder.
pub const MANIFEST: &str = ".pydigest-export.json";

/// The file that `--format atom` writes.
pub const ATOM_FILE: &str = "digest.atom";

/// What pydigest last wrote into the folder: file name → sha256 (hex) of its bytes.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    files: BTreeMap<String, String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The ISO weeks of `--weeks A..B` (or one week `A`), oldest first. Each end must be a valid
/// week that has begun in `tz`; `B` must not come before `A`.
pub fn parse_weeks(spec: &str, now: DateTime<Utc>, tz: Tz) -> Result<Vec<DigestRange>, String> {
    let (a, b) = match spec.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (spec.trim(), spec.trim()),
    };
    if a.is_empty() || b.is_empty() {
        return Err(format!(
            "invalid --weeks {spec:?}: use YYYY-Www or YYYY-Www..YYYY-Www, e.g. 2025-W40..2025-W43"
        ));
    }
    let first = super::digest::resolve_range(Some(a), None, None, now, tz)?;
    let last = super::digest::resolve_range(Some(b), None, None, now, tz)?;
    if last.start < first.start {
        return Err(format!(
            "invalid --weeks {spec:?}: {} comes before {}",
            last.week_label().unwrap_or_default(),
            first.week_label().unwrap_or_default()
        ));
    }
    Ok(weeks_between(first.start, last.start, tz))
}

/// Every ISO week from `date`'s week through the last complete week in `tz`.
pub fn weeks_since(date: &str, now: DateTime<Utc>, tz: Tz) -> Result<Vec<DigestRange>, String> {
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| format!("invalid --since {date:?}: use YYYY-MM-DD, e.g. 2025-10-13"))?;
    let today = now.with_timezone(&tz).date_naive();
    if day > today {
        return Err(format!(
            "--since {day} is in the future (today is {today} in {})",
            tz.name()
        ));
    }
    let iso = day.iso_week();
    let first = DigestRange::iso_week(iso.year(), iso.week(), tz).ok_or("date out of range")?;
    let last = DigestRange::last_complete_week(now, tz);
    if first.start > last.start {
        let w = first.week_label().unwrap_or_default();
        return Err(format!(
            "--since {day}: its week {w} has not ended yet; use --weeks {w} to export it anyway"
        ));
    }
    Ok(weeks_between(first.start, last.start, tz))
}

fn weeks_between(first_monday: NaiveDate, last_monday: NaiveDate, tz: Tz) -> Vec<DigestRange> {
    let mut out = Vec::new();
    let mut monday = first_monday;
    while monday <= last_monday {
        let iso = monday.iso_week();
        if let Some(r) = DigestRange::iso_week(iso.year(), iso.week(), tz) {
            out.push(r);
        }
        monday += Duration::days(7);
    }
    out
}

fn label(weeks: &[DigestRange]) -> String {
    let name = |r: &DigestRange| r.week_label().unwrap_or_default();
    match (weeks.first(), weeks.last()) {
        (Some(a), Some(b)) if a.start == b.start => name(a),
        (Some(a), Some(b)) => format!("{}..{}", name(a), name(b)),
        _ => String::new(),
    }
}

/// Runs the command.
pub fn run(ctx: &Ctx, args: &ExportArgs) -> anyhow::Result<Exit> {
    let tz = ctx.config.settings.time_zone;
    let now = Utc::now();
    if args.query.is_some() && args.format == ExportFormat::Atom {
        return Err(UsageError(
            "--query writes a markdown page; --format atom exports weekly digests".into(),
        )
        .into());
    }
    if let Some(q) = &args.query
        && q.trim().is_empty()
    {
        return Err(UsageError("--query is empty: give one or more words".into()).into());
    }
    let weeks = match (&args.weeks, &args.since) {
        (Some(w), _) => Some(parse_weeks(w, now, tz).map_err(UsageError)?),
        (None, Some(s)) => Some(weeks_since(s, now, tz).map_err(UsageError)?),
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
        let digests = week_digests(&store, &weeks, &aggregators, ctx, opts)?;
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
                top_up(
                    &mut digests,
                    &store,
                    &weeks,
                    args.feed_entries,
                    &aggregators,
                    ctx,
                    opts,
                )?;
                let link = |d: &crate::digest::Digest| entry_link(&args.out_dir, d);
                vec![(ATOM_FILE.to_string(), atom_feed(&digests, &link))]
            }
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
    aggregators: &[String],
    ctx: &Ctx,
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
        let monday = first.start - Duration::days(7 * back);
        let week = weeks_between(monday, monday, tz);
        digests.extend(week_digests(store, &week, aggregators, ctx, opts)?);
    }
    Ok(())
}

/// Where an Atom entry points: the week's markdown page when it was exported into the same
/// folder (relative, as the feed sits beside it), else the digest's first story.
fn entry_link(out_dir: &Path, d: &crate::digest::Digest) -> Option<String> {
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

/// The digests of the weeks that have stories.
fn week_digests(
    store: &Store,
    weeks: &[DigestRange],
    aggregators: &[String],
    ctx: &Ctx,
    opts: DigestOptions,
) -> anyhow::Result<Vec<crate::digest::Digest>> {
    let mut out = Vec::new();
    for range in weeks {
        let stories = store
            .stories_between(Some(range.since), Some(range.until), aggregators)
            .context("reading stories")?;
        if stories.is_empty() {
            continue;
        }
        let (h_since, h_until) = range.history();
        let history = store
            .stories_between(Some(h_since), Some(h_until), aggregators)
            .context("reading earlier weeks")?;
        let digest = build_digest(stories, &history, &ctx.config, range, opts);
        if !digest.is_empty() {
            out.push(digest);
        }
    }
    Ok(out)
}

/// The search page for `stories` (newest first), or `None` when none is left to show.
fn search_file(
    query: &str,
    stories: Vec<StoryRow>,
    ctx: &Ctx,
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

/// What happened to the files.
#[derive(Debug, Default)]
pub struct WriteReport {
    /// Created or replaced.
    pub written: Vec<PathBuf>,
    /// Already identical on disk.
    pub unchanged: usize,
    /// Left alone because someone else changed them, with why.
    pub kept: Vec<(PathBuf, String)>,
}

/// Writes `files` (name, content) into `dir` as described in the module docs, then the manifest.
pub fn write_files(
    dir: &Path,
    files: &[(String, String)],
    force: bool,
) -> anyhow::Result<WriteReport> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let manifest_path = dir.join(MANIFEST);
    let old_manifest_bytes = match std::fs::read(&manifest_path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", manifest_path.display())),
    };
    let mut manifest: Manifest = match &old_manifest_bytes {
        None => Manifest::default(),
        Some(b) => serde_json::from_slice(b).unwrap_or_else(|e| {
            tracing::warn!(
                "{} is not a valid export manifest ({e}): treating every existing file as changed by you",
                manifest_path.display()
            );
            Manifest::default()
        }),
    };
    manifest.version = 1;

    let mut report = WriteReport::default();
    for (name, content) in files {
        let path = dir.join(name);
        let hash = sha256_hex(content.as_bytes());
        let on_disk = match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
            Ok(m) if m.is_dir() => {
                report.kept.push((path, "a folder is in the way".into()));
                continue;
            }
            Ok(_) => {
                Some(std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?)
            }
        };
        if let Some(bytes) = on_disk {
            let disk_hash = sha256_hex(&bytes);
            if disk_hash == hash {
                report.unchanged += 1;
                manifest.files.insert(name.clone(), hash);
                continue;
            }
            if !force {
                match manifest.files.get(name) {
                    Some(last) if *last == disk_hash => {}
                    Some(_) => {
                        report
                            .kept
                            .push((path, "changed since the last export".into()));
                        continue;
                    }
                    None => {
                        report
                            .kept
                            .push((path, "not written by pydigest export".into()));
                        continue;
                    }
                }
            }
        }
        write_atomic(&path, content.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        manifest.files.insert(name.clone(), hash);
        report.written.push(path);
    }

    let mut text = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    text.push('\n');
    if old_manifest_bytes.as_deref() != Some(text.as_bytes()) {
        write_atomic(&manifest_path, text.as_bytes())
            .with_context(|| format!("writing {}", manifest_path.display()))?;
    }
    Ok(report)
}

/// Writes `bytes` to a temporary file next to `path`, flushes it to disk, and renames it over
/// `path`, so readers see the old file or the new one, never half of one.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Stories matching `query` (the same query language and ranking as `pydigest search`), with
/// all their sightings, newest first.
fn matching_stories(
    store: &crate::store::Store,
    query: &str,
    range: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
    aggregators: &[String],
) -> anyhow::Result<Vec<crate::store::StoryRow>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2025-10-22T10:00:00Z".parse().unwrap()
    }

    fn labels(r: &[DigestRange]) -> Vec<String> {
        r.iter().filter_map(DigestRange::week_label).collect()
    }

    #[test]
    fn week_ranges() {
        let tz = chrono_tz::Europe::London;
        assert_eq!(
            labels(&parse_weeks("2025-W40..2025-W43", now(), tz).unwrap()),
            ["2025-W40", "2025-W41", "2025-W42", "2025-W43"]
        );
        assert_eq!(
            labels(&parse_weeks("2025-W42", now(), tz).unwrap()),
            ["2025-W42"]
        );
        assert_eq!(
            labels(&parse_weeks("2020-W52..2021-W02", now(), tz).unwrap()),
            ["2020-W52", "2020-W53", "2021-W01", "2021-W02"]
        );
        let err = |s: &str| parse_weeks(s, now(), tz).unwrap_err();
        assert!(err("2025-W43..2025-W40").contains("comes before"));
        assert!(err("2025-W40..2025-W50").contains("future"));
        assert!(err("2025-W54").contains("weeks 1 to 52"));
        assert!(err("2025-W40..").contains("YYYY-Www"));
        assert!(err("banana").contains("ISO form"));
    }

    #[test]
    fn since_runs_through_the_last_complete_week() {
        let tz = chrono_tz::Europe::London;
        assert_eq!(
            labels(&weeks_since("2025-10-01", now(), tz).unwrap()),
            ["2025-W40", "2025-W41", "2025-W42"]
        );
        assert!(
            weeks_since("2025-10-21", now(), tz)
                .unwrap_err()
                .contains("not ended")
        );
        assert!(
            weeks_since("2025-11-01", now(), tz)
                .unwrap_err()
                .contains("future")
        );
        assert!(
            weeks_since("1/10/2025", now(), tz)
                .unwrap_err()
                .contains("YYYY-MM-DD")
        );
    }

    #[test]
    fn manifest_protects_edited_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![("a.md".to_string(), "one\n".to_string())];
        let r = write_files(dir.path(), &files, false).unwrap();
        assert_eq!((r.written.len(), r.unchanged, r.kept.len()), (1, 0, 0));
        let r = write_files(dir.path(), &files, false).unwrap();
        assert_eq!((r.written.len(), r.unchanged, r.kept.len()), (0, 1, 0));
        // New content replaces what pydigest wrote.
        let files2 = vec![("a.md".to_string(), "two\n".to_string())];
        let r = write_files(dir.path(), &files2, false).unwrap();
        assert_eq!(r.written.len(), 1);
        // A user edit is kept, unless forced.
        std::fs::write(dir.path().join("a.md"), "mine\n").unwrap();
        let r = write_files(dir.path(), &files, false).unwrap();
        assert_eq!(r.kept.len(), 1);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.md")).unwrap(),
            "mine\n"
        );
        let r = write_files(dir.path(), &files, true).unwrap();
        assert_eq!(r.written.len(), 1);
        // A file pydigest never wrote is the user's.
        std::fs::write(dir.path().join("b.md"), "theirs\n").unwrap();
        let r = write_files(dir.path(), &[("b.md".into(), "ours\n".into())], false).unwrap();
        assert_eq!(r.kept.len(), 1);
        assert!(r.kept[0].1.contains("not written by pydigest"));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
