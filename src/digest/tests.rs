use super::*;
use crate::config::{Location, Source};
use crate::parse::{ParseOptions, parse_document};
use crate::render::{RenderOptions, render_json, render_markdown};
use crate::store::{FetchMeta, Store};
use chrono::{Datelike, NaiveDate};
use rstest::rstest;
use std::path::{Path, PathBuf};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[rstest]
#[case("2025-10-13", "2025-10-19", "October 13–19, 2025")]
#[case("2025-09-29", "2025-10-05", "September 29 – October 5, 2025")]
#[case("2025-12-29", "2026-01-04", "December 29, 2025 – January 4, 2026")]
#[case("2025-10-13", "2025-10-13", "October 13, 2025")]
fn date_spans(#[case] start: &str, #[case] end: &str, #[case] expected: &str) {
    assert_eq!(date_span(d(start), d(end)), expected);
}

#[test]
fn week_titles_and_utc_bounds() {
    let r = DigestRange::parse_week("2025-W42", chrono_tz::Europe::London).unwrap();
    assert_eq!(
        title_for(&r),
        "Python: Weekly Summary (October 13–19, 2025)"
    );
    // London is on BST (UTC+1) in October.
    assert_eq!(r.since.to_rfc3339(), "2025-10-12T23:00:00+00:00");
    assert_eq!(r.until.to_rfc3339(), "2025-10-19T23:00:00+00:00");
    // W43 2025 spans the end of BST (Sunday Oct 26): it ends at Monday 00:00 GMT.
    let r = DigestRange::parse_week("2025-W43", chrono_tz::Europe::London).unwrap();
    assert_eq!(r.since.to_rfc3339(), "2025-10-19T23:00:00+00:00");
    assert_eq!(r.until.to_rfc3339(), "2025-10-27T00:00:00+00:00");
    let r = DigestRange::parse_week("2026-W01", chrono_tz::UTC).unwrap();
    assert_eq!(
        title_for(&r),
        "Python: Weekly Summary (December 29, 2025 – January 4, 2026)"
    );
    let (hs, hu) = trend_baseline(&r);
    assert_eq!(
        (hs.to_rfc3339().as_str(), hu),
        ("2025-12-01T00:00:00+00:00", r.since)
    );
}

#[test]
fn a_period_is_compared_with_the_period_of_equal_length_before_it() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let r = DigestRange::days(d("2018-08-01"), d("2018-08-10"), chrono_tz::UTC).unwrap();
    assert_eq!(r.days_long(), 10);
    let (hs, hu) = crate::digest::trend_baseline(&r);
    assert_eq!(
        (hs.to_rfc3339().as_str(), hu),
        ("2018-07-22T00:00:00+00:00", r.since)
    );
}

#[rstest]
#[case("2025-W42", true)]
#[case("2025-w42", true)]
#[case("2025W42", true)]
#[case("2020-W53", true)]
#[case("2025-W53", false)]
#[case("2025-W54", false)]
#[case("2025-W0", false)]
#[case("2025-42", false)]
#[case("banana", false)]
#[case("", false)]
fn week_parsing(#[case] s: &str, #[case] ok: bool) {
    assert_eq!(
        DigestRange::parse_week(s, chrono_tz::UTC).is_ok(),
        ok,
        "{s}"
    );
}

