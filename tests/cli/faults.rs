//! Faults: every misbehaving server costs only its own source, with a one-line reason, bounded
//! memory and time; hostile documents leak nothing into the store.

use crate::util::{FAST_SETTINGS, Reply, Server, TestEnv, examples, source};
use std::io::Write;
use std::time::{Duration, Instant};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn raw_head(status: &str, headers: &[(&str, &str)]) -> String {
    let mut h = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    h
}

/// Runs the binary and samples its peak resident set size (VmHWM, Linux only).
fn run_measuring_peak_rss(env: &TestEnv, args: &[&str]) -> (crate::util::Run, Option<u64>) {
    let child = env.cmd(args).spawn().unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sampler = {
        let peak = std::sync::Arc::clone(&peak);
        std::thread::spawn(move || {
            while let Ok(status) = std::fs::read_to_string(&status_path) {
                if let Some(kib) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                {
                    peak.fetch_max(kib, std::sync::atomic::Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let out = child.wait_with_output().unwrap();
    let _ = sampler.join();
    let kib = peak.load(std::sync::atomic::Ordering::SeqCst);
    (crate::util::Run::from_output(out), (kib > 0).then_some(kib))
}

#[test]
fn each_fault_fails_only_its_source_with_one_line() {
    let good = std::fs::read(examples().join("feeds/astral.xml")).unwrap();
    let bomb = gzip(&vec![b' '; 64 * 1024 * 1024]);
    let big = vec![b'x'; 50 * 1024 * 1024];
    let xxe = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://{}\">]><rss version=\"2.0\"><channel><title>t</title><item><title>&xxe;</title><link>https://x.example/1</link></item></channel></rss>",
        examples().join("README.md").display()
    );
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\"><!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\"><!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\"><!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\"><!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\"><!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\"><!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]><rss version=\"2.0\"><channel><title>lolz</title><item><title>&lol9;</title><link>https://x.example/lol</link></item></channel></rss>";
    let server = Server::start(move |req| {
        match req.path.as_str() {
        "/good" => Reply::ok(good.clone(), "application/rss+xml"),
        "/e500" => Reply::status(500),
        "/e502" => Reply::status(502),
        "/e503-retry" => Reply::with_headers(503, &[("Retry-After", "1")]),
        "/e429-long" => Reply::with_headers(429, &[("Retry-After", "3600")]),
        "/e404" => Reply::status(404),
        "/e410" => Reply::status(410),
        "/hang" => Reply::Hang(Duration::from_secs(20)),
        "/drip" => Reply::Drip { headers: vec![], body: vec![b'<'; 64], chunk: 1, delay: Duration::from_secs(1) },
        "/reset" => Reply::Raw(format!("{}<rss version=\"2.0\"><chan", raw_head("200 OK", &[("Content-Length", "100000")])).into_bytes()),
        "/loop-a" => Reply::with_headers(302, &[("Location", "/loop-b")]),
        "/loop-b" => Reply::with_headers(302, &[("Location", "/loop-a")]),
        "/to-file" => Reply::with_headers(301, &[("Location", "file:///etc/passwd")]),
        "/bomb" => Reply::Full { status: 200, headers: vec![("Content-Encoding".into(), "gzip".into()), ("Content-Type".into(), "application/xml".into())], body: bomb.clone() },
        "/big" => Reply::Full { status: 200, headers: vec![], body: big.clone() },
        "/html" => Reply::ok("<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>", "text/html"),
        "/badutf8" => Reply::ok(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>caf\xe9</title><item><title>na\xefve \xff\xfe</title><link>https://x.example/u</link></item></channel></rss>".to_vec(), "application/xml"),
        "/xxe" => Reply::ok(xxe.clone(), "application/xml"),
        "/laughs" => Reply::ok(laughs, "application/xml"),
        _ => Reply::status(404),
    }
    });
    let env = TestEnv::new();
    let faults = [
        "e500",
        "e502",
        "e503-retry",
        "e429-long",
        "e404",
        "e410",
        "hang",
        "drip",
        "reset",
        "loop-a",
        "to-file",
        "bomb",
        "big",
        "html",
    ];
    let parsed_ok = ["badutf8", "xxe", "laughs"];
    let mut cfg = String::from(FAST_SETTINGS);
    cfg.push_str(&source("good", &server.url("good"), "feed"));
    for id in faults.iter().chain(parsed_ok.iter()) {
        cfg.push_str(&source(id, &server.url(id), "feed"));
    }
    env.config(&cfg);
    let start = Instant::now();
    let (run, peak_kib) = run_measuring_peak_rss(&env, &["fetch"]);
    let elapsed = start.elapsed();
    run.expect_code(3);
    // A 64 MiB gzip bomb and a 50 MB body arrive in the same run: the cap (10 MiB) bounds memory.
    eprintln!("fault run: {elapsed:?}, peak RSS {peak_kib:?} KiB");
    if let Some(peak) = peak_kib {
        assert!(peak < 200 * 1024, "peak RSS {peak} KiB");
    }
    // timeout_secs = 3 and one retry: the slowest source needs about 2 × 3 s plus backoff.
    assert!(elapsed < Duration::from_secs(30), "fetch took {elapsed:?}");
    let failed = run.failed_lines();
    for id in faults {
        let line = failed
            .iter()
            .find(|l| l.starts_with(&format!("failed: {id}: ")))
            .unwrap_or_else(|| panic!("no failure line for {id}:\n{}", run.stderr));
        assert!(line.len() < 300, "{line}");
    }
    let reason = |id: &str| {
        failed
            .iter()
            .find(|l| l.starts_with(&format!("failed: {id}: ")))
            .unwrap()
            .to_string()
    };
    assert!(
        reason("e429-long").contains("retry after 3600s"),
        "{}",
        reason("e429-long")
    );
    assert!(reason("e410").contains("marked dead"), "{}", reason("e410"));
    assert!(reason("hang").contains("timed out"), "{}", reason("hang"));
    assert!(reason("drip").contains("timed out"), "{}", reason("drip"));
    assert!(
        reason("loop-a").contains("redirect loop"),
        "{}",
        reason("loop-a")
    );
    assert!(
        reason("to-file").contains("unsupported scheme"),
        "{}",
        reason("to-file")
    );
    assert!(reason("bomb").contains("larger than"), "{}", reason("bomb"));
    assert!(reason("big").contains("larger than"), "{}", reason("big"));
    assert!(reason("html").contains("HTML page"), "{}", reason("html"));
    assert_eq!(failed.len(), faults.len(), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "{} sources: {} ok",
            faults.len() + parsed_ok.len() + 1,
            parsed_ok.len() + 1
        )),
        "{}",
        run.stderr
    );

    // The 503 with Retry-After: 1 was retried after waiting.
    let hits = |p: &str| server.requests().iter().filter(|r| r.path == p).count();
    assert_eq!(hits("/e503-retry"), 2);
    assert_eq!(hits("/e404"), 1);

    // Nothing of the local file named by the external entity reached the store, and the
    // entity bomb did not expand.
    let db = std::fs::read(env.path("pydigest.db")).unwrap();
    let secret = std::fs::read_to_string(examples().join("README.md")).unwrap();
    let needle = secret.lines().find(|l| l.len() > 30).unwrap();
    assert!(
        !String::from_utf8_lossy(&db).contains(needle),
        "external entity content leaked into the store"
    );
    assert!(
        db.len() < 20 * 1024 * 1024,
        "database grew to {} bytes",
        db.len()
    );

    // A 410 source is dead: not requested again, and `sources` says so.
    let before = hits("/e410");
    let again = env.run(&["fetch", "--source", "e410"]);
    again.expect_code(0);
    assert!(
        again.stderr.contains("1 dead (skipped)"),
        "{}",
        again.stderr
    );
    assert_eq!(hits("/e410"), before);
    let listed = env.run(&["sources", "--json"]).json();
    let e410 = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "e410")
        .unwrap()
        .clone();
    assert_eq!(e410["status"], "dead");
}

#[test]
fn a_store_from_a_newer_pydigest_is_refused() {
    let env = TestEnv::new();
    env.config(&source("a", "https://a.example/feed", "feed"));
    env.run(&["sources"]).expect_code(0);
    let conn = rusqlite::Connection::open(env.path("pydigest.db")).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let run = env.run(&["sources"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("schema version 999, newer than this pydigest supports"),
        "{}",
        run.stderr
    );
    let conn = rusqlite::Connection::open(env.path("pydigest.db")).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 999, "never migrated down");
}

#[test]
fn a_database_in_an_unwritable_place_is_a_clear_error() {
    let env = TestEnv::new();
    env.config(&source("a", "https://a.example/feed", "feed"));
    std::fs::write(env.path("not-a-dir"), "file").unwrap();
    let mut cmd = env.cmd(&["sources"]);
    cmd.arg("--db").arg(env.path("not-a-dir/sub/pydigest.db"));
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot use database directory"), "{stderr}");
}

#[test]
fn two_fetches_at_once_do_not_fail_or_corrupt() {
    let server = Server::files(&examples().join("feeds"));
    let env = TestEnv::new();
    let mut cfg = String::new();
    for name in crate::util::EXAMPLE_FEEDS
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| *id != "pycoders")
    {
        cfg.push_str(&source(name, &server.url(&format!("{name}.xml")), "feed"));
    }
    env.config(&cfg);
    let a = env.cmd(&["fetch"]).spawn().unwrap();
    let b = env.cmd(&["fetch"]).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(
        b.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    let conn = rusqlite::Connection::open(env.path("pydigest.db")).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let dups: i64 = conn.query_row("SELECT COUNT(*) FROM (SELECT source_id, entry_id FROM entries GROUP BY 1, 2 HAVING COUNT(*) > 1)", [], |r| r.get(0)).unwrap();
    assert_eq!(dups, 0);
}
