//! `pydigest inspect`: parse one document (file or URL) without storing it.

use super::{Invocation, stdout};
use crate::cli::InspectArgs;
use crate::config::{Location, parse_location};
use crate::fetch::{FetchJob, Outcome};
use crate::model::SourceKind;
use crate::parse::{ParseOptions, charset_from_content_type, parse_document};
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use chrono::Utc;
use std::io::Write;

/// Fetches or reads the target, parses it, prints JSON or a table.
pub(super) fn run(ctx: &Invocation, args: &InspectArgs) -> anyhow::Result<Exit> {
    let kind = args.kind;
    let target = args.target.trim();
    let location = if target.starts_with("http://")
        || target.starts_with("https://")
        || target.starts_with("file:")
    {
        parse_location(target, std::path::Path::new(".")).map_err(UsageError)?
    } else {
        Location::File(target.into())
    };
    let mut captured = None;
    let job = FetchJob {
        source: crate::config::Source {
            id: "inspect".into(),
            name: target.into(),
            url: target.into(),
            location,
            kind: kind.unwrap_or(SourceKind::Feed),
            weight: 1.0,
            tags: Vec::new(),
            topic: None,
            selectors: None,
        },
        state: Default::default(),
    };
    crate::fetch::fetch_all(
        vec![job],
        &ctx.config.settings,
        |_, o, _| o,
        |_, o| captured = Some(o),
    )?;
    let (body, content_type, final_url) = match captured {
        Some(Outcome::Fetched {
            body,
            content_type,
            final_url,
            ..
        }) => (body, content_type, final_url),
        Some(Outcome::Failed { error, .. }) => return Err(anyhow::anyhow!("{target}: {error}")),
        Some(other) => return Err(anyhow::anyhow!("{target}: nothing fetched ({other:?})")),
        None => return Err(anyhow::anyhow!("{target}: interrupted")),
    };
    let charset = content_type.as_deref().and_then(charset_from_content_type);
    let opts = ParseOptions {
        base_url: final_url.starts_with("http").then_some(final_url.as_str()),
        http_charset: charset.as_deref(),
        kind,
        aggregator: false,
        selectors: None,
        now: Some(Utc::now()),
    };
    let doc = parse_document(&body, &opts)
        .map_err(|e| anyhow::anyhow!("{}: {e}", for_terminal(target, false)))?;
    let mut out = stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &crate::render::inspect_json(&doc))?;
        writeln!(out)?;
        return Ok(Exit::Ok);
    }
    let t = |s: &Option<String>| {
        s.as_deref()
            .map_or_else(|| "-".to_string(), |v| for_terminal(v, false))
    };
    writeln!(out, "title:    {}", t(&doc.meta.title))?;
    writeln!(out, "site:     {}", t(&doc.meta.site_url))?;
    writeln!(
        out,
        "format:   {:?}   encoding: {}   language: {}",
        doc.meta.format,
        t(&doc.meta.encoding),
        t(&doc.meta.language)
    )?;
    for w in &doc.warnings {
        writeln!(out, "warning:  {}", for_terminal(w, false))?;
    }
    writeln!(out, "entries:  {}\n", doc.entries.len())?;
    writeln!(out, "{:<17} {:<8} TITLE / URL", "PUBLISHED", "KIND")?;
    for e in &doc.entries {
        let date = e.published.map_or_else(
            || "-".to_string(),
            |d| d.format("%Y-%m-%d %H:%M").to_string(),
        );
        let mut kind = e.kind.as_str().to_string();
        if e.sponsored {
            kind.push('*');
        }
        writeln!(out, "{:<17} {:<8} {}", date, kind, t(&e.title))?;
        writeln!(out, "{:<17} {:<8} {}", "", "", t(&e.url))?;
    }
    Ok(Exit::Ok)
}
