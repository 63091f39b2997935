//! Topic quality on real feeds: the hand-labelled items of `data/topic-labels.tsv` are ingested
//! from `../shared/corpus` with the built-in taxonomy, and the topics the CLI assigns are scored
//! against the labels (purity, inverse purity, their harmonic mean F, the share in "Other").
//!
//! `cargo test --test cli topic_quality -- --nocapture` prints the figures and the most common
//! confusions. The assertion is a floor under F so that a change that makes classification
//! worse fails; raise `F_FLOOR` when the classifier gets better.

use crate::corpus_or_skip;
use crate::util::TestEnv;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// F measured on this set before issue 11's classifier work was 0.597 (purity 0.596, inverse
/// purity 0.598, 33.8 % in "Other"); with the lexicon, visible-text weighting and tie-only
/// source hints it was 0.757; with the story's link as a field, podcast keyword lists read as
/// hidden text and more Chinese vocabulary it was 0.821; with a wider Chinese / Portuguese
/// vocabulary and scientific-domain words 0.836; with general English vocabulary written
/// without looking at the labels 0.841; with its Chinese / Portuguese counterparts and
/// "deprecation" weakened to a hint 0.848 (even rows 0.926, odd rows 0.770); with "with
/// python" / "用 python" and their kin as weak tutorial terms (a how-to with no topical word
/// is a tutorial, not "Other") it is 0.853 (even 0.931, odd 0.775). The floor sits just under.
const F_FLOOR: f64 = 0.850;

/// The catch-all the digest uses for stories no topic matched.
const OTHER: &str = "Other";

/// The digest's own section for podcast episodes: not a topic, so those items are looked up
/// with `explain`.
const PODCASTS: &str = "Podcasts & episodes";

struct Label {
    /// 1-based data row in the file.
    row: usize,
    file: String,
    url: String,
    excerpt: String,
    topic: String,
    alt: Option<String>,
}

fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn labels() -> Vec<Label> {
    let text = repo_file("data/topic-labels.tsv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("corpus_file\turl\ttitle_or_blurb_excerpt\ttopic\talt_topic"),
        "data/topic-labels.tsv header"
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "data/topic-labels.tsv: 5 columns in {l:?}");
            Label {
                row: i + 1,
                file: f[0].to_string(),
                url: f[1].to_string(),
                excerpt: f[2].to_string(),
                topic: f[3].to_string(),
                alt: Some(f[4].to_string()).filter(|a| !a.is_empty()),
            }
        })
        .collect()
}

/// A URL reduced to what identifies the page: no scheme, `www.`, fragment, tracking
/// parameters or trailing slash; lower case.
fn canon(url: &str) -> String {
    let lower = url.trim().to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("utm_") && !p.starts_with("ref="))
        .collect();
    let path = path.trim_end_matches('/');
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// The source id a corpus file gets: the built-in catalogue's id where the file is a copy of a
/// catalogue source (so the built-in taxonomy's `sources` hints apply as they would for a
/// user), else
/// the file's stem.
fn source_id(file: &str) -> String {
    let stem = Path::new(file).file_stem().unwrap().to_string_lossy();
    let catalogue = [
        ("py-realpython-", "realpython"),
        ("py-python-insider-", "python-insider"),
        ("py-talkpython-", "talkpython"),
        ("py-pythonbytes-", "pythonbytes"),
        ("py-quansight-labs-nikola-rss", "quansight"),
        ("py-pychina-pycoders-weekly-zh-rss", "pycoders"),
        ("py-pychina-python-weekly-zh-rss", "pythonweekly"),
    ];
    catalogue
        .iter()
        .find(|(prefix, _)| stem.starts_with(prefix))
        .map_or_else(|| stem.to_lowercase(), |(_, id)| id.to_string())
}

/// The kind of source each corpus file is: the pychina feeds and pages are newsletters (split
/// into their links), the two podcast feeds podcasts, the rest plain feeds.
fn kind(file: &str) -> &'static str {
    let name = Path::new(file).file_name().unwrap().to_string_lossy();
    if name.starts_with("py-pychina-") {
        "newsletter"
    } else if name.starts_with("py-talkpython-") || name.starts_with("py-pythonbytes-") {
        "podcast"
    } else {
        "feed"
    }
}

/// The topic names of the built-in taxonomy (the `[[topic]]` tables of the repository's
/// feeds.toml), which the scorer's config gets by having no `[[topic]]` table of its own.
fn taxonomy_names() -> Vec<String> {
    let text = repo_file("feeds.toml");
    let start = text
        .find("\n[[topic]]")
        .expect("feeds.toml has [[topic]] tables");
    text[start..]
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("name = "))
        .map(|n| n.trim().trim_matches('"').to_string())
        .collect()
}

