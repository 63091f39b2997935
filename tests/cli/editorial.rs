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

#[test]
fn audio_from_a_plain_feed_goes_to_podcasts_and_reads_cleanly_over_a_period() {
    let _ = corpus_or_skip!();
    // Python Bytes declared as an ordinary feed: its items carry mp3 enclosures.
    let env = env_with(
        "feeds/py-pythonbytes-podcast-rss-2020.xml",
        "pybytes",
        "feed",
        "",
    );
    let range = ["--since", "2018-09-01", "--until", "2018-09-30"];
    let md = env.run(&[&["digest"][..], &range[..]].concat());
    md.expect_code(0);
    let out = &md.stdout;
    assert!(out.contains("## Podcasts & episodes"), "{out}");
    assert!(out.contains("[#95 Unleash the py-spy!]("), "{out}");
    assert!(
        !out.contains("\\#95") && !out.contains("py-spy\\!"),
        "{out}"
    );
    assert!(
        out.contains("this period") && !out.contains("this week"),
        "{out}"
    );
    let json = env.run(&[&["digest", "--json"][..], &range[..]].concat());
    json.expect_code(0);
    let v = json.json();
    for t in v["topics"].as_array().unwrap() {
        assert_eq!(t["name"], "Podcasts & episodes", "{t}");
    }
}

/// Writes an RSS feed of (title, slug) items dated in 2025-W42 to `name` and configures it.
fn synthetic_feed(env: &TestEnv, name: &str, items: &[(&str, &str)]) {
    let feed = env.path(name);
    let xml_escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body: String = items
        .iter()
        .map(|(title, slug)| {
            format!(
                "<item><title>{}</title><link>https://blog.example/{slug}</link>\
                 <guid>https://blog.example/{slug}</guid>\
                 <pubDate>Tue, 14 Oct 2025 10:00:00 +0000</pubDate>\
                 <description>{}</description></item>",
                xml_escape(title),
                xml_escape(title)
            )
        })
        .collect();
    std::fs::write(
        &feed,
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title>\
             <link>https://blog.example/</link>{body}</channel></rss>"
        ),
    )
    .unwrap();
    env.config(&source("blog", &format!("file:{}", feed.display()), "feed"));
    env.run(&["fetch"]).expect_code(0);
}

#[test]
fn clean_markdown_is_still_inert() {
    let env = TestEnv::new();
    synthetic_feed(
        &env,
        "blog.xml",
        &[
            ("![pic](javascript:alert(1)) x](javascript:alert(2))", "a"),
            (
                "<img src=x onerror=alert(1)> and <https://evil.example/>",
                "b",
            ),
            ("**loud** __init__ `code` ~~gone~~ &amp;copy;", "c"),
            (
                "C# 12 vs Python 3.13: 100% faster? Yes! (maybe) a|b {x}",
                "d",
            ),
        ],
    );
    let md = env.run(&["digest", "--week", "2025-W42"]);
    md.expect_code(0);
    let out = &md.stdout;
    assert!(!out.contains("](javascript"), "{out}");
    assert!(!out.contains("<img") && !out.contains("<https"), "{out}");
    assert!(
        !out.contains("**loud**") && out.contains("\\*\\*loud\\*\\*"),
        "{out}"
    );
    assert!(
        // The parser decodes one level of entities; the `&copy;` left must not become ©.
        out.contains("\\_\\_init\\_\\_ \\`code\\` \\~\\~gone\\~\\~ &amp;copy;"),
        "{out}"
    );
    // Punctuation that cannot change the rendering stays as it was.
    assert!(
        out.contains("C# 12 vs Python 3.13: 100% faster? Yes! (maybe) a|b {x}"),
        "{out}"
    );
}

