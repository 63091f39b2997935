//! Ingest: fetch over loopback into a real store, conditional GET, no duplicates, inspect's
//! JSON shape, config errors, sources listing, import/export.

use crate::corpus_or_skip;
use crate::util::{FAST_SETTINGS, Reply, Server, TestEnv, example_sources, examples, source};
use std::collections::HashSet;

fn entry_count(env: &TestEnv) -> i64 {
    let run = env.run(&["sources", "--json"]);
    run.expect_code(0);
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["entries"].as_i64().unwrap())
        .sum()
}

#[test]
fn example_feeds_are_stored_then_refetched_with_conditional_get() {
    let server = Server::files(&examples().join("feeds"));
    let env = TestEnv::new();
    env.config(&example_sources(&server));

    let first = env.run(&["fetch"]);
    first.expect_code(0);
    assert!(
        first
            .stderr
            .contains("8 sources: 8 ok, 0 unchanged, 0 failed"),
        "{}",
        first.stderr
    );
    let stored = entry_count(&env);
    assert!(stored >= 30, "only {stored} entries stored");

    let second = env.run(&["fetch"]);
    second.expect_code(0);
    assert!(
        second
            .stderr
            .contains("8 sources: 0 ok, 8 unchanged, 0 failed; 0 new entries"),
        "{}",
        second.stderr
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 16);
    assert!(
        reqs[8..]
            .iter()
            .all(|r| r.headers.contains_key("if-none-match")
                && r.headers.contains_key("if-modified-since"))
    );
    assert_eq!(
        entry_count(&env),
        stored,
        "a re-fetch must not duplicate entries"
    );

    let sources = env.run(&["sources", "--json"]).json();
    for s in sources.as_array().unwrap() {
        assert_eq!(s["fetch_status"], "unchanged");
        assert_eq!(s["not_modified_count"], 1);
        assert!(s["last_success"].is_string());
        assert!(s["last_error"].is_null());
        let keys: HashSet<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        let expected: HashSet<&str> = [
            "id",
            "url",
            "kind",
            "status",
            "entries",
            "last_error",
            "not_modified_count",
            "last_success",
            "name",
            "failing_since",
            "last_new_entry",
            "fetch_status",
        ]
        .into();
        assert_eq!(keys, expected);
    }
}

#[test]
fn file_sources_work_offline_and_unchanged_files_are_not_reparsed() {
    let env = TestEnv::new();
    let feeds = examples().join("feeds");
    env.config(&format!(
        "{}{}",
        source(
            "a",
            &format!("file:{}", feeds.join("astral.xml").display()),
            "feed"
        ),
        source("b", "file:missing.xml", "feed")
    ));
    let first = env.run(&["fetch"]);
    first.expect_code(3);
    assert!(
        first.stderr.contains("failed: b: cannot read file"),
        "{}",
        first.stderr
    );
    assert!(
        first
            .stderr
            .contains("2 sources: 1 ok, 0 unchanged, 1 failed"),
        "{}",
        first.stderr
    );
    let second = env.run(&["fetch", "--source", "a"]);
    second.expect_code(0);
    assert!(
        second.stderr.contains("1 sources: 0 ok, 1 unchanged"),
        "{}",
        second.stderr
    );
}

