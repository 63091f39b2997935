//! The digest an editor would send (issue 11) on real corpus feeds: floods summarised in one
//! line, one story per episode, undated backlog kept out, clean markdown.

use crate::corpus_or_skip;
use crate::util::{TestEnv, source};

/// A store holding one corpus file as a source `id` of `kind`, fetched once.
fn env_with(file: &str, id: &str, kind: &str, settings: &str) -> TestEnv {
    let corpus = crate::corpus::corpus_dir().expect("corpus");
    let env = TestEnv::new();
    env.config(&format!(
        "{settings}{}",
        source(id, &format!("file:{}", corpus.join(file).display()), kind)
    ));
    env.run(&["fetch"]).expect_code(0);
    env
}

/// The JSON items of every topic.
fn json_items(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["items"].as_array().unwrap())
        .collect()
}

#[test]
fn django_trac_flood_is_summarised_in_one_line() {
    let _ = corpus_or_skip!();
    let env = env_with(
        "feeds/py-django-trac-timeline-rss-2015.xml",
        "djangotrac",
        "feed",
        "",
    );
    let md = env.run(&["digest", "--week", "2015-W03"]);
    md.expect_code(0);
    let listed = md.stdout.lines().filter(|l| l.starts_with("- **")).count();
    assert!(listed <= 3 * 8, "{listed} stories listed:\n{}", md.stdout);
    let more: Vec<&str> = md
        .stdout
        .lines()
        .filter(|l| l.starts_with("- … and ") && l.contains("more from djangotrac"))
        .collect();
    assert!(!more.is_empty(), "{}", md.stdout);

    // JSON keeps every changeset and marks the ones the markdown summarises.
    let json = env.run(&["digest", "--week", "2015-W03", "--json"]);
    json.expect_code(0);
    let v = json.json();
    let items = json_items(&v);
    assert!(items.len() >= 170, "{} items", items.len());
    let collapsed = items.iter().filter(|i| i["collapsed"] == true).count();
    assert_eq!(collapsed, items.len() - listed, "collapsed vs listed");
    let said: usize = more
        .iter()
        .map(|l| {
            l.trim_start_matches("- … and ")
                .split(' ')
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(said, collapsed);
}

#[test]
fn flood_limits_come_from_settings() {
    let _ = corpus_or_skip!();
    let env = env_with(
        "feeds/py-django-trac-timeline-rss-2015.xml",
        "djangotrac",
        "feed",
        "[settings]\nmax_per_topic = 2\nmax_per_source = 1\n\n",
    );
    let md = env.run(&["digest", "--week", "2015-W03"]);
    md.expect_code(0);
    let listed = md.stdout.lines().filter(|l| l.starts_with("- **")).count();
    let sections = md.stdout.lines().filter(|l| l.starts_with("## ")).count();
    assert!(listed <= sections, "{}", md.stdout);
    let bad = TestEnv::new();
    bad.config("[settings]\nmax_per_source = 0\n");
    let r = bad.run(&["sources"]);
    r.expect_code(2);
    assert!(r.stderr.contains("max_per_source"), "{}", r.stderr);
}
