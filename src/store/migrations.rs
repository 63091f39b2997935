//! Schema migrations: an append-only list applied in order and recorded in `PRAGMA
//! user_version`. Never edit or reorder an entry; add a new one.

/// Each entry moves the schema one version up.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: sources with fetch state and health; entries (one row per sighting); stories; FTS5.
    r#"
    CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        config_url TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT,
        site_url TEXT,
        etag TEXT,
        last_modified TEXT,
        last_fetch_at TEXT,
        last_success_at TEXT,
        last_status TEXT NOT NULL DEFAULT 'never',
        last_error TEXT,
        failing_since TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        bytes_total INTEGER NOT NULL DEFAULT 0,
        not_modified_count INTEGER NOT NULL DEFAULT 0,
        last_new_entry_at TEXT,
        dead_since TEXT
    );
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        url_key TEXT UNIQUE,
        title_key TEXT,
        author_key TEXT,
        first_seen_at TEXT NOT NULL,
        published TEXT
    );
    CREATE INDEX stories_title ON stories(title_key);
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        entry_id TEXT NOT NULL,
        story_id INTEGER REFERENCES stories(id),
        parent_entry_id TEXT,
        kind TEXT NOT NULL DEFAULT 'post',
        title TEXT,
        url TEXT,
        canonical_url TEXT,
        authors TEXT NOT NULL DEFAULT '',
        published TEXT,
        updated TEXT,
        date_is_first_seen INTEGER NOT NULL DEFAULT 0,
        summary TEXT,
        content_html TEXT,
        content_text TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        enclosures TEXT NOT NULL DEFAULT '[]',
        section TEXT,
        sponsored INTEGER NOT NULL DEFAULT 0,
        content_hash TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        UNIQUE(source_id, entry_id)
    );
    CREATE INDEX entries_published ON entries(published);
    CREATE INDEX entries_story ON entries(story_id);
    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, summary, content_text, authors,
        content='entries', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
        INSERT INTO entries_fts(rowid, title, summary, content_text, authors)
        VALUES (new.id, new.title, new.summary, new.content_text, new.authors);
    END;
    CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, title, summary, content_text, authors)
        VALUES ('delete', old.id, old.title, old.summary, old.content_text, old.authors);
    END;
    CREATE TRIGGER entries_au AFTER UPDATE OF title, summary, content_text, authors ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, title, summary, content_text, authors)
        VALUES ('delete', old.id, old.title, old.summary, old.content_text, old.authors);
        INSERT INTO entries_fts(rowid, title, summary, content_text, authors)
        VALUES (new.id, new.title, new.summary, new.content_text, new.authors);
    END;
    "#,
    // 2: search ranks by bm25 with the title weighted above the body (title, summary,
    // content_text, authors); stored in the FTS5 config so `ORDER BY rank` uses it.
    r#"
    INSERT INTO entries_fts(entries_fts, rank) VALUES('rank', 'bm25(10.0, 3.0, 1.0, 2.0)');
    "#,
    // 3: answers of the language model behind `digest --llm`, keyed by a hash of the model and
    // the prompt, so the same digest again costs no request. Never holds the API key.
    r#"
    CREATE TABLE llm_cache (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        answer TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    "#,
    // 4: undated entries from a source's first fetch are backlog (an archive page's old
    // links): stored and searchable, never in a digest. Earlier stores keep them as they were.
    r#"
    ALTER TABLE entries ADD COLUMN backlog INTEGER NOT NULL DEFAULT 0;
    "#,
    // 5: the stories `pydigest watch` has printed, per watch name, so each is printed once.
    r#"
    CREATE TABLE watch_reported (
        watch TEXT NOT NULL,
        story_id INTEGER NOT NULL,
        reported_at TEXT NOT NULL,
        PRIMARY KEY (watch, story_id)
    );
    "#,
    // 6: FTS5 merges segments once 8 (not 4) pile up on a level during writes, so a bulk
    // fetch rewrites each posting list fewer times; `fetch` tidies up with a short `merge` at
    // its end (`Store::end_batch`). Crisis merging stays well above it.
    r#"
    INSERT INTO entries_fts(entries_fts, rank) VALUES('automerge', 8);
    INSERT INTO entries_fts(entries_fts, rank) VALUES('crisismerge', 32);
    "#,
    // 7: new and changed entries wait in `fts_pending` and reach FTS5 in one statement just
    // before their transaction commits (`Store::flush_fts_pending`). FTS5 flushes its pending
    // terms to a new segment at every statement savepoint, and a trigger that wrote it per
    // inserted entry opened one per entry: one tiny segment per entry, merged over and over.
    // A pending entry was never indexed, so deleting it must not send FTS5 a 'delete'.
    r#"
    CREATE TABLE fts_pending (id INTEGER PRIMARY KEY);
    DROP TRIGGER entries_ai;
    DROP TRIGGER entries_ad;
    DROP TRIGGER entries_au;
    CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
        INSERT OR IGNORE INTO fts_pending(id) VALUES (new.id);
    END;
    CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, title, summary, content_text, authors)
        SELECT 'delete', old.id, old.title, old.summary, old.content_text, old.authors
        WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
        DELETE FROM fts_pending WHERE id = old.id;
    END;
    CREATE TRIGGER entries_au AFTER UPDATE OF title, summary, content_text, authors ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, title, summary, content_text, authors)
        SELECT 'delete', old.id, old.title, old.summary, old.content_text, old.authors
        WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
        INSERT OR IGNORE INTO fts_pending(id) VALUES (new.id);
    END;
    "#,
    // 8: the digest at scale. A week's stories and the fingerprints of their sightings come
    // from indexes alone: (published, story_id) finds the week's stories, (story_id,
    // content_hash) their sightings and versions (both replace the one-column indexes they
    // extend). Each story's prepared digest entry (filing, summary) and each week's title-term
    // counts are cached, keyed by the taxonomy's hash and that fingerprint, and recomputed
    // when either changes.
    r#"
    CREATE INDEX entries_published_story ON entries(published, story_id);
    DROP INDEX entries_published;
    CREATE INDEX entries_story_hash ON entries(story_id, content_hash);
    DROP INDEX entries_story;
    CREATE TABLE digest_stories (
        story_id INTEGER NOT NULL,
        variant INTEGER NOT NULL,
        taxonomy TEXT NOT NULL,
        stamp INTEGER NOT NULL,
        entry TEXT,
        PRIMARY KEY (story_id, variant)
    ) WITHOUT ROWID;
    CREATE TABLE digest_terms (
        since TEXT NOT NULL,
        until TEXT NOT NULL,
        variant INTEGER NOT NULL,
        taxonomy TEXT NOT NULL,
        stamp INTEGER NOT NULL,
        terms TEXT NOT NULL,
        PRIMARY KEY (since, until, variant)
    ) WITHOUT ROWID;
    "#,
    // 9: the digest cache is validated without reading sightings. Every insert, update or
    // delete of an entry ticks `change_clock` and stamps the entry's story (old and new, when
    // an update moves it) with the new tick in `stories.changed`; a cached row keeps the tick
    // read before its story was, and is valid while the story's stamp is not later. The
    // stories changed after a tick come from `stories_changed` in one range scan, so a week is
    // validated with no per-story seek. Existing stories start at 0; the cached rows, stamped
    // the older way, are dropped (the next digest fills them again). `digest_stories` becomes
    // a rowid table keyed by story_id * 2 + variant: in a WITHOUT ROWID table, a seek that
    // meets a row overflowing its page (most cached entries do) reads the whole row, overflow
    // pages and all, at every comparison.
    r#"
    ALTER TABLE stories ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX stories_changed ON stories(changed);
    CREATE TABLE change_clock (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
    INSERT INTO change_clock (id, n) VALUES (1, 0);
    CREATE TRIGGER entries_changed_ai AFTER INSERT ON entries WHEN new.story_id IS NOT NULL BEGIN
        UPDATE change_clock SET n = n + 1 WHERE id = 1;
        UPDATE stories SET changed = (SELECT n FROM change_clock WHERE id = 1) WHERE id = new.story_id;
    END;
    CREATE TRIGGER entries_changed_ad AFTER DELETE ON entries WHEN old.story_id IS NOT NULL BEGIN
        UPDATE change_clock SET n = n + 1 WHERE id = 1;
        UPDATE stories SET changed = (SELECT n FROM change_clock WHERE id = 1) WHERE id = old.story_id;
    END;
    CREATE TRIGGER entries_changed_au AFTER UPDATE ON entries BEGIN
        UPDATE change_clock SET n = n + 1 WHERE id = 1;
        UPDATE stories SET changed = (SELECT n FROM change_clock WHERE id = 1)
        WHERE id IN (old.story_id, new.story_id);
    END;
    ALTER TABLE digest_terms ADD COLUMN clock INTEGER NOT NULL DEFAULT 0;
    DELETE FROM digest_terms;
    DROP TABLE digest_stories;
    CREATE TABLE digest_stories (
        key INTEGER PRIMARY KEY,
        story_id INTEGER NOT NULL,
        variant INTEGER NOT NULL,
        taxonomy TEXT NOT NULL,
        stamp INTEGER NOT NULL,
        entry TEXT
    );
    "#,
];
