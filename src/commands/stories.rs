//! `pydigest stories`: every story once, with the sources that carried it.

use super::{Invocation, arg_error, stdout};
use crate::Exit;
use crate::calendar::parse_date_or_time;
use crate::cli::StoriesArgs;
use crate::digest::topics::Classifier;
use crate::digest::{classify_story, summary::summarize};
use crate::text::for_terminal;
use std::io::Write;

/// Lists stories published in the range.
pub(super) fn run(ctx: &Invocation, args: &StoriesArgs) -> anyhow::Result<Exit> {
    let tz = ctx.config.settings.time_zone;
    let since = args
        .since
        .as_deref()
        .map(|s| parse_date_or_time(s, tz).map_err(|e| arg_error("--since", e)))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| parse_date_or_time(s, tz).map_err(|e| arg_error("--until", e)))
        .transpose()?;
    ctx.check_source_ids(&args.sources)?;
    let aggregators = ctx.config.aggregator_ids();
    let store = ctx.open_store_read()?;
    let mut stories = store.stories_between(since, until, &aggregators)?;
    if !args.sources.is_empty() {
        stories.retain(|s| s.sightings.iter().any(|x| args.sources.contains(&x.source)));
    }
    if let Some(n) = args.limit {
        // Sorted oldest first: the newest N are the tail.
        stories.drain(..stories.len().saturating_sub(n));
    }
    let mut out = stdout();
    if args.json {
        let classifier = Classifier::from_config(&ctx.config);
        let json = crate::render::stories_json(&stories, |s| {
            (
                classify_story(&classifier, s).primary.to_string(),
                summarize(s),
            )
        });
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
        return Ok(Exit::Ok);
    }
    for s in &stories {
        let date = s.published.map_or_else(
            || "-".into(),
            |d| d.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        );
        // "~" marks a first-seen time standing in for a missing date.
        let date = if s.date_estimated() {
            format!("~{date}")
        } else {
            format!("{date} ")
        };
        let mut sources: Vec<&str> = s.sightings.iter().map(|x| x.source.as_str()).collect();
        sources.dedup();
        writeln!(
            out,
            "{date} {:>2}×  {}\n{:17}{}  [{}]",
            s.sightings.len(),
            for_terminal(s.title.as_deref().unwrap_or("(untitled)"), false),
            "",
            for_terminal(s.url.as_deref().unwrap_or("-"), false),
            for_terminal(&sources.join(", "), false)
        )?;
    }
    writeln!(
        out,
        "{} stories, {} sightings",
        stories.len(),
        stories.iter().map(|s| s.sightings.len()).sum::<usize>()
    )?;
    Ok(Exit::Ok)
}
