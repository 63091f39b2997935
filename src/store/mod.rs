//! The SQLite store: the only module that knows SQL. One file, WAL, FTS5 kept in sync by
//! triggers, schema versions in `PRAGMA user_version`. Each source is written atomically: in its
//! own transaction, or, during a fetch, in its own savepoint inside a batch transaction that
//! holds several sources (see [`Store::begin_batch`]).

mod digest_cache;
mod follow;
mod info;
mod llm_cache;
mod migrations;
mod purge;
mod search;
mod stories;
mod watch;

pub(crate) use search::{
    HL_END, HL_START, SearchError, SearchHit, SearchQuery, and_any_term, plain_to_fts,
};

use crate::calendar::rfc3339;
pub(crate) use digest_cache::id_set_stamp;
pub(crate) use info::StoreStats;
pub(crate) use stories::entry_hashes;

use crate::canon;
use crate::config::Source;
use crate::model::{Entry, ParsedDoc, SourceKind};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Store failures the user can act on.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// The folder for the database cannot be created or written.
    #[error("cannot use database directory {dir}: {source}")]
    Dir {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database file cannot be opened.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// Written by a newer pydigest.
    #[error(
        "database {path} has schema version {found}, newer than this pydigest supports ({supported}); upgrade pydigest or use another --db"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        supported: i64,
    },
    /// Read-only here, and written by an older pydigest: reading it would need a migration.
    #[error(
        "database {path} has schema version {found}, older than this pydigest reads ({supported}), and cannot be upgraded because it is read-only here; run `pydigest fetch` once with write access to it"
    )]
    NeedsMigration {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        supported: i64,
    },
    /// The database cannot be written here (permissions, a read-only mount).
    #[error(
        "database {path} is read-only here (file or folder permissions, or a read-only mount); commands that only read still work, this one needs write access"
    )]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// The file exists but is not an SQLite database.
    #[error(
        "{path} is not a pydigest database (not SQLite at all); pass another --db, or move the file away to start a new store"
    )]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// True when the store failed only because it cannot be written here (permissions, a
    /// read-only mount): a command that only reads can still use [`Store::open_read_only`].
    pub(crate) fn is_read_only(&self) -> bool {
        let code = match self {
            StoreError::ReadOnly { .. } => return true,
            StoreError::Open { source, .. } | StoreError::Sqlite(source) => {
                source.sqlite_error_code()
            }
            StoreError::Dir { source, .. } => {
                return matches!(
                    source.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
                );
            }
            _ => None,
        };
        matches!(
            code,
            Some(
                rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::PermissionDenied
            )
        )
    }
}

fn not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase)
}

/// Names what went wrong opening `path`: not a database, a folder where no file can be created
/// (a usage error, like a folder that cannot be created), or anything else.
fn open_error(path: &Path, source: rusqlite::Error) -> StoreError {
    if not_a_database(&source) {
        return StoreError::NotADatabase {
            path: path.to_path_buf(),
        };
    }
    if source.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) && !path.exists() {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return StoreError::Dir {
            dir: dir.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "cannot create the database file in it",
            ),
        };
    }
    if source.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) {
        return StoreError::ReadOnly {
            path: path.to_path_buf(),
        };
    }
    StoreError::Open {
        path: path.to_path_buf(),
        source,
    }
}

/// Result alias for store operations.
pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How long a writer waits for another (a concurrent fetch) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Parses a stored time.
pub(crate) fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// `file:///abs/path?immutable=1`, percent-encoded as SQLite's URI filenames require.
fn immutable_uri(path: &Path) -> Option<String> {
    let abs = std::path::absolute(path).ok()?;
    let mut url = url::Url::from_file_path(abs).ok()?;
    url.set_query(Some("immutable=1"));
    Some(url.to_string())
}

/// The open database.
pub(crate) struct Store {
    conn: Connection,
    /// Set between [`Store::begin_batch`] and [`Store::end_batch`].
    batch: Option<Batch>,
}

/// When an open batch transaction is committed: whichever limit comes first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchLimits {
    /// Sources written.
    pub sources: usize,
    /// Entries written.
    pub entries: usize,
    /// Time since the batch's first write: bounds what a crash can lose.
    pub age: Duration,
}

