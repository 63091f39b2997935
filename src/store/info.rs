//! What `pydigest info` reports about a store: how much it holds and when it was last fetched.

use super::{Result, Store};

/// Counts and times of one store.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct StoreStats {
    /// Sources registered in the store (configured now or before).
    pub sources: i64,
    /// Stored entries (sightings).
    pub entries: i64,
    /// Stories (entries merged by article).
    pub stories: i64,
    /// The latest fetch attempt of any source (RFC 3339).
    pub last_fetch: Option<String>,
    /// The latest successful fetch of any source (RFC 3339).
    pub last_success: Option<String>,
}

impl Store {
    /// Counts sources, entries and stories, and finds the latest fetch.
    pub(crate) fn stats(&self) -> Result<StoreStats> {
        Ok(self.conn().query_row(
            "SELECT (SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM entries),
                    (SELECT COUNT(*) FROM stories), (SELECT MAX(last_fetch_at) FROM sources),
                    (SELECT MAX(last_success_at) FROM sources)",
            [],
            |r| {
                Ok(StoreStats {
                    sources: r.get(0)?,
                    entries: r.get(1)?,
                    stories: r.get(2)?,
                    last_fetch: r.get(3)?,
                    last_success: r.get(4)?,
                })
            },
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_store_counts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        assert_eq!(store.stats().unwrap(), StoreStats::default());
    }
}
