//! Full-text search over the FTS5 index: translating a user's words into a safe FTS5 query,
//! ranking by bm25 (weights configured in migration 2), filtering, and folding sightings of one
//! story into one hit.

use super::{Store, StoreError, parse_ts};
use crate::calendar::rfc3339;
use chrono::{DateTime, Utc};
use rusqlite::{ErrorCode, params};
use std::collections::HashSet;

/// Starts a highlighted run in a snippet. Control characters never reach the output: the
/// renderer splits on them and sanitises the pieces before adding its own highlighting.
pub(crate) const HL_START: char = '\u{2}';
/// Ends a highlighted run in a snippet.
pub(crate) const HL_END: char = '\u{3}';

/// Words in a snippet (FTS5 caps this at 64).
const SNIPPET_TOKENS: i32 = 24;

/// Search failures.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SearchError {
    /// SQLite rejected the FTS5 query (only possible with raw `--fts` queries).
    #[error("invalid FTS5 query: {0}")]
    InvalidQuery(String),
    /// Any other store error.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SearchError {
    fn from(e: rusqlite::Error) -> Self {
        SearchError::Store(StoreError::Sqlite(e))
    }
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchQuery {
    /// A valid FTS5 MATCH expression (see [`plain_to_fts`]).
    pub fts: String,
    /// Only sightings published at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only sightings published strictly before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only these sources (empty: all).
    pub sources: Vec<String>,
    /// Case-insensitive substring of the authors.
    pub author: Option<String>,
    /// At most this many stories.
    pub limit: usize,
}

/// One story found, shown as its best-ranked matching sighting.
#[derive(Debug, Clone)]
pub(crate) struct SearchHit {
    /// Story id.
    pub story_id: i64,
    /// Title of the best sighting.
    pub title: Option<String>,
    /// URL of the best sighting.
    pub url: Option<String>,
    /// Source of the best sighting.
    pub source: String,
    /// Publication time (RFC 3339) of the best sighting.
    pub published: Option<DateTime<Utc>>,
    /// Snippet with matches between [`HL_START`] and [`HL_END`].
    pub snippet: String,
    /// How many sightings the story has in all.
    pub sightings: i64,
    /// The other sources the story was seen in.
    pub also_in: Vec<String>,
    /// Relevance, higher is better (negated bm25).
    pub score: f64,
    /// The entry had no date: `published` is when it was first seen.
    pub date_estimated: bool,
}

