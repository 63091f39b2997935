//! Test harness: an isolated environment per test (temp dirs, no host config) running the real
//! binary, and a real HTTP/1.1 server on 127.0.0.1 whose handler each test writes.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Returns the corpus folder, or returns from the test when it is absent (the shared helper
/// prints the skip, or panics under `PYDIGEST_REQUIRE_CORPUS=1`).
#[macro_export]
macro_rules! corpus_or_skip {
    () => {
        match $crate::corpus::corpus_dir() {
            Some(c) => c,
            None => return,
        }
    };
}

/// The project's own example data (written by the project, always present).
pub(crate) fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// Path with query.
    pub path: String,
    /// Lower-cased header names.
    pub headers: HashMap<String, String>,
    /// The request body (empty without Content-Length).
    pub body: Vec<u8>,
}

/// What the handler answers.
pub(crate) enum Reply {
    /// A complete response.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Write these raw bytes and close (for faults).
    Raw(Vec<u8>),
    /// Sleep, then close without answering.
    Hang(Duration),
    /// Send headers then the body slowly, `delay` between chunks of `chunk` bytes.
    Drip {
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        chunk: usize,
        delay: Duration,
    },
}

impl Reply {
    /// 200 with a body and content type.
    pub(crate) fn ok(body: impl Into<Vec<u8>>, content_type: &str) -> Reply {
        Reply::Full {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }
    /// A bare status.
    pub(crate) fn status(status: u16) -> Reply {
        Reply::Full {
            status,
            headers: vec![],
            body: format!("status {status}").into_bytes(),
        }
    }
    /// A status with extra headers.
    pub(crate) fn with_headers(status: u16, headers: &[(&str, &str)]) -> Reply {
        Reply::Full {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A loopback HTTP server; records every request.
pub(crate) struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    /// The first handler panic's message: a handler runs on a server thread, where a panic would
    /// otherwise only drop the connection and let the test pass or fail for the wrong reason.
    panicked: Arc<Mutex<Option<String>>>,
}

impl Server {
    /// Starts a server answering with `handler`.
    pub(crate) fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let panicked = Arc::new(Mutex::new(None));
        let handler: Arc<Handler> = Arc::new(handler);
        let (reqs, stop2, panicked2) = (
            Arc::clone(&requests),
            Arc::clone(&stop),
            Arc::clone(&panicked),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (handler, reqs, panicked) = (
                    Arc::clone(&handler),
                    Arc::clone(&reqs),
                    Arc::clone(&panicked2),
                );
                std::thread::spawn(move || serve(stream, &*handler, &reqs, &panicked));
            }
        });
        Server {
            base,
            requests,
            stop,
            panicked,
        }
    }

    /// Serves every file of `dir` under `/<name>`, with ETag and Last-Modified, answering 304
    /// to matching conditional requests.
    pub(crate) fn files(dir: &Path) -> Server {
        let dir = dir.to_path_buf();
        Server::start(move |req| {
            let name = req
                .path
                .trim_start_matches('/')
                .split('?')
                .next()
                .unwrap_or("");
            if name.contains("..") {
                return Reply::status(400);
            }
            let Ok(body) = std::fs::read(dir.join(name)) else {
                return Reply::status(404);
            };
            let etag = format!(
                "\"{:x}-{}\"",
                body.iter()
                    .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b))),
                body.len()
            );
            let last_modified = "Mon, 13 Oct 2025 09:00:00 GMT".to_string();
            if req.headers.get("if-none-match") == Some(&etag) {
                return Reply::with_headers(304, &[("ETag", &etag)]);
            }
            let ctype = if name.ends_with(".html") {
                "text/html"
            } else {
                "application/xml"
            };
            Reply::Full {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), ctype.into()),
                    ("ETag".into(), etag),
                    ("Last-Modified".into(), last_modified),
                ],
                body,
            }
        })
    }

    /// Every request so far.
    pub(crate) fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// URL of a path on this server.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
        // Fails the test that owns the server; skipped when the test is already failing, since a
        // panic during unwinding aborts and hides the first message.
        if !std::thread::panicking()
            && let Some(msg) = self.panicked.lock().unwrap().take()
        {
            panic!("loopback server handler panicked: {msg}");
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        308 => "Permanent Redirect",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn serve(
    stream: TcpStream,
    handler: &Handler,
    reqs: &Mutex<Vec<Request>>,
    panicked: &Mutex<Option<String>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let mut body = Vec::new();
        if let Some(n) = headers
            .get("content-length")
            .and_then(|v| v.parse::<usize>().ok())
        {
            body = vec![0; n];
            let _ = reader.read_exact(&mut body);
        }
        let req = Request {
            path,
            headers,
            body,
        };
        reqs.lock().unwrap().push(req.clone());
        // Recorded before the connection closes, so the test sees it by the time its request ends.
        let reply = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&req))) {
            Ok(reply) => reply,
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "non-string panic payload".into());
                panicked.lock().unwrap().get_or_insert(msg);
                return;
            }
        };
        match reply {
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let mut head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\n",
                    reason(status),
                    body.len()
                );
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                if out
                    .write_all(head.as_bytes())
                    .and_then(|()| out.write_all(&body))
                    .is_err()
                {
                    return;
                }
            }
            Reply::Raw(bytes) => {
                let _ = out.write_all(&bytes);
                return;
            }
            Reply::Hang(d) => {
                std::thread::sleep(d);
                return;
            }
            Reply::Drip {
                headers,
                body,
                chunk,
                delay,
            } => {
                let mut head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n", body.len());
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                if out.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for c in body.chunks(chunk.max(1)) {
                    if out.write_all(c).and_then(|()| out.flush()).is_err() {
                        return;
                    }
                    std::thread::sleep(delay);
                }
                return;
            }
        }
    }
}