// Measured (2-core box, 1 000 loopback feeds): batching alone does not cut FTS5's flushes,
// because FTS5 writes its pending terms to disk at every savepoint, and inside an explicit
// transaction SQLite opens a statement savepoint for each INSERT into `entries` (the FTS
// trigger makes it abortable), so the index still gets one small segment per entry. Fewer
// flushes need the FTS rows written outside those savepoints (a bulk insert per batch).
impl Default for BatchLimits {
    /// A commit costs an FTS5 flush (and, every few, a segment merge) and a WAL sync point;
    /// at a few hundred sources a second, 250 ms holds tens of sources per commit, while a
    /// crash loses at most a quarter second of work, which the next fetch takes again (the
    /// lost sources' validators were never committed either). The entry cap bounds FTS5's
    /// pending-term memory and the WAL growth of one transaction.
    fn default() -> Self {
        BatchLimits {
            sources: 256,
            entries: 20_000,
            age: Duration::from_millis(250),
        }
    }
}

/// Counts of the batch in progress.
#[derive(Debug)]
struct Batch {
    /// Commit thresholds.
    limits: BatchLimits,
    /// When the open transaction began; None when no transaction is open.
    started: Option<std::time::Instant>,
    /// Sources written in the open transaction.
    sources: usize,
    /// Entries written in the open transaction.
    entries: usize,
    /// Some source wrote entries since the batch began (FTS5 has new segments to merge).
    wrote_entries: bool,
}

/// How long a fetch spends merging FTS5 segments after its last commit: a small fetch has
/// little to merge and stops early; a bulk one leaves the rest to later runs' automerge.
const FTS_MERGE_BUDGET: Duration = Duration::from_millis(300);

/// What fetch needs to know about a source before requesting it.
#[derive(Debug, Clone, Default)]
pub(crate) struct FetchState {
    /// URL to request (after permanent redirects).
    pub url: Option<String>,
    /// Stored ETag.
    pub etag: Option<String>,
    /// Stored Last-Modified.
    pub last_modified: Option<String>,
    /// Set when the server answered 410 Gone.
    pub dead_since: Option<DateTime<Utc>>,
}

/// What a successful fetch brings besides the document.
#[derive(Debug, Clone, Default)]
pub(crate) struct FetchMeta {
    /// New ETag.
    pub etag: Option<String>,
    /// New Last-Modified.
    pub last_modified: Option<String>,
    /// A new permanent URL to use from now on.
    pub moved_to: Option<String>,
    /// Body size.
    pub bytes: u64,
}

/// What writing one source's document changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WriteStats {
    /// Entries seen for the first time.
    pub new: usize,
    /// Entries whose content changed.
    pub updated: usize,
}

/// Where a source stands after its last fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceStatus {
    /// Never fetched.
    Never,
    /// Fetched and stored.
    Ok,
    /// 304, or an unchanged file.
    Unchanged,
    /// The last fetch failed.
    Failing,
    /// Answered 410 Gone: no longer fetched until its URL changes.
    Dead,
}

impl SourceStatus {
    /// The name `sources` prints and the database stores.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SourceStatus::Never => "never",
            SourceStatus::Ok => "ok",
            SourceStatus::Unchanged => "unchanged",
            SourceStatus::Failing => "failing",
            SourceStatus::Dead => "dead",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "never" => SourceStatus::Never,
            "ok" => SourceStatus::Ok,
            "unchanged" => SourceStatus::Unchanged,
            "failing" => SourceStatus::Failing,
            "dead" => SourceStatus::Dead,
            _ => return None,
        })
    }
}

/// A source's health, as `pydigest sources` shows it.
#[derive(Debug, Clone)]
pub(crate) struct SourceHealth {
    /// Source id.
    pub id: String,
    /// Current URL.
    pub url: String,
    /// Kind.
    pub kind: SourceKind,
    /// Where it stands.
    pub status: SourceStatus,
    /// Entries stored.
    pub entries: i64,
    /// The last error, if failing.
    pub last_error: Option<String>,
    /// How many 304 answers so far.
    pub not_modified_count: i64,
    /// Last successful fetch.
    pub last_success: Option<DateTime<Utc>>,
    /// When the current run of failures started.
    pub failing_since: Option<DateTime<Utc>>,
    /// Date of the newest stored entry (published, else first seen).
    pub last_new_entry: Option<DateTime<Utc>>,
    /// Display name.
    pub name: String,
}

/// A stored time column; a value that is not the RFC 3339 pydigest writes is a conversion error.
pub(super) fn stored_time(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = r.get(i)?;
    parse_ts(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("not an RFC 3339 time: {s:?}").into(),
        )
    })
}