/// The labelled corpus files, each named once.
fn labelled_files(labels: &[Label]) -> Vec<String> {
    let mut f: Vec<String> = labels.iter().map(|l| l.file.clone()).collect();
    f.sort();
    f.dedup();
    f
}

/// A fetched store of `files` with a sources-only feeds.toml (so the built-in taxonomy applies).
fn corpus_env(corpus: &Path, files: &[String]) -> TestEnv {
    let mut cfg = String::from("[settings]\n\n");
    for f in files {
        let path = corpus.join(f);
        assert!(path.is_file(), "{} is missing", path.display());
        cfg.push_str(&format!(
            "[[source]]\nid = \"{}\"\nname = \"{}\"\nurl = \"file:{}\"\nkind = \"{}\"\n\n",
            source_id(f),
            source_id(f),
            path.display(),
            kind(f)
        ));
    }
    let env = TestEnv::new();
    env.config(&cfg);
    env.run(&["fetch"]).expect_code(0);
    env
}

/// The topic `explain` gives the story whose title contains `needle`.
fn explained_topic(env: &TestEnv, needle: &str) -> String {
    let stories = env.run(&["stories", "--json"]);
    stories.expect_code(0);
    let id = stories
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"].as_str().is_some_and(|t| t.contains(needle)))
        .unwrap_or_else(|| panic!("no story titled {needle:?}"))["id"]
        .as_i64()
        .unwrap();
    let ex = env.run(&["explain", &id.to_string()]);
    ex.expect_code(0);
    ex.stdout
        .lines()
        .find_map(|line| line.strip_prefix("topic:"))
        .and_then(|rest| rest.trim().rsplit_once(" (score"))
        .map(|(name, _)| name.trim().to_string())
        .unwrap_or_else(|| panic!("no topic line in explain {id}:\n{}", ex.stdout))
}

#[test]
fn hidden_text_and_source_hints_no_longer_decide_the_topic() {
    let corpus = corpus_or_skip!();
    let env = corpus_env(&corpus, &labelled_files(&labels()));
    // A Rust crate on Planet PythonBrasil: "benchmarks" deep in the body made it Performance.
    assert_eq!(explained_topic(&env, "New crate: nthash"), OTHER);
    // Real Python's milestone post went to Learning because of its source.
    assert_eq!(
        explained_topic(&env, "Celebrating 1 Million Page Views"),
        "Community & events"
    );
    // A desktop-GUI episode went to Typing via "typeshed" in the show notes.
    assert_ne!(
        explained_topic(&env, "The GUI phoenix rises with wxPython"),
        "Typing"
    );
    // "Sets in Python" landed in Other.
    assert_eq!(
        explained_topic(&env, "Sets in Python"),
        "Learning & tutorials"
    );
}

#[test]
fn a_sources_only_config_files_2018_posts_under_named_topics() {
    let corpus = corpus_or_skip!();
    let env = corpus_env(&corpus, &labelled_files(&labels()));
    let digest = env.run(&[
        "digest",
        "--since",
        "2018-08-01",
        "--until",
        "2018-09-30",
        "--json",
    ]);
    digest.expect_code(0);
    let mut counts: Vec<(String, usize)> = digest.json()["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["items"].as_array().unwrap().len(),
            )
        })
        .filter(|(name, _)| name != PODCASTS)
        .collect();
    counts.sort();
    let posts: usize = counts.iter().map(|(_, n)| n).sum();
    let other = counts
        .iter()
        .find(|(name, _)| name == OTHER)
        .map_or(0, |(_, n)| *n);
    let named = counts.iter().filter(|(name, _)| name != OTHER).count();
    println!("2018-08-01..2018-09-30: {posts} posts: {counts:?}");
    assert!(named >= 5, "{counts:?}");
    assert!(other * 5 <= posts, "{counts:?}");
}

#[test]
fn podcast_sponsor_lines_never_reach_a_summary() {
    let corpus = corpus_or_skip!();
    let env = corpus_env(
        &corpus,
        &["feeds/py-pythonbytes-podcast-rss-2020.xml".to_string()],
    );
    let digest = env.run(&[
        "digest",
        "--since",
        "1990-01-01",
        "--until",
        "2100-01-01",
        "--json",
    ]);
    digest.expect_code(0);
    let mut episodes = 0;
    for t in digest.json()["topics"].as_array().unwrap() {
        for item in t["items"].as_array().unwrap() {
            episodes += 1;
            let summary = item["summary"].as_str().unwrap_or("").to_lowercase();
            assert!(!summary.contains("sponsored by"), "{summary}");
        }
    }
    assert!(episodes > 50, "{episodes} episodes");
}