#[test]
fn failing_sources_get_one_line_each_and_the_rest_are_stored() {
    let good = std::fs::read(examples().join("feeds/astral.xml")).unwrap();
    let server = Server::start(move |req| match req.path.as_str() {
        "/good.xml" => Reply::ok(good.clone(), "application/rss+xml"),
        "/missing.xml" => Reply::status(404),
        "/broken.xml" => Reply::status(500),
        "/html" => Reply::ok(
            "<!doctype html><html><body><p>hello</p></body></html>",
            "text/html",
        ),
        "/garbage" => Reply::ok("this is not a feed", "text/plain"),
        _ => Reply::status(404),
    });
    let env = TestEnv::new();
    let mut cfg = String::from(FAST_SETTINGS);
    for (id, path) in [
        ("good", "good.xml"),
        ("missing", "missing.xml"),
        ("broken", "broken.xml"),
        ("html", "html"),
        ("garbage", "garbage"),
    ] {
        cfg.push_str(&source(id, &server.url(path), "feed"));
    }
    env.config(&cfg);
    let run = env.run(&["fetch"]);
    run.expect_code(3);
    let failed = run.failed_lines();
    assert_eq!(failed.len(), 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("failed: missing: HTTP 404"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("failed: broken: HTTP 500"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("failed: html: got an HTML page, not a feed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("failed: garbage: not a feed"),
        "{}",
        run.stderr
    );
    // 500 is retried once (retries = 1); 404 is not.
    let hits = |p: &str| server.requests().iter().filter(|r| r.path == p).count();
    assert_eq!(hits("/broken.xml"), 2);
    assert_eq!(hits("/missing.xml"), 1);
    let sources = env.run(&["sources", "--json"]).json();
    let by_id = |id: &str| {
        sources
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("good")["fetch_status"], "ok");
    assert!(by_id("good")["entries"].as_i64().unwrap() >= 2);
    assert_eq!(by_id("broken")["status"], "failing");
    assert!(
        by_id("broken")["last_error"]
            .as_str()
            .unwrap()
            .contains("500")
    );
}

#[test]
fn a_permanent_redirect_updates_the_stored_url() {
    let body = std::fs::read(examples().join("feeds/astral.xml")).unwrap();
    let server = Server::start(move |req| match req.path.as_str() {
        "/old.xml" => Reply::with_headers(301, &[("Location", "/new.xml")]),
        "/new.xml" => Reply::ok(body.clone(), "application/rss+xml"),
        _ => Reply::status(404),
    });
    let env = TestEnv::new();
    env.config(&format!(
        "{FAST_SETTINGS}{}",
        source("astral", &server.url("old.xml"), "feed")
    ));
    let run = env.run(&["fetch"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!(
            "moved: astral: moved permanently to {}",
            server.url("new.xml")
        )),
        "{}",
        run.stderr
    );
    env.run(&["fetch"]).expect_code(0);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/old.xml", "/new.xml", "/new.xml"]);
    let sources = env.run(&["sources", "--json"]).json();
    assert_eq!(sources[0]["url"], server.url("new.xml"));
}

#[test]
fn inspect_json_has_exactly_the_documented_shape() {
    let env = TestEnv::new();
    env.config("");
    let run = env.run(&[
        "inspect",
        "--json",
        examples().join("feeds/talkpython.xml").to_str().unwrap(),
    ]);
    run.expect_code(0);
    let v = run.json();
    let keys = |o: &serde_json::Value| {
        o.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<HashSet<String>>()
    };
    let set = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<HashSet<String>>();
    assert_eq!(keys(&v), set(&["source", "warnings", "entries"]));
    assert_eq!(
        keys(&v["source"]),
        set(&[
            "title",
            "site_url",
            "description",
            "language",
            "encoding",
            "format"
        ])
    );
    assert_eq!(v["source"]["format"], "rss");
    let entries = v["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        // Podcast and RSS extras appear only when the feed has them.
        let mut present = keys(e);
        for optional in ["comments", "duration", "image"] {
            present.remove(optional);
        }
        assert_eq!(
            present,
            set(&[
                "id",
                "title",
                "url",
                "authors",
                "published",
                "updated",
                "summary",
                "content_text",
                "content_html",
                "tags",
                "enclosures"
            ])
        );
        let published = e["published"].as_str().unwrap();
        assert!(
            published.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(published).is_ok(),
            "{published}"
        );
        let enc = &e["enclosures"][0];
        assert_eq!(keys(enc), set(&["url", "mime", "length"]));
        assert!(enc["url"].as_str().unwrap().starts_with("http"));
    }
}

#[test]
fn inspect_sanitizes_html_and_keeps_titles_plain() {
    let env = TestEnv::new();
    env.config("");
    let run = env.run(&[
        "inspect",
        "--json",
        examples().join("feeds/personal.xml").to_str().unwrap(),
    ]);
    run.expect_code(0);
    let v = run.json();
    for e in v["entries"].as_array().unwrap() {
        let html = e["content_html"].as_str().unwrap_or("");
        let lower = html.to_lowercase();
        for bad in [
            "<script",
            "href=\"javascript:",
            "onerror=",
            "<iframe",
            "<style",
        ] {
            assert!(!lower.contains(bad), "{bad} survived in {html}");
        }
    }
    let hostile = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"].as_str().unwrap().contains("Sanitising"))
        .unwrap();
    assert!(
        hostile["title"]
            .as_str()
            .unwrap()
            .contains("x](javascript:alert(1))"),
        "titles stay plain text: {}",
        hostile["title"]
    );
}

#[test]
fn config_errors_name_file_line_and_key_and_exit_2() {
    let env = TestEnv::new();
    env.config("[settings]\nconcurrency = 4\n\n[[source]]\nid = \"a\"\nurl = \"https://a.example/feed\"\nkidn = \"feed\"\n");
    let run = env.run(&["fetch"]);
    run.expect_code(2);
    assert!(run.stderr.contains("feeds.toml:7"), "{}", run.stderr);
    assert!(run.stderr.contains("kidn"), "{}", run.stderr);

    env.config("[settings]\nconcurrency = -3\n");
    let run = env.run(&["sources"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("feeds.toml:2: `concurrency`: must be at least 1"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_source_ids_are_usage_errors() {
    let env = TestEnv::new();
    env.config(&source("a", "https://a.example/feed", "feed"));
    let run = env.run(&["fetch", "--source", "nope"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("unknown source id(s): nope"),
        "{}",
        run.stderr
    );
}

#[test]
fn init_writes_the_catalogue_once() {
    let env = TestEnv::new();
    let target = env.path("new/feeds.toml");
    let mut cmd = env.cmd(&["init", target.to_str().unwrap()]);
    assert!(cmd.output().unwrap().status.success());
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("[[source]]") && text.contains("[[topic]]"));
    let again = env.run(&["init", target.to_str().unwrap()]);
    again.expect_code(2);
    assert!(again.stderr.contains("already exists"));
}

#[test]
fn opml_export_then_import_round_trips_sources() {
    let env = TestEnv::new();
    env.config(&format!(
        "{}{}",
        source("a", "https://a.example/feed.xml", "feed"),
        source("b", "https://b.example/rss?x=1&y=2", "podcast")
    ));
    let export = env.run(&["sources", "export", "--opml"]);
    export.expect_code(0);
    assert!(
        export
            .stdout
            .contains("xmlUrl=\"https://b.example/rss?x=1&amp;y=2\""),
        "{}",
        export.stdout
    );
    std::fs::write(env.path("in.opml"), &export.stdout).unwrap();
    let other = TestEnv::new();
    other.config("");
    let import = other.run(&["sources", "import", env.path("in.opml").to_str().unwrap()]);
    import.expect_code(0);
    assert!(
        import.stderr.contains("2 sources added, 0 already present"),
        "{}",
        import.stderr
    );
    let listed = other.run(&["sources", "--json"]).json();
    let urls: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "https://a.example/feed.xml",
            "https://b.example/rss?x=1&y=2"
        ]
    );
    let again = other.run(&["sources", "import", env.path("in.opml").to_str().unwrap()]);
    assert!(
        again.stderr.contains("0 sources added, 2 already present"),
        "{}",
        again.stderr
    );
}

#[test]
fn planet_python_members_are_one_import_away() {
    let corpus = corpus_or_skip!();
    let env = TestEnv::new();
    env.config("");
    let run = env.run(&[
        "sources",
        "import",
        corpus.join("planet-python-feeds.tsv").to_str().unwrap(),
    ]);
    run.expect_code(0);
    let listed = env.run(&["sources", "--json"]).json();
    let n = listed.as_array().unwrap().len();
    assert!(
        n >= 560,
        "only {n} of 567 Planet Python feeds imported: {}",
        run.stderr
    );
}

#[test]
fn every_corpus_feed_is_stored_or_fails_cleanly_and_refetch_is_304() {
    let corpus = corpus_or_skip!();
    let feeds = corpus.join("feeds");
    let server = Server::files(&feeds);
    let env = TestEnv::new();
    let mut names: Vec<String> = std::fs::read_dir(&feeds)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut cfg = String::from(FAST_SETTINGS);
    for (i, name) in names.iter().enumerate() {
        cfg.push_str(&source(&format!("c{i:02}"), &server.url(name), "feed"));
    }
    env.config(&cfg);
    let started = std::time::Instant::now();
    let first = env.run(&["fetch"]);
    let cold = started.elapsed();
    assert!(first.code == 0 || first.code == 3, "{}", first.stderr);
    assert!(!first.stderr.contains("panicked"));
    let listed = env.run(&["sources", "--json"]).json();
    let listed = listed.as_array().unwrap();
    let ok = listed.iter().filter(|s| s["fetch_status"] == "ok").count();
    let failing: Vec<_> = listed.iter().filter(|s| s["status"] == "failing").collect();
    assert_eq!(ok + failing.len(), names.len());
    for f in &failing {
        let err = f["last_error"].as_str().unwrap();
        assert!(!err.is_empty() && !err.contains('\n'), "{err}");
    }
    assert!(
        ok >= names.len() - 1,
        "{} of {} corpus feeds failed: {failing:?}",
        failing.len(),
        names.len()
    );
    let stored: i64 = listed.iter().map(|s| s["entries"].as_i64().unwrap()).sum();
    assert!(stored > 2150, "only {stored} entries");

    let started = std::time::Instant::now();
    let second = env.run(&["fetch"]);
    let warm = started.elapsed();
    let conditional = server
        .requests()
        .iter()
        .filter(|r| r.headers.contains_key("if-none-match"))
        .count();
    eprintln!(
        "corpus over loopback: {} files, {ok} stored, {} failed, {stored} entries; cold fetch {cold:?}, re-fetch {warm:?} with {conditional} conditional requests",
        names.len(),
        failing.len()
    );
    assert!(
        second.stderr.contains(&format!("{ok} unchanged")),
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("; 0 new entries"),
        "{}",
        second.stderr
    );
    let listed = env.run(&["sources", "--json"]).json();
    let again: i64 = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["entries"].as_i64().unwrap())
        .sum();
    assert_eq!(again, stored);
}
