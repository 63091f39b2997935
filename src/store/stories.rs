//! Entries and stories: every stored entry is one sighting; sightings of the same article
//! (same canonical URL key, or — conservatively — the same title by the same author within
//! three days) share one story.

use super::{Result, Store, WriteStats, parse_ts, stored_time, url_key};
use crate::calendar::rfc3339;
use crate::model::{Enclosure, Entry, EntryKind, Sighting, Story};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// How far apart two same-titled posts by the same author may be and still be one story.
const NEAR_DUPLICATE_DAYS: f64 = 3.0;

/// Normalised title for near-duplicate matching, or `None` when the title is too short or
/// generic to be trusted ("Weekly update", "Release notes").
pub(crate) fn title_key(title: &str) -> Option<String> {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let key = words.join(" ");
    (words.len() >= 4 && key.len() >= 20).then_some(key)
}

fn author_key(e: &Entry) -> Option<String> {
    e.authors
        .first()
        .map(|a| crate::text::collapse_ws(&a.to_lowercase()))
        .filter(|a| !a.is_empty())
}

fn entry_hash(e: &Entry) -> String {
    let json = serde_json::to_string(e).unwrap_or_default();
    crate::parse::content_hash(&[&json])
}

/// The content hash of each entry, as the store compares and keeps it. Fetch computes these on
/// its parse workers, so the single writer does not serialise and hash every entry itself.
pub(crate) fn entry_hashes(entries: &[Entry]) -> Vec<String> {
    entries.iter().map(entry_hash).collect()
}

/// Inserts new entries, updates changed ones, leaves unchanged ones alone. `hashes` are the
/// entries' [`entry_hashes`] when the caller has them (else empty: computed here).
pub(super) fn write_entries(
    tx: &Connection,
    source_id: &str,
    entries: &[Entry],
    hashes: &[String],
    now: DateTime<Utc>,
) -> Result<WriteStats> {
    let now_s = rfc3339(now);
    let mut stats = WriteStats::default();
    // Undated entries of a source's first fetch are its backlog, not this week's news.
    let first_fetch = !tx
        .prepare_cached("SELECT 1 FROM entries WHERE source_id = ?1 LIMIT 1")?
        .exists([source_id])?;
    let mut find = tx.prepare_cached(
        "SELECT id, content_hash FROM entries WHERE source_id = ?1 AND entry_id = ?2",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO entries (source_id, entry_id, story_id, parent_entry_id, kind, title, url, canonical_url, authors,
            published, updated, date_is_first_seen, summary, content_html, content_text, tags, enclosures, section,
            sponsored, content_hash, first_seen_at, last_seen_at, backlog)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?22)",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE entries SET parent_entry_id = ?2, kind = ?3, title = ?4, url = ?5, canonical_url = ?6, authors = ?7,
            published = COALESCE(?8, published), updated = ?9, summary = ?10, content_html = ?11, content_text = ?12,
            tags = ?13, enclosures = ?14, section = ?15, sponsored = ?16, content_hash = ?17, last_seen_at = ?18,
            date_is_first_seen = CASE WHEN ?8 IS NULL THEN date_is_first_seen ELSE 0 END
         WHERE id = ?1",
    )?;
    let hashes = if hashes.len() == entries.len() {
        std::borrow::Cow::Borrowed(hashes)
    } else {
        std::borrow::Cow::Owned(entry_hashes(entries))
    };
    for (e, hash) in entries.iter().zip(hashes.iter()) {
        let existing: Option<(i64, String)> = find
            .query_row(params![source_id, e.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let authors = e.authors.join(", ");
        let tags = serde_json::to_string(&e.tags).unwrap_or_else(|_| "[]".into());
        let enclosures = serde_json::to_string(&e.enclosures).unwrap_or_else(|_| "[]".into());
        let published = e.published.map(rfc3339);
        match existing {
            None => {
                let published_or_seen = e.published.unwrap_or(now);
                let story_id = find_or_create_story(tx, source_id, e, published_or_seen, &now_s)?;
                insert.execute(params![
                    source_id,
                    e.id,
                    story_id,
                    e.parent_id,
                    e.kind.as_str(),
                    e.title,
                    e.url,
                    e.canonical_url,
                    authors,
                    published.clone().unwrap_or_else(|| now_s.clone()),
                    e.updated.map(rfc3339),
                    e.published.is_none(),
                    e.summary,
                    e.content_html,
                    e.content_text,
                    tags,
                    enclosures,
                    e.section,
                    e.sponsored,
                    hash,
                    now_s,
                    first_fetch && e.published.is_none()
                ])?;
                stats.new += 1;
            }
            Some((_, old)) if old == *hash => {}
            Some((rowid, _)) => {
                update.execute(params![
                    rowid,
                    e.parent_id,
                    e.kind.as_str(),
                    e.title,
                    e.url,
                    e.canonical_url,
                    authors,
                    published,
                    e.updated.map(rfc3339),
                    e.summary,
                    e.content_html,
                    e.content_text,
                    tags,
                    enclosures,
                    e.section,
                    e.sponsored,
                    hash,
                    now_s
                ])?;
                stats.updated += 1;
            }
        }
    }
    Ok(stats)
}

/// True when `story` already holds another post or episode of `source` than `entry_id`: a
/// source's own items with different ids are different stories even when they share a link
/// (a podcast whose every episode links to the show's home page).
fn has_sibling(tx: &Connection, story: i64, source_id: &str, e: &Entry) -> Result<bool> {
    if !matches!(e.kind, EntryKind::Post | EntryKind::Episode) {
        return Ok(false);
    }
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM entries WHERE story_id = ?1 AND source_id = ?2 AND entry_id <> ?3
               AND kind IN ('post', 'episode') LIMIT 1",
        )?
        .exists(params![story, source_id, e.id])?)
}