/// Purity, inverse purity and F of predicted vs gold classes (one pair per item).
fn clustering_scores(pairs: &[(String, String)]) -> (f64, f64, f64) {
    let n = pairs.len() as f64;
    let mut overlap: HashMap<(&str, &str), usize> = HashMap::new();
    for (pred, gold) in pairs {
        *overlap.entry((pred.as_str(), gold.as_str())).or_default() += 1;
    }
    let mut best_by_pred: HashMap<&str, usize> = HashMap::new();
    let mut best_by_gold: HashMap<&str, usize> = HashMap::new();
    for (&(pred, gold), &c) in &overlap {
        let p = best_by_pred.entry(pred).or_default();
        *p = (*p).max(c);
        let g = best_by_gold.entry(gold).or_default();
        *g = (*g).max(c);
    }
    let purity = best_by_pred.values().sum::<usize>() as f64 / n;
    let inverse = best_by_gold.values().sum::<usize>() as f64 / n;
    let f = if purity + inverse > 0.0 {
        2.0 * purity * inverse / (purity + inverse)
    } else {
        0.0
    };
    (purity, inverse, f)
}

#[test]
fn hand_labelled_items_are_filed_under_their_topics() {
    let corpus = corpus_or_skip!();
    let labels = labels();
    assert!(labels.len() >= 200, "at least 200 labelled items");

    // One source per labelled corpus file.
    let files = labelled_files(&labels);
    let topic_names = taxonomy_names();
    assert!(
        topic_names.len() >= 10,
        "the built-in taxonomy: {topic_names:?}"
    );
    for l in &labels {
        for t in std::iter::once(&l.topic).chain(&l.alt) {
            assert!(
                t == OTHER || topic_names.contains(t),
                "label {:?} names unknown topic {t:?}",
                l.url
            );
        }
    }
    let env = corpus_env(&corpus, &files);

    // Every story in the store, by its URL and canonical URL.
    let stories = env.run(&["stories", "--json"]);
    stories.expect_code(0);
    let mut story_by_url: HashMap<String, i64> = HashMap::new();
    for s in stories.json().as_array().unwrap() {
        let id = s["id"].as_i64().unwrap();
        for key in ["url", "canonical_url"] {
            if let Some(u) = s[key].as_str() {
                story_by_url.entry(canon(u)).or_insert(id);
            }
        }
    }

    // The topic of every story the digest shows under a topic, over the whole corpus period.
    let digest = env.run(&[
        "digest",
        "--since",
        "1990-01-01",
        "--until",
        "2100-01-01",
        "--json",
        "--include-sponsored",
    ]);
    digest.expect_code(0);
    let mut topic_by_id: HashMap<i64, String> = HashMap::new();
    for t in digest.json()["topics"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if name == PODCASTS {
            continue;
        }
        for item in t["items"].as_array().unwrap() {
            let id: i64 = item["id"].as_str().unwrap().parse().unwrap();
            topic_by_id.insert(id, name.to_string());
        }
    }

    // Match the labels; stories the digest files elsewhere (podcast episodes) or leaves out
    // get the topic `explain` reports, which is the same classification.
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for l in &labels {
        let Some(&id) = story_by_url.get(&canon(&l.url)) else {
            missing.push(l);
            continue;
        };
        let predicted = match topic_by_id.get(&id) {
            Some(t) => t.clone(),
            None => {
                let ex = env.run(&["explain", &id.to_string()]);
                ex.expect_code(0);
                ex.stdout
                    .lines()
                    .find_map(|line| line.strip_prefix("topic:"))
                    .and_then(|rest| rest.trim().rsplit_once(" (score"))
                    .map(|(name, _)| name.trim().to_string())
                    .unwrap_or_else(|| panic!("no topic line in explain {id}:\n{}", ex.stdout))
            }
        };
        found.push((l, predicted));
    }

    // An item matches gold when the predicted topic is its topic or its alternative.
    let pairs: Vec<(String, String)> = found
        .iter()
        .map(|(l, pred)| {
            let gold = if *pred == l.topic || l.alt.as_ref() == Some(pred) {
                pred.clone()
            } else {
                l.topic.clone()
            };
            (pred.clone(), gold)
        })
        .collect();
    let n = pairs.len();
    let (purity, inverse, f) = clustering_scores(&pairs);
    let other = pairs.iter().filter(|(p, _)| p == OTHER).count();
    let correct = pairs.iter().filter(|(p, g)| p == g).count();

    let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
    for ((_, pred), (_, gold)) in found.iter().zip(&pairs) {
        if pred != gold {
            *confusions.entry((gold.clone(), pred.clone())).or_default() += 1;
        }
    }
    let mut confusions: Vec<_> = confusions.into_iter().collect();
    confusions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    println!(
        "topic quality on data/topic-labels.tsv ({} files)",
        files.len()
    );
    println!("  found in store: {n} of {} labelled items", labels.len());
    for l in &missing {
        println!("  not found: {} {} ({})", l.file, l.url, l.excerpt);
    }
    println!("  purity:         {purity:.3}");
    println!("  inverse purity: {inverse:.3}");
    println!("  F:              {f:.3}   (floor {F_FLOOR:.3})");
    println!(
        "  Other:          {:.1} % ({other} of {n})",
        100.0 * other as f64 / n as f64
    );
    println!(
        "  matching label: {:.1} % ({correct} of {n})",
        100.0 * correct as f64 / n as f64
    );
    // Terms were tuned looking at the even rows only; the odd rows are the held-out check.
    for (half, parity) in [("even rows (tuned on)", 0), ("odd rows (held out)", 1)] {
        let part: Vec<(String, String)> = found
            .iter()
            .zip(&pairs)
            .filter(|((l, _), _)| l.row % 2 == parity)
            .map(|(_, p)| p.clone())
            .collect();
        let (p, i, f) = clustering_scores(&part);
        let o = part.iter().filter(|(p, _)| p == OTHER).count();
        println!(
            "  {half}: purity {p:.3}, inverse purity {i:.3}, F {f:.3}, Other {:.1} % (n = {})",
            100.0 * o as f64 / part.len().max(1) as f64,
            part.len()
        );
    }
    if std::env::var_os("TOPIC_QUALITY_MISSES").is_some() {
        for ((l, pred), (_, gold)) in found.iter().zip(&pairs) {
            if pred != gold && l.row % 2 == 0 {
                println!("  miss: {gold} -> {pred}: {} [{}]", l.excerpt, l.url);
            }
        }
    }
    println!("  top confusions (labelled -> predicted):");
    for ((gold, pred), c) in confusions.iter().filter(|(_, c)| *c >= 2).take(30) {
        println!("    {c:>3}  {gold} -> {pred}");
    }

    assert!(
        n * 100 >= labels.len() * 95,
        "only {n} of {} labelled items found in the store",
        labels.len()
    );
    assert!(
        f >= F_FLOOR,
        "topic classification got worse: F {f:.3} < floor {F_FLOOR:.3}"
    );
}

