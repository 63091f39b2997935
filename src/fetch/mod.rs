//! Fetching: the only async code. Sources are fetched concurrently (bounded overall and per
//! host) with conditional GET, retries and size caps; each result is post-processed (parsed) on
//! the blocking pool and handed, owned, to a synchronous sink that writes the store. The sink
//! runs on the caller's thread, so the SQLite connection never crosses an `.await`.

use crate::config::{Location, Settings, Source};
use crate::store::FetchState;
use futures_util::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use url::Url;

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 10;
/// Longest `Retry-After` pydigest waits inside one run; longer ones fail the source for now.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// One source to fetch, with its stored conditional-GET state.
#[derive(Debug, Clone)]
pub(crate) struct FetchJob {
    /// The source from feeds.toml.
    pub source: Source,
    /// Stored state (current URL, validators).
    pub state: FetchState,
}

/// Why a fetch failed, in one line.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum FetchError {
    /// No answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// Could not connect or the connection broke.
    #[error("connection failed: {0}")]
    Connect(String),
    /// A non-success HTTP status.
    #[error("HTTP {status}{}", retry.map(|r| format!(" (server asks to retry after {}s)", r.as_secs())).unwrap_or_default())]
    Status {
        /// The status.
        status: StatusCode,
        /// Retry-After, when given and too long to wait for.
        retry: Option<Duration>,
    },
    /// The body exceeded the cap.
    #[error("response larger than {0} bytes (max_body_mib)")]
    TooLarge(u64),
    /// Redirects that go round or on forever.
    #[error("{0}")]
    Redirect(String),
    /// The body could not be read completely.
    #[error("body incomplete: {0}")]
    Body(String),
    /// A local file could not be read.
    #[error("cannot read file: {0}")]
    File(String),
}

/// What happened to one source.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// New content.
    Fetched {
        /// HTTP status (None for a local file).
        status: Option<u16>,
        /// The body, decompressed.
        body: Vec<u8>,
        /// Content-Type header.
        content_type: Option<String>,
        /// URL the body came from (after redirects).
        final_url: String,
        /// New validators and permanent URL.
        etag: Option<String>,
        /// New Last-Modified.
        last_modified: Option<String>,
        /// Set when every redirect was permanent: the URL to use from now on.
        moved_to: Option<String>,
    },
    /// 304 / unchanged file.
    NotModified {
        /// Permanent redirect target, if any.
        moved_to: Option<String>,
    },
    /// Failed; `gone` for 410.
    Failed {
        /// Why.
        error: FetchError,
        /// HTTP 410 Gone.
        gone: bool,
    },
    /// The source is marked dead (410 earlier) and was not requested.
    SkippedDead,
    /// Interrupted before it finished.
    Cancelled,
}

