//! `pydigest stories`: every story once, with the sources that carried it.

use super::{Ctx, stdout};
use crate::cli::StoriesArgs;
use crate::digest::topics::Classifier;
use crate::digest::{classify_story, summary::summarize};
use crate::store::{StoryRow, ts};
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::io::Write;

/// Parses a `--since`/`--until` date: `YYYY-MM-DD` (midnight in the configured zone) or RFC 3339.
pub fn parse_date_arg(s: &str, tz: chrono_tz::Tz) -> Result<DateTime<Utc>, UsageError> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| UsageError(format!("invalid date {s:?}: use YYYY-MM-DD or RFC 3339")))?;
    tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| UsageError(format!("{s} does not exist in {tz}")))
}

/// A story as `stories --json` prints it: the stored fields plus its date (and whether that
/// is only when pydigest first saw it), the digest's topic and summary.
fn story_json(story: &StoryRow, classifier: &Classifier) -> serde_json::Result<serde_json::Value> {
    let mut v = serde_json::to_value(story)?;
    let estimated = !story
        .sightings
        .iter()
        .any(|x| !x.date_is_first_seen && x.published.is_some());
    if let Some(obj) = v.as_object_mut() {
        obj.insert("published".into(), story.published.map(ts).into());
        obj.insert("date_estimated".into(), estimated.into());
        obj.insert(
            "topic".into(),
            classify_story(classifier, story).primary.into(),
        );
        obj.insert("summary".into(), summarize(story).into());
    }
    Ok(v)
}

/// Lists stories published in the range.
pub fn run(ctx: &Ctx, args: &StoriesArgs) -> anyhow::Result<Exit> {
    let tz = ctx.config.settings.time_zone;
    let since = args
        .since
        .as_deref()
        .map(|s| parse_date_arg(s, tz))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| parse_date_arg(s, tz))
        .transpose()?;
    for s in &args.sources {
        if !ctx.config.sources.iter().any(|c| &c.id == s) {
            let known: Vec<&str> = ctx.config.sources.iter().map(|c| c.id.as_str()).collect();
            return Err(UsageError(format!(
                "unknown source {s:?}; known sources: {}",
                known.join(", ")
            ))
            .into());
        }
    }
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
        let json: Vec<serde_json::Value> = stories
            .iter()
            .map(|s| story_json(s, &classifier))
            .collect::<Result<_, _>>()?;
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
        return Ok(Exit::Ok);
    }
    for s in &stories {
        let date = s.published.map_or_else(
            || "-".into(),
            |d| d.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        );
        let mut sources: Vec<&str> = s.sightings.iter().map(|x| x.source.as_str()).collect();
        sources.dedup();
        writeln!(
            out,
            "{date}  {:>2}×  {}\n{:17}{}  [{}]",
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
