//! Crash safety: SIGKILL at arbitrary points leaves a consistent store that keeps everything
//! committed; SIGINT stops cleanly after the current writes.

use crate::util::{Reply, Server, TestEnv, examples, source};
use std::time::Duration;

fn count(env: &TestEnv) -> (String, i64) {
    let conn = rusqlite::Connection::open(env.path("pydigest.db")).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .unwrap_or(0);
    let fts: i64 = conn
        .query_row("SELECT COUNT(*) FROM entries_fts", [], |r| r.get(0))
        .unwrap_or(0);
    assert_eq!(n, fts, "FTS index out of sync with entries");
    (ok, n)
}

fn slow_server() -> Server {
    let dir = examples().join("feeds");
    Server::start(move |req| {
        // /N/name.xml: the same example file under many sources, each answer a little late.
        let mut parts = req.path.trim_start_matches('/').splitn(2, '/');
        let n: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let name = parts.next().unwrap_or("");
        std::thread::sleep(Duration::from_millis(20 * (n % 7)));
        match std::fs::read(dir.join(name)) {
            Ok(body) => Reply::ok(body, "application/xml"),
            Err(_) => Reply::status(404),
        }
    })
}

fn many_sources(server: &Server, copies: usize) -> String {
    let names = crate::util::EXAMPLE_FEEDS
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| *id != "pycoders")
        .collect::<Vec<_>>();
    let mut cfg = String::from("[settings]\nconcurrency = 4\n\n");
    for i in 0..copies {
        for name in &names {
            cfg.push_str(&source(
                &format!("{name}-{i}"),
                &server.url(&format!("{i}/{name}.xml")),
                "feed",
            ));
        }
    }
    cfg
}

/// Starts `fetch` and SIGKILLs it after each delay in turn; after each kill the store must pass
/// SQLite's integrity check, hold at least as many entries as after the kill before, and satisfy
/// `check`. Returns the entry count after the last kill.
#[cfg(unix)]
fn kill_fetch_at(env: &TestEnv, delays_ms: &[u64], mut check: impl FnMut(u64)) -> i64 {
    let mut last = 0;
    for &delay_ms in delays_ms {
        let mut child = env.cmd(&["fetch", "-q"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        if !env.path("pydigest.db").exists() {
            continue;
        }
        let (ok, n) = count(env);
        assert_eq!(ok, "ok", "integrity after kill at {delay_ms} ms");
        assert!(
            n >= last,
            "entries went from {last} to {n} after a kill at {delay_ms} ms"
        );
        last = n;
        check(delay_ms);
    }
    last
}

#[cfg(unix)]
#[test]
fn sigkill_at_any_point_loses_nothing_committed() {
    let server = slow_server();
    let env = TestEnv::new();
    env.config(&many_sources(&server, 6));
    let last = kill_fetch_at(&env, &[30, 120, 250, 400, 700], |_| {});
    let done = env.run(&["fetch"]);
    done.expect_code(0);
    let (ok, n) = count(&env);
    assert_eq!(ok, "ok");
    assert!(n >= last && n > 0);
    // A clean fetch into a fresh store gives the same number: nothing was half-written.
    let fresh = TestEnv::new();
    fresh.config(&many_sources(&server, 6));
    fresh.run(&["fetch"]).expect_code(0);
    assert_eq!(count(&fresh).1, n);
}

#[cfg(unix)]
#[test]
fn sigint_stops_cleanly_with_a_message() {
    let body = std::fs::read(examples().join("feeds/astral.xml")).unwrap();
    let server = Server::start(move |req| match req.path.as_str() {
        "/slow" => Reply::Hang(Duration::from_secs(15)),
        _ => Reply::ok(body.clone(), "application/xml"),
    });
    let env = TestEnv::new();
    env.config(&format!(
        "[settings]\ntimeout_secs = 30\n\n{}{}",
        source("fast", &server.url("fast"), "feed"),
        source("slow", &server.url("slow"), "feed")
    ));
    let child = env.cmd(&["fetch"]).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{:?} {stderr}", out.status);
    assert!(
        stderr.contains("interrupted: 1 source(s) not fetched"),
        "{stderr}"
    );
    let (ok, n) = count(&env);
    assert_eq!(ok, "ok");
    assert!(n >= 2, "the fast source was stored before the interrupt");
}

/// Like [`slow_server`], with an ETag on every answer and 304 when the client sends it back.
fn slow_etag_server() -> Server {
    let dir = examples().join("feeds");
    Server::start(move |req| {
        let mut parts = req.path.trim_start_matches('/').splitn(2, '/');
        let n: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let name = parts.next().unwrap_or("");
        std::thread::sleep(Duration::from_millis(15 * (n % 5)));
        let etag = format!("\"{n}-{name}\"");
        if req.headers.get("if-none-match") == Some(&etag) {
            return Reply::with_headers(304, &[("ETag", &etag)]);
        }
        match std::fs::read(dir.join(name)) {
            Ok(body) => Reply::Full {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "application/xml".into()),
                    ("ETag".into(), etag),
                ],
                body,
            },
            Err(_) => Reply::status(404),
        }
    })
}

/// Sources whose validators were stored without any of their entries: a 304 would then hide
/// entries that were never written.
fn etags_without_entries(env: &TestEnv) -> Vec<String> {
    let conn = rusqlite::Connection::open(env.path("pydigest.db")).unwrap();
    // Killed before the schema was created: nothing stored at all.
    let Ok(mut stmt) = conn.prepare(
        "SELECT id FROM sources s WHERE s.etag IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.source_id = s.id)",
    ) else {
        return Vec::new();
    };
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Several sources share each write transaction: a kill mid-batch loses the open batch's
/// entries and validators together, and the next fetch takes those sources again in full.
#[cfg(unix)]
#[test]
fn sigkill_mid_batch_never_keeps_an_etag_without_its_entries() {
    let server = slow_etag_server();
    let env = TestEnv::new();
    env.config(&many_sources(&server, 8));
    kill_fetch_at(&env, &[60, 150, 300, 500], |delay_ms| {
        assert_eq!(
            etags_without_entries(&env),
            Vec::<String>::new(),
            "kill at {delay_ms} ms"
        );
    });
    env.run(&["fetch"]).expect_code(0);
    let (ok, n) = count(&env);
    assert_eq!(ok, "ok");
    assert!(etags_without_entries(&env).is_empty());
    let fresh = TestEnv::new();
    fresh.config(&many_sources(&server, 8));
    fresh.run(&["fetch"]).expect_code(0);
    assert_eq!(
        count(&fresh).1,
        n,
        "a killed and resumed fetch stores what one clean run does"
    );
}