/// The result of one run of the binary.
pub(crate) struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Wraps a finished process's output.
    pub(crate) fn from_output(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
        }
    }

    /// The `failed: ID: reason` lines fetch printed, one per failed source.
    pub(crate) fn failed_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("failed: "))
            .collect()
    }

    /// Parses stdout as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts the exit code, showing the output when it differs.
    pub(crate) fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        self
    }
}

/// A temp home with its own feeds.toml and database.
pub(crate) struct TestEnv {
    /// The temp folder (removed on drop).
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    /// A fresh, empty environment.
    pub(crate) fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Path inside the environment.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes feeds.toml.
    pub(crate) fn config(&self, text: &str) -> &TestEnv {
        std::fs::write(self.path("feeds.toml"), text).unwrap();
        self
    }

    /// A command for the binary with a clean environment and this env's config and db.
    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pydigest"));
        c.env_clear()
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.path("xdg-config"))
            .env("XDG_DATA_HOME", self.path("xdg-data"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(self.dir.path())
            .arg("--config")
            .arg(self.path("feeds.toml"))
            .arg("--db")
            .arg(self.path("pydigest.db"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        c
    }

    /// Runs the binary to completion.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        Run::from_output(self.cmd(args).output().expect("run pydigest"))
    }
}

/// A `[[source]]` table.
pub(crate) fn source(id: &str, url: &str, kind: &str) -> String {
    format!("[[source]]\nid = \"{id}\"\nname = \"{id}\"\nurl = \"{url}\"\nkind = \"{kind}\"\n\n")
}

/// Settings that keep fault tests quick.
pub(crate) const FAST_SETTINGS: &str =
    "[settings]\nconnect_timeout_secs = 2\ntimeout_secs = 3\nretries = 1\n\n";

/// The project's example feeds (examples/feeds/ID.xml) and the kind of each.
pub(crate) const EXAMPLE_FEEDS: &[(&str, &str)] = &[
    ("realpython", "feed"),
    ("planetpython", "feed"),
    ("pycoders", "newsletter"),
    ("talkpython", "podcast"),
    ("pythoninsider", "feed"),
    ("djangoblog", "feed"),
    ("astral", "feed"),
    ("personal", "feed"),
];

/// `[[source]]` tables for every example feed served as `ID.xml` by `server`, after the fast
/// settings.
pub(crate) fn example_sources(server: &Server) -> String {
    let mut cfg = String::from(FAST_SETTINGS);
    for (id, kind) in EXAMPLE_FEEDS {
        cfg.push_str(&source(id, &server.url(&format!("{id}.xml")), kind));
    }
    cfg
}

#[test]
#[should_panic(expected = "loopback server handler panicked: handler bug")]
fn a_panicking_handler_fails_the_test() {
    let server = Server::start(|_| panic!("handler bug"));
    let mut conn = TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    // The server records the panic, then closes the connection.
    let _ = conn.read_to_end(&mut Vec::new());
    drop(server);
}
