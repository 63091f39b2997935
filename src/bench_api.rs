//! Entry points for the benchmark crate in `bench/server`, not part of pydigest's API: they run
//! exactly what a command runs, minus its output, so the benchmark times the real code path.

use crate::store::{SearchQuery, Store, plain_to_fts};
use std::path::Path;

/// What `pydigest search --limit LIMIT WORDS…` runs, without filters or printing: opens the
/// store at `db` (migrating it as the command would), builds the query from `query` as the
/// command does, runs `Store::search` and returns the story ids found, best first. Words
/// that leave nothing to search for give an empty list.
pub fn search(db: &Path, query: &str, limit: usize) -> anyhow::Result<Vec<i64>> {
    let Some(fts) = plain_to_fts(query) else {
        return Ok(Vec::new());
    };
    let store = Store::open(db)?;
    let hits = store.search(&SearchQuery {
        fts,
        limit,
        ..SearchQuery::default()
    })?;
    Ok(hits.into_iter().map(|h| h.story_id).collect())
}

/// The FTS5 expression `pydigest search` builds from what a user typed (`None`: nothing to
/// search for), so the benchmark can run the exhaustive ordering on the same expression.
pub fn fts_query(query: &str) -> Option<String> {
    plain_to_fts(query)
}
