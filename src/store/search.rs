//! Full-text search over the FTS5 index: translating a user's words into a safe FTS5 query,
//! ranking by bm25 (weights configured in migration 2), filtering, and folding sightings of one
//! story into one hit.

use super::{Store, StoreError, parse_ts};
use crate::calendar::rfc3339;
use chrono::{DateTime, Utc};
use rusqlite::{ErrorCode, OptionalExtension, params};
use std::collections::{HashMap, HashSet};

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

/// Matching rows ranked in the first pass, per story asked for: room for a few sightings of
/// one story and for rows the filters drop, so one pass is nearly always enough.
const FIRST_WINDOW_PER_HIT: usize = 3;
/// Ranked rows of the first pass at least (a small `--limit` still gets room for duplicates).
const FIRST_WINDOW_MIN: usize = 60;
/// Widening passes before the last one ranks every match.
const WIDEN_PASSES: usize = 2;

/// A hit before its snippet and sightings are filled in, with its entry's rowid.
type Ranked = (i64, SearchHit);

impl Store {
    /// Stories matching `q`, best first: each story once, as its best-ranked sighting that
    /// passes the filters.
    ///
    /// Every match is still scored by FTS5 (bm25 per row), but only the best `window` rows are
    /// kept and sorted (SQLite's top-N sorter, not a sort of every match), and entries are read
    /// only for those. When filters or several sightings of one story leave fewer than
    /// `limit` stories, the window widens, and the last pass ranks every match.
    pub(crate) fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>, SearchError> {
        if q.limit == 0 {
            return Ok(Vec::new());
        }
        let mut window = Some(
            q.limit
                .saturating_mul(FIRST_WINDOW_PER_HIT)
                .max(FIRST_WINDOW_MIN),
        );
        let mut passes = 0;
        let mut hits = loop {
            let (hits, exhausted) = self.ranked_hits(q, window)?;
            if hits.len() >= q.limit || exhausted {
                break hits;
            }
            passes += 1;
            window = window
                .filter(|_| passes < WIDEN_PASSES)
                .map(|w| w.saturating_mul(8));
        };
        self.fill_snippets(&q.fts, &mut hits)?;
        self.fill_sightings(&mut hits)?;
        Ok(hits.into_iter().map(|(_, h)| h).collect())
    }

