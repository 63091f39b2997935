//! `pydigest search`: full-text search over every stored sighting, one hit per story.

use super::{Invocation, arg_error, stdout};
use crate::calendar::{parse_bound, rfc3339};
use crate::cli::SearchArgs;
use crate::store::{
    HL_END, HL_START, SearchError, SearchHit, SearchQuery, and_any_term, plain_to_fts,
};
use crate::text::{escape_markdown, for_terminal, markdown_link};
use crate::{Exit, UsageError};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::io::{IsTerminal, Write};

/// How highlighted words are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// No markers (piped output, JSON).
    Plain,
    /// ANSI bold (a colour terminal).
    Bold,
    /// `**…**` in markdown.
    Markdown,
}

/// Runs `search`.
pub(super) fn run(ctx: &Invocation, args: &SearchArgs) -> anyhow::Result<Exit> {
    let query = build_query(ctx, args, Utc::now())?;
    let store = ctx.open_store_read()?;
    let hits = store.search(&query).map_err(|e| match e {
        SearchError::InvalidQuery(msg) => {
            anyhow::Error::new(UsageError(format!("invalid FTS5 query: {msg}")))
        }
        SearchError::Store(e) => anyhow::Error::new(e),
    })?;
    let tz = ctx.config.settings.time_zone;
    let mut out = stdout();
    if args.json {
        let json: Vec<serde_json::Value> = hits.iter().map(to_json).collect();
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
        return Ok(Exit::Ok);
    }
    if hits.is_empty() {
        if !ctx.quiet {
            eprintln!("pydigest: no matches");
        }
        return Ok(Exit::Ok);
    }
    if args.markdown {
        for h in &hits {
            write_markdown(&mut out, h, tz)?;
        }
    } else {
        let colour = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let style = if colour { Style::Bold } else { Style::Plain };
        for (i, h) in hits.iter().enumerate() {
            write_text(&mut out, i + 1, h, tz, style)?;
        }
    }
    Ok(Exit::Ok)
}

/// Turns the arguments into a store query.
fn build_query(
    ctx: &Invocation,
    args: &SearchArgs,
    now: DateTime<Utc>,
) -> Result<SearchQuery, UsageError> {
    // `''`, `'"'` and `'!!'` all leave nothing to look for: one usage error for all of them.
    let nothing = || UsageError("empty search query: no words to search for".into());
    let text = args.query.join(" ");
    if text.trim().is_empty() {
        return Err(nothing());
    }
    let mut fts = if args.fts {
        text.trim().to_string()
    } else {
        match plain_to_fts(&text) {
            Some(q) => q,
            None => return Err(nothing()),
        }
    };
    if let Some(name) = &args.topic {
        let topics = &ctx.config.topics;
        let topic = topics
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                let known: Vec<&str> = topics.iter().map(|t| t.name.as_str()).collect();
                UsageError(if known.is_empty() {
                    format!("unknown topic {name:?}: feeds.toml defines no [[topic]]")
                } else {
                    format!("unknown topic {name:?}; known topics: {}", known.join(", "))
                })
            })?;
        let terms: Vec<String> = topic.terms.iter().map(|(t, _)| t.clone()).collect();
        fts = and_any_term(&fts, &terms);
    }
    ctx.check_source_ids(&args.sources)?;
    let tz = ctx.config.settings.time_zone;
    let since = args
        .since
        .as_deref()
        .map(|s| parse_bound(s, now, tz, false).map_err(|e| arg_error("--since", e)))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| parse_bound(s, now, tz, true).map_err(|e| arg_error("--until", e)))
        .transpose()?;
    if let (Some(a), Some(b)) = (since, until)
        && a >= b
    {
        return Err(UsageError("--since is not before --until".into()));
    }
    Ok(SearchQuery {
        fts,
        since,
        until,
        sources: args.sources.clone(),
        author: args
            .author
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(String::from),
        limit: args.limit,
    })
}