#[test]
fn podcast_episodes_sharing_the_home_page_link_stay_separate_stories() {
    let _ = corpus_or_skip!();
    // Every Taverncast episode links to http://taverncast.com/; each has its own guid.
    let file = "feeds/gen-rssparser-itunes-missing-image.xml";
    let env = env_with(file, "tavern", "podcast", "");
    let all = ["--since", "2005-01-01", "--until", "2016-12-31"];
    let stories = env.run(&[&["stories", "--json"][..], &all[..]].concat());
    stories.expect_code(0);
    let v = stories.json();
    let list = v.as_array().unwrap();
    assert!(list.len() >= 123, "{} stories", list.len());
    for s in list {
        let ids: std::collections::HashSet<&str> = s["sightings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["entry_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 1, "one story, several episodes: {s}");
    }

    // Across sources, stories still merge (on the link, or on title and author where the
    // link is the shared home page), and never hold two entries of one source.
    let corpus = crate::corpus::corpus_dir().unwrap();
    let url = format!("file:{}", corpus.join(file).display());
    let two = TestEnv::new();
    two.config(&(source("tavern", &url, "podcast") + &source("mirror", &url, "feed")));
    two.run(&["fetch"]).expect_code(0);
    let v = two
        .run(&[&["stories", "--json"][..], &all[..]].concat())
        .json();
    let merged = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            let sources: std::collections::HashSet<&str> = s["sightings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["source"].as_str().unwrap())
                .collect();
            assert_eq!(
                sources.len(),
                s["sightings"].as_array().unwrap().len(),
                "{s}"
            );
            sources.len() == 2
        })
        .count();
    assert!(
        merged * 10 >= list.len() * 9,
        "{merged} stories seen in both sources"
    );
}

#[test]
fn an_undated_archive_is_backlog_and_later_links_are_marked_estimated() {
    let corpus = corpus_or_skip!();
    let env = TestEnv::new();
    let page = env.path("archive.html");
    let html =
        std::fs::read_to_string(corpus.join("pages/py-pythonweekly-history-recent-2017.html"))
            .unwrap();
    std::fs::write(&page, &html).unwrap();
    env.config(&source(
        "pyweekly",
        &format!("file:{}", page.display()),
        "page",
    ));
    env.run(&["fetch"]).expect_code(0);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let now = ["--since", today.as_str(), "--until", today.as_str()];

    // 283 undated links from the first fetch: stored, searchable, not this week's news.
    let digest = env.run(&[&["digest", "--json"][..], &now[..]].concat());
    digest.expect_code(0);
    assert!(json_items(&digest.json()).is_empty(), "{}", digest.stdout);
    let stories = env.run(&["stories", "--json"]).json();
    let sightings: Vec<&serde_json::Value> = stories
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["sightings"].as_array().unwrap())
        .collect();
    assert!(sightings.len() >= 283, "{}", sightings.len());
    assert!(
        sightings
            .iter()
            .all(|s| s["backlog"] == true && s["date_estimated"] == true)
    );
    let hit = env
        .run(&["search", "Vector Venture Tkinter", "--json"])
        .json();
    assert_eq!(hit[0]["date_estimated"], true, "{hit}");
    let id = hit[0]["story_id"].to_string();
    let explain = env.run(&["explain", &id]);
    assert!(explain.stdout.contains("backlog"), "{}", explain.stdout);

    // A link that appears later is news, dated when first seen and marked so.
    let row = "<tr><td><a href='http://eepurl.com/x'>287</a></td>\
               <td><a href='https://blog.example/asyncio-task-groups'>Asyncio task groups in practice</a></td>\
               <td><a href='https://blog.example/asyncio-task-groups'>Asyncio 任务组实践</a></td></tr>";
    let at = html.rfind("<tr>").unwrap();
    std::fs::write(&page, format!("{}{row}{}", &html[..at], &html[at..])).unwrap();
    env.run(&["fetch"]).expect_code(0);
    let digest = env.run(&[&["digest", "--json"][..], &now[..]].concat());
    let v = digest.json();
    let items = json_items(&v);
    assert_eq!(items.len(), 1, "{}", digest.stdout);
    assert_eq!(items[0]["title"], "Asyncio task groups in practice");
    assert_eq!(items[0]["date_estimated"], true);
    let md = env.run(&[&["digest"][..], &now[..]].concat());
    assert!(md.stdout.contains("(undated)"), "{}", md.stdout);
    let hit = env.run(&["search", "task groups", "--json"]).json();
    assert_eq!(hit[0]["date_estimated"], true, "{hit}");
    let listed = env.run(&["stories"]);
    assert!(
        listed.stdout.contains(&format!("~{today}")),
        "{}",
        listed.stdout
    );
}
