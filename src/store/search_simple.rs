//! A deliberately small full-text query used by `pydigest export --query`. It is a stand-in for
//! the real `search` command (ranking, filters, snippets), which will replace it.

use super::{Result, Store, StoryRow};
use rusqlite::params;

/// At most this many stories are returned.
pub const SIMPLE_SEARCH_LIMIT: usize = 500;

/// Turns the user's words into an FTS5 query: every whitespace-separated word becomes one FTS5
/// string (so `-`, `:`, `*`, `AND`, `NEAR(` and quotes are literal text, never syntax) and all
/// of them must match. `None` when there are no words.
pub fn fts_query_simple(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Store {
    /// Stories with at least one entry whose title, summary, body or authors match every word
    /// of `query` (FTS5, porter stemming), newest first, each with all its sightings.
    /// Temporary: to be swapped for the real search.
    pub fn search_stories_simple(
        &self,
        query: &str,
        aggregators: &[String],
    ) -> Result<Vec<StoryRow>> {
        let Some(fts) = fts_query_simple(query) else {
            return Ok(Vec::new());
        };
        let ids: Vec<i64> = {
            let mut stmt = self.conn().prepare_cached(
                "SELECT e.story_id, MAX(e.published) AS newest
                 FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
                 WHERE entries_fts MATCH ?1 AND e.story_id IS NOT NULL
                 GROUP BY e.story_id
                 ORDER BY newest DESC, e.story_id
                 LIMIT ?2",
            )?;
            stmt.query_map(params![fts, SIMPLE_SEARCH_LIMIT as i64], |r| r.get(0))?
                .collect::<std::result::Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(story) = self.story(id, aggregators)? {
                out.push(story);
            }
        }
        out.sort_by(|a, b| b.published.cmp(&a.published).then(a.id.cmp(&b.id)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query_simple;

    #[test]
    fn words_become_quoted_fts_strings() {
        assert_eq!(fts_query_simple("  "), None);
        assert_eq!(fts_query_simple("uv").as_deref(), Some("\"uv\""));
        assert_eq!(
            fts_query_simple("free-threading NEAR(\"x\" OR *").as_deref(),
            Some("\"free-threading\" \"NEAR(\"\"x\"\"\" \"OR\" \"*\"")
        );
    }
}
