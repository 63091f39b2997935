//! Search: the real binary over a store filled by `fetch` from a loopback server: query
//! translation, stemming, ranking, filters, output formats, one hit per story, the corpus.

use crate::corpus_or_skip;
use crate::util::{FAST_SETTINGS, Server, TestEnv, example_sources, examples, source};
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

/// A feed written for these tests: words placed so phrase, ranking and syntax cases are exact.
const LAB_FEED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Lab notes</title><link>https://lab.example/</link><description>Test feed</description>
<item>
  <title>Lunch money and worker pools</title>
  <link>https://lab.example/lunch</link>
  <guid>https://lab.example/lunch</guid>
  <pubDate>Tue, 07 Oct 2025 10:00:00 GMT</pubDate>
  <author>bob@lab.example (Bob Quill)</author>
  <description>Nothing is free, not even lunch. Later on we discuss threading with worker pools.</description>
</item>
<item>
  <title>Zebrafish genomics with Python</title>
  <link>https://lab.example/zebrafish</link>
  <guid>https://lab.example/zebrafish</guid>
  <pubDate>Wed, 08 Oct 2025 10:00:00 GMT</pubDate>
  <author>carol@lab.example (Carol Reed)</author>
  <description>Sequencing pipelines, notebooks and a lot of waiting.</description>
</item>
<item>
  <title>Weekly reading list</title>
  <link>https://lab.example/reading</link>
  <guid>https://lab.example/reading</guid>
  <pubDate>Thu, 09 Oct 2025 10:00:00 GMT</pubDate>
  <author>carol@lab.example (Carol Reed)</author>
  <description>Links about compilers, databases, a talk on zebrafish, and some more about type checkers, editors and keyboards.</description>
</item>
<item>
  <title>Rewriting hot paths</title>
  <link>https://lab.example/hot-paths</link>
  <guid>https://lab.example/hot-paths</guid>
  <pubDate>Fri, 10 Oct 2025 10:00:00 GMT</pubDate>
  <author>bob@lab.example (Bob Quill)</author>
  <description>We moved the pydantic-core validators to C++ and call asyncio.run(main()) from the CLI. NOT a small change: 3^2 * 4 = 36 : done.</description>
</item>
</channel></rss>
"#;

const TOPICS: &str = r#"
[[topic]]
name = "Packaging & tooling"
terms = { "uv" = 3, "pip" = 3, "pyproject.toml" = 3 }

[[topic]]
name = "Testing"
terms = { "pytest" = 3, "fixtures" = 2 }
"#;