    /// The best `limit` stories among the best `window` matching rows (all rows: `None`), and
    /// whether those were all the matching rows.
    fn ranked_hits(
        &self,
        q: &SearchQuery,
        window: Option<usize>,
    ) -> Result<(Vec<Ranked>, bool), SearchError> {
        // `rank` is the bm25 configured in migration 2. Ordering by two terms keeps FTS5 from
        // sorting every match itself, so SQLite's sorter keeps only the best `window` rows;
        // the rowid breaks ties the same way in every pass.
        let mut ranked = self.conn().prepare_cached(
            "SELECT rowid, rank FROM entries_fts WHERE entries_fts MATCH ?1
             ORDER BY rank, rowid LIMIT ?2",
        )?;
        let limit = window.map_or(-1, |w| i64::try_from(w).unwrap_or(i64::MAX));
        let rows: Vec<(i64, f64)> = ranked
            .query_map(params![q.fts, limit], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(classify)?
            .collect::<Result<_, _>>()
            .map_err(classify)?;
        let exhausted = window.is_none_or(|w| rows.len() < w);
        let sources_json = serde_json::to_string(&q.sources).unwrap_or_else(|_| "[]".into());
        let mut entry = self.conn().prepare_cached(
            "SELECT COALESCE(e.story_id, -e.id), e.source_id, e.title, e.url, e.published,
                    e.date_is_first_seen
             FROM entries e
             WHERE e.id = ?1
               AND (?2 IS NULL OR e.published >= ?2)
               AND (?3 IS NULL OR e.published < ?3)
               AND (?4 IS NULL OR instr(lower(e.authors), lower(?4)) > 0)
               AND (?5 = '[]' OR e.source_id IN (SELECT value FROM json_each(?5)))",
        )?;
        let (since, until) = (q.since.map(rfc3339), q.until.map(rfc3339));
        let mut hits: Vec<Ranked> = Vec::new();
        let mut seen: HashSet<i64> = HashSet::new();
        for (rowid, rank) in rows {
            let hit = entry
                .query_row(params![rowid, since, until, q.author, sources_json], |r| {
                    Ok(SearchHit {
                        story_id: r.get(0)?,
                        title: r.get(2)?,
                        url: r.get(3)?,
                        source: r.get(1)?,
                        published: r.get::<_, Option<String>>(4)?.as_deref().and_then(parse_ts),
                        snippet: String::new(),
                        sightings: 1,
                        also_in: Vec::new(),
                        score: -rank,
                        date_estimated: r.get(5)?,
                    })
                })
                .optional()?;
            let Some(hit) = hit else { continue };
            if !seen.insert(hit.story_id) {
                continue;
            }
            hits.push((rowid, hit));
            if hits.len() >= q.limit {
                break;
            }
        }
        Ok((hits, exhausted))
    }

    /// Each hit's snippet: one FTS5 query for all of them (`rowid IN`), and the whole
    /// highlighted columns only for a hit whose snippet window cuts a match.
    fn fill_snippets(&self, fts: &str, hits: &mut [Ranked]) -> Result<(), SearchError> {
        if hits.is_empty() {
            return Ok(());
        }
        let rowids = serde_json::to_string(&hits.iter().map(|(id, _)| *id).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into());
        let mut snip = self.conn().prepare_cached(&format!(
            "SELECT rowid, snippet(entries_fts, 1, char(2), char(3), '…', {SNIPPET_TOKENS}),
                    snippet(entries_fts, 2, char(2), char(3), '…', {SNIPPET_TOKENS})
             FROM entries_fts
             WHERE entries_fts MATCH ?1 AND rowid IN (SELECT value FROM json_each(?2))"
        ))?;
        let mut snippets: HashMap<i64, (Option<String>, Option<String>)> = snip
            .query_map(params![fts, rowids], |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
            })
            .map_err(classify)?
            .collect::<Result<_, _>>()
            .map_err(classify)?;
        let mut whole = self.conn().prepare_cached(
            "SELECT highlight(entries_fts, 1, char(2), char(3)),
                    highlight(entries_fts, 2, char(2), char(3))
             FROM entries_fts WHERE entries_fts MATCH ?1 AND rowid = ?2",
        )?;
        for (rowid, hit) in hits.iter_mut() {
            let (summary, content) = snippets.remove(rowid).unwrap_or_default();
            hit.snippet = pick_snippet(summary.unwrap_or_default(), content.unwrap_or_default());
            if cuts_a_match(&hit.snippet) {
                // FTS5 ends its window inside a phrase that starts near the window's edge
                // (`"unit test"` → "…added unit…"): cut our own window around a whole match.
                let (summary, content): (Option<String>, Option<String>) = whole
                    .query_row(params![fts, *rowid], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(classify)?;
                let full = pick_snippet(summary.unwrap_or_default(), content.unwrap_or_default());
                if let Some(w) = window_around_match(&full, SNIPPET_TOKENS as usize) {
                    hit.snippet = w;
                }
            }
        }
        Ok(())
    }

    /// Each hit's sighting count and other sources: one query for all the stories.
    fn fill_sightings(&self, hits: &mut [Ranked]) -> Result<(), SearchError> {
        let stories: Vec<i64> = hits
            .iter()
            .map(|(_, h)| h.story_id)
            .filter(|&s| s > 0)
            .collect();
        if stories.is_empty() {
            return Ok(());
        }
        let stories = serde_json::to_string(&stories).unwrap_or_else(|_| "[]".into());
        let mut sightings = self.conn().prepare_cached(
            "SELECT story_id, source_id FROM entries
             WHERE story_id IN (SELECT value FROM json_each(?1))
             ORDER BY story_id, first_seen_at, id",
        )?;
        let mut by_story: HashMap<i64, Vec<String>> = HashMap::new();
        let rows = sightings.query_map([stories], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            let (story, source): (i64, String) = row?;
            by_story.entry(story).or_default().push(source);
        }
        for (_, hit) in hits.iter_mut() {
            let Some(sources) = by_story.remove(&hit.story_id) else {
                continue;
            };
            hit.sightings = sources.len().max(1) as i64;
            for s in sources {
                if s != hit.source && !hit.also_in.contains(&s) {
                    hit.also_in.push(s);
                }
            }
        }
        Ok(())
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

    /// A store with sources `a` and `b` and the given entries: (id, source, story, title,
    /// content); a story id of 0 leaves the entry without a story.
    fn store_with(entries: &[(i64, &str, i64, &str, &str)]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let c = store.conn();
        for s in ["a", "b"] {
            c.execute(
                "INSERT INTO sources (id, name, url, config_url, kind) VALUES (?1, ?1, ?1, ?1, 'feed')",
                [s],
            )
            .unwrap();
        }
        for &(id, source, story, title, content) in entries {
            if story > 0 {
                c.execute(
                    "INSERT OR IGNORE INTO stories (id, first_seen_at) VALUES (?1, '2025-01-01T00:00:00Z')",
                    [story],
                )
                .unwrap();
            }
            c.execute(
                "INSERT INTO entries (id, source_id, entry_id, story_id, title, content_text,
                     content_hash, published, first_seen_at, last_seen_at)
                 VALUES (?1, ?2, ?1, NULLIF(?3, 0), ?4, ?5, 'h', '2025-01-02T00:00:00Z',
                     '2025-01-02T00:00:00Z', '2025-01-02T00:00:00Z')",
                params![id, source, story, title, content],
            )
            .unwrap();
        }
        store.flush_fts_pending().unwrap();
        (dir, store)
    }

    fn query(words: &str, limit: usize) -> SearchQuery {
        SearchQuery {
            fts: plain_to_fts(words).unwrap(),
            limit,
            ..SearchQuery::default()
        }
    }

    #[test]
    fn a_filter_that_drops_every_top_row_widens_the_window() {
        // 100 strong matches in source a rank above the only match in source b.
        let mut rows: Vec<(i64, &str, i64, &str, &str)> = (1..=100)
            .map(|i| (i, "a", 0, "needle needle", "needle"))
            .collect();
        rows.push((101, "b", 0, "other", "a needle in the body"));
        let (_dir, store) = store_with(&rows);
        let hits = store
            .search(&SearchQuery {
                sources: vec!["b".into()],
                ..query("needle", 5)
            })
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].story_id, -101);
        // Unfiltered, the title matches come first and the limit holds.
        let hits = store.search(&query("needle", 5)).unwrap();
        assert_eq!(hits.len(), 5);
        assert!(hits.iter().all(|h| h.source == "a"));
    }

    #[test]
    fn many_sightings_of_one_story_do_not_crowd_out_other_stories() {
        // 200 sightings of story 1, all ranked above stories 2 and 3.
        let mut rows: Vec<(i64, &str, i64, &str, &str)> = (1..=200)
            .map(|i| {
                (
                    i,
                    if i % 2 == 0 { "a" } else { "b" },
                    1,
                    "needle needle",
                    "needle",
                )
            })
            .collect();
        rows.push((201, "a", 2, "needle", "needle x"));
        rows.push((202, "b", 3, "other", "needle"));
        let (_dir, store) = store_with(&rows);
        let hits = store.search(&query("needle", 3)).unwrap();
        let stories: Vec<i64> = hits.iter().map(|h| h.story_id).collect();
        assert_eq!(stories, [1, 2, 3]);
        assert_eq!(hits[0].sightings, 200);
        assert_eq!(hits[0].also_in.len(), 1);
        assert!(hits.iter().all(|h| h.snippet.contains(HL_START)));
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
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
