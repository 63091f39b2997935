//! Issue 14, the rest: `-v`/`-vv`, stale sources, lossless OPML, `sources add/remove`, Atom
//! links, the catalogue.

use crate::util::{FAST_SETTINGS, Reply, Server, TestEnv, source};

/// An RSS feed with one item per (guid, date) pair.
fn feed(items: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (id, date) in items {
        body.push_str(&format!(
            "<item><title>Story {id}</title><link>https://ex.example/{id}</link>\
             <guid>https://ex.example/{id}</guid><pubDate>{date}</pubDate></item>"
        ));
    }
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Ex</title>\
         <link>https://ex.example/</link><description>d</description>{body}</channel></rss>"
    )
}

#[test]
fn verbose_prints_a_line_per_source_and_vv_the_requests() {
    let body = feed(&[
        ("a", "Mon, 13 Oct 2025 10:00:00 GMT"),
        ("b", "Tue, 14 Oct 2025 10:00:00 GMT"),
    ]);
    let server = Server::start(move |req| {
        if req.headers.contains_key("if-none-match") {
            Reply::status(304)
        } else {
            Reply::Full {
                status: 200,
                headers: vec![
                    ("ETag".into(), "\"v1\"".into()),
                    ("Content-Type".into(), "application/rss+xml".into()),
                ],
                body: body.clone().into_bytes(),
            }
        }
    });
    let env = TestEnv::new();
    env.config(&format!(
        "{FAST_SETTINGS}{}",
        source("ex", &server.url("feed.xml"), "feed")
    ));
    let first = env.run(&["fetch", "-v"]);
    first.expect_code(0);
    let line = first
        .stderr
        .lines()
        .find(|l| l.starts_with("ex: "))
        .unwrap_or_else(|| panic!("no -v line:\n{}", first.stderr));
    assert!(line.contains(&server.url("feed.xml")), "{line}");
    for part in [" 200,", "bytes", "2 entries", "2 new", " ms", "not cached"] {
        assert!(line.contains(part), "{part:?} missing from {line}");
    }
    let second = env.run(&["fetch", "-v"]);
    let line = second
        .stderr
        .lines()
        .find(|l| l.starts_with("ex: "))
        .unwrap_or_else(|| panic!("no -v line:\n{}", second.stderr));
    assert!(
        line.contains(" 304,") && line.ends_with(", cached"),
        "{line}"
    );

    let quiet = env.run(&["fetch"]);
    assert!(!quiet.stderr.contains("ex: "), "{}", quiet.stderr);

    let vv = env.run(&["fetch", "-vv"]);
    assert!(vv.stderr.contains("GET http"), "{}", vv.stderr);
    assert!(vv.stderr.contains("If-None-Match: \"v1\""), "{}", vv.stderr);
    assert!(vv.stderr.contains("HTTP 304"), "{}", vv.stderr);
}

#[test]
fn every_source_unreachable_gives_one_network_hint() {
    // Port 1 on loopback refuses connections: the same failure class as an offline machine.
    let env = TestEnv::new();
    env.config(&format!(
        "{FAST_SETTINGS}{}{}",
        source("one", "http://127.0.0.1:1/a.xml", "feed"),
        source("two", "http://127.0.0.1:1/b.xml", "feed")
    ));
    let run = env.run(&["fetch"]);
    run.expect_code(3);
    assert_eq!(
        run.stderr.matches("network looks unreachable").count(),
        1,
        "{}",
        run.stderr
    );

    // One source answering means the network is fine: no hint.
    let server = Server::start(|_| Reply::status(500));
    env.config(&format!(
        "{FAST_SETTINGS}{}{}",
        source("one", "http://127.0.0.1:1/a.xml", "feed"),
        source("up", &server.url("x.xml"), "feed")
    ));
    let run = env.run(&["fetch"]);
    run.expect_code(3);
    assert!(!run.stderr.contains("unreachable"), "{}", run.stderr);
}