/// Renders a snippet: every piece of text between markers is sanitised on its own (so nothing
/// the feed sent can reach the terminal as a control), then the style's highlighting is added,
/// always balanced.
fn render_snippet(snippet: &str, style: Style) -> String {
    let (on, off) = match style {
        Style::Plain => ("", ""),
        Style::Bold => ("\x1b[1m", "\x1b[0m"),
        Style::Markdown => ("**", "**"),
    };
    let flush = |out: &mut String, piece: &mut String| {
        let clean = match style {
            Style::Markdown => escape_markdown(piece),
            _ => for_terminal(piece, false),
        };
        squeeze_into(out, &clean);
        piece.clear();
    };
    let mut out = String::with_capacity(snippet.len() + 16);
    let mut piece = String::new();
    let mut bold = false;
    for c in snippet.chars() {
        if c != HL_START && c != HL_END {
            piece.push(c);
            continue;
        }
        flush(&mut out, &mut piece);
        if c == HL_START && !bold {
            out.push_str(on);
            bold = true;
        } else if c == HL_END && bold {
            out.push_str(off);
            bold = false;
        }
    }
    flush(&mut out, &mut piece);
    if bold {
        out.push_str(off);
    }
    out.trim().to_string()
}

/// Appends `s` with every run of whitespace made one space (ends kept, so words stay apart).
fn squeeze_into(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// The hit's local date, marked when it is only when the entry was first seen.
fn day(h: &SearchHit, tz: Tz) -> String {
    h.published.map_or_else(
        || "----------".into(),
        |t| {
            let d = t.with_timezone(&tz).format("%Y-%m-%d");
            if h.date_estimated {
                format!("first seen {d} (undated)")
            } else {
                d.to_string()
            }
        },
    )
}

fn write_text(
    out: &mut impl Write,
    n: usize,
    h: &SearchHit,
    tz: Tz,
    style: Style,
) -> std::io::Result<()> {
    let title = for_terminal(h.title.as_deref().unwrap_or("(untitled)"), false);
    writeln!(out, "{n:>2}. {}", title.trim())?;
    let mut meta = format!("    {} · {}", for_terminal(&h.source, false), day(h, tz));
    if let Some(url) = &h.url {
        meta.push_str(" · ");
        meta.push_str(&for_terminal(url, false));
    }
    if !h.also_in.is_empty() {
        meta.push_str(&format!(
            " · also in {}",
            for_terminal(&h.also_in.join(", "), false)
        ));
    }
    writeln!(out, "{meta}")?;
    let snippet = render_snippet(&h.snippet, style);
    if !snippet.is_empty() {
        writeln!(out, "    {snippet}")?;
    }
    writeln!(out)
}

fn write_markdown(out: &mut impl Write, h: &SearchHit, tz: Tz) -> std::io::Result<()> {
    let title = h.title.as_deref().unwrap_or("(untitled)");
    let mut line = format!(
        "- {} · {} · {}",
        markdown_link(title.trim(), h.url.as_deref()),
        escape_markdown(&h.source),
        day(h, tz)
    );
    if !h.also_in.is_empty() {
        line.push_str(&format!(
            " · also in {}",
            escape_markdown(&h.also_in.join(", "))
        ));
    }
    writeln!(out, "{line}")?;
    let snippet = render_snippet(&h.snippet, Style::Markdown);
    if !snippet.is_empty() {
        writeln!(out, "  > {snippet}")?;
    }
    Ok(())
}

fn to_json(h: &SearchHit) -> serde_json::Value {
    serde_json::json!({
        "story_id": h.story_id,
        "title": h.title,
        "url": h.url,
        "source": h.source,
        "published": h.published.map(rfc3339),
        "date_estimated": h.date_estimated,
        "snippet": render_snippet(&h.snippet, Style::Plain),
        "sightings": h.sightings,
        "also_in": h.also_in,
        "score": h.score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_sanitised_before_highlighting() {
        let s = format!("a \x1b]8;;http://evil\x07link {HL_START}uv{HL_END}\n\ttail");
        assert_eq!(render_snippet(&s, Style::Plain), "a link uv tail");
        assert_eq!(
            render_snippet(&s, Style::Bold),
            "a link \x1b[1muv\x1b[0m tail"
        );
        assert_eq!(render_snippet(&s, Style::Markdown), "a link **uv** tail");
        // Stray markers from hostile text stay balanced.
        let s = format!("{HL_END}x{HL_START}{HL_START}y");
        assert_eq!(render_snippet(&s, Style::Bold), "x\x1b[1my\x1b[0m");
        assert_eq!(
            render_snippet("*not* [a](link)", Style::Markdown),
            r"\*not\* \[a\]\(link\)"
        );
    }
}
