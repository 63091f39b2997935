//! `[[watch]]`: the digest's "Watch: NAME" sections and `pydigest watch`, which prints each
//! matching story once.

use crate::digest::example_config;
use crate::util::{TestEnv, source};

/// Watches for the example week: one that matches ("Security"), one that matches nothing.
const WATCHES: &str = "\n[[watch]]\nname = \"Security\"\nquery = \"security\"\n\n[[watch]]\nname = \"Nothing\"\nquery = \"zzzunmatchedword\"\n";

#[test]
fn the_digest_opens_with_a_section_per_matching_watch() {
    let env = TestEnv::new();
    env.config(&format!("{}{WATCHES}", example_config()));
    env.run(&["fetch"]).expect_code(0);

    let md = env.run(&["digest", "--week", "2025-W42"]);
    md.expect_code(0);
    let headings: Vec<&str> = md.stdout.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(headings[0], "## Watch: Security", "{headings:?}");
    assert_eq!(headings[1], "## Top stories", "{headings:?}");
    assert!(
        !md.stdout.contains("Watch: Nothing"),
        "a watch without matches has no section"
    );
    let section: String = md
        .stdout
        .split("## Watch: Security")
        .nth(1)
        .unwrap()
        .split("## Top stories")
        .next()
        .unwrap()
        .to_string();
    assert!(section.contains("security-releases"), "{section}");

    let json = env.run(&["digest", "--week", "2025-W42", "--json"]).json();
    let watches = json["watches"].as_array().unwrap();
    assert_eq!(watches.len(), 1);
    assert_eq!(watches[0]["name"], "Watch: Security");
    let ids: Vec<&str> = watches[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty());
    // Every watched story is still under exactly one topic.
    let in_topics: Vec<String> = json["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["items"].as_array().unwrap().iter())
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    for id in &ids {
        assert_eq!(in_topics.iter().filter(|t| t == id).count(), 1, "{id}");
    }

    let html = env
        .run(&["digest", "--week", "2025-W42", "--format", "html"])
        .stdout;
    let doc = scraper::Html::parse_document(&html);
    let h2: Vec<String> = doc
        .select(&scraper::Selector::parse("h2").unwrap())
        .map(|h| h.text().collect())
        .collect();
    assert_eq!(&h2[..2], ["Watch: Security", "Top stories"]);
}

/// A feed with `items` as (guid, title, RFC 822 date).
fn feed(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Sec</title><link>https://sec.example/</link>\n",
    );
    for (guid, title, date) in items {
        s.push_str(&format!(
            "<item><title>{title}</title><link>https://sec.example/{guid}</link><guid>{guid}</guid><pubDate>{date}</pubDate><description>About {title}.</description></item>\n"
        ));
    }
    s + "</channel></rss>\n"
}

#[test]
fn watch_prints_each_new_match_once() {
    let env = TestEnv::new();
    let path = env.path("sec.xml");
    std::fs::write(
        &path,
        feed(&[
            (
                "a",
                "CVE-2025-0001 in urllib3",
                "Mon, 13 Oct 2025 10:00:00 +0000",
            ),
            (
                "b",
                "A quiet week for packaging",
                "Tue, 14 Oct 2025 10:00:00 +0000",
            ),
        ]),
    )
    .unwrap();
    env.config(&format!(
        "{}\n[[watch]]\nname = \"CVEs\"\nquery = \"CVE*\"\n",
        source("sec", &format!("file:{}", path.display()), "feed")
    ));

    let first = env.run(&["watch", "--fetch"]);
    first.expect_code(0);
    let lines: Vec<&str> = first.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", first.stdout);
    assert!(
        lines[0].starts_with("CVEs: CVE-2025-0001 in urllib3 — sec "),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with("https://sec.example/a"), "{}", lines[0]);

    let second = env.run(&["watch"]);
    second.expect_code(0);
    assert_eq!(second.stdout, "", "nothing new the second time");
    assert_eq!(env.run(&["watch", "--json"]).stdout, "");

    // A new matching entry (and a new non-matching one) arrives with the next fetch.
    std::fs::write(
        &path,
        feed(&[
            (
                "a",
                "CVE-2025-0001 in urllib3",
                "Mon, 13 Oct 2025 10:00:00 +0000",
            ),
            (
                "b",
                "A quiet week for packaging",
                "Tue, 14 Oct 2025 10:00:00 +0000",
            ),
            (
                "c",
                "CVE-2025-0002 fixed in Django",
                "Wed, 15 Oct 2025 10:00:00 +0000",
            ),
            ("d", "Notebook tips", "Wed, 15 Oct 2025 11:00:00 +0000"),
        ]),
    )
    .unwrap();
    let third = env.run(&["watch", "--fetch", "--json"]);
    third.expect_code(0);
    let v = third.json();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 1, "{v}");
    assert_eq!(items[0]["watch"], "CVEs");
    assert_eq!(items[0]["title"], "CVE-2025-0002 fixed in Django");
    assert_eq!(items[0]["url"], "https://sec.example/c");
    let fourth = env.run(&["watch", "--fetch"]);
    fourth.expect_code(0);
    assert_eq!(fourth.stdout, "", "printed once");
}

#[test]
fn watch_without_watches_and_bad_watches_are_usage_errors() {
    let env = TestEnv::new();
    env.config(&example_config());
    let run = env.run(&["watch"]);
    run.expect_code(2);
    assert!(run.stderr.contains("[[watch]]"), "{}", run.stderr);
    env.config(&format!(
        "{}\n[[watch]]\nname = \"X\"\nquery = \"--\"\n",
        example_config()
    ));
    let run = env.run(&["watch"]);
    run.expect_code(2);
    assert!(run.stderr.contains("query"), "{}", run.stderr);
    env.config(&format!(
        "{}\n[[watch]]\nname = \"X\"\nquery = \"a\"\nqeury = \"b\"\n",
        example_config()
    ));
    env.run(&["watch"]).expect_code(2);
}
