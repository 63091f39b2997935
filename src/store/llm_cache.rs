//! Cached answers of the language model (`digest --llm`): one row per (model, prompt) hash.

use super::{Result, Store};
use crate::calendar::rfc3339;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

impl Store {
    /// The cached answer for this key, if any.
    pub(crate) fn llm_cached(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT answer FROM llm_cache WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Stores (or replaces) the answer for this key.
    pub(crate) fn llm_cache_put(
        &self,
        key: &str,
        model: &str,
        answer: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO llm_cache (key, model, answer, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(key) DO UPDATE SET model = excluded.model, answer = excluded.answer,
               created_at = excluded.created_at",
            params![key, model, answer, rfc3339(now)],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_and_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        assert_eq!(store.llm_cached("k").unwrap(), None);
        let now = Utc::now();
        store.llm_cache_put("k", "m", "first", now).unwrap();
        store.llm_cache_put("k", "m", "second", now).unwrap();
        assert_eq!(store.llm_cached("k").unwrap().as_deref(), Some("second"));
    }
}