/// The example feeds plus the lab feed, fetched over loopback into a fresh store.
fn fetched() -> (TestEnv, Server) {
    let env = TestEnv::new();
    let dir = env.path("www");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(examples().join("feeds")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    std::fs::write(dir.join("lab.xml"), LAB_FEED).unwrap();
    let server = Server::files(&dir);
    let mut cfg = example_sources(&server);
    cfg.push_str(&source("lab", &server.url("lab.xml"), "feed"));
    cfg.push_str(TOPICS);
    env.config(&cfg);
    env.run(&["fetch"]).expect_code(0);
    (env, server)
}

fn search(env: &TestEnv, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    let run = env.run(&all);
    run.expect_code(0);
    run.json().as_array().expect("a JSON array").clone()
}

fn titles(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn urls(hits: &[Value]) -> HashSet<String> {
    hits.iter()
        .map(|h| h["url"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn phrases_words_prefixes_and_stems() {
    let (env, _server) = fetched();
    let words = urls(&search(&env, &["free", "threading"]));
    let phrase = urls(&search(&env, &["\"free threading\""]));
    assert!(words.contains("https://lab.example/lunch"), "{words:?}");
    assert!(
        !phrase.contains("https://lab.example/lunch"),
        "a phrase must match adjacent words only: {phrase:?}"
    );
    assert!(phrase.is_subset(&words));
    assert!(phrase.contains("https://adabyte.example/blog/free-threading-benchmarks/"));

    // Prefixes: raw FTS5 and a bare `word*`.
    let raw = search(&env, &["--fts", "zebra*"]);
    assert_eq!(raw.len(), 2, "{:?}", titles(&raw));
    assert_eq!(search(&env, &["zebra*"]).len(), 2);
    assert!(!search(&env, &["--fts", "pyth*"]).is_empty());
    assert!(search(&env, &["zebra"]).is_empty(), "whole words only");

    // Porter stemming: `thread` finds threading, threaded, threads.
    let stemmed = titles(&search(&env, &["thread"]));
    assert!(
        stemmed
            .iter()
            .any(|t| t.to_lowercase().contains("benchmarking free-threaded")),
        "{stemmed:?}"
    );
    assert!(
        stemmed.iter().any(|t| t == "Lunch money and worker pools"),
        "{stemmed:?}"
    );
}

#[test]
fn syntax_looking_queries_are_plain_words() {
    let (env, _server) = fetched();
    for q in ["pydantic-core", "asyncio.run", "asyncio.run(main())"] {
        let hits = search(&env, &[q]);
        assert_eq!(
            titles(&hits),
            vec!["Rewriting hot paths"],
            "query {q:?} should find the post that mentions it"
        );
    }
    // `C++` is the token `c` to the tokenizer: other posts mention C too, this one first.
    let cpp = titles(&search(&env, &["C++"]));
    assert_eq!(cpp[0], "Rewriting hot paths", "{cpp:?}");
    for q in [
        "NOT",
        "AND",
        "OR",
        "NEAR",
        "\"free",
        "free\"",
        "3^2",
        "title:x",
        "AND OR NOT",
        "a\"b\"c\"d",
        "NEAR(a b, 5)",
        "é",
    ] {
        let run = env.run(&["search", "--json", "--", q]);
        run.expect_code(0);
        assert!(run.json().is_array(), "query {q:?}");
    }
    // Punctuation alone leaves nothing to search for: the same usage error as an empty query.
    for q in ["\"", "*", ":", "^", "(", ")", "-", "+", "{"] {
        env.run(&["search", "--json", "--", q]).expect_code(2);
    }
    // Words that are FTS5 operators are searched for as words.
    let not = titles(&search(&env, &["NOT", "lunch"]));
    assert_eq!(not, vec!["Lunch money and worker pools"]);
}

#[test]
fn bad_raw_queries_and_empty_queries_are_usage_errors() {
    let (env, _server) = fetched();
    for q in ["AND AND (", "\"unclosed", "nosuchcolumn:word", "NEAR(", "*"] {
        let run = env.run(&["search", "--fts", q]);
        run.expect_code(2);
        assert!(
            run.stderr.contains("invalid FTS5 query:"),
            "{q:?}: {}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    // A valid raw query with operators.
    let or = search(&env, &["--fts", "zebrafish OR kubernetes"]);
    assert_eq!(or.len(), 3, "{:?}", titles(&or));
    let near = search(&env, &["--fts", "NEAR(free threading, 3)"]);
    assert!(!urls(&near).contains("https://lab.example/lunch"));
    let col = search(&env, &["--fts", "title:zebrafish"]);
    assert_eq!(titles(&col), vec!["Zebrafish genomics with Python"]);

    for q in ["", "   "] {
        let run = env.run(&["search", q]);
        run.expect_code(2);
        assert!(run.stderr.contains("empty search query"), "{}", run.stderr);
    }
    env.run(&["search"]).expect_code(2);
}

#[test]
fn a_title_match_ranks_above_a_body_only_match() {
    let (env, _server) = fetched();
    let hits = search(&env, &["zebrafish"]);
    assert_eq!(
        titles(&hits),
        vec!["Zebrafish genomics with Python", "Weekly reading list"]
    );
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores[0] > scores[1], "{scores:?}");
    let ruff = search(&env, &["ruff"]);
    assert_eq!(titles(&ruff)[0], "Ruff v0.14.0");
}

#[test]
fn filters_combine() {
    let (env, _server) = fetched();
    let all = search(&env, &["python"]);
    assert_eq!(all.len(), 20, "default limit");
    assert_eq!(search(&env, &["python", "--limit", "3"]).len(), 3);
    assert!(search(&env, &["python", "--limit", "0"]).is_empty());
    let many = search(&env, &["python", "--limit", "1000"]);
    assert!(many.len() > 20);

    let rp = search(
        &env,
        &["python", "--source", "realpython", "--limit", "100"],
    );
    assert!(!rp.is_empty());
    assert!(rp.iter().all(|h| h["source"] == "realpython"));
    let two = search(
        &env,
        &[
            "python", "--source", "astral", "--source", "lab", "--limit", "100",
        ],
    );
    let sources: HashSet<&str> = two.iter().map(|h| h["source"].as_str().unwrap()).collect();
    assert_eq!(sources, HashSet::from(["astral", "lab"]));

    // Date-only bounds cover whole days; --until includes its day.
    let window = search(
        &env,
        &[
            "python",
            "--since",
            "2025-10-14",
            "--until",
            "2025-10-15",
            "--limit",
            "100",
        ],
    );
    assert!(!window.is_empty());
    for h in &window {
        let p = h["published"].as_str().unwrap();
        assert!(("2025-10-14".."2025-10-16").contains(&p), "{p}");
    }
    let rfc = search(
        &env,
        &[
            "python",
            "--since",
            "2025-10-14T00:00:00Z",
            "--until",
            "2025-10-15T23:59:59Z",
            "--limit",
            "100",
        ],
    );
    assert_eq!(urls(&rfc), urls(&window));
    // Relative bounds count back from the clock: the feeds are from 2025, so a 100-year
    // --since keeps everything and a 1-hour one nothing.
    assert_eq!(
        search(&env, &["python", "--since", "5200w", "--limit", "1000"]).len(),
        many.len()
    );
    assert!(search(&env, &["python", "--since", "1h"]).is_empty());
    assert_eq!(
        search(&env, &["python", "--until", "12h", "--limit", "1000"]).len(),
        many.len()
    );

    // --author: case-insensitive substring, combined with the rest.
    let carol = search(&env, &["python", "--author", "cAROL", "--limit", "100"]);
    assert_eq!(titles(&carol), vec!["Zebrafish genomics with Python"]);
    let hugo = search(
        &env,
        &[
            "python",
            "--author",
            "hugo",
            "--source",
            "pythoninsider",
            "--since",
            "2025-10-10",
        ],
    );
    assert_eq!(titles(&hugo), vec!["Python 3.15.0 alpha 1"]);

    for bad in [
        &["python", "--since", "yesterday"][..],
        &["python", "--until", "2025-02-30"],
        &["python", "--since", "2025-10-15", "--until", "2025-10-14"],
        &["python", "--source", "nope"],
        &["python", "--topic", "nope"],
        &["python", "--limit", "-1"],
    ] {
        let mut args = vec!["search"];
        args.extend_from_slice(bad);
        let run = env.run(&args);
        run.expect_code(2);
    }
    let run = env.run(&["search", "python", "--topic", "nope"]);
    assert!(
        run.stderr
            .contains("known topics: Packaging & tooling, Testing"),
        "{}",
        run.stderr
    );
}

#[test]
fn topic_restricts_to_entries_matching_its_terms() {
    let (env, _server) = fetched();
    let packaging = search(&env, &["python", "--topic", "packaging & tooling"]);
    assert!(!packaging.is_empty());
    let t = titles(&packaging);
    assert!(t.iter().any(|t| t.starts_with("uv 0.9")), "{t:?}");
    assert!(
        !t.iter().any(|t| t.contains("Zebrafish")),
        "{t:?} should all mention uv, pip or pyproject.toml"
    );
    let testing = titles(&search(&env, &["fixtures", "--topic", "Testing"]));
    assert_eq!(
        testing,
        vec!["pytest fixtures I keep copying between projects"]
    );
    // With a raw query too.
    let raw = search(
        &env,
        &["--fts", "python OR zebrafish", "--topic", "Testing"],
    );
    assert!(titles(&raw).iter().all(|t| !t.contains("Zebrafish")));
}

#[test]
fn json_has_the_documented_keys_and_a_story_appears_once() {
    let (env, _server) = fetched();
    // Matched by the post on Ada's blog, its copy on Planet Python and the PyCoder's Weekly
    // link to it (the whole newsletter issue is a story of its own).
    let hits = search(&env, &["--fts", "title:\"16-core laptop\""]);
    assert_eq!(hits.len(), 1, "two sightings, one story: {hits:?}");
    let h = &hits[0];
    let keys: HashSet<&str> = h.as_object().unwrap().keys().map(String::as_str).collect();
    let expected: HashSet<&str> = [
        "story_id",
        "title",
        "url",
        "source",
        "published",
        "date_estimated",
        "snippet",
        "sightings",
        "also_in",
        "score",
    ]
    .into();
    assert_eq!(keys, expected);
    assert_eq!(h["sightings"], 3);
    let mut seen: Vec<&str> = vec![h["source"].as_str().unwrap()];
    seen.extend(
        h["also_in"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap()),
    );
    seen.sort_unstable();
    assert_eq!(seen, vec!["personal", "planetpython", "pycoders"]);
    assert!(h["story_id"].is_i64());
    assert!(h["score"].is_f64());
    let snippet = h["snippet"].as_str().unwrap();
    assert!(!snippet.is_empty());
    assert!(
        !snippet.contains(['\u{2}', '\u{3}', '\u{1b}']),
        "{snippet:?}"
    );

    // Every story at most once, for a broad query.
    let all = search(&env, &["python", "--limit", "1000"]);
    let ids: HashSet<i64> = all
        .iter()
        .map(|h| h["story_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), all.len());
    // Sorted by score.
    let scores: Vec<f64> = all.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn text_and_markdown_output() {
    let (env, _server) = fetched();
    // Piped: no escape codes, no markers.
    let run = env.run(&["search", "zebrafish"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with(" 1. Zebrafish genomics with Python\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("lab · 2025-10-08 · https://lab.example/zebrafish")
    );
    assert!(run.stdout.contains("a talk on zebrafish"), "{}", run.stdout);
    assert!(!run.stdout.contains(['\u{1b}', '\u{2}', '\u{3}']));

    let md = env.run(&["search", "--markdown", "zebrafish"]);
    md.expect_code(0);
    assert!(
        md.stdout.starts_with(
            "- [Zebrafish genomics with Python](https://lab.example/zebrafish) · lab · 2025-10-08\n"
        ),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.contains("a talk on **zebrafish**"),
        "{}",
        md.stdout
    );

    // Hostile titles and content stay inert in markdown.
    let md = env.run(&["search", "--markdown", "sanitising"]);
    md.expect_code(0);
    assert!(!md.stdout.contains("](javascript"), "{}", md.stdout);
    assert!(!md.stdout.contains("<script"), "{}", md.stdout);

    let none = env.run(&["search", "qwertyuiop"]);
    none.expect_code(0);
    assert!(none.stdout.is_empty());
    assert!(none.stderr.contains("no matches"));
    env.run(&["search", "--json", "--markdown", "x"])
        .expect_code(2);
}

fn corpus_env(corpus: &Path) -> (TestEnv, Server, Vec<String>) {
    let feeds = corpus.join("feeds");
    let mut names: Vec<String> = std::fs::read_dir(&feeds)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("py-") && n.ends_with(".xml"))
        .collect();
    names.sort();
    let server = Server::files(&feeds);
    let env = TestEnv::new();
    let mut cfg = String::from(FAST_SETTINGS);
    let mut ids = Vec::new();
    for n in &names {
        let id = n
            .trim_start_matches("py-")
            .trim_end_matches(".xml")
            .to_string();
        cfg.push_str(&source(&id, &server.url(n), "feed"));
        ids.push(id);
    }
    env.config(&cfg);
    env.run(&["fetch"]).expect_code(0);
    (env, server, ids)
}

#[test]
fn corpus_searches_find_the_expected_sources() {
    let corpus = corpus_or_skip!();
    let (env, _server, _) = corpus_env(&corpus);
    let sources = |args: &[&str]| -> HashSet<String> {
        search(&env, args)
            .iter()
            .flat_map(|h| {
                let mut s = vec![h["source"].as_str().unwrap().to_string()];
                s.extend(
                    h["also_in"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_str().unwrap().to_string()),
                );
                s
            })
            .collect()
    };
    let pytest = sources(&["pytest", "--limit", "100"]);
    for s in [
        "pythonbytes-podcast-rss-2020",
        "talkpython-podcast-rss-2020",
        "nicoddemus-pelican-rss",
    ] {
        assert!(pytest.contains(s), "pytest: {s} missing from {pytest:?}");
    }
    let django = sources(&["django", "--limit", "100"]);
    for s in [
        "django-trac-timeline-rss-2015",
        "talkpython-podcast-rss-2020",
        "alexmorozov-pelican-tag-python-atom",
    ] {
        assert!(django.contains(s), "django: {s} missing from {django:?}");
    }
    let pr = sources(&["\"pull request\"", "--limit", "100"]);
    assert!(pr.contains("pythonbytes-podcast-rss-2020"), "{pr:?}");
    let only = sources(&["django", "--source", "talkpython-podcast-rss-2020"]);
    assert_eq!(
        only,
        HashSet::from(["talkpython-podcast-rss-2020".to_string()])
    );
    // Phrase results are a subset of the words ANDed.
    let words = urls(&search(&env, &["pull", "request", "--limit", "1000"]));
    let phrase = urls(&search(&env, &["\"pull request\"", "--limit", "1000"]));
    assert!(phrase.is_subset(&words) && phrase.len() < words.len());
}

#[test]
#[ignore = "benchmark: cargo test --release --test cli search_latency -- --ignored --nocapture"]
fn search_latency_over_corpus() {
    let corpus = corpus_or_skip!();
    let (env, _server, _) = corpus_env(&corpus);
    let queries: &[&[&str]] = &[
        &["python"],
        &["pytest"],
        &["django"],
        &["\"pull request\""],
        &["thread"],
        &["asyncio", "--limit", "5"],
        &["--fts", "pyth* OR djan*"],
        &["data", "science", "--since", "2019-01-01"],
        &["release", "--source", "python-insider-blogger-atom-2013"],
        &["packaging", "--author", "a"],
    ];
    let mut times = Vec::new();
    for i in 0..50 {
        let q = queries[i % queries.len()];
        let mut args = vec!["search", "--json"];
        args.extend_from_slice(q);
        let start = Instant::now();
        let run = env.run(&args);
        times.push(start.elapsed());
        run.expect_code(0);
    }
    report(
        "whole process (open, migrate check, search, print JSON)",
        times,
    );

    // The query alone, without process start-up, is timed by bench/server's `searchbench query`
    // (the store is crate-private).
}

fn report(what: &str, mut times: Vec<std::time::Duration>) {
    times.sort();
    let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "search latency over the corpus, {what}, {} searches: p50 {:?}, p95 {:?}, max {:?}",
        times.len(),
        p(0.50),
        p(0.95),
        times.last().unwrap()
    );
}
