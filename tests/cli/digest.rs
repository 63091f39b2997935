//! The weekly digest from the command line: the example week matches the golden files, bad
//! weeks are usage errors, hostile text is inert.

use crate::util::{TestEnv, examples, source};
use std::collections::HashSet;

/// The examples' feeds.toml with absolute file: URLs and no database setting, so the test's
/// own --db is used.
pub(crate) fn example_config() -> String {
    let text = std::fs::read_to_string(examples().join("feeds.toml")).unwrap();
    let feeds = examples().join("feeds");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("database"))
        .map(|l| l.replace("\"file:feeds/", &format!("\"file:{}/", feeds.display())))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Story ids depend on the order sources finished fetching; everything else must not.
fn without_ids(mut v: serde_json::Value) -> serde_json::Value {
    for topic in v["topics"].as_array_mut().unwrap() {
        for item in topic["items"].as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("id");
        }
    }
    v
}

/// A test environment with the example feeds fetched.
pub(crate) fn fetched_example_env() -> TestEnv {
    let env = TestEnv::new();
    env.config(&example_config());
    env.run(&["fetch"]).expect_code(0);
    env
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
    .unwrap()
}

#[test]
fn the_example_week_renders_the_golden_digest() {
    let env = fetched_example_env();
    let md = env.run(&["digest", "--week", "2025-W42"]);
    md.expect_code(0);
    assert_eq!(
        md.stdout.trim_end(),
        golden("digest-2025-W42.md").trim_end()
    );
    let json = env.run(&["digest", "--week", "2025-W42", "--json"]);
    json.expect_code(0);
    let expected: serde_json::Value =
        serde_json::from_str(&golden("digest-2025-W42.json")).unwrap();
    assert_eq!(without_ids(json.json()), without_ids(expected));
}

#[test]
fn every_story_appears_once_under_one_topic() {
    let env = fetched_example_env();
    let v = env.run(&["digest", "--week", "2025-W42", "--json"]).json();
    assert_eq!(v["start"], "2025-10-13");
    assert_eq!(v["end"], "2025-10-19");
    let mut seen = HashSet::new();
    for topic in v["topics"].as_array().unwrap() {
        for item in topic["items"].as_array().unwrap() {
            assert!(
                seen.insert(item["id"].as_str().unwrap().to_string()),
                "story {} twice",
                item["id"]
            );
            let keys: HashSet<&str> = item
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                keys,
                HashSet::from([
                    "id",
                    "url",
                    "title",
                    "source",
                    "published",
                    "summary",
                    "also_in"
                ])
            );
            assert!(item["summary"].as_str().map_or(0, |s| s.chars().count()) <= 301);
        }
    }
    assert!(seen.len() >= 25);
}

#[test]
fn hostile_titles_render_as_text() {
    let env = fetched_example_env();
    let md = env.run(&["digest", "--week", "2025-W42"]).stdout;
    assert!(!md.contains("](javascript"), "a live javascript link");
    assert!(!md.to_lowercase().contains("<script"), "raw script tag");
    assert!(
        md.contains("x\\]\\(javascript:alert(1))"),
        "the title is still shown, escaped"
    );
}

#[test]
fn bad_and_empty_weeks() {
    let env = fetched_example_env();
    for bad in ["2025-W54", "banana", "2025-42", "2099-W01"] {
        let run = env.run(&["digest", "--week", bad]);
        run.expect_code(2);
        assert!(
            run.stderr.contains("pydigest: error:") && run.stderr.lines().count() == 1,
            "{bad}: {}",
            run.stderr
        );
    }
    let empty = env.run(&["digest", "--week", "2024-W10"]);
    empty.expect_code(0);
    assert!(
        empty.stdout.contains("No stories were published between"),
        "{}",
        empty.stdout
    );
}

#[test]
fn digest_fetch_reports_partial_failure_but_still_writes() {
    let env = TestEnv::new();
    env.config(&format!(
        "{}{}",
        example_config(),
        source("gone", "file:/nonexistent/feed.xml", "feed")
    ));
    let out = env.path("week.md");
    let run = env.run(&[
        "digest",
        "--fetch",
        "--week",
        "2025-W42",
        "--out",
        out.to_str().unwrap(),
    ]);
    run.expect_code(3);
    assert!(run.stderr.contains("failed: gone:"), "{}", run.stderr);
    let written = std::fs::read_to_string(out).unwrap();
    assert!(
        written.starts_with("# Python: Weekly Summary (October 13–19, 2025)"),
        "{written}"
    );
}

