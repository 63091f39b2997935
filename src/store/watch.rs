//! What `pydigest watch` has already reported: one row per (watch, story), so each matching
//! story is printed once.

use super::{Result, Store};
use crate::calendar::rfc3339;
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::collections::HashSet;

impl Store {
    /// The story ids already reported for this watch.
    pub(crate) fn watch_reported(&self, watch: &str) -> Result<HashSet<i64>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT story_id FROM watch_reported WHERE watch = ?1")?;
        let ids = stmt
            .query_map([watch], |r| r.get(0))?
            .collect::<rusqlite::Result<HashSet<i64>>>()?;
        Ok(ids)
    }

    /// Records these stories as reported for this watch, in one transaction.
    pub(crate) fn mark_watch_reported(
        &self,
        watch: &str,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO watch_reported (watch, story_id, reported_at)
                 VALUES (?1, ?2, ?3)",
            )?;
            for id in ids {
                stmt.execute(params![watch, id, rfc3339(now)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_stories_are_remembered_per_watch() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        assert!(store.watch_reported("CVEs").unwrap().is_empty());
        store
            .mark_watch_reported("CVEs", &[1, 2], Utc::now())
            .unwrap();
        store
            .mark_watch_reported("CVEs", &[2, 3], Utc::now())
            .unwrap();
        assert_eq!(
            store.watch_reported("CVEs").unwrap(),
            HashSet::from([1, 2, 3])
        );
        assert!(store.watch_reported("Django").unwrap().is_empty());
    }
}
