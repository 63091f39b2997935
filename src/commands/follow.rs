//! Newsletters that live only on the web: an archive `page` source whose `follow` selector
//! picks issue links. `fetch` stores the archive's validators, then fetches the newest issue
//! pages not stored yet (at most `max_follow` per source and run) and splits each like a
//! newsletter feed's issue.

use super::fetch::{FetchReport, group_digits, parse_fetched};
use crate::config::{Location, Settings, Source};
use crate::fetch::{FetchJob, Outcome, fetch_all};
use crate::model::{ParsedDoc, SourceKind};
use crate::parse::{charset_from_content_type, decode};
use crate::store::Store;
use crate::text::for_terminal;
use chrono::Utc;
use std::time::Duration;

/// Issue pages followed per source and run when `max_follow` is not set.
pub(super) const DEFAULT_MAX_FOLLOW: u32 = 2;

/// The `follow` selector of an archive source, if it is one.
pub(super) fn follow_selector(source: &Source) -> Option<&str> {
    (source.kind == SourceKind::Page)
        .then(|| source.selectors.as_ref()?.follow.as_deref())
        .flatten()
}

/// The issue links the `follow` selector picks on an archive page, in page order (archives list
/// the newest first), resolved against the page's URL; http(s) only, each once.
pub(super) fn archive_links(
    body: &[u8],
    content_type: Option<&str>,
    final_url: &str,
    follow: &str,
) -> Result<Vec<String>, String> {
    let charset = content_type.and_then(charset_from_content_type);
    let text = decode(body, charset.as_deref()).text;
    let doc = scraper::Html::parse_document(&text);
    let sel = scraper::Selector::parse(follow)
        .map_err(|e| format!("invalid follow selector {follow:?}: {e}"))?;
    let anchor = scraper::Selector::parse("a[href]").map_err(|e| e.to_string())?;
    let base = url::Url::parse(final_url).ok();
    let mut out: Vec<String> = Vec::new();
    for el in doc.select(&sel) {
        // The selector may pick the links themselves or the items that hold them.
        let href = el
            .value()
            .attr("href")
            .or_else(|| el.select(&anchor).next()?.value().attr("href"));
        let Some(href) = href.map(str::trim) else {
            continue;
        };
        let url = match &base {
            Some(b) => b.join(href).ok(),
            None => url::Url::parse(href).ok(),
        };
        let Some(mut url) = url.filter(|u| matches!(u.scheme(), "http" | "https")) else {
            continue;
        };
        url.set_fragment(None);
        let url = url.to_string();
        if !out.contains(&url) {
            out.push(url);
        }
    }
    if out.is_empty() {
        return Err(format!(
            "the follow selector {follow:?} matched no links on the archive page"
        ));
    }
    Ok(out)
}

/// The issue pages of `source` to fetch now: the first `max_follow` of `links` not stored yet.
pub(super) fn unseen(
    store: &Store,
    source: &Source,
    links: &[String],
) -> crate::store::Result<Vec<String>> {
    let max = source
        .selectors
        .as_ref()
        .and_then(|s| s.max_follow)
        .unwrap_or(DEFAULT_MAX_FOLLOW) as usize;
    let mut out = Vec::new();
    for link in links {
        if out.len() >= max {
            break;
        }
        if !store.has_issue(&source.id, link)? {
            out.push(link.clone());
        }
    }
    Ok(out)
}

/// Fetches the issue pages (source, URL) and stores each; returns true when interrupted.
pub(super) fn fetch_issues(
    pending: Vec<(Source, String)>,
    settings: &Settings,
    store: &mut Store,
    report: &mut FetchReport,
    verbose: bool,
) -> anyhow::Result<bool> {
    let jobs: Vec<FetchJob> = pending
        .into_iter()
        .filter_map(|(source, link)| {
            let location = Location::Http(url::Url::parse(&link).ok()?);
            Some(FetchJob {
                source: Source {
                    url: link,
                    location,
                    kind: SourceKind::Newsletter,
                    selectors: None,
                    ..source
                },
                state: Default::default(),
            })
        })
        .collect();
    let process = |job: &FetchJob, outcome: Outcome, elapsed: Duration| {
        let result = match outcome {
            Outcome::Fetched {
                body,
                content_type,
                final_url,
                ..
            } => parse_fetched(&job.source, &body, content_type.as_deref(), &final_url)
                .map(|doc| (doc, body.len() as u64)),
            Outcome::Failed { error, .. } => Err(error.to_string()),
            Outcome::NotModified { .. } | Outcome::SkippedDead => {
                Err("nothing fetched".to_string())
            }
            Outcome::Cancelled => Err("interrupted".to_string()),
        };
        (result, elapsed)
    };
    fetch_all(
        jobs,
        settings,
        process,
        |job, (result, elapsed): (Result<(ParsedDoc, u64), String>, Duration)| {
            let id = job.source.id.as_str();
            let url = for_terminal(&job.source.url, false);
            let stored = result.and_then(|(doc, bytes)| {
                store
                    .record_issue(id, &doc, bytes, Utc::now())
                    .map(|stats| (stats, doc.entries.len(), bytes))
                    .map_err(|e| format!("storing failed: {e}"))
            });
            match stored {
                Ok((stats, entries, bytes)) => {
                    report.new_entries += stats.new;
                    report.updated_entries += stats.updated;
                    if verbose {
                        eprintln!(
                            "{id}: {url} issue page, {} bytes, {entries} entries, {} new, {} ms",
                            group_digits(bytes as usize),
                            stats.new,
                            elapsed.as_millis()
                        );
                    }
                }
                Err(e) => {
                    report.issues_failed += 1;
                    report.failures.push(format!(
                        "{id}: issue page {url}: {}",
                        for_terminal(&e, false)
                    ));
                }
            }
        },
    )
}
