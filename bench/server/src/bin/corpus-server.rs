//! Loopback HTTP/1.1 keep-alive server for the ingest benchmark.
//!
//! Builds a scale corpus in memory at start-up: feed `n` (`/f/<n>.xml`, `0 <= n < count`) is
//! corpus file `n % files` with every `<guid>`, `<id>`, `<link>`, `<feedburner:origLink>` text
//! and every `<link href="...">` given a `copy=<n>` query parameter, so entry ids and links are
//! distinct across copies. Answers `If-None-Match` / `If-Modified-Since` with 304.
//!
//! `GET /stats` answers `{"full": F, "not_modified": M}`: the feed responses sent since start-up
//! (or the last `GET /stats/reset`), so the driver can check that a warm run was conditional.
//!
//! usage: corpus-server CORPUS_DIR COUNT [PORT]   (prints `listening 127.0.0.1:PORT` when ready)

use regex::bytes::{Captures, Regex};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Feed responses with a body (200) since start-up or the last reset.
static FULL: AtomicUsize = AtomicUsize::new(0);
/// 304 answers since start-up or the last reset.
static NOT_MODIFIED: AtomicUsize = AtomicUsize::new(0);

const LAST_MODIFIED: &str = "Mon, 03 Nov 2025 10:00:00 GMT";

struct Doc {
    body: Vec<u8>,
    etag: String,
}

fn suffix(existing: &[u8], n: usize) -> Vec<u8> {
    let sep: &[u8] = if existing.contains(&b'?') {
        b"&amp;"
    } else {
        b"?"
    };
    let mut s = sep.to_vec();
    s.extend_from_slice(format!("copy={n}").as_bytes());
    s
}

fn build(dir: &str, count: usize) -> Vec<Doc> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let originals: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect();
    let text = Regex::new(
        r"(?s)(<(?:[A-Za-z0-9]+:)?(?:guid|id|link|origLink)(?:\s[^>]*[^/])?>)(\s*)([^<\s][^<]*?)(\s*</)",
    )
    .unwrap();
    let href = Regex::new(r#"(<(?:[A-Za-z0-9]+:)?link\b[^>]*?\bhref=")([^"]*)(")"#).unwrap();
    (0..count)
        .map(|n| {
            let src = &originals[n % originals.len()];
            let a = text.replace_all(src, |c: &Captures| {
                let mut out = c[1].to_vec();
                out.extend_from_slice(&c[2]);
                out.extend_from_slice(&c[3]);
                out.extend_from_slice(&suffix(&c[3], n));
                out.extend_from_slice(&c[4]);
                out
            });
            let b = href.replace_all(&a, |c: &Captures| {
                let mut out = c[1].to_vec();
                out.extend_from_slice(&c[2]);
                out.extend_from_slice(&suffix(&c[2], n));
                out.extend_from_slice(&c[3]);
                out
            });
            let body = b.into_owned();
            let etag = format!("\"f{n}-{}\"", body.len());
            Doc { body, etag }
        })
        .collect()
}

fn serve(stream: TcpStream, docs: Arc<Vec<Doc>>) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream.try_clone()?);
    let mut out = stream;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let request_line = line.trim_end().to_string();
        if request_line.is_empty() {
            continue;
        }
        let mut if_none_match = None;
        let mut if_modified_since = None;
        let mut close = request_line.ends_with("HTTP/1.0");
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let h = line.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                let v = v.trim().to_string();
                match k.trim().to_ascii_lowercase().as_str() {
                    "if-none-match" => if_none_match = Some(v),
                    "if-modified-since" => if_modified_since = Some(v),
                    "connection" => close = v.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("");
        let path = parts.next().unwrap_or("");
        let doc = path
            .strip_prefix("/f/")
            .and_then(|p| p.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| docs.get(n));
        let conn = if close { "close" } else { "keep-alive" };
        if path == "/stats" || path == "/stats/reset" {
            let body = format!(
                "{{\"full\": {}, \"not_modified\": {}}}",
                FULL.load(Ordering::SeqCst),
                NOT_MODIFIED.load(Ordering::SeqCst)
            );
            if path == "/stats/reset" {
                FULL.store(0, Ordering::SeqCst);
                NOT_MODIFIED.store(0, Ordering::SeqCst);
            }
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: {conn}\r\n\r\n{body}",
                body.len()
            )?;
            out.flush()?;
            if close {
                return Ok(());
            }
            continue;
        }
        match doc {
            None => {
                write!(
                    out,
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: {conn}\r\n\r\n"
                )?;
            }
            Some(d) => {
                let fresh = if_none_match.as_deref().map(|v| v.contains(&d.etag)) == Some(true)
                    || (if_none_match.is_none()
                        && if_modified_since.as_deref() == Some(LAST_MODIFIED));
                if fresh {
                    NOT_MODIFIED.fetch_add(1, Ordering::SeqCst);
                    write!(
                        out,
                        "HTTP/1.1 304 Not Modified\r\nETag: {}\r\nLast-Modified: {LAST_MODIFIED}\r\nConnection: {conn}\r\n\r\n",
                        d.etag
                    )?;
                } else {
                    FULL.fetch_add(1, Ordering::SeqCst);
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nETag: {}\r\nLast-Modified: {LAST_MODIFIED}\r\nConnection: {conn}\r\n\r\n",
                        d.body.len(),
                        d.etag
                    );
                    let mut buf = Vec::with_capacity(head.len() + d.body.len());
                    buf.extend_from_slice(head.as_bytes());
                    if method != "HEAD" {
                        buf.extend_from_slice(&d.body);
                    }
                    out.write_all(&buf)?;
                }
            }
        }
        out.flush()?;
        if close {
            return Ok(());
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: corpus-server CORPUS_DIR COUNT [PORT]");
        std::process::exit(2);
    }
    let count: usize = args[2].parse().expect("COUNT");
    let port: u16 = args.get(3).map_or(0, |p| p.parse().expect("PORT"));
    let docs = Arc::new(build(&args[1], count));
    let bytes: usize = docs.iter().map(|d| d.body.len()).sum();
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind");
    println!(
        "listening {} ({} feeds, {} bytes)",
        listener.local_addr().unwrap(),
        docs.len(),
        bytes
    );
    std::io::stdout().flush().ok();
    for stream in listener.incoming().flatten() {
        let docs = Arc::clone(&docs);
        std::thread::spawn(move || {
            let _ = serve(stream, docs);
        });
    }
}
