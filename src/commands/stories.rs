//! `pydigest stories`: every story once, with the sources that carried it.

use super::{Ctx, stdout};
use crate::cli::StoriesArgs;
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
    let aggregators = ctx.config.aggregator_ids();
    let store = ctx.open_store_read()?;
    let stories = store.stories_between(since, until, &aggregators)?;
    let mut out = stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &stories)?;
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
