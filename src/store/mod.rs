//! The SQLite store: the only module that knows SQL. One file, WAL, one transaction per source,
//! FTS5 kept in sync by triggers, schema versions in `PRAGMA user_version`.

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
pub(crate) use digest_cache::period_stamp;
pub(crate) use info::StoreStats;

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
}

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
        let mut store = Store { conn };
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
                Ok(()) => return Ok(store),
            }
        }
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
        Ok(Store { conn })
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

    /// Stores a fetched document's entries and the source's new state, in one transaction.
    pub(crate) fn record_success(
        &mut self,
        source: &Source,
        meta: &FetchMeta,
        doc: &ParsedDoc,
        now: DateTime<Utc>,
    ) -> Result<WriteStats> {
        let now_s = rfc3339(now);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stats = stories::write_entries(&tx, &source.id, &doc.entries, now)?;
        tx.execute(
            "UPDATE sources SET etag = ?2, last_modified = ?3, url = COALESCE(?4, url), title = COALESCE(?5, title),
                site_url = COALESCE(?6, site_url), last_fetch_at = ?7, last_success_at = ?7, last_status = 'ok',
                last_error = ?10, failing_since = NULL, consecutive_failures = 0, dead_since = NULL,
                bytes_total = bytes_total + ?8,
                last_new_entry_at = CASE WHEN ?9 > 0 THEN ?7 ELSE last_new_entry_at END
             WHERE id = ?1",
            params![
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
            ],
        )?;
        tx.commit()?;
        Ok(stats)
    }

    /// Records a 304 Not Modified (or an unchanged local file).
    pub(crate) fn record_not_modified(
        &mut self,
        id: &str,
        moved_to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET last_fetch_at = ?2, last_success_at = ?2, last_status = 'unchanged', last_error = NULL,
                failing_since = NULL, consecutive_failures = 0, not_modified_count = not_modified_count + 1,
                url = COALESCE(?3, url)
             WHERE id = ?1",
            params![id, rfc3339(now), moved_to],
        )?;
        Ok(())
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
        self.conn.execute(
            "UPDATE sources SET last_fetch_at = ?2, last_status = 'failing', last_error = ?3,
                failing_since = COALESCE(failing_since, ?2), consecutive_failures = consecutive_failures + 1,
                dead_since = CASE WHEN ?4 THEN COALESCE(dead_since, ?2) ELSE dead_since END
             WHERE id = ?1",
            params![id, now_s, error, gone],
        )?;
        Ok(())
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