#[test]
fn trending_needs_two_stories_and_a_rise() {
    let titles: Vec<(String, String)> = [
        ("Free-threaded Python in practice", "a"),
        ("Benchmarking free-threaded Python", "b"),
        ("Django tips", "a"),
        ("Quiz: new features", "c"),
        ("New features", "c"),
    ]
    .map(|(t, s)| (t.to_string(), s.to_string()))
    .to_vec();
    let history: Vec<String> = [
        "Django 6.0 alpha",
        "Django ORM tricks",
        "More Django",
        "Django again",
        "Django forever",
        "Django news",
        "Django Django",
    ]
    .map(String::from)
    .to_vec();
    let t = trending_terms(&titles, &history, 4.0);
    let terms: Vec<&str> = t.iter().map(|t| t.term.as_str()).collect();
    assert!(terms.contains(&"free-threaded python"), "{terms:?}");
    assert!(
        !terms.contains(&"free-threaded"),
        "subsumed by the phrase: {terms:?}"
    );
    assert!(!terms.contains(&"django"), "{terms:?}");
    assert!(!terms.contains(&"python"), "{terms:?}");
    assert!(
        !terms.contains(&"new features"),
        "one source only: {terms:?}"
    );
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Parses every file source of `config` into a new store, as a fetch at `now` would.
fn load_store(config: &Config, db: &Path, now: DateTime<Utc>) -> Store {
    let mut store = Store::open(db).unwrap();
    store.sync_sources(&config.sources).unwrap();
    for s in &config.sources {
        let Location::File(path) = &s.location else {
            panic!("{} is not a file source", s.id)
        };
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let opts = ParseOptions {
            kind: Some(s.kind),
            aggregator: s.is_aggregator(),
            selectors: s.selectors.as_ref(),
            now: Some(now),
            ..Default::default()
        };
        match parse_document(&bytes, &opts) {
            Ok(doc) => {
                store
                    .record_success(s, &FetchMeta::default(), &doc, &[], now)
                    .unwrap();
            }
            Err(e) => eprintln!("skipping {}: {e}", s.id),
        }
    }
    store
}

fn digest_for(store: &Store, config: &Config, range: &DigestRange, opts: DigestOptions) -> Digest {
    crate::commands::period_digest(store, config, range, opts).unwrap()
}

fn check_golden(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs at line {} (run with UPDATE_GOLDEN=1 to accept):\nexpected: {:?}\nactual:   {:?}",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn golden_example_week() {
    let config = Config::load(&manifest().join("examples/feeds.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let now: DateTime<Utc> = "2025-10-22T09:00:00Z".parse().unwrap();
    let store = load_store(&config, &dir.path().join("golden.db"), now);
    let range = DigestRange::parse_week("2025-W42", config.settings.time_zone).unwrap();
    let digest = digest_for(&store, &config, &range, DigestOptions::default());

    let md = render_markdown(&digest, RenderOptions::default());
    let json = render_json(&digest);
    check_golden(&manifest().join("tests/golden/digest-2025-W42.md"), &md);
    check_golden(&manifest().join("tests/golden/digest-2025-W42.json"), &json);

    // Invariants that hold whatever the golden files say.
    assert!(md.starts_with("# Python: Weekly Summary (October 13–19, 2025)\n"));
    let ids: Vec<i64> = digest
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.id))
        .collect();
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "a story appears twice");
    for i in digest.sections.iter().flat_map(|s| &s.items) {
        assert!(
            i.published
                .is_some_and(|p| p >= range.since && p < range.until),
            "{} outside the week",
            i.title
        );
        assert!(i.summary.chars().count() <= summary::MAX_SUMMARY);
    }
    assert!(!md.contains("](javascript"), "a javascript: link leaked");
    assert!(!md.contains("<script"), "raw HTML leaked");
    assert!(
        !md.to_lowercase().contains("improve your python"),
        "boilerplate leaked"
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["start"], "2025-10-13");
    assert_eq!(v["end"], "2025-10-19");
    assert!(
        v["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == PODCASTS)
    );

    // A later week with nothing in it says so plainly.
    let empty = DigestRange::parse_week("2025-W30", config.settings.time_zone).unwrap();
    let md = render_markdown(
        &digest_for(&store, &config, &empty, DigestOptions::default()),
        RenderOptions::default(),
    );
    assert!(
        md.contains("No stories were published between July 21, 2025 and July 27, 2025"),
        "{md}"
    );
}

#[test]
fn corpus_topics_are_explained_by_their_terms() {
    let Some(corpus) = crate::test_corpus::corpus_dir() else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("feeds"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("py-") && n.ends_with(".xml"))
        })
        .collect();
    files.sort();
    let mut config = Config::builtin();
    config.settings.time_zone = chrono_tz::UTC;
    config.sources = files
        .iter()
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().to_string();
            Source {
                name: id.clone(),
                url: format!("file:{}", p.display()),
                location: Location::File(p.clone()),
                kind: if id.contains("podcast") {
                    SourceKind::Podcast
                } else {
                    SourceKind::Feed
                },
                weight: 1.0,
                tags: if id.contains("planet") {
                    vec!["aggregator".into()]
                } else {
                    vec![]
                },
                topic: None,
                selectors: None,
                id,
            }
        })
        .collect();
    for t in &mut config.topics {
        t.sources.clear();
    }
    let dir = tempfile::tempdir().unwrap();
    let now: DateTime<Utc> = "2025-11-01T00:00:00Z".parse().unwrap();
    let store = load_store(&config, &dir.path().join("corpus.db"), now);
    let all = store
        .stories_between(None, None, &config.aggregator_ids())
        .unwrap();
    assert!(all.len() > 300, "only {} stories", all.len());

    // Every story, classified: the primary topic is always backed by one of its own terms or
    // by a lexicon name of that topic.
    let classifier = Classifier::from_config(&config);
    let mut weeks: BTreeMap<(i32, u32), usize> = BTreeMap::new();
    for story in &all {
        let c = classify_story(&classifier, story);
        if c.primary != OTHER {
            let topic = config.topics.iter().find(|t| t.name == c.primary).unwrap();
            assert!(c.reasons_for(&c.primary).all(|r| {
                topic.terms.iter().any(|(t, _)| *t == r.term)
                    || topics::LEXICON.lines().any(|l| {
                        // Curated names also match with spaces for hyphens.
                        let hyphened = r.term.replace(' ', "-");
                        l.starts_with(&format!("{hyphened}\t{}\t", topic.name))
                    })
            }));
            assert!(
                c.reasons_for(&c.primary).next().is_some(),
                "story {} under {} without a term",
                story.id,
                c.primary
            );
        }
        assert!(
            !c.reasons.iter().any(|r| r.topic.starts_with("Packaging")
                && r.term == "uv"
                && story_text_has_only_uvicorn(story)),
            "story {} counted uvicorn as uv",
            story.id
        );
        if let Some(p) = story.published {
            let w = p.iso_week();
            *weeks.entry((w.year(), w.week())).or_default() += 1;
        }
    }

    // The busiest week as a digest: every section holds only stories whose reasons name one of
    // its terms, and no story is in Packaging because of "uvicorn".
    let (&(year, week), &n) = weeks
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
        .unwrap();
    let range = DigestRange::iso_week(year, week, chrono_tz::UTC).unwrap();
    let digest = digest_for(&store, &config, &range, DigestOptions::default());
    println!(
        "corpus week {year}-W{week:02}: {n} stories published, {} in the digest",
        digest.story_count
    );
    for s in &digest.sections {
        println!("  {:<28} {}", s.name, s.items.len());
        for i in &s.items {
            let c = &i.classification;
            if s.name == OTHER || s.name == PODCASTS {
                continue;
            }
            assert_eq!(c.primary, s.name);
            let topic = config.topics.iter().find(|t| t.name == s.name).unwrap();
            assert!(
                c.reasons_for(&s.name)
                    .any(|r| topic.terms.iter().any(|(t, _)| *t == r.term)),
                "{:?} under {} without one of its terms: {:?}",
                i.title,
                s.name,
                c.reasons
            );
            if s.name.starts_with("Packaging") {
                assert!(
                    c.reasons_for(&s.name).all(|r| r.term != "uvicorn"),
                    "{:?}",
                    i.title
                );
            }
        }
    }
    let ids: Vec<i64> = digest
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.id))
        .collect();
    assert_eq!(ids.len(), ids.iter().collect::<BTreeSet<_>>().len());
    assert!(digest.story_count > 0);
}

