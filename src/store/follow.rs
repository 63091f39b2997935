//! Archive pages whose issue pages are followed (`follow` selector): the archive keeps the
//! source's validators and health; each issue page adds entries without touching them.

use super::{FetchMeta, Result, Store, WriteStats, stories};
use crate::calendar::rfc3339;
use crate::model::ParsedDoc;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

impl Store {
    /// Records a fetched archive page: its validators and a healthy status, as for a feed.
    pub(crate) fn record_archive(
        &mut self,
        id: &str,
        meta: &FetchMeta,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET etag = ?2, last_modified = ?3, url = COALESCE(?4, url),
                last_fetch_at = ?5, last_success_at = ?5, last_status = 'ok', last_error = NULL,
                failing_since = NULL, consecutive_failures = 0, dead_since = NULL,
                bytes_total = bytes_total + ?6
             WHERE id = ?1",
            params![
                id,
                meta.etag,
                meta.last_modified,
                meta.moved_to,
                rfc3339(now),
                meta.bytes as i64
            ],
        )?;
        Ok(())
    }

    /// True when an issue page at `url` is already stored for this source.
    pub(crate) fn has_issue(&self, id: &str, url: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM entries WHERE source_id = ?1 AND (entry_id = ?2 OR url = ?2) LIMIT 1",
                params![id, url],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Stores one followed issue page's entries (the issue and its stories), in one transaction.
    pub(crate) fn record_issue(
        &mut self,
        id: &str,
        doc: &ParsedDoc,
        bytes: u64,
        now: DateTime<Utc>,
    ) -> Result<WriteStats> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stats = stories::write_entries(&tx, id, &doc.entries, &[], now)?;
        tx.execute(
            "UPDATE sources SET bytes_total = bytes_total + ?2,
                last_new_entry_at = CASE WHEN ?3 > 0 THEN ?4 ELSE last_new_entry_at END
             WHERE id = ?1",
            params![id, bytes as i64, stats.new as i64, rfc3339(now)],
        )?;
        tx.commit()?;
        Ok(stats)
    }
}
