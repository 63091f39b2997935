//! `pydigest explain STORY_ID`: a story, every sighting of it, and how it was classified.

use super::{Invocation, stdout};
use crate::cli::ExplainArgs;
use crate::digest::topics::Classifier;
use crate::digest::{DigestOptions, classify_story, prepare_story, summary::summarize};
use crate::model::EntryKind;
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use std::io::Write;

/// Runs the command.
pub(super) fn run(ctx: &Invocation, args: &ExplainArgs) -> anyhow::Result<Exit> {
    let store = ctx.open_store_read()?;
    let aggregators = ctx.config.aggregator_ids();
    let story = store.story(args.story, &aggregators)?.ok_or_else(|| {
        UsageError(format!(
            "no story with id {} (ids are in `pydigest digest --json`)",
            args.story
        ))
    })?;
    let tz = ctx.config.settings.time_zone;
    let t = |s: &str| for_terminal(s, false);
    let when = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map_or_else(
            || "-".to_string(),
            |d| d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    let classifier = Classifier::from_config(&ctx.config);
    let c = classify_story(&classifier, &story);
    let mut out = stdout();
    writeln!(
        out,
        "story {}: {}",
        story.id,
        t(story.title.as_deref().unwrap_or("(untitled)"))
    )?;
    writeln!(
        out,
        "url:        {}",
        t(story.url.as_deref().unwrap_or("-"))
    )?;
    writeln!(
        out,
        "canonical:  {}",
        t(story.canonical_url.as_deref().unwrap_or("-"))
    )?;
    let estimated = if story.date_estimated() {
        ", undated: first seen"
    } else {
        ""
    };
    writeln!(
        out,
        "published:  {} ({}{estimated})",
        when(story.published),
        tz.name()
    )?;
    writeln!(out, "summary:    {}", t(&summarize(&story)))?;
    let note = if story.sightings.iter().all(|s| s.backlog) {
        Some("left out of digests: backlog (undated, from its source's first fetch)")
    } else if story.sightings.iter().all(|s| s.kind == EntryKind::Issue) {
        Some("left out of digests: a whole newsletter issue")
    } else if prepare_story(story.clone(), DigestOptions::default()).is_none() {
        Some("left out of digests unless --include-sponsored: sponsored or a job ad")
    } else {
        None
    };
    if let Some(n) = note {
        writeln!(out, "note:       {n}")?;
    }
    writeln!(out, "\nsightings ({}):", story.sightings.len())?;
    writeln!(
        out,
        "  {:<16} {:<8} {:<17} {:<10} TITLE",
        "SOURCE", "KIND", "PUBLISHED", "FLAGS"
    )?;
    for s in &story.sightings {
        let mut flags = Vec::new();
        if s.sponsored {
            flags.push("sponsored");
        }
        if s.backlog {
            flags.push("backlog");
        } else if s.date_is_first_seen {
            flags.push("undated");
        }
        let flags = if flags.is_empty() {
            "-".to_string()
        } else {
            flags.join(",")
        };
        writeln!(
            out,
            "  {:<16} {:<8} {:<17} {:<10} {}",
            t(&s.source),
            s.kind.as_str(),
            when(s.published),
            flags,
            t(s.title.as_deref().unwrap_or("-"))
        )?;
        if let Some(sec) = &s.section {
            writeln!(
                out,
                "  {:<16} {:<8} {:<17} {:<10} section: {}",
                "",
                "",
                "",
                "",
                t(sec)
            )?;
        }
    }
    writeln!(
        out,
        "\ntopic:      {} (score {})",
        t(&c.primary),
        c.primary_score()
    )?;
    if !c.secondary.is_empty() {
        writeln!(out, "secondary:  {}", t(&c.secondary.join(", ")))?;
    }
    let scored: Vec<String> = c
        .scores
        .iter()
        .filter(|(_, s)| *s > 0.0)
        .map(|(n, s)| format!("{n} {s}"))
        .collect();
    if !scored.is_empty() {
        writeln!(out, "scores:     {}", t(&scored.join(", ")))?;
    }
    if c.reasons.is_empty() {
        writeln!(out, "reasons:    no topic term matched")?;
    } else {
        writeln!(out, "reasons:")?;
        for r in &c.reasons {
            writeln!(
                out,
                "  {:<28} {:<24} {:<8} +{}",
                t(&r.topic),
                format!("{:?}", r.term),
                r.field.as_str(),
                r.score
            )?;
        }
    }
    Ok(Exit::Ok)
}
