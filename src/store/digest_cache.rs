//! The digest's caches: each story's prepared digest entry (filing, summary, what its item
//! shows) and each week's title-term counts, so a week read again costs index scans instead of
//! every story's text. A row is valid while its taxonomy key (the caller's hash of the topics,
//! lexicon and code version) matches and none of its stories changed after the tick of the
//! change clock (migration 9) it was stamped with.

use super::{Result, Store};
use crate::calendar::rfc3339;
use crate::digest::Prepared;
use crate::digest::topics::{Classification, Field, Reason};
use chrono::{DateTime, Utc};
use rusqlite::{MAIN_DB, params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The stories with a sighting published in `[?1, ?2)`, from the (published, story_id) index.
const STORIES_IN: &str = "SELECT story_id FROM entries WHERE published >= ?1 AND published < ?2 AND story_id IS NOT NULL";

/// An order-free fingerprint of a set of story ids (splitmix64 of each, summed): a story
/// joining or leaving a week changes it.
pub(crate) fn id_set_stamp(ids: &[i64]) -> i64 {
    ids.iter().fold(0u64, |acc, id| {
        let mut h = (*id as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        acc.wrapping_add(h ^ (h >> 31))
    }) as i64
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

/// The counts of the `only` terms in a JSON object of term counts, read without building the
/// whole map; `None` when it does not parse or a key has an escape.
fn read_wanted_terms(text: &str, only: &HashSet<&str>) -> Option<BTreeMap<String, usize>> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
    /// Visits the object, keeping the wanted terms.
    struct Wanted<'a, 'b>(&'a HashSet<&'b str>);
    impl<'de> Visitor<'de> for Wanted<'_, '_> {
        type Value = BTreeMap<String, usize>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map of term counts")
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(term) = map.next_key::<&'de str>()? {
                let n: usize = map.next_value()?;
                if self.0.contains(term) {
                    out.insert(term.to_string(), n);
                }
            }
            Ok(out)
        }
    }
    impl<'de> DeserializeSeed<'de> for Wanted<'_, '_> {
        type Value = BTreeMap<String, usize>;
        fn deserialize<D: Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let out = Wanted(only).deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(out)
}

/// Added to the variant of a `digest_terms` row holding a week's summed trend baseline rather
/// than the week's own counts (both are keyed by the week's bounds).
const BASELINE_VARIANT: i64 = 2;

/// A week's cached title-term counts: (stamp of its story set, tick, counts).
pub(crate) type CachedTerms = (i64, i64, BTreeMap<String, usize>);

/// A cached story entry: the prepared story, or `None` when the digest
/// drops the story.
pub(crate) type CachedEntry = Option<Prepared>;

impl Store {
    /// True when this connection cannot write (a store opened with [`Store::open_read_only`]):
    /// caches are then computed and not kept.
    pub(crate) fn is_read_only(&self) -> bool {
        self.conn().is_readonly(MAIN_DB).unwrap_or(true)
    }

    /// The change clock's current tick (migration 9). Read it before the data a cache row is
    /// computed from: a change committed in between then only makes the row look stale.
    pub(crate) fn change_clock(&self) -> Result<i64> {
        Ok(self
            .conn()
            .prepare_cached("SELECT n FROM change_clock WHERE id = 1")?
            .query_row([], |r| r.get(0))?)
    }

    /// The stories with a sighting published in `[since, until)`, sorted, each once: one range
    /// scan of the (published, story_id) index.
    pub(crate) fn story_ids_between(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare_cached(STORIES_IN)?;
        let mut ids = stmt
            .query_map(params![rfc3339(since), rfc3339(until)], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// Stories changed after tick `clock`, with the tick of their last change: every such
    /// story when there are fewer than `limit` (one scan of `stories_changed`, usually empty),
    /// else only those with a sighting published in `[since, until)` (one seek per story of
    /// the period, which is never more than the period's size).
    pub(crate) fn stories_changed_after(
        &self,
        clock: i64,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<HashMap<i64, i64>> {
        let limit = limit.max(64);
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, changed FROM stories WHERE changed > ?1 LIMIT ?2")?;
        let changed = stmt
            .query_map(params![clock, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<HashMap<i64, i64>>>()?;
        if changed.len() < limit {
            return Ok(changed);
        }
        // `+changed`: look the period's stories up by id, not by scanning every change.
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT id, changed FROM stories WHERE +changed > ?3 AND id IN ({STORIES_IN})"
        ))?;
        let changed = stmt
            .query_map(params![rfc3339(since), rfc3339(until), clock], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<HashMap<i64, i64>>>()?;
        Ok(changed)
    }

    /// The cached entries of the stories with a sighting published in `[since, until)` under
    /// taxonomy key `taxonomy`, each with the tick it was stamped with; the caller drops those
    /// whose story changed after it.
    pub(crate) fn cached_digest_entries(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        variant: i64,
        taxonomy: &str,
    ) -> Result<HashMap<i64, (i64, CachedEntry)>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT story_id, stamp, entry FROM digest_stories
             WHERE key IN (SELECT story_id * 2 + ?3 FROM ({STORIES_IN})) AND taxonomy = ?4"
        ))?;
        let mut rows = stmt.query(params![rfc3339(since), rfc3339(until), variant, taxonomy])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let stamp: i64 = r.get(1)?;
            match r
                .get_ref(2)?
                .as_str_or_null()
                .map_err(rusqlite::Error::from)?
            {
                None => {
                    out.insert(id, (stamp, None));
                }
                Some(text) => {
                    if let Some(p) = decode(id, text) {
                        out.insert(id, (stamp, Some(p)));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Stores (replacing) entries: (story id, entry or `None` when dropped), stamped with tick
    /// `clock`; `variant` is 0 or 1 (the row's key is story id * 2 + variant). Nothing happens
    /// on a read-only store.
    pub(crate) fn put_digest_entries(
        &self,
        variant: i64,
        taxonomy: &str,
        clock: i64,
        entries: &[(i64, Option<&Prepared>)],
    ) -> Result<()> {
        debug_assert!(variant == 0 || variant == 1, "variant {variant}");
        if entries.is_empty() || self.is_read_only() {
            return Ok(());
        }
        let tx = self.conn().unchecked_transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO digest_stories (key, story_id, variant, taxonomy, stamp, entry)
                 VALUES (?1 * 2 + ?2, ?1, ?2, ?3, ?4, ?5)",
            )?;
            for (id, entry) in entries {
                put.execute(params![id, variant, taxonomy, clock, entry.map(encode)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached title-term counts of `[since, until)` under this key, cut down to the terms
    /// in `only`, with the stamp of its story set and the tick they were stamped with.
    pub(crate) fn cached_week_terms(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        variant: i64,
        taxonomy: &str,
        only: &HashSet<&str>,
    ) -> Result<Option<CachedTerms>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT stamp, clock, terms FROM digest_terms
             WHERE since = ?1 AND until = ?2 AND variant = ?3 AND taxonomy = ?4",
        )?;
        let mut rows = stmt.query(params![rfc3339(since), rfc3339(until), variant, taxonomy])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let (stamp, clock): (i64, i64) = (r.get(0)?, r.get(1)?);
        let text = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        // Streamed with borrowed keys: a week holds tens of thousands of terms and few are
        // wanted, so none of the others is allocated or put in a map. A key with an escape
        // cannot be borrowed; such a map is read the slow way.
        let terms = read_wanted_terms(text, only).or_else(|| {
            serde_json::from_str::<BTreeMap<String, usize>>(text)
                .ok()
                .map(|all| {
                    all.into_iter()
                        .filter(|(t, _)| only.contains(t.as_str()))
                        .collect()
                })
        });
        Ok(terms.map(|t| (stamp, clock, t)))
    }

    /// The cached trend baseline of the week `[since, until)` (its earlier weeks' summed
    /// title-term counts, cut down to the terms the caller wanted), with the caller's stamp
    /// and the tick it was stamped with. Kept in `digest_terms` under variant + 2, apart from
    /// the week's own counts.
    pub(crate) fn cached_baseline_terms(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        variant: i64,
        taxonomy: &str,
    ) -> Result<Option<CachedTerms>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT stamp, clock, terms FROM digest_terms
             WHERE since = ?1 AND until = ?2 AND variant = ?3 AND taxonomy = ?4",
        )?;
        let mut rows = stmt.query(params![
            rfc3339(since),
            rfc3339(until),
            variant + BASELINE_VARIANT,
            taxonomy
        ])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let (stamp, clock): (i64, i64) = (r.get(0)?, r.get(1)?);
        let text = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        Ok(serde_json::from_str::<BTreeMap<String, usize>>(text)
            .ok()
            .map(|t| (stamp, clock, t)))
    }

    /// Stores (replacing) the trend baseline of the week `[since, until)` read back by
    /// [`Store::cached_baseline_terms`]; nothing on a read-only store.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn put_baseline_terms(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        variant: i64,
        taxonomy: &str,
        stamp: i64,
        clock: i64,
        terms: &BTreeMap<String, usize>,
    ) -> Result<()> {
        self.put_week_terms(
            since,
            until,
            variant + BASELINE_VARIANT,
            taxonomy,
            stamp,
            clock,
            terms,
        )
    }

    /// Stores (replacing) the title-term counts of `[since, until)`, with the stamp of its
    /// story set and tick `clock`; nothing on a read-only store.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn put_week_terms(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        variant: i64,
        taxonomy: &str,
        stamp: i64,
        clock: i64,
        terms: &BTreeMap<String, usize>,
    ) -> Result<()> {
        if self.is_read_only() {
            return Ok(());
        }
        self.conn().execute(
            "INSERT OR REPLACE INTO digest_terms (since, until, variant, taxonomy, stamp, clock, terms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                rfc3339(since),
                rfc3339(until),
                variant,
                taxonomy,
                stamp,
                clock,
                serde_json::to_string(terms).unwrap_or_default()
            ],
        )?;
        Ok(())
    }
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
    fn wanted_terms_are_read_from_a_stored_map() {
        let all: BTreeMap<String, usize> = [("django", 3), ("rust", 2), ("a \"q\"", 1)]
            .into_iter()
            .map(|(t, n)| (t.to_string(), n))
            .collect();
        let text = serde_json::to_string(&all).unwrap();
        let only: HashSet<&str> = ["django", "absent"].into_iter().collect();
        // An escaped key cannot be borrowed: the caller falls back to the owned read.
        assert_eq!(read_wanted_terms(&text, &only), None);
        let plain = r#"{"django":3,"rust":2}"#;
        let want: BTreeMap<String, usize> = [("django".to_string(), 3)].into_iter().collect();
        assert_eq!(read_wanted_terms(plain, &only), Some(want));
        assert_eq!(read_wanted_terms("{\"django\":3", &only), None);
    }

    #[test]
    fn a_weeks_baseline_is_kept_apart_from_its_own_counts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let since = Utc::now();
        let until = since + chrono::Duration::days(7);
        let own: BTreeMap<String, usize> = [("own".to_string(), 1)].into_iter().collect();
        let base: BTreeMap<String, usize> = [("base".to_string(), 4)].into_iter().collect();
        store
            .put_week_terms(since, until, 0, "t", 1, 5, &own)
            .unwrap();
        assert_eq!(
            store.cached_baseline_terms(since, until, 0, "t").unwrap(),
            None
        );
        store
            .put_baseline_terms(since, until, 0, "t", 2, 6, &base)
            .unwrap();
        let only: HashSet<&str> = ["own", "base"].into_iter().collect();
        assert_eq!(
            store
                .cached_week_terms(since, until, 0, "t", &only)
                .unwrap(),
            Some((1, 5, own))
        );
        assert_eq!(
            store.cached_baseline_terms(since, until, 0, "t").unwrap(),
            Some((2, 6, base))
        );
        assert_eq!(
            store.cached_baseline_terms(since, until, 1, "t").unwrap(),
            None
        );
        assert_eq!(
            store.cached_baseline_terms(since, until, 0, "u").unwrap(),
            None
        );
    }

    #[test]
    fn the_id_set_stamp_is_order_free_and_sees_every_member() {
        let a = id_set_stamp(&[1, 2, 3]);
        assert_eq!(a, id_set_stamp(&[3, 1, 2]));
        assert_ne!(a, id_set_stamp(&[1, 2]));
        assert_ne!(a, id_set_stamp(&[1, 2, 4]));
        assert_ne!(id_set_stamp(&[]), id_set_stamp(&[0]));
    }
}
