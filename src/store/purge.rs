//! Forgetting a source: `pydigest sources remove --purge`.

use super::{Result, Store};

impl Store {
    /// Deletes a source's entries, the stories no other source carried, and the source itself,
    /// in one transaction; returns (entries, stories) deleted.
    pub(crate) fn purge_source(&mut self, id: &str) -> Result<(usize, usize)> {
        let tx = self.conn.transaction()?;
        let entries = tx.execute("DELETE FROM entries WHERE source_id = ?1", [id])?;
        let stories = tx.execute(
            "DELETE FROM stories WHERE NOT EXISTS
               (SELECT 1 FROM entries e WHERE e.story_id = stories.id)",
            [],
        )?;
        // Cached digest entries of stories that are gone would never match again; drop them.
        tx.execute(
            "DELETE FROM digest_stories WHERE NOT EXISTS
               (SELECT 1 FROM stories s WHERE s.id = digest_stories.story_id)",
            [],
        )?;
        tx.execute("DELETE FROM sources WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok((entries, stories))
    }
}