#[test]
fn a_digest_read_from_the_cache_is_the_digest_computed_afresh() {
    let env = fetched_example_env();
    for extra in [&[][..], &["--include-sponsored"][..]] {
        let args = |json: bool| {
            let mut a = vec!["digest", "--week", "2025-W42"];
            a.extend_from_slice(extra);
            if json {
                a.push("--json");
            }
            a
        };
        // The first run fills the cache, the second reads it.
        let cold_md = env.run(&args(false));
        cold_md.expect_code(0);
        let cold_json = env.run(&args(true));
        let warm_md = env.run(&args(false));
        let warm_json = env.run(&args(true));
        assert_eq!(cold_md.stdout, warm_md.stdout, "{extra:?}");
        assert_eq!(cold_json.stdout, warm_json.stdout, "{extra:?}");
    }
    // And both are still the golden digest.
    let md = env.run(&["digest", "--week", "2025-W42"]);
    assert_eq!(
        md.stdout.trim_end(),
        golden("digest-2025-W42.md").trim_end()
    );
}

#[test]
fn a_changed_taxonomy_refiles_cached_stories() {
    let env = fetched_example_env();
    let before = env.run(&["digest", "--week", "2025-W42", "--json"]).json();
    // Another name for a topic, and a new topic that takes Ruff from packaging.
    let changed = example_config().replace("name = \"Web\"", "name = \"Web & HTTP\"")
        + "\n[[topic]]\nname = \"Linters\"\nterms = { \"ruff\" = 3, \"lint\" = 3, \"lint rules\" = 3 }\n";
    env.config(&changed);
    let cached = env.run(&["digest", "--week", "2025-W42", "--json"]);
    cached.expect_code(0);
    let fresh = TestEnv::new();
    fresh.config(&changed);
    fresh.run(&["fetch"]).expect_code(0);
    let expected = fresh
        .run(&["digest", "--week", "2025-W42", "--json"])
        .json();
    assert_eq!(without_ids(cached.json()), without_ids(expected));
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(
        names(&before).contains(&"Web".to_string()),
        "{:?}",
        names(&before)
    );
    let after = names(&cached.json());
    assert!(after.contains(&"Web & HTTP".to_string()), "{after:?}");
    assert!(after.contains(&"Linters".to_string()), "{after:?}");
}

/// A copy of the example feed `name` in `env`'s temp dir, its text, and the example config
/// with that source pointed at the copy, so a test can edit the feed between fetches.
fn editable_example_feed(env: &TestEnv, name: &str) -> (std::path::PathBuf, String, String) {
    let feed = env.path(name);
    let original = std::fs::read_to_string(examples().join("feeds").join(name)).unwrap();
    std::fs::write(&feed, &original).unwrap();
    let config = example_config().replace(
        &format!("file:{}/{name}", examples().join("feeds").display()),
        &format!("file:{}", feed.display()),
    );
    assert!(
        config.contains(feed.to_str().unwrap()),
        "{name} is not in the examples"
    );
    (feed, original, config)
}

#[test]
fn a_changed_story_is_read_again_despite_the_cache() {
    let env = TestEnv::new();
    let (feed, original, config) = editable_example_feed(&env, "astral.xml");
    env.config(&config);
    env.run(&["fetch"]).expect_code(0);
    let first = env.run(&["digest", "--week", "2025-W42"]).stdout;
    assert!(first.contains("Ruff v0.14.0"), "{first}");
    std::fs::write(
        &feed,
        original.replace(
            "<title>Ruff v0.14.0</title>",
            "<title>Ruff v0.14.0 is out with Django lint rules</title>",
        ),
    )
    .unwrap();
    env.run(&["fetch"]).expect_code(0);
    let second = env.run(&["digest", "--week", "2025-W42"]).stdout;
    assert!(
        second.contains("Ruff v0.14.0 is out with Django lint rules"),
        "{second}"
    );
    let fresh = TestEnv::new();
    fresh.config(&config);
    fresh.run(&["fetch"]).expect_code(0);
    assert_eq!(second, fresh.run(&["digest", "--week", "2025-W42"]).stdout);
}

#[test]
fn a_changed_story_in_an_earlier_week_changes_the_cached_trends() {
    let env = TestEnv::new();
    let (feed, original, config) = editable_example_feed(&env, "djangoblog.xml");
    env.config(&config);
    env.run(&["fetch"]).expect_code(0);
    let first = env.run(&["digest", "--week", "2025-W42"]).stdout;
    assert!(
        first.contains("**python 3.14** — 4 stories (new this week)"),
        "{first}"
    );
    // A post of W38, one of the trend baseline's weeks, edited in place by a later fetch.
    let edited = original.replace(
        "<title>Django 6.0 alpha 1 released</title>",
        "<title>Django 6.0 alpha 1 released with Python 3.14 support</title>",
    );
    assert_ne!(edited, original);
    std::fs::write(&feed, edited).unwrap();
    env.run(&["fetch"]).expect_code(0);
    let second = env.run(&["digest", "--week", "2025-W42"]).stdout;
    assert!(
        !second.contains("**python 3.14** — 4 stories (new this week)"),
        "{second}"
    );
    let fresh = TestEnv::new();
    fresh.config(&config);
    fresh.run(&["fetch"]).expect_code(0);
    assert_eq!(second, fresh.run(&["digest", "--week", "2025-W42"]).stdout);
}