/// True when the story mentions "uvicorn" but never "uv" as a word.
fn story_text_has_only_uvicorn(story: &Story) -> bool {
    let mut text = String::new();
    for s in &story.sightings {
        for part in [&s.title, &s.summary, &s.content_text]
            .into_iter()
            .flatten()
        {
            text.push_str(&part.to_lowercase());
            text.push(' ');
        }
        text.push_str(&s.tags.join(" ").to_lowercase());
    }
    text.contains("uvicorn") && !regex::Regex::new(r"\buv\b").unwrap().is_match(&text)
}

/// A ranked item from `source` for the flood tests.
fn flood_item(id: i64, source: &str) -> Item {
    Item {
        id,
        title: format!("story {id}"),
        url: None,
        author: None,
        source: source.to_uppercase(),
        source_id: source.into(),
        published: None,
        date: String::new(),
        summary: String::new(),
        also_in: vec![],
        sources: 1,
        weight: 1.0,
        classification: Classification {
            primary: OTHER.into(),
            secondary: vec![],
            reasons: vec![],
            scores: vec![],
        },
        date_estimated: false,
        collapsed: false,
    }
}

#[test]
fn floods_keep_the_best_per_source_and_name_the_collapsed_sources() {
    // Ranked order: a a a a b c d e e e.
    let ids = ["a", "a", "a", "a", "b", "c", "d", "e", "e", "e"];
    let mut items: Vec<Item> = ids
        .iter()
        .enumerate()
        .map(|(n, s)| flood_item(n as i64, s))
        .collect();
    collapse(&mut items, 6, 2);
    let shown: Vec<i64> = items
        .iter()
        .filter(|i| !i.collapsed)
        .map(|i| i.id)
        .collect();
    assert_eq!(shown, vec![0, 1, 4, 5, 6, 7]);
    let section = Section {
        name: OTHER.into(),
        items,
    };
    assert_eq!(
        section.more_line().unwrap(),
        "… and 4 more from A (2) and E (2)"
    );
    let none = Section {
        name: OTHER.into(),
        items: vec![flood_item(1, "a")],
    };
    assert_eq!(none.more_line(), None);
    let mut many: Vec<Item> = ["a", "b", "c", "d", "d"]
        .iter()
        .enumerate()
        .map(|(n, s)| flood_item(n as i64, s))
        .collect();
    collapse(&mut many, 0, 3);
    let many = Section {
        name: OTHER.into(),
        items: many,
    };
    // More than three sources: the two largest by name, the rest counted.
    assert_eq!(
        many.more_line().unwrap(),
        "… and 5 more from D (2), A (1) and 2 other sources"
    );
}
