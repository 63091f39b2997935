//! `pydigest watch`: the stories matching any `[[watch]]` that no earlier `watch` run has
//! reported, each printed once; nothing at all when nothing is new (so a cron job mails only
//! when there is news). Also the digest's "Watch: NAME" sections.

use super::{Invocation, stdout};
use crate::calendar::rfc3339;
use crate::cli::WatchArgs;
use crate::config::Watch;
use crate::digest::{Digest, Section};
use crate::store::{SearchHit, SearchQuery, Store};
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::io::Write;

/// At most this many matches of one watch are looked at per run.
const MAX_MATCHES: usize = 1000;

/// The stories matching `watch` (story ids > 0: sightings merged into a story), best first,
/// published in `[since, until)` when given.
fn matches(
    store: &Store,
    watch: &Watch,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> anyhow::Result<Vec<SearchHit>> {
    let hits = store
        .search(&SearchQuery {
            fts: watch.fts.clone(),
            since,
            until,
            sources: Vec::new(),
            author: None,
            limit: MAX_MATCHES,
        })
        .with_context(|| format!("searching for watch {:?}", watch.name))?;
    Ok(hits.into_iter().filter(|h| h.story_id > 0).collect())
}

/// Adds one "Watch: NAME" section per watch that matched a story of the digest, in the order
/// of feeds.toml, each listing the matching stories in digest order.
pub(super) fn add_watch_sections(
    store: &Store,
    watches: &[Watch],
    digest: &mut Digest,
) -> anyhow::Result<()> {
    if digest.is_empty() {
        return Ok(());
    }
    for w in watches {
        let ids: HashSet<i64> =
            matches(store, w, Some(digest.range.since), Some(digest.range.until))?
                .iter()
                .map(|h| h.story_id)
                .collect();
        let items: Vec<_> = digest
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| ids.contains(&i.id))
            .cloned()
            .collect();
        if !items.is_empty() {
            digest.watches.push(Section {
                name: format!("Watch: {}", w.name),
                items,
            });
        }
    }
    Ok(())
}

/// Runs the command.
pub(super) fn run(ctx: &Invocation, args: &WatchArgs) -> anyhow::Result<Exit> {
    if ctx.config.watches.is_empty() {
        return Err(UsageError(
            "no [[watch]] tables in feeds.toml: add one with name and query (see \"Watches\" in README.md)".into(),
        )
        .into());
    }
    let exit = if args.fetch {
        super::fetch::fetch_all_first(ctx)?
    } else {
        Exit::Ok
    };
    if exit == Exit::Interrupted {
        return Ok(exit);
    }
    let store = ctx.open_store()?;
    let now = Utc::now();
    let mut json = Vec::new();
    let mut out = stdout();
    for w in &ctx.config.watches {
        let seen = store.watch_reported(&w.name)?;
        let mut new: Vec<SearchHit> = matches(&store, w, None, None)?
            .into_iter()
            .filter(|h| !seen.contains(&h.story_id))
            .collect();
        if new.is_empty() {
            continue;
        }
        new.sort_by(|a, b| {
            b.published
                .cmp(&a.published)
                .then(a.story_id.cmp(&b.story_id))
        });
        for h in &new {
            let source = ctx
                .config
                .source(&h.source)
                .map_or(h.source.as_str(), |s| s.name.as_str());
            if args.json {
                json.push(serde_json::json!({
                    "watch": w.name,
                    "id": h.story_id,
                    "title": h.title,
                    "url": h.url,
                    "source": source,
                    "published": h.published.map(rfc3339),
                }));
            } else {
                let date = h
                    .published
                    .map(|p| {
                        p.with_timezone(&ctx.config.settings.time_zone)
                            .format("%Y-%m-%d")
                            .to_string()
                    })
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{}: {} — {} {} {}",
                    for_terminal(&w.name, false),
                    for_terminal(h.title.as_deref().unwrap_or("(untitled)"), false),
                    for_terminal(source, false),
                    date,
                    for_terminal(h.url.as_deref().unwrap_or(""), false)
                )?;
            }
        }
        let ids: Vec<i64> = new.iter().map(|h| h.story_id).collect();
        store.mark_watch_reported(&w.name, &ids, now)?;
    }
    if args.json && !json.is_empty() {
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(exit)
}