/// A nullable stored time column (see [`stored_time`]).
fn stored_time_opt(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(_) => stored_time(r, i).map(Some),
    }
}

/// A column that must hold one of a fixed set of names.
fn conversion_error(i: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Text,
        format!("not a {what}: {value:?}").into(),
    )
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub(crate) fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
                dir: dir.to_path_buf(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
        let mut store = Store { conn, batch: None };
        // Switching to WAL and migrating need a write lock, and SQLite may answer SQLITE_BUSY
        // without calling the busy handler while another process creates the same file; retry
        // for as long as the busy timeout would have waited.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match store.configure().and_then(|()| store.migrate(path)) {
                Err(StoreError::Sqlite(e))
                    if is_busy(&e) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(StoreError::Sqlite(e)) => return Err(open_error(path, e)),
                Err(e) => return Err(e),
                Ok(()) => break,
            }
        }
        // Entries written by a process that stopped between its write and its commit's
        // flush cannot exist (the flush is in the same transaction), but a writer outside
        // `Store` (an older tool, a hand edit) may leave some: index them now.
        store.flush_fts_pending()?;
        Ok(store)
    }

    /// Indexes the entries waiting in `fts_pending` (see migration 7) in one statement, so
    /// FTS5 writes one segment for the whole transaction instead of one per entry. Every
    /// write transaction that adds or changes entries calls it just before committing.
    pub(crate) fn flush_fts_pending(&self) -> Result<()> {
        let pending: bool = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM fts_pending)")?
            .query_row([], |r| r.get(0))?;
        if !pending {
            return Ok(());
        }
        self.conn
            .prepare_cached(
                "INSERT INTO entries_fts(rowid, title, summary, content_text, authors)
                 SELECT e.id, e.title, e.summary, e.content_text, e.authors
                 FROM fts_pending p JOIN entries e ON e.id = p.id ORDER BY p.id",
            )?
            .execute([])?;
        self.conn
            .prepare_cached("DELETE FROM fts_pending")?
            .execute([])?;
        Ok(())
    }

    /// Opens an existing database for reading only: nothing is written, nothing migrated. For
    /// a store this user cannot write (another user's, a backup, a read-only mount).
    pub(crate) fn open_read_only(path: &Path) -> Result<Store> {
        let open = |target: &str, flags: OpenFlags| {
            let conn = Connection::open_with_flags(target, flags)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            let version: i64 =
                conn.query_row("SELECT user_version FROM pragma_user_version", [], |r| {
                    r.get(0)
                })?;
            Ok::<_, rusqlite::Error>((conn, version))
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let opened = match open(&path.to_string_lossy(), flags) {
            // A WAL reader needs a -shm file beside the database; in a folder it cannot write,
            // SQLite can only read the file as immutable (no locking: fine for a store that
            // nobody here may write).
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
                ) =>
            {
                match immutable_uri(path) {
                    Some(uri) => open(&uri, flags | OpenFlags::SQLITE_OPEN_URI),
                    None => Err(e),
                }
            }
            r => r,
        };
        let (conn, found) = opened.map_err(|e| open_error(path, e))?;
        let supported = Self::schema_version();
        if found > supported {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found,
                supported,
            });
        }
        if found < supported {
            return Err(StoreError::NeedsMigration {
                path: path.to_path_buf(),
                found,
                supported,
            });
        }
        Ok(Store { conn, batch: None })
    }

    fn configure(&self) -> Result<()> {
        // A concurrent fetch or search waits instead of failing with "database is locked".
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL lets readers (search, digest) run during a fetch; NORMAL is durable at each
        // checkpoint and never corrupts, which is the right trade for a re-fetchable cache.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Plans do not depend on bound values: without this, SQLite marks some parameters
        // "re-prepare when rebound" and the story lookup of every written entry was compiled
        // again each time (3 % of a cold fetch's writer thread).
        self.conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        // Writing entries uses about a dozen statements; the default cache (16) would evict
        // some of them and prepare them again for every entry.
        self.conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    /// The schema version this binary writes (the number of migrations).
    pub(crate) fn schema_version() -> i64 {
        migrations::MIGRATIONS.len() as i64
    }

    fn migrate(&mut self, path: &Path) -> Result<()> {
        let supported = migrations::MIGRATIONS.len() as i64;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 =
            tx.query_row("SELECT user_version FROM pragma_user_version", [], |r| {
                r.get(0)
            })?;
        if version > supported {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                supported,
            });
        }
        for m in &migrations::MIGRATIONS[version as usize..] {
            tx.execute_batch(m)?;
        }
        if version < supported {
            tx.pragma_update(None, "user_version", supported)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Direct access for read-side modules (search, stories).
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Makes the sources table match feeds.toml: new sources added, names/kinds refreshed, and a
    /// URL edited in feeds.toml replaces any redirect-learned URL (and its cache validators).
    pub(crate) fn sync_sources(&mut self, sources: &[Source]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut upsert = tx.prepare(
                "INSERT INTO sources (id, name, url, config_url, kind) VALUES (?1, ?2, ?3, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                   url = CASE WHEN sources.config_url = excluded.config_url THEN sources.url ELSE excluded.url END,
                   etag = CASE WHEN sources.config_url = excluded.config_url THEN sources.etag ELSE NULL END,
                   last_modified = CASE WHEN sources.config_url = excluded.config_url THEN sources.last_modified ELSE NULL END,
                   dead_since = CASE WHEN sources.config_url = excluded.config_url THEN sources.dead_since ELSE NULL END,
                   config_url = excluded.config_url",
            )?;
            for s in sources {
                upsert.execute(params![s.id, s.name, s.url, s.kind.as_str()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Conditional-GET state and current URL of a source.
    pub(crate) fn fetch_state(&self, id: &str) -> Result<FetchState> {
        Ok(self
            .conn
            .query_row(
                "SELECT url, etag, last_modified, dead_since FROM sources WHERE id = ?1",
                [id],
                |r| {
                    Ok(FetchState {
                        url: r.get(0)?,
                        etag: r.get(1)?,
                        last_modified: r.get(2)?,
                        dead_since: stored_time_opt(r, 3)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Starts batch mode: from now on each source's write is a savepoint inside one write
    /// transaction shared with the sources around it, committed by [`Store::commit_if_due`]
    /// when `limits` say so and by [`Store::end_batch`]. A source's validators are written in
    /// the same transaction as its entries, so a crash loses both together (at most the open
    /// batch), and the next fetch requests those sources again in full.
    pub(crate) fn begin_batch(&mut self, limits: BatchLimits) -> Result<()> {
        self.end_batch()?;
        self.batch = Some(Batch {
            limits,
            started: None,
            sources: 0,
            entries: 0,
            wrote_entries: false,
        });
        Ok(())
    }

    /// Commits the open batch transaction when it has reached its size or age limit; true
    /// when it committed.
    pub(crate) fn commit_if_due(&mut self) -> Result<bool> {
        let due = self.batch.as_ref().is_some_and(|b| {
            b.started.is_some_and(|t| {
                b.sources >= b.limits.sources
                    || b.entries >= b.limits.entries
                    || t.elapsed() >= b.limits.age
            })
        });
        if due { self.commit_batch() } else { Ok(false) }
    }

    /// Commits whatever the batch holds and leaves batch mode; true when it committed. A
    /// batch that wrote entries is followed by a short FTS5 merge (see [`FTS_MERGE_BUDGET`]).
    pub(crate) fn end_batch(&mut self) -> Result<bool> {
        let wrote_entries = self.batch.as_ref().is_some_and(|b| b.wrote_entries);
        let result = self.commit_batch();
        self.batch = None;
        if result.is_ok() && wrote_entries {
            self.merge_fts(FTS_MERGE_BUDGET)?;
        }
        result
    }

    /// Merges FTS5 segments, a little at a time, for at most `budget`: levels holding several
    /// segments become one, so searches read fewer of them. Each step is its own transaction
    /// and stops as soon as there is nothing to merge.
    fn merge_fts(&mut self, budget: Duration) -> Result<()> {
        let deadline = std::time::Instant::now() + budget;
        let mut step = self
            .conn
            .prepare("INSERT INTO entries_fts(entries_fts, rank) VALUES('merge', 64)")?;
        while std::time::Instant::now() < deadline {
            let before = self.conn.total_changes();
            step.execute([])?;
            // FTS5 reports merge work only through the change counter: a delta below 2 means
            // there was nothing left to merge.
            if self.conn.total_changes() < before + 2 {
                break;
            }
        }
        Ok(())
    }

    /// Commits the open batch transaction, if any; on failure it is rolled back (its sources
    /// lose their entries and their validators alike).
    fn commit_batch(&mut self) -> Result<bool> {
        let Some(batch) = self.batch.as_mut() else {
            return Ok(false);
        };
        if batch.started.take().is_none() {
            return Ok(false);
        }
        batch.sources = 0;
        batch.entries = 0;
        let result = self
            .flush_fts_pending()
            .and_then(|()| Ok(self.conn.execute_batch("COMMIT")?));
        if result.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result?;
        Ok(true)
    }

    /// Runs one source's writes atomically: in a savepoint of the batch transaction in batch
    /// mode (an error rolls back this source only, never the others in the batch), else in a
    /// transaction of its own. `entries` counts toward the batch's limits.
    pub(crate) fn write_source<R>(
        &mut self,
        entries: usize,
        f: impl FnOnce(&mut Store) -> Result<R>,
    ) -> Result<R> {
        let Some(batch) = self.batch.as_mut() else {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            let r = f(self).and_then(|r| self.flush_fts_pending().map(|()| r));
            let done = self
                .conn
                .execute_batch(if r.is_ok() { "COMMIT" } else { "ROLLBACK" });
            if done.is_err() && !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            let r = r?;
            done?;
            return Ok(r);
        };
        batch.sources += 1;
        batch.entries += entries;
        batch.wrote_entries |= entries > 0;
        if batch.started.is_none() {
            batch.started = Some(std::time::Instant::now());
            if let Err(e) = self.conn.execute_batch("BEGIN IMMEDIATE") {
                if let Some(b) = self.batch.as_mut() {
                    b.started = None;
                }
                return Err(e.into());
            }
        }
        self.conn.execute_batch("SAVEPOINT source")?;
        match f(self) {
            Ok(r) => {
                self.conn.execute_batch("RELEASE source")?;
                Ok(r)
            }
            Err(e) => {
                self.conn
                    .execute_batch("ROLLBACK TO source; RELEASE source")?;
                Err(e)
            }
        }
    }

    /// Stores a fetched document's entries and the source's new state, atomically (one
    /// transaction, or one savepoint of a batch).
    pub(crate) fn record_success(
        &mut self,
        source: &Source,
        meta: &FetchMeta,
        doc: &ParsedDoc,
        hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<WriteStats> {
        let now_s = rfc3339(now);
        self.write_source(doc.entries.len(), |s| {
        let stats = stories::write_entries(&s.conn, &source.id, &doc.entries, hashes, now)?;
        s.conn.prepare_cached(
            "UPDATE sources SET etag = ?2, last_modified = ?3, url = COALESCE(?4, url), title = COALESCE(?5, title),
                site_url = COALESCE(?6, site_url), last_fetch_at = ?7, last_success_at = ?7, last_status = 'ok',
                last_error = ?10, failing_since = NULL, consecutive_failures = 0, dead_since = NULL,
                bytes_total = bytes_total + ?8,
                last_new_entry_at = CASE WHEN ?9 > 0 THEN ?7 ELSE last_new_entry_at END
             WHERE id = ?1",
            )?
            .execute(params![
                source.id,
                meta.etag,
                meta.last_modified,
                meta.moved_to,
                doc.meta.title,
                doc.meta.site_url,
                now_s,
                meta.bytes as i64,
                stats.new as i64,
                // A document read without error but with nothing in it is worth seeing in
                // `sources` (never silently empty): what the parser noticed is kept.
                (doc.entries.is_empty() && !doc.warnings.is_empty())
                    .then(|| format!("no entries: {}", doc.warnings.join("; ")))
            ])?;
        Ok(stats)
        })
    }

    /// Records a 304 Not Modified (or an unchanged local file).
    pub(crate) fn record_not_modified(
        &mut self,
        id: &str,
        moved_to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write_source(0, |s| {
        s.conn.prepare_cached(
            "UPDATE sources SET last_fetch_at = ?2, last_success_at = ?2, last_status = 'unchanged', last_error = NULL,
                failing_since = NULL, consecutive_failures = 0, not_modified_count = not_modified_count + 1,
                url = COALESCE(?3, url)
             WHERE id = ?1",
        )?
        .execute(params![id, rfc3339(now), moved_to])?;
        Ok(())
        })
    }

    /// Records a failed fetch or parse; `gone` marks the source dead (HTTP 410).
    pub(crate) fn record_failure(
        &mut self,
        id: &str,
        error: &str,
        gone: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now_s = rfc3339(now);
        self.write_source(0, |s| {
        s.conn.prepare_cached(
            "UPDATE sources SET last_fetch_at = ?2, last_status = 'failing', last_error = ?3,
                failing_since = COALESCE(failing_since, ?2), consecutive_failures = consecutive_failures + 1,
                dead_since = CASE WHEN ?4 THEN COALESCE(dead_since, ?2) ELSE dead_since END
             WHERE id = ?1",
        )?
        .execute(params![id, now_s, error, gone])?;
        Ok(())
        })
    }

    /// Health of every source in feeds.toml order.
    pub(crate) fn source_health(&self, sources: &[Source]) -> Result<Vec<SourceHealth>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.url, s.kind, s.last_status, s.last_error, s.not_modified_count, s.last_success_at,
                    s.failing_since,
                    (SELECT MAX(COALESCE(e.published, e.first_seen_at)) FROM entries e
                     WHERE e.source_id = s.id),
                    s.dead_since,
                    (SELECT COUNT(*) FROM entries e WHERE e.source_id = s.id)
             FROM sources s WHERE s.id = ?1",
        )?;
        let mut out = Vec::with_capacity(sources.len());
        for src in sources {
            let row = stmt
                .query_row([&src.id], |r| {
                    let dead: Option<String> = r.get(8)?;
                    let kind: String = r.get(1)?;
                    let status: String = r.get(2)?;
                    Ok(SourceHealth {
                        id: src.id.clone(),
                        url: r.get(0)?,
                        kind: SourceKind::parse(&kind)
                            .ok_or_else(|| conversion_error(1, "source kind", &kind))?,
                        status: if dead.is_some() {
                            SourceStatus::Dead
                        } else {
                            SourceStatus::parse(&status)
                                .ok_or_else(|| conversion_error(2, "source status", &status))?
                        },
                        last_error: r.get(3)?,
                        not_modified_count: r.get(4)?,
                        last_success: stored_time_opt(r, 5)?,
                        failing_since: stored_time_opt(r, 6)?,
                        last_new_entry: stored_time_opt(r, 7)?,
                        entries: r.get(9)?,
                        name: src.name.clone(),
                    })
                })
                .optional()?;
            out.push(row.unwrap_or_else(|| SourceHealth {
                id: src.id.clone(),
                url: src.url.clone(),
                kind: src.kind,
                status: SourceStatus::Never,
                entries: 0,
                last_error: None,
                not_modified_count: 0,
                last_success: None,
                failing_since: None,
                last_new_entry: None,
                name: src.name.clone(),
            }));
        }
        Ok(out)
    }
}

/// The merge key of an entry's URL, if it has a web URL.
pub(crate) fn url_key(e: &Entry) -> Option<String> {
    e.canonical_url.as_deref().and_then(canon::story_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(ids: &[&str]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        for id in ids {
            store
                .conn
                .execute(
                    "INSERT INTO sources (id, name, url, config_url, kind) VALUES (?1, ?1, 'u', 'u', 'feed')",
                    [id],
                )
                .unwrap();
        }
        (dir, store)
    }

    fn status(conn: &Connection, id: &str) -> (String, Option<String>) {
        conn.query_row(
            "SELECT last_status, etag FROM sources WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    }

    #[test]
    fn a_failing_source_rolls_back_alone_and_the_batch_commits_at_the_end() {
        let (dir, mut store) = store_with(&["a", "b", "c"]);
        let limits = BatchLimits {
            age: Duration::from_secs(3600),
            ..BatchLimits::default()
        };
        store.begin_batch(limits).unwrap();
        let now = Utc::now();
        store.record_failure("a", "boom", false, now).unwrap();
        let failed = store.write_source(0, |s| {
            s.conn
                .execute("UPDATE sources SET etag = 'x' WHERE id = 'b'", [])?;
            Err::<(), _>(StoreError::Sqlite(rusqlite::Error::InvalidQuery))
        });
        assert!(failed.is_err());
        store.record_not_modified("c", None, now).unwrap();
        assert!(!store.commit_if_due().unwrap(), "not due yet");
        // Another connection sees nothing until the batch commits.
        let other = Connection::open(dir.path().join("t.db")).unwrap();
        assert_eq!(status(&other, "a").0, "never");
        assert!(store.end_batch().unwrap());
        assert_eq!(status(&other, "a").0, "failing");
        assert_eq!(status(&other, "b"), ("never".to_string(), None));
        assert_eq!(status(&other, "c").0, "unchanged");
        // Outside a batch each write commits at once.
        store.record_failure("b", "boom", false, now).unwrap();
        assert_eq!(status(&other, "b").0, "failing");
    }

    /// Rowids FTS5 finds for `word`.
    fn fts_ids(conn: &Connection, word: &str) -> Vec<i64> {
        let mut stmt = conn
            .prepare("SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?1 ORDER BY rowid")
            .unwrap();
        stmt.query_map([word], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn insert_entry(conn: &Connection, id: i64, title: &str) {
        conn.execute(
            "INSERT INTO entries (id, source_id, entry_id, title, content_hash, first_seen_at, last_seen_at)
             VALUES (?1, 'a', ?1, ?2, 'h', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
            params![id, title],
        )
        .unwrap();
    }

    #[test]
    fn entries_reach_the_index_at_commit_and_deleting_or_editing_pending_ones_keeps_it_sound() {
        let (_dir, mut store) = store_with(&["a"]);
        store
            .write_source(3, |s| {
                insert_entry(&s.conn, 1, "alpha kept");
                insert_entry(&s.conn, 2, "alpha deleted before indexing");
                insert_entry(&s.conn, 3, "alpha edited before indexing");
                // Not indexed yet: the whole transaction's entries go in at its commit.
                assert!(fts_ids(&s.conn, "alpha").is_empty());
                s.conn.execute("DELETE FROM entries WHERE id = 2", [])?;
                s.conn
                    .execute("UPDATE entries SET title = 'beta now' WHERE id = 3", [])?;
                Ok(())
            })
            .unwrap();
        assert_eq!(fts_ids(&store.conn, "alpha"), vec![1]);
        assert_eq!(fts_ids(&store.conn, "beta"), vec![3]);
        // Editing and deleting indexed entries (a later transaction) reaches the index too.
        store
            .write_source(0, |s| {
                s.conn
                    .execute("UPDATE entries SET title = 'gamma' WHERE id = 1", [])?;
                s.conn.execute("DELETE FROM entries WHERE id = 3", [])?;
                Ok(())
            })
            .unwrap();
        assert!(fts_ids(&store.conn, "alpha").is_empty());
        assert!(fts_ids(&store.conn, "beta").is_empty());
        assert_eq!(fts_ids(&store.conn, "gamma"), vec![1]);
        store
            .conn
            .execute(
                "INSERT INTO entries_fts(entries_fts, rank) VALUES('integrity-check', 1)",
                [],
            )
            .expect("FTS5 index matches the entries table");
    }

    /// Regression: the story lookup by title and author was compiled again at every execution
    /// (10 % of a cold fetch's writer). A filter term `col = ?` makes SQLite's planner mark the
    /// parameter "re-prepare when rebound", and rusqlite clears a cached statement's bindings
    /// when it goes back to the cache, which expires such a statement every time.
    #[test]
    fn a_cached_statement_is_not_recompiled_at_every_use() {
        let (_dir, store) = store_with(&[]);
        let lookup = "SELECT id FROM stories WHERE title_key = ?1 AND author_key = ?2
                        AND abs(julianday(published) - julianday(?3)) <= ?4 ORDER BY id LIMIT 1";
        for (title, author) in [("a b c d", "x"), ("e f g h", "y"), ("i j k l", "z")] {
            let found = store
                .conn
                .prepare_cached(lookup)
                .unwrap()
                .exists(params![title, author, "2025-01-01T00:00:00Z", 3.0])
                .unwrap();
            assert!(!found);
        }
        let reprepared = store
            .conn
            .prepare_cached(lookup)
            .unwrap()
            .get_status(rusqlite::StatementStatus::RePrepare);
        assert_eq!(reprepared, 0, "the statement was compiled again");
    }

    #[test]
    fn entries_left_pending_by_another_writer_are_indexed_at_the_next_open() {
        let (dir, store) = store_with(&["a"]);
        insert_entry(&store.conn, 1, "orphan");
        drop(store);
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        assert_eq!(fts_ids(&store.conn, "orphan"), vec![1]);
    }

    #[test]
    fn fts_is_tuned_for_bulk_writes_and_merges_on_demand() {
        let (_dir, mut store) = store_with(&[]);
        let automerge: i64 = store
            .conn
            .query_row(
                "SELECT v FROM entries_fts_config WHERE k = 'automerge'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(automerge, 8);
        // An empty index has nothing to merge: the loop stops at once.
        store.merge_fts(Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn a_batch_commits_when_it_reaches_its_source_limit() {
        let (_dir, mut store) = store_with(&["a", "b", "c"]);
        let limits = BatchLimits {
            sources: 2,
            age: Duration::from_secs(3600),
            ..BatchLimits::default()
        };
        store.begin_batch(limits).unwrap();
        let now = Utc::now();
        store.record_failure("a", "boom", false, now).unwrap();
        assert!(!store.commit_if_due().unwrap());
        store.record_failure("b", "boom", false, now).unwrap();
        assert!(store.commit_if_due().unwrap());
        assert!(store.conn.is_autocommit());
        store.record_failure("c", "boom", false, now).unwrap();
        assert!(
            !store.conn.is_autocommit(),
            "the next write opens the next batch"
        );
        assert!(store.end_batch().unwrap());
        assert!(!store.end_batch().unwrap(), "nothing left to commit");
    }

    #[test]
    fn every_change_to_a_story_s_sightings_stamps_it_with_a_later_tick() {
        let (_dir, store) = store_with(&["a"]);
        let c = &store.conn;
        for (id, key) in [(1, "u1"), (2, "u2")] {
            c.execute(
                "INSERT INTO stories (id, url_key, first_seen_at) VALUES (?1, ?2, '2025-01-01T00:00:00Z')",
                params![id, key],
            )
            .unwrap();
        }
        let changed = |story: i64| -> i64 {
            c.query_row("SELECT changed FROM stories WHERE id = ?1", [story], |r| {
                r.get(0)
            })
            .unwrap()
        };
        let week = |d: &str| -> DateTime<Utc> { d.parse().unwrap() };
        let (since, until) = (week("2025-01-01T00:00:00Z"), week("2025-01-08T00:00:00Z"));
        let t0 = store.change_clock().unwrap();
        insert_entry(c, 1, "one");
        c.execute(
            "UPDATE entries SET story_id = 1, published = '2025-01-02T00:00:00Z' WHERE id = 1",
            [],
        )
        .unwrap();
        let t1 = store.change_clock().unwrap();
        assert!(t1 > t0 && changed(1) == t1, "{t0} {t1} {}", changed(1));
        assert_eq!(changed(2), 0);
        assert_eq!(store.story_ids_between(since, until).unwrap(), vec![1]);
        let after = store.stories_changed_after(t0, since, until, 1).unwrap();
        assert_eq!(after.get(&1), Some(&t1));
        assert!(
            store
                .stories_changed_after(t1, since, until, 1)
                .unwrap()
                .is_empty()
        );
        // Moving a sighting stamps both stories; an edit in place and a delete stamp its story.
        c.execute("UPDATE entries SET story_id = 2 WHERE id = 1", [])
            .unwrap();
        let t2 = store.change_clock().unwrap();
        assert!(t2 > t1 && changed(1) == t2 && changed(2) == t2);
        c.execute("UPDATE entries SET content_hash = 'h2' WHERE id = 1", [])
            .unwrap();
        let t3 = store.change_clock().unwrap();
        assert!(t3 > t2 && changed(2) == t3 && changed(1) == t2);
        c.execute("DELETE FROM entries WHERE id = 1", []).unwrap();
        assert!(changed(2) > t3);
        assert!(store.story_ids_between(since, until).unwrap().is_empty());
        // Past the scan's limit, only the period's own stories are looked up.
        let t4 = store.change_clock().unwrap();
        for id in 10..90 {
            c.execute(
                "INSERT INTO stories (id, url_key, first_seen_at) VALUES (?1, ?1, '2025-01-01T00:00:00Z')",
                [id],
            )
            .unwrap();
            insert_entry(c, id, "many");
            let published = if id == 10 {
                "2025-01-03T00:00:00Z"
            } else {
                "2024-06-01T00:00:00Z"
            };
            c.execute(
                "UPDATE entries SET story_id = ?1, published = ?2 WHERE id = ?1",
                params![id, published],
            )
            .unwrap();
        }
        let after = store.stories_changed_after(t4, since, until, 1).unwrap();
        assert_eq!(after.keys().copied().collect::<Vec<_>>(), vec![10]);
    }
}