#[test]
fn canon_ignores_scheme_www_tracking_and_trailing_slash() {
    assert_eq!(
        canon("http://www.Example.com/a/?utm_source=x&id=3#top"),
        "example.com/a?id=3"
    );
    assert_eq!(
        canon("https://example.com/a"),
        canon("http://example.com/a/")
    );
}

#[test]
fn purity_and_inverse_purity_follow_the_clustering_definitions() {
    let p = |a: &str, b: &str| (a.to_string(), b.to_string());
    // Predicted {A: a,a,b} {B: b}: purity (2+1)/4, inverse purity (2+1)/4.
    let (purity, inverse, f) =
        clustering_scores(&[p("A", "a"), p("A", "a"), p("A", "b"), p("B", "b")]);
    assert!((purity - 0.75).abs() < 1e-9);
    assert!((inverse - 0.75).abs() < 1e-9);
    assert!((f - 0.75).abs() < 1e-9);
    // Everything in one predicted cluster: purity is the largest class share, inverse purity 1.
    let (purity, inverse, _) = clustering_scores(&[p("X", "a"), p("X", "a"), p("X", "b")]);
    assert!((purity - 2.0 / 3.0).abs() < 1e-9);
    assert!((inverse - 1.0).abs() < 1e-9);
}

#[test]
fn a_two_month_period_has_top_stories_without_podcasts_counts_episodes_once_and_no_trending() {
    let corpus = corpus_or_skip!();
    let env = corpus_env(&corpus, &labelled_files(&labels()));
    let md = env.run(&["digest", "--since", "2018-08-01", "--until", "2018-09-30"]);
    md.expect_code(0);
    let top: Vec<&str> = md
        .stdout
        .lines()
        .skip_while(|l| *l != "## Top stories")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(top.len(), 5, "{}", md.stdout);
    for l in &top {
        assert!(
            !l.contains("talkpython.fm") && !l.contains("pythonbytes.fm"),
            "a podcast episode in Top stories: {l}"
        );
    }
    let overview = md.stdout.lines().nth(2).unwrap_or("");
    assert!(
        overview.contains("of them podcast episodes") && overview.contains("this period"),
        "{overview}"
    );
    assert!(!md.stdout.contains("Plus "), "{overview}");
    // Two months: no "trending" against a baseline.
    assert!(!md.stdout.contains("## Trending"), "{}", md.stdout);
}
