//! Stories: the same article from several sources is one story with several sightings;
//! near-duplicates merge conservatively; newsletters split; pages scrape.

use crate::corpus_or_skip;
use crate::util::{FAST_SETTINGS, Reply, Server, TestEnv, examples, source};
use serde_json::Value;

fn example_env(server: &Server) -> TestEnv {
    let env = TestEnv::new();
    let mut cfg = String::from(FAST_SETTINGS);
    for (id, kind) in [
        ("realpython", "feed"),
        ("pycoders", "newsletter"),
        ("talkpython", "podcast"),
        ("personal", "feed"),
    ] {
        cfg.push_str(&source(id, &server.url(&format!("{id}.xml")), kind));
    }
    cfg.push_str(&format!(
        "[[source]]\nid = \"planetpython\"\nurl = \"{}\"\ntags = [\"aggregator\"]\n\n",
        server.url("planetpython.xml")
    ));
    env.config(&cfg);
    env
}

fn story_by_url<'a>(stories: &'a Value, canonical: &str) -> &'a Value {
    stories
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["canonical_url"] == canonical)
        .unwrap_or_else(|| panic!("no story {canonical}"))
}

fn sources_of(story: &Value) -> Vec<String> {
    let mut v: Vec<String> = story["sightings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn one_story_many_sightings_and_refetching_changes_nothing() {
    let server = Server::files(&examples().join("feeds"));
    let env = example_env(&server);
    env.run(&["fetch"]).expect_code(0);
    let run = env.run(&[
        "stories",
        "--json",
        "--since",
        "2025-10-13",
        "--until",
        "2025-10-20",
    ]);
    run.expect_code(0);
    let stories = run.json();

    // Real Python's own entry, Planet Python's copy (http:// and utm_* parameters) and the
    // PyCoder's Weekly link are one story.
    let polars = story_by_url(&stories, "https://realpython.com/polars-lazyframe/");
    assert_eq!(
        sources_of(polars),
        ["planetpython", "pycoders", "realpython"]
    );
    assert_eq!(
        polars["sightings"][0]["source"], "realpython",
        "the original feed is the main sighting"
    );
    let from_newsletter = polars["sightings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "pycoders")
        .unwrap();
    assert!(from_newsletter["section"].is_string());
    assert_eq!(from_newsletter["sponsored"], false);
    for key in ["id", "title", "url", "canonical_url", "sightings"] {
        assert!(polars.get(key).is_some(), "missing {key}");
    }
    for key in ["source", "entry_id", "seen_at", "section", "sponsored"] {
        assert!(
            polars["sightings"][0].get(key).is_some(),
            "missing sighting.{key}"
        );
    }

    // Planet Python keeps the member blog's author and URL, and is recorded as a sighting.
    let ada = story_by_url(
        &stories,
        "https://adabyte.example/blog/free-threading-benchmarks/",
    );
    assert_eq!(sources_of(ada), ["personal", "planetpython", "pycoders"]);

    // The sponsor is stored and flagged.
    let sponsored: Vec<&Value> = stories
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["sightings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["sponsored"] == true)
        })
        .collect();
    assert_eq!(sponsored.len(), 1, "{sponsored:?}");

    // Nothing changes on a re-fetch (304s), nor on a forced full re-parse of the same bytes.
    env.run(&["fetch"]).expect_code(0);
    let again = env
        .run(&[
            "stories",
            "--json",
            "--since",
            "2025-10-13",
            "--until",
            "2025-10-20",
        ])
        .json();
    assert_eq!(again, stories);
}

fn rss(items: &[(&str, &str, &str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>t</title><link>https://t.example/</link>",
    );
    for (title, link, author, date) in items {
        s.push_str(&format!("<item><title>{title}</title><link>{link}</link><dc:creator>{author}</dc:creator><pubDate>{date}</pubDate></item>"));
    }
    s.push_str("</channel></rss>");
    s
}

#[test]
fn near_duplicates_merge_conservatively() {
    let a = rss(&[
        (
            "Understanding Python descriptors in depth",
            "https://jane.example/descriptors",
            "Jane Roe",
            "Mon, 13 Oct 2025 10:00:00 +0000",
        ),
        (
            "Understanding Python decorators in depth",
            "https://jane.example/decorators",
            "Jane Roe",
            "Mon, 13 Oct 2025 11:00:00 +0000",
        ),
        (
            "Release notes",
            "https://jane.example/notes-1",
            "Jane Roe",
            "Mon, 13 Oct 2025 12:00:00 +0000",
        ),
    ]);
    let b = rss(&[
        (
            "Understanding Python Descriptors in Depth!",
            "https://mirror.example/jane/descriptors-copy",
            "Jane Roe",
            "Wed, 15 Oct 2025 10:00:00 +0000",
        ),
        (
            "Understanding Python descriptors in depth",
            "https://other.example/descriptors",
            "John Doe",
            "Wed, 15 Oct 2025 10:00:00 +0000",
        ),
        (
            "Release notes",
            "https://mirror.example/notes-2",
            "Jane Roe",
            "Mon, 13 Oct 2025 13:00:00 +0000",
        ),
        (
            "Understanding Python descriptors in depth",
            "https://mirror.example/jane/descriptors-2024",
            "Jane Roe",
            "Wed, 15 Oct 2024 10:00:00 +0000",
        ),
    ]);
    let server = Server::start(move |req| match req.path.as_str() {
        "/a.xml" => Reply::ok(a.clone(), "application/rss+xml"),
        "/b.xml" => Reply::ok(b.clone(), "application/rss+xml"),
        _ => Reply::status(404),
    });
    let env = TestEnv::new();
    env.config(&format!(
        "{}{}",
        source("a", &server.url("a.xml"), "feed"),
        source("b", &server.url("b.xml"), "feed")
    ));
    env.run(&["fetch"]).expect_code(0);
    let stories = env.run(&["stories", "--json"]).json();
    let stories = stories.as_array().unwrap();
    let with = |url: &str| {
        stories
            .iter()
            .find(|s| s["sightings"].as_array().unwrap().iter().any(|_| true) && s["url"] == url)
            .cloned()
    };
    let descriptors = with("https://jane.example/descriptors")
        .unwrap_or_else(|| panic!("descriptors story: {stories:#?}"));
    // Same title (case and punctuation aside), same author, two days apart: merged.
    assert_eq!(
        descriptors["sightings"].as_array().unwrap().len(),
        2,
        "{descriptors}"
    );
    // A different post with a similar title, the same title by someone else, a short generic
    // title, and the same title a year earlier: all kept apart.
    assert_eq!(stories.len(), 6, "{stories:#?}");
}

#[test]
fn newsletter_issues_split_over_http_and_inspect_shows_sections() {
    let server = Server::files(&examples().join("feeds"));
    let env = TestEnv::new();
    env.config("");
    let run = env.run(&[
        "inspect",
        "--json",
        "--kind",
        "newsletter",
        &server.url("pycoders.xml"),
    ]);
    run.expect_code(0);
    let doc = run.json();
    let entries = doc["entries"].as_array().unwrap();
    let issues = entries.iter().filter(|e| e.get("kind").is_none()).count();
    let split: Vec<&Value> = entries.iter().filter(|e| e.get("kind").is_some()).collect();
    assert_eq!(issues, 2, "both issues are kept whole");
    assert!(split.len() >= 15, "{}", split.len());
    for e in &split {
        assert!(e["url"].as_str().unwrap().starts_with("http"));
        assert!(e.get("section").is_some() && e.get("sponsored").is_some());
    }
    let w42: Vec<&&Value> = split
        .iter()
        .filter(|e| e["id"].as_str().unwrap().contains("704"))
        .collect();
    assert_eq!(
        w42.len(),
        14,
        "issue #704, counted by hand: 12 stories, 1 sponsor, 1 job"
    );
    assert_eq!(w42.iter().filter(|e| e["sponsored"] == true).count(), 1);
    assert_eq!(w42.iter().filter(|e| e["kind"] == "job").count(), 1);
}

#[test]
fn pages_are_scraped_and_empty_selectors_are_reported() {
    let corpus = corpus_or_skip!();
    let server = Server::files(&corpus.join("pages"));
    let env = TestEnv::new();
    let mut cfg = source("blog", &server.url("py-nicoddemus-blog-index.html"), "page");
    cfg.push_str(&format!(
        "[[source]]\nid = \"strict\"\nurl = \"{}\"\nkind = \"page\"\n[source.selectors]\nitem = \"article.no-such-class\"\n\n",
        server.url("py-nicoddemus-blog-index.html")
    ));
    cfg.push_str(&source(
        "issue",
        &server.url("py-pychina-python-weekly-528.html"),
        "newsletter",
    ));
    env.config(&cfg);
    let run = env.run(&["fetch"]);
    run.expect_code(3);
    let failed = run.failed_lines();
    assert_eq!(failed.len(), 1, "{}", run.stderr);
    assert!(
        failed[0].starts_with("failed: strict: ") && failed[0].contains("matched nothing"),
        "{}",
        failed[0]
    );
    let listed = env.run(&["sources", "--json"]).json();
    let entries = |id: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["entries"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(entries("blog"), 4);
    assert_eq!(entries("issue"), 29, "one issue + 28 split stories");
}

#[test]
fn hostile_titles_never_reach_the_terminal_raw() {
    let evil = rss(&[(
        "Evil \u{1b}]0;pwned\u{7} title \u{1b}[31mred\u{1b}[0m \u{202e}txet",
        "https://evil.example/post",
        "Mallory",
        "Mon, 13 Oct 2025 10:00:00 +0000",
    )]);
    // XML 1.0 forbids most control characters; feeds send them anyway.
    let server = Server::start(move |_| Reply::ok(evil.clone(), "application/rss+xml"));
    let env = TestEnv::new();
    env.config(&source("evil", &server.url("evil.xml"), "feed"));
    let fetch = env.run(&["fetch"]);
    assert!(!fetch.stderr.contains('\u{1b}'));
    let out = env.run(&["stories"]);
    out.expect_code(0);
    for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(
            !out.stdout.contains(bad),
            "{bad:?} reached stdout: {:?}",
            out.stdout
        );
    }
}