fn find_or_create_story(
    tx: &Connection,
    source_id: &str,
    e: &Entry,
    published: DateTime<Utc>,
    now_s: &str,
) -> Result<i64> {
    let mut key = url_key(e);
    if let Some(k) = &key {
        let found: Option<i64> = tx
            .prepare_cached("SELECT id FROM stories WHERE url_key = ?1")?
            .query_row([k], |r| r.get(0))
            .optional()?;
        // The URL already names a sibling's story: this one gets its own, without a URL key
        // (the key stays with the first, so other sources still merge on it).
        if let Some(id) = found
            && has_sibling(tx, id, source_id, e)?
        {
            key = None;
        } else if let Some(id) = found {
            tx.prepare_cached("UPDATE stories SET published = MIN(published, ?2) WHERE id = ?1")?
                .execute(params![id, rfc3339(published)])?;
            return Ok(id);
        }
    }
    let tkey = if e.kind == EntryKind::Issue {
        None
    } else {
        e.title.as_deref().and_then(title_key)
    };
    let akey = author_key(e);
    if let (Some(t), Some(a)) = (&tkey, &akey) {
        let found: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM stories WHERE title_key = ?1 AND author_key = ?2
                   AND abs(julianday(published) - julianday(?3)) <= ?4 ORDER BY id LIMIT 1",
            )?
            .query_row(
                params![t, a, rfc3339(published), NEAR_DUPLICATE_DAYS],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = found
            && !has_sibling(tx, id, source_id, e)?
        {
            return Ok(id);
        }
    }
    tx.prepare_cached(
        "INSERT INTO stories (url_key, title_key, author_key, first_seen_at, published) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![key, tkey, akey, now_s, rfc3339(published)])?;
    Ok(tx.last_insert_rowid())
}

/// Orders sightings so the original article (a post or episode from its own feed) comes first,
/// then newsletter links, then issues; ties by first seen.
fn rank(kind: EntryKind) -> u8 {
    match kind {
        EntryKind::Post | EntryKind::Episode => 0,
        EntryKind::Link => 1,
        EntryKind::Job => 2,
        EntryKind::Issue => 3,
    }
}

/// Which stories [`Store::load_stories`] reads.
enum Period<'a> {
    /// Those with a sighting published in `[since, until)` (open ends: unbounded).
    Range(Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    /// These story ids.
    Ids(&'a [i64]),
}

impl Store {
    /// Stories with at least one sighting published in `[since, until)`, with every sighting.
    /// `aggregators` are sources whose sightings rank after original feeds.
    pub(crate) fn stories_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        aggregators: &[String],
    ) -> Result<Vec<Story>> {
        self.load_stories(&Period::Range(since, until), aggregators, true)
    }

    /// These stories (those that exist) with every sighting, as [`Store::stories_between`]
    /// returns them: for the few stories of a period whose cached digest entry is stale.
    pub(crate) fn stories_by_ids(&self, ids: &[i64], aggregators: &[String]) -> Result<Vec<Story>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.load_stories(&Period::Ids(ids), aggregators, true)
    }

    /// Like [`Store::stories_between`] without summaries and bodies (left `None`): enough for
    /// titles and dates, at a fraction of the reading and copying (trend baselines).
    pub(crate) fn story_headlines_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        aggregators: &[String],
    ) -> Result<Vec<Story>> {
        self.load_stories(&Period::Range(since, until), aggregators, false)
    }

    fn load_stories(
        &self,
        period: &Period<'_>,
        aggregators: &[String],
        with_text: bool,
    ) -> Result<Vec<Story>> {
        let (which, first, second) = match period {
            Period::Range(since, until) => (
                "SELECT story_id FROM entries WHERE published >= ?1 AND published < ?2 AND story_id IS NOT NULL",
                since.map_or_else(|| "0000".to_string(), rfc3339),
                until.map_or_else(|| "9999".to_string(), rfc3339),
            ),
            Period::Ids(ids) => (
                // ?2 is unused; one parameter list serves both shapes.
                "SELECT value FROM json_each(?1) WHERE ?2 IS NOT NULL",
                serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()),
                String::new(),
            ),
        };
        let text_columns = if with_text {
            "e.summary, e.content_text"
        } else {
            "NULL, NULL"
        };
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT e.story_id, e.source_id, e.entry_id, e.first_seen_at, e.section, e.sponsored, e.kind, e.title, e.url,
                    e.authors, e.published, {text_columns}, e.tags, e.date_is_first_seen,
                    e.id, e.canonical_url, e.enclosures, e.backlog
             FROM entries e
             WHERE e.story_id IN ({which})
             ORDER BY e.story_id, e.id"
        ))?;
        let mut stories: Vec<Story> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        let rows = stmt.query_map(params![first, second], |r| {
            let tags: String = r.get(13)?;
            let published: Option<String> = r.get(10)?;
            Ok((
                r.get::<_, i64>(0)?,
                Sighting {
                    source: r.get(1)?,
                    entry_id: r.get(2)?,
                    seen_at: stored_time(r, 3)?,
                    section: r.get(4)?,
                    sponsored: r.get(5)?,
                    kind: EntryKind::parse(&r.get::<_, String>(6)?),
                    title: r.get(7)?,
                    url: r.get(8)?,
                    authors: r.get(9)?,
                    published: published.as_deref().and_then(parse_ts),
                    summary: r.get(11)?,
                    content_text: r.get(12)?,
                    tags: serde_json::from_str(&tags).unwrap_or_default(),
                    date_is_first_seen: r.get(14)?,
                    rowid: r.get(15)?,
                    canonical_url: r.get(16)?,
                    audio: serde_json::from_str::<Vec<Enclosure>>(&r.get::<_, String>(17)?)
                        .is_ok_and(|v| v.iter().any(Enclosure::is_audio)),
                    backlog: r.get(18)?,
                },
            ))
        })?;
        for row in rows {
            let (story_id, sighting) = row?;
            let i = *index.entry(story_id).or_insert_with(|| {
                stories.push(Story {
                    id: story_id,
                    title: None,
                    url: None,
                    canonical_url: None,
                    published: None,
                    sightings: Vec::new(),
                });
                stories.len() - 1
            });
            stories[i].sightings.push(sighting);
        }
        for s in &mut stories {
            // Original feeds before newsletter links and issues, members' own posts before an
            // aggregator's copy, then the earliest published (the original, not the mirror).
            s.sightings.sort_by(|a, b| {
                let key = |x: &Sighting| {
                    (
                        rank(x.kind),
                        aggregators.contains(&x.source),
                        x.published,
                        x.seen_at,
                        x.rowid,
                    )
                };
                key(a).cmp(&key(b))
            });
            let main = &s.sightings[0];
            s.title = main.title.clone();
            s.url = main.url.clone();
            s.canonical_url = main.canonical_url.clone();
            s.published = s
                .sightings
                .iter()
                .filter(|x| !x.date_is_first_seen)
                .filter_map(|x| x.published)
                .min()
                .or(main.published);
        }
        stories.sort_by_key(|a| (a.published, a.id));
        Ok(stories)
    }

    /// One story with every sighting, or `None` when the id is unknown.
    pub(crate) fn story(&self, id: i64, aggregators: &[String]) -> Result<Option<Story>> {
        let first: Option<String> = self.conn().query_row(
            "SELECT MIN(published) FROM entries WHERE story_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let Some(first) = first.as_deref().and_then(parse_ts) else {
            return Ok(None);
        };
        let until = first + chrono::Duration::seconds(1);
        let stories = self.stories_between(Some(first), Some(until), aggregators)?;
        Ok(stories.into_iter().find(|s| s.id == id))
    }
}