/// Builds the HTTP client with pydigest's settings.
pub(crate) fn client(settings: &Settings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(settings.user_agent.clone())
        .connect_timeout(settings.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .brotli(true)
        .deflate(true)
        .pool_max_idle_per_host(settings.per_host)
        .build()
}

/// Fetches every job concurrently; `process` turns each outcome (and how long fetching took)
/// into a `T` on the blocking pool (parsing), and `sink` receives them one by one on this
/// thread. Returns true when interrupted by Ctrl-C.
pub(crate) fn fetch_all<T, P, S>(
    jobs: Vec<FetchJob>,
    settings: &Settings,
    process: P,
    mut sink: S,
) -> anyhow::Result<bool>
where
    T: Send + 'static,
    P: Fn(&FetchJob, Outcome, Duration) -> T + Send + Sync + 'static,
    S: FnMut(FetchJob, T),
{
    fetch_all_ticking(jobs, settings, process, |event| {
        if let Some((job, t)) = event {
            sink(job, t);
        }
    })
}

/// How often the sink of [`fetch_all_ticking`] hears `None` while no result is ready.
pub(crate) const IDLE_TICK: Duration = Duration::from_millis(50);

/// [`fetch_all`], with `sink` also called with `None` whenever no result has arrived for
/// [`IDLE_TICK`]: a writer that batches uses it to commit on time while the network is slow.
pub(crate) fn fetch_all_ticking<T, P, S>(
    jobs: Vec<FetchJob>,
    settings: &Settings,
    process: P,
    mut sink: S,
) -> anyhow::Result<bool>
where
    T: Send + 'static,
    P: Fn(&FetchJob, Outcome, Duration) -> T + Send + Sync + 'static,
    S: FnMut(Option<(FetchJob, T)>),
{
    // Parsing is CPU-bound: more parse threads than cores only adds documents held in memory.
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(cores)
        .enable_all()
        .build()?;
    let client = {
        let _guard = runtime.enter();
        client(settings)?
    };
    let interrupted = Arc::new(AtomicBool::new(false));
    let cancel = Arc::new(Notify::new());
    {
        let interrupted = Arc::clone(&interrupted);
        let cancel = Arc::clone(&cancel);
        runtime.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupted.store(true, Ordering::SeqCst);
                cancel.notify_waiters();
            }
        });
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<(FetchJob, T)>(settings.concurrency.max(1));
    let global = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut per_host: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let process = Arc::new(process);
    let settings = Arc::new(settings.clone());
    for job in jobs {
        let host = match &job.source.location {
            Location::Http(u) => u.host_str().unwrap_or("").to_string(),
            Location::File(_) => String::from("\0file"),
        };
        let host_sem = Arc::clone(
            per_host
                .entry(host)
                .or_insert_with(|| Arc::new(Semaphore::new(settings.per_host.max(1)))),
        );
        let (global, client, tx, process, settings) = (
            Arc::clone(&global),
            client.clone(),
            tx.clone(),
            Arc::clone(&process),
            Arc::clone(&settings),
        );
        let (interrupted, cancel) = (Arc::clone(&interrupted), Arc::clone(&cancel));
        runtime.spawn(async move {
            let Ok(permit) = global.acquire_owned().await else {
                return;
            };
            let mut started = std::time::Instant::now();
            let outcome = async {
                let _h = host_sem.acquire_owned().await.ok()?;
                // Time the request, not the wait for a free slot.
                started = std::time::Instant::now();
                if interrupted.load(Ordering::SeqCst) {
                    return None;
                }
                tokio::select! {
                    o = fetch_one(&client, &job, &settings) => Some(o),
                    () = cancel.notified() => None,
                }
            }
            .await
            .unwrap_or(Outcome::Cancelled);
            let elapsed = started.elapsed();
            // The permit travels with the body and its parsed document until the writer has
            // taken them, so memory is bounded by `concurrency`, not by the number of sources.
            let _ = tokio::task::spawn_blocking(move || {
                let t = process(&job, outcome, elapsed);
                let _ = tx.send((job, t));
                drop(permit);
            })
            .await;
        });
    }
    drop(tx);
    loop {
        match rx.recv_timeout(IDLE_TICK) {
            Ok(item) => sink(Some(item)),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => sink(None),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(interrupted.load(Ordering::SeqCst))
}

/// Fetches one source: a local file or an HTTP URL with conditional GET and retries.
pub(crate) async fn fetch_one(
    client: &reqwest::Client,
    job: &FetchJob,
    settings: &Settings,
) -> Outcome {
    if job.state.dead_since.is_some() {
        return Outcome::SkippedDead;
    }
    match &job.source.location {
        Location::File(path) => read_file(path, job, settings.max_body_bytes),
        Location::Http(config_url) => {
            let url = job
                .state
                .url
                .as_deref()
                .and_then(|u| Url::parse(u).ok())
                .unwrap_or_else(|| config_url.clone());
            fetch_http(client, url, job, settings).await
        }
    }
}

fn read_file(path: &std::path::Path, job: &FetchJob, cap: u64) -> Outcome {
    let fail = |e: String| Outcome::Failed {
        error: FetchError::File(e),
        gone: false,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return fail(format!("{}: {e}", path.display())),
    };
    if meta.len() > cap {
        return Outcome::Failed {
            error: FetchError::TooLarge(cap),
            gone: false,
        };
    }
    // A local file is "unchanged" when its size and modification time are: the same rule as 304.
    let stamp = meta.modified().ok().map(|m| {
        format!(
            "{} {}",
            chrono::DateTime::<chrono::Utc>::from(m).to_rfc3339(),
            meta.len()
        )
    });
    if stamp.is_some() && stamp == job.state.last_modified {
        return Outcome::NotModified { moved_to: None };
    }
    match std::fs::read(path) {
        Ok(body) => Outcome::Fetched {
            status: None,
            body,
            content_type: None,
            final_url: Url::from_file_path(path)
                .map(|u| u.to_string())
                .unwrap_or_default(),
            etag: None,
            last_modified: stamp,
            moved_to: None,
        },
        Err(e) => fail(format!("{}: {e}", path.display())),
    }
}

/// One line describing a reqwest error, with its underlying cause.
fn describe(e: &reqwest::Error) -> String {
    let mut msg = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        msg = s.to_string();
        source = s.source();
    }
    if msg.is_empty() { e.to_string() } else { msg }
}

async fn fetch_http(
    client: &reqwest::Client,
    start: Url,
    job: &FetchJob,
    settings: &Settings,
) -> Outcome {
    let mut attempt = 0u32;
    loop {
        let result = tokio::time::timeout(
            settings.timeout,
            request_following_redirects(client, start.clone(), job, settings),
        )
        .await;
        let (error, wait) = match result {
            Ok(Ok(outcome)) => return outcome,
            Ok(Err(Retryable::No(error))) => {
                return Outcome::Failed {
                    gone: matches!(&error, FetchError::Status { status, .. } if *status == StatusCode::GONE),
                    error,
                };
            }
            Ok(Err(Retryable::Yes(error, wait))) => (error, wait),
            Err(_) => (FetchError::Timeout(settings.timeout), None),
        };
        if attempt >= settings.retries {
            return Outcome::Failed { error, gone: false };
        }
        let backoff = wait.unwrap_or_else(|| Duration::from_millis(500 * 2u64.pow(attempt)));
        if backoff > MAX_RETRY_AFTER {
            let error = match error {
                FetchError::Status { status, .. } => FetchError::Status {
                    status,
                    retry: Some(backoff),
                },
                e => e,
            };
            return Outcome::Failed { error, gone: false };
        }
        tracing::debug!(source = %job.source.id, %error, ?backoff, "retrying");
        tokio::time::sleep(backoff).await;
        attempt += 1;
    }
}