/// Translates what a user typed into a safe FTS5 expression: every bare word becomes a quoted
/// FTS5 string (so `-`, `+`, `.`, `:`, `^`, `(`, `AND`/`OR`/`NOT`/`NEAR` are never syntax),
/// text between double quotes stays one phrase, and the parts are implicitly ANDed. A bare word
/// ending in `*` (`pyth*`) is a prefix search. Words without a letter or digit (`*`, `--`, `^`)
/// can match nothing and are dropped; an unbalanced quote is ignored. Returns `None` when nothing searchable is left.
pub(crate) fn plain_to_fts(query: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |text: &str, bare: bool| {
        if !text.chars().any(char::is_alphanumeric) {
            return;
        }
        match text.strip_suffix('*') {
            // `pyth*` typed as a bare word: the prefix query the user means.
            Some(stem) if bare && stem.chars().any(char::is_alphanumeric) => {
                parts.push(format!("{} *", quote(stem)));
            }
            _ => parts.push(quote(text)),
        }
    };
    let mut rest = query;
    while !rest.is_empty() {
        match rest.find('"') {
            None => {
                rest.split_whitespace().for_each(|w| push(w, true));
                break;
            }
            Some(open) => {
                rest[..open].split_whitespace().for_each(|w| push(w, true));
                let after = &rest[open + 1..];
                match after.find('"') {
                    Some(close) => {
                        let phrase = after[..close].split_whitespace().collect::<Vec<_>>();
                        push(&phrase.join(" "), false);
                        rest = &after[close + 1..];
                    }
                    // Unbalanced: the quote is dropped and the rest read as bare words.
                    None => rest = after,
                }
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// An FTS5 string literal: `"…"` with inner quotes doubled.
pub(crate) fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// `(query) AND {title summary content_text} : ("t1" OR "t2" …)`: restricts a query to entries
/// whose text (not authors) holds at least one of `terms`.
pub(crate) fn and_any_term(query: &str, terms: &[String]) -> String {
    let alternatives: Vec<String> = terms
        .iter()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(|t| quote(t))
        .collect();
    if alternatives.is_empty() {
        return query.to_string();
    }
    format!(
        "({query}) AND {{title summary content_text}} : ({})",
        alternatives.join(" OR ")
    )
}

/// SQLite's message when the error is one it raises for a bad MATCH expression (syntax, unknown
/// column, unknown special query); `None` for anything else (I/O, locking).
fn query_error_message(e: &rusqlite::Error) -> Option<String> {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) if f.code == ErrorCode::Unknown => {
            Some(msg.clone().unwrap_or_else(|| e.to_string()))
        }
        _ => None,
    }
}

fn classify(e: rusqlite::Error) -> SearchError {
    match query_error_message(&e) {
        Some(msg) => SearchError::InvalidQuery(msg.trim_start_matches("fts5: ").to_string()),
        None => e.into(),
    }
}

impl Store {
    /// Stories matching `q`, best first: each story once, as its best-ranked sighting that
    /// passes the filters.
    pub(crate) fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>, SearchError> {
        if q.limit == 0 {
            return Ok(Vec::new());
        }
        let sources_json = serde_json::to_string(&q.sources).unwrap_or_else(|_| "[]".into());
        let mut stmt = self.conn().prepare_cached(
            "SELECT f.rowid, COALESCE(e.story_id, -e.id), e.source_id, e.title, e.url, e.published, f.rank,
                    e.date_is_first_seen
             FROM entries_fts f JOIN entries e ON e.id = f.rowid
             WHERE entries_fts MATCH ?1
               AND (?2 IS NULL OR e.published >= ?2)
               AND (?3 IS NULL OR e.published < ?3)
               AND (?4 IS NULL OR instr(lower(e.authors), lower(?4)) > 0)
               AND (?5 = '[]' OR e.source_id IN (SELECT value FROM json_each(?5)))
             ORDER BY f.rank",
        )?;
        let mut rows = stmt
            .query(params![
                q.fts,
                q.since.map(rfc3339),
                q.until.map(rfc3339),
                q.author,
                sources_json
            ])
            .map_err(classify)?;
        let mut hits: Vec<(i64, SearchHit)> = Vec::new();
        let mut seen: HashSet<i64> = HashSet::new();
        while let Some(r) = rows.next().map_err(classify)? {
            let story_id: i64 = r.get(1)?;
            if !seen.insert(story_id) {
                continue;
            }
            let rank: f64 = r.get(6)?;
            hits.push((
                r.get(0)?,
                SearchHit {
                    story_id,
                    title: r.get(3)?,
                    url: r.get(4)?,
                    source: r.get(2)?,
                    published: r.get::<_, Option<String>>(5)?.as_deref().and_then(parse_ts),
                    snippet: String::new(),
                    sightings: 1,
                    also_in: Vec::new(),
                    score: -rank,
                    date_estimated: r.get(7)?,
                },
            ));
            if hits.len() >= q.limit {
                break;
            }
        }
        drop(rows);
        let mut snip = self.conn().prepare_cached(&format!(
            "SELECT snippet(entries_fts, 1, char(2), char(3), '…', {SNIPPET_TOKENS}),
                    snippet(entries_fts, 2, char(2), char(3), '…', {SNIPPET_TOKENS})
             FROM entries_fts WHERE entries_fts MATCH ?1 AND rowid = ?2"
        ))?;
        let mut whole = self.conn().prepare_cached(
            "SELECT highlight(entries_fts, 1, char(2), char(3)),
                    highlight(entries_fts, 2, char(2), char(3))
             FROM entries_fts WHERE entries_fts MATCH ?1 AND rowid = ?2",
        )?;
        let mut sightings = self.conn().prepare_cached(
            "SELECT source_id FROM entries WHERE story_id = ?1 ORDER BY first_seen_at, id",
        )?;
        for (rowid, hit) in &mut hits {
            let (summary, content): (Option<String>, Option<String>) = snip
                .query_row(params![q.fts, *rowid], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(classify)?;
            hit.snippet = pick_snippet(summary.unwrap_or_default(), content.unwrap_or_default());
            if cuts_a_match(&hit.snippet) {
                // FTS5 ends its window inside a phrase that starts near the window's edge
                // (`"unit test"` → "…added unit…"): cut our own window around a whole match.
                let (summary, content): (Option<String>, Option<String>) = whole
                    .query_row(params![q.fts, *rowid], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(classify)?;
                let full = pick_snippet(summary.unwrap_or_default(), content.unwrap_or_default());
                if let Some(w) = window_around_match(&full, SNIPPET_TOKENS as usize) {
                    hit.snippet = w;
                }
            }
            if hit.story_id > 0 {
                let sources = sightings
                    .query_map([hit.story_id], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                hit.sightings = sources.len().max(1) as i64;
                for s in sources {
                    if s != hit.source && !hit.also_in.contains(&s) {
                        hit.also_in.push(s);
                    }
                }
            }
        }
        Ok(hits.into_iter().map(|(_, h)| h).collect())
    }
}

/// The content snippet when the match is in the content, else the summary's, else whichever
/// has text.
fn pick_snippet(summary: String, content: String) -> String {
    let highlighted = |s: &str| s.contains(HL_START);
    if highlighted(&content) {
        content
    } else if highlighted(&summary) || content.trim().is_empty() {
        summary
    } else if summary.trim().is_empty() {
        content
    } else {
        summary
    }
}

/// True when a snippet's window edge falls on a highlighted run, which may then be cut short.
fn cuts_a_match(snippet: &str) -> bool {
    let ends_in_match = snippet
        .strip_suffix('…')
        .is_some_and(|s| s.trim_end().ends_with(HL_END));
    let starts_in_match = snippet
        .strip_prefix('…')
        .is_some_and(|s| s.trim_start().starts_with(HL_START));
    ends_in_match || starts_in_match
}

/// About `tokens` words of `text` (a whole highlighted column) around its first highlighted
/// run, which is always kept whole; `None` when nothing is highlighted.
fn window_around_match(text: &str, tokens: usize) -> Option<String> {
    let start = text.find(HL_START)?;
    let end = text[start..]
        .find(HL_END)
        .map_or(text.len(), |e| start + e + 1);
    let run = &text[start..end];
    let room = tokens.saturating_sub(run.split_whitespace().count());
    let before: Vec<&str> = text[..start].split_whitespace().collect();
    let after: Vec<&str> = text[end..].split_whitespace().collect();
    let keep_before = (room / 2).min(before.len());
    let keep_after = (room - keep_before).min(after.len());
    let mut out = String::new();
    if keep_before < before.len() {
        out.push('…');
    }
    for w in &before[before.len() - keep_before..] {
        out.push_str(w);
        out.push(' ');
    }
    // Punctuation glued to the run (`(unit test)`) stays glued.
    if !text[..start].ends_with(char::is_whitespace) && keep_before > 0 {
        out.pop();
    }
    out.push_str(run);
    let glued = !text[end..].starts_with(char::is_whitespace);
    for (i, w) in after[..keep_after].iter().enumerate() {
        if i > 0 || !glued {
            out.push(' ');
        }
        out.push_str(w);
    }
    if keep_after < after.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("pytest", Some(r#""pytest""#))]
    #[case("free threading", Some(r#""free" "threading""#))]
    #[case(r#""free threading""#, Some(r#""free threading""#))]
    #[case(r#"  "free   threading"  gil "#, Some(r#""free threading" "gil""#))]
    #[case("pydantic-core", Some(r#""pydantic-core""#))]
    #[case("C++", Some(r#""C++""#))]
    #[case("asyncio.run", Some(r#""asyncio.run""#))]
    #[case("cats AND NOT dogs OR", Some(r#""cats" "AND" "NOT" "dogs" "OR""#))]
    #[case(r#"say "hello"#, Some(r#""say" "hello""#))]
    #[case(r#"a"b"c"#, Some(r#""a" "b" "c""#))]
    #[case(
        "title:uv NEAR(a b) x^y pyth*",
        Some(r#""title:uv" "NEAR(a" "b)" "x^y" "pyth" *"#)
    )]
    #[case(r#"C++* "pyth*" a**"#, Some(r#""C++" * "pyth*" "a*" *"#))]
    #[case("* : ^ -- \"\"", None)]
    #[case("   ", None)]
    #[case("", None)]
    #[case("café Ünïcode", Some(r#""café" "Ünïcode""#))]
    fn plain_queries_become_quoted_strings(#[case] input: &str, #[case] expected: Option<&str>) {
        assert_eq!(plain_to_fts(input).as_deref(), expected);
    }

    #[test]
    fn topic_terms_are_ored_over_text_columns() {
        let q = and_any_term(
            r#""python""#,
            &[
                "uv".into(),
                "pip".into(),
                "pyproject toml".into(),
                "a\"b".into(),
            ],
        );
        assert_eq!(
            q,
            r#"("python") AND {title summary content_text} : ("uv" OR "pip" OR "pyproject toml" OR "a""b")"#
        );
    }

    #[test]
    fn a_cut_match_is_widened_to_the_whole_run() {
        let cut = format!("a b added {HL_START}unit{HL_END}…");
        assert!(cuts_a_match(&cut));
        assert!(!cuts_a_match(&format!("a {HL_START}unit test{HL_END} b…")));
        let full = format!("w1 w2 w3 added {HL_START}unit test{HL_END} coverage, x1 x2 x3");
        assert_eq!(
            window_around_match(&full, 6).unwrap(),
            format!("…w3 added {HL_START}unit test{HL_END} coverage, x1…")
        );
        let glued = format!("see ({HL_START}unit test{HL_END}).");
        assert_eq!(window_around_match(&glued, 24).unwrap(), glued);
        assert_eq!(window_around_match("no match", 24), None);
    }

    #[test]
    fn snippet_prefers_a_highlighted_field() {
        let hl = format!("x {HL_START}y{HL_END}");
        assert_eq!(pick_snippet("plain".into(), hl.clone()), hl);
        assert_eq!(pick_snippet(hl.clone(), "plain".into()), hl);
        assert_eq!(pick_snippet("sum".into(), "content".into()), "sum");
        assert_eq!(pick_snippet(String::new(), "content".into()), "content");
    }
}
