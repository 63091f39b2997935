//! The digest's caches: each story's prepared digest entry (filing, summary, what its item
//! shows) and each week's title-term counts, so a week read again costs index scans instead of
//! every story's text. A row is valid while its taxonomy key (the caller's hash of the topics,
//! lexicon and code version) and its stamp (a fingerprint of the sightings behind it) match.

use super::{Result, Store};
use crate::calendar::rfc3339;
use crate::digest::Prepared;
use crate::digest::topics::{Classification, Field, Reason};
use chrono::{DateTime, Utc};
use rusqlite::{MAIN_DB, params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The stories with a sighting published in `[?1, ?2)`, from the (published, story_id) index.
const STORIES_IN: &str = "SELECT story_id FROM entries WHERE published >= ?1 AND published < ?2 AND story_id IS NOT NULL";

/// A fingerprint of one sighting's identity and content (its row id and content hash):
/// FNV-1a, mixed so that summing them over a story is order-free.
fn sighting_stamp(id: i64, content_hash: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.to_le_bytes().iter().chain(content_hash.as_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // splitmix64's finaliser: sums of raw FNV values of similar inputs collide too easily.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A cached entry as stored: [`Prepared`] with scores as their bit patterns, so they read back
/// exactly (the digest must render byte for byte as without the cache).
#[derive(Serialize, Deserialize)]
struct StoredEntry {
    title: Option<String>,
    url: Option<String>,
    authors: String,
    sources: Vec<String>,
    episode: bool,
    audio: bool,
    published: Option<DateTime<Utc>>,
    date_estimated: bool,
    summary: String,
    primary: String,
    secondary: Vec<String>,
    /// (topic, term, field, score bits).
    reasons: Vec<(String, String, String, u64)>,
    /// (topic, score bits).
    scores: Vec<(String, u64)>,
}

const FIELDS: [Field; 5] = [
    Field::Title,
    Field::Section,
    Field::Tags,
    Field::Summary,
    Field::Content,
];

fn encode(p: &Prepared) -> String {
    let c = &p.classification;
    let stored = StoredEntry {
        title: p.title.clone(),
        url: p.url.clone(),
        authors: p.authors.clone(),
        sources: p.sources.clone(),
        episode: p.episode,
        audio: p.audio,
        published: p.published,
        date_estimated: p.date_estimated,
        summary: p.summary.clone(),
        primary: c.primary.clone(),
        secondary: c.secondary.clone(),
        reasons: c
            .reasons
            .iter()
            .map(|r| {
                (
                    r.topic.clone(),
                    r.term.clone(),
                    r.field.as_str().to_string(),
                    r.score.to_bits(),
                )
            })
            .collect(),
        scores: c
            .scores
            .iter()
            .map(|(n, s)| (n.clone(), s.to_bits()))
            .collect(),
    };
    serde_json::to_string(&stored).unwrap_or_default()
}

/// The entry back, or `None` when it does not decode (written by another version: a miss).
fn decode(id: i64, text: &str) -> Option<Prepared> {
    let s: StoredEntry = serde_json::from_str(text).ok()?;
    let reasons = s
        .reasons
        .into_iter()
        .map(|(topic, term, field, bits)| {
            Some(Reason {
                topic,
                term,
                field: FIELDS.into_iter().find(|f| f.as_str() == field)?,
                score: f64::from_bits(bits),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Prepared {
        id,
        title: s.title,
        url: s.url,
        authors: s.authors,
        sources: s.sources,
        episode: s.episode,
        audio: s.audio,
        published: s.published,
        date_estimated: s.date_estimated,
        summary: s.summary,
        classification: Classification {
            primary: s.primary,
            secondary: s.secondary,
            reasons,
            scores: s
                .scores
                .into_iter()
                .map(|(n, b)| (n, f64::from_bits(b)))
                .collect(),
        },
    })
}

/// A cached story entry that is still valid: the prepared story, or `None` when the digest
/// drops the story.
pub(crate) type CachedEntry = Option<Prepared>;

impl Store {
    /// True when this connection cannot write (a store opened with [`Store::open_read_only`]):
    /// caches are then computed and not kept.
    pub(crate) fn is_read_only(&self) -> bool {
        self.conn().is_readonly(MAIN_DB).unwrap_or(true)
    }

    /// Per story with a sighting published in `[since, until)`, a fingerprint of all its
    /// sightings (ids and content hashes): any new, changed or removed sighting changes it.
    /// Read from indexes only.
    pub(crate) fn story_stamps_between(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<HashMap<i64, i64>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT e.story_id, e.id, e.content_hash FROM entries e WHERE e.story_id IN ({STORIES_IN})"
        ))?;
        let mut rows = stmt.query(params![rfc3339(since), rfc3339(until)])?;
        let mut stamps: HashMap<i64, u64> = HashMap::new();
        while let Some(r) = rows.next()? {
            let hash = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
            let s = stamps.entry(r.get(0)?).or_default();
            *s = s.wrapping_add(sighting_stamp(r.get(1)?, hash));
        }
        Ok(stamps.into_iter().map(|(id, s)| (id, s as i64)).collect())
    }

    /// The cached entries of the stories with a sighting published in `[since, until)` whose
    /// taxonomy key is `taxonomy` and whose stamp matches `stamps`; others are left out.
    pub(crate) fn cached_digest_entries(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        variant: i64,
        taxonomy: &str,
        stamps: &HashMap<i64, i64>,
    ) -> Result<HashMap<i64, CachedEntry>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT story_id, stamp, entry FROM digest_stories
             WHERE variant = ?3 AND taxonomy = ?4 AND story_id IN ({STORIES_IN})"
        ))?;
        let mut rows = stmt.query(params![rfc3339(since), rfc3339(until), variant, taxonomy])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if stamps.get(&id) != Some(&r.get::<_, i64>(1)?) {
                continue;
            }
            match r
                .get_ref(2)?
                .as_str_or_null()
                .map_err(rusqlite::Error::from)?
            {
                None => {
                    out.insert(id, None);
                }
                Some(text) => {
                    if let Some(p) = decode(id, text) {
                        out.insert(id, Some(p));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Stores (replacing) entries: (story id, stamp, entry or `None` when dropped). Nothing
    /// happens on a read-only store.
    pub(crate) fn put_digest_entries(
        &self,
        variant: i64,
        taxonomy: &str,
        entries: &[(i64, i64, Option<&Prepared>)],
    ) -> Result<()> {
        if entries.is_empty() || self.is_read_only() {
            return Ok(());
        }
        let tx = self.conn().unchecked_transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO digest_stories (story_id, variant, taxonomy, stamp, entry)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (id, stamp, entry) in entries {
                put.execute(params![id, variant, taxonomy, stamp, entry.map(encode)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached title-term counts of `[since, until)`, when stored under this key and stamp.
    pub(crate) fn cached_week_terms(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        variant: i64,
        taxonomy: &str,
        stamp: i64,
    ) -> Result<Option<BTreeMap<String, usize>>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT terms FROM digest_terms
             WHERE since = ?1 AND until = ?2 AND variant = ?3 AND taxonomy = ?4 AND stamp = ?5",
        )?;
        let mut rows = stmt.query(params![
            rfc3339(since),
            rfc3339(until),
            variant,
            taxonomy,
            stamp
        ])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        Ok(serde_json::from_str(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?).ok())
    }

    /// Stores (replacing) the title-term counts of `[since, until)`; nothing on a read-only
    /// store.
    pub(crate) fn put_week_terms(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        variant: i64,
        taxonomy: &str,
        stamp: i64,
        terms: &BTreeMap<String, usize>,
    ) -> Result<()> {
        if self.is_read_only() {
            return Ok(());
        }
        self.conn().execute(
            "INSERT OR REPLACE INTO digest_terms (since, until, variant, taxonomy, stamp, terms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                rfc3339(since),
                rfc3339(until),
                variant,
                taxonomy,
                stamp,
                serde_json::to_string(terms).unwrap_or_default()
            ],
        )?;
        Ok(())
    }
}

/// Combines the stamps of a period's stories into one (order-free).
pub(crate) fn period_stamp(stamps: &HashMap<i64, i64>) -> i64 {
    stamps.iter().fold(0u64, |acc, (id, s)| {
        acc.wrapping_add(sighting_stamp(*id, &s.to_string()))
    }) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_exactly() {
        let p = Prepared {
            id: 7,
            title: Some("Ünïcode \"title\"".into()),
            url: None,
            authors: " A, B ".into(),
            sources: vec!["a".into(), "b".into()],
            episode: false,
            audio: true,
            published: Some(Utc::now()),
            date_estimated: true,
            summary: "s".into(),
            classification: Classification {
                primary: "Web".into(),
                secondary: vec!["Data".into()],
                reasons: FIELDS
                    .into_iter()
                    .map(|field| Reason {
                        topic: "Web".into(),
                        term: "django".into(),
                        field,
                        score: 0.1 + 0.2,
                    })
                    .collect(),
                scores: vec![("Web".into(), 1.0 / 3.0)],
            },
        };
        assert_eq!(decode(7, &encode(&p)), Some(p));
        assert_eq!(decode(7, "{}"), None);
    }

    #[test]
    fn a_stamp_changes_with_any_sighting() {
        let a = sighting_stamp(1, "h1").wrapping_add(sighting_stamp(2, "h2"));
        let b = sighting_stamp(2, "h2").wrapping_add(sighting_stamp(1, "h1"));
        assert_eq!(a, b);
        assert_ne!(
            a,
            sighting_stamp(1, "h1").wrapping_add(sighting_stamp(2, "h3"))
        );
        assert_ne!(a, sighting_stamp(1, "h1"));
    }
}