enum Retryable {
    Yes(FetchError, Option<Duration>),
    No(FetchError),
}

fn conditional_headers(job: &FetchJob) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        header::ACCEPT,
        HeaderValue::from_static(
            "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
        ),
    );
    if let Some(v) = job
        .state
        .etag
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        h.insert(header::IF_NONE_MATCH, v);
    }
    if let Some(v) = job
        .state
        .last_modified
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        h.insert(header::IF_MODIFIED_SINCE, v);
    }
    h
}

/// A header's value for a debug line, escaped: servers choose these bytes.
fn header_or_none(headers: &HeaderMap, name: header::HeaderName) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| "-".to_string(), |v| crate::text::for_terminal(v, false))
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

async fn request_following_redirects(
    client: &reqwest::Client,
    start: Url,
    job: &FetchJob,
    settings: &Settings,
) -> Result<Outcome, Retryable> {
    let mut url = start;
    let mut all_permanent = true;
    let mut redirected = false;
    let mut seen = HashSet::new();
    let headers = conditional_headers(job);
    for _ in 0..=MAX_REDIRECTS {
        if !seen.insert(url.to_string()) {
            return Err(Retryable::No(FetchError::Redirect(format!(
                "redirect loop at {url}"
            ))));
        }
        tracing::debug!(
            source = %job.source.id,
            "GET {url} (If-None-Match: {}, If-Modified-Since: {})",
            header_or_none(&headers, header::IF_NONE_MATCH),
            header_or_none(&headers, header::IF_MODIFIED_SINCE)
        );
        let response = client
            .get(url.clone())
            .headers(headers.clone())
            .send()
            .await
            .map_err(|e| {
                let error = if e.is_timeout() {
                    FetchError::Timeout(settings.timeout)
                } else {
                    FetchError::Connect(describe(&e))
                };
                Retryable::Yes(error, None)
            })?;
        let status = response.status();
        tracing::debug!(
            source = %job.source.id,
            "HTTP {status} from {url} (Content-Type: {}, Content-Length: {}, Location: {})",
            header_or_none(response.headers(), header::CONTENT_TYPE),
            header_or_none(response.headers(), header::CONTENT_LENGTH),
            header_or_none(response.headers(), header::LOCATION)
        );
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    Retryable::No(FetchError::Redirect(format!(
                        "HTTP {status} without a Location"
                    )))
                })?;
            let next = url.join(location).map_err(|e| {
                Retryable::No(FetchError::Redirect(format!(
                    "bad redirect target {location:?}: {e}"
                )))
            })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(Retryable::No(FetchError::Redirect(format!(
                    "redirect to unsupported scheme {:?}",
                    next.scheme()
                ))));
            }
            all_permanent &= matches!(
                status,
                StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
            );
            redirected = true;
            url = next;
            continue;
        }
        let moved_to = (redirected && all_permanent).then(|| url.to_string());
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified { moved_to });
        }
        if !status.is_success() {
            let wait = retry_after(response.headers());
            let error = FetchError::Status {
                status,
                retry: None,
            };
            return Err(match status {
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                    Retryable::Yes(error, wait)
                }
                s if s.is_server_error() => Retryable::Yes(error, None),
                _ => Retryable::No(error),
            });
        }
        let header_str = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header_str(header::CONTENT_TYPE);
        let etag = header_str(header::ETAG);
        let last_modified = header_str(header::LAST_MODIFIED);
        let cap = settings.max_body_bytes;
        if response.content_length().is_some_and(|n| n > cap) {
            return Err(Retryable::No(FetchError::TooLarge(cap)));
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                if e.is_timeout() {
                    Retryable::Yes(FetchError::Timeout(settings.timeout), None)
                } else {
                    Retryable::Yes(FetchError::Body(describe(&e)), None)
                }
            })?;
            // The cap applies to decompressed bytes, so a gzip bomb stops here.
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(Retryable::No(FetchError::TooLarge(cap)));
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(
            source = %job.source.id,
            "{} bytes read from {url}",
            body.len()
        );
        return Ok(Outcome::Fetched {
            status: Some(status.as_u16()),
            body,
            content_type,
            final_url: url.to_string(),
            etag,
            last_modified,
            moved_to,
        });
    }
    Err(Retryable::No(FetchError::Redirect(format!(
        "more than {MAX_REDIRECTS} redirects"
    ))))
}
