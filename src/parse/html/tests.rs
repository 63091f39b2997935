use super::*;
use crate::parse::{ParseOptions, decode, parse_document};
use std::collections::BTreeMap;

fn corpus_file(rel: &str) -> Option<Vec<u8>> {
    let path = crate::test_corpus::corpus_dir()?.join(rel);
    // A corpus that is present but lacks a file is broken, not absent: fail rather than skip.
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2025-11-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn page(bytes: &[u8], kind: Option<SourceKind>, base: &str) -> Result<ParsedDoc, ParseError> {
    let opts = ParseOptions {
        base_url: Some(base),
        kind,
        now: Some(now()),
        ..Default::default()
    };
    parse_page(decode(bytes, None), &opts)
}

/// Stories (split entries) per section, in a sorted map; `None` sections are keyed "".
fn per_section(entries: &[Entry]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for e in entries.iter().filter(|e| e.parent_id.is_some()) {
        *m.entry(e.section.clone().unwrap_or_default()).or_insert(0) += 1;
    }
    m
}

fn stories(doc: &ParsedDoc) -> Vec<&Entry> {
    doc.entries
        .iter()
        .filter(|e| e.parent_id.is_some())
        .collect()
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

// ---------- corpus: newsletter issue pages (counted by hand) ----------

#[test]
fn pycoders_599_page_splits_by_section() {
    let Some(bytes) = corpus_file("pages/py-pychina-pycoders-weekly-599.html") else {
        return;
    };
    let base = "https://weekly.pychina.org/issue/issue-599.html";
    let doc = page(&bytes, Some(SourceKind::Newsletter), base).unwrap();
    assert_eq!(doc.meta.format, DocFormat::Html);
    let issue = &doc.entries[0];
    assert_eq!(issue.kind, EntryKind::Issue);
    assert_eq!(issue.id, base);
    assert!(
        issue
            .content_html
            .as_deref()
            .unwrap()
            .contains("pycoders.com/link/11642/web")
    );
    // By hand: 4 featured stories before the first h2, Discussions 1, Articles 11, Projects 5,
    // Events 8; DAMA (the translator's own channels) 2. The "this week in history" links and the
    // PS footer point to weekly.pychina.org itself; the "原文:" source link and the translator
    // credit lines are not stories.
    assert_eq!(
        per_section(&doc.entries),
        counts(&[
            ("", 4),
            ("探讨/吐糟", 1),
            ("文章/教程/嗯哼", 11),
            ("好物/妙品/...", 5),
            ("📆🐍 活动/大会", 8),
            ("DAMA", 2),
        ])
    );
    let s = stories(&doc);
    // The substack ("欢迎订阅": subscribe) is a house ad; nothing else is sponsored.
    let sponsored: Vec<_> = s
        .iter()
        .filter(|e| e.sponsored)
        .map(|e| e.url.as_deref().unwrap())
        .collect();
    assert_eq!(sponsored, ["https://zoomquiet.substack.com/"]);
    let first = s[0];
    assert_eq!(
        first.title.as_deref(),
        Some("如何在 Python 中按字母顺序对 Unicode 字符串进行排序")
    );
    assert!(
        first
            .summary
            .as_deref()
            .unwrap()
            .starts_with("In this tutorial, you’ll learn")
    );
    assert_eq!(
        first.id,
        format!("{base}#https://pycoders.com/link/11642/web")
    );
    assert_eq!(first.parent_id.as_deref(), Some(base));
    assert!(s.iter().all(|e| e.kind == EntryKind::Link
        && e.canonical_url.is_some()
        && e.content_html.is_none()));
    assert!(
        s.iter()
            .all(|e| !e.url.as_deref().unwrap().contains("weekly.pychina.org"))
    );
}

#[test]
fn python_weekly_528_page_splits_by_section() {
    let Some(bytes) = corpus_file("pages/py-pychina-python-weekly-528.html") else {
        return;
    };
    let base = "https://weekly.pychina.org/python-weekly/pyw-528.html";
    let doc = page(&bytes, Some(SourceKind::Newsletter), base).unwrap();
    // By hand: articles 9 (one SonarLint sponsor), the <p><strong> "Python Jobs of the Week" 1,
    // projects 12, releases 1, events 5. The comments section and the sidebar are not stories.
    assert_eq!(
        per_section(&doc.entries),
        counts(&[
            ("文章、教程与话题", 9),
            ("Python Jobs of the Week", 1),
            ("有趣的项目、工具和库", 12),
            ("最近更新", 1),
            ("活动", 5),
        ])
    );
    let s = stories(&doc);
    let sponsored: Vec<_> = s
        .iter()
        .filter(|e| e.sponsored)
        .map(|e| e.title.as_deref().unwrap())
        .collect();
    assert_eq!(
        sponsored,
        ["Deliver Cleaner, More Secure Code with GitHub Codespaces"]
    );
    let jobs: Vec<_> = s
        .iter()
        .filter(|e| e.kind == EntryKind::Job)
        .map(|e| e.title.as_deref().unwrap())
        .collect();
    assert_eq!(jobs, ["WANTED: Senior Python Developer"]);
    let koila = s
        .iter()
        .find(|e| e.title.as_deref() == Some("Koila"))
        .unwrap();
    assert_eq!(
        koila.summary.as_deref(),
        Some("Prevent CUDA error: out of memory in just 1 line of code.")
    );
}

#[test]
fn issue_page_is_detected_without_a_declared_kind() {
    let Some(bytes) = corpus_file("pages/py-pychina-python-weekly-528.html") else {
        return;
    };
    let doc = page(
        &bytes,
        None,
        "https://weekly.pychina.org/python-weekly/pyw-528.html",
    )
    .unwrap();
    assert_eq!(doc.entries[0].kind, EntryKind::Issue);
    assert_eq!(stories(&doc).len(), 28);
}

// ---------- corpus: index pages ----------

#[test]
fn nicoddemus_blog_index() {
    let Some(bytes) = corpus_file("pages/py-nicoddemus-blog-index.html") else {
        return;
    };
    let doc = page(
        &bytes,
        Some(SourceKind::Page),
        "https://nicoddemus.github.io/",
    )
    .unwrap();
    let got: Vec<_> = doc
        .entries
        .iter()
        .map(|e| {
            (
                e.title.as_deref().unwrap(),
                e.url.as_deref().unwrap(),
                e.published.unwrap().date_naive().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "Pytest 2016 sprint funding",
                "https://nicoddemus.github.io/articles/pytest-2016-sprint",
                "2016-02-13".into()
            ),
            (
                "Things that surprised me in PyCharm",
                "https://nicoddemus.github.io/articles/pycharm",
                "2013-11-06".into()
            ),
            (
                "New blog! Now Pelican-powered.",
                "https://nicoddemus.github.io/articles/pelican",
                "2013-10-26".into()
            ),
            (
                "clik: framework for command-line applications",
                "https://nicoddemus.github.io/articles/clik",
                "2013-08-25".into()
            ),
        ]
    );
    assert!(
        doc.entries
            .iter()
            .all(|e| e.kind == EntryKind::Post && e.summary.is_some())
    );
}

#[test]
fn quansight_home_page_has_no_posts() {
    let Some(bytes) = corpus_file("pages/py-quansight-labs-blog-index.html") else {
        return;
    };
    // Despite its file name this is the Labs home page: an intro and a sponsors logo, no posts.
    let err = page(
        &bytes,
        Some(SourceKind::Page),
        "https://labs.quansight.org/",
    )
    .unwrap_err();
    assert!(err.to_string().contains("no posts or story links"), "{err}");
}

#[test]
fn pychina_index_lists_issues() {
    let Some(bytes) = corpus_file("pages/py-pychina-index.html") else {
        return;
    };
    let doc = page(&bytes, None, "https://weekly.pychina.org/").unwrap();
    let urls: Vec<_> = doc
        .entries
        .iter()
        .map(|e| e.url.as_deref().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "https://weekly.pychina.org/pyrecap/pyrw-2522.html",
            "https://weekly.pychina.org/pyrecap/pyrw-2521.html",
            "https://weekly.pychina.org/pyrecap/pyrw-2520.html",
        ]
    );
    assert_eq!(doc.entries[0].title.as_deref(), Some("上周蠎快讯 2025/22"));
}

#[test]
fn python_weekly_history_table() {
    let Some(bytes) = corpus_file("pages/py-pythonweekly-history-recent-2017.html") else {
        return;
    };
    let doc = page(&bytes, None, "https://weekly.pychina.org/history.html").unwrap();
    // 283 rows, each: issue number link, English title, Chinese title (same URL).
    assert_eq!(doc.entries.len(), 283);
    assert_eq!(
        doc.entries[0].title.as_deref(),
        Some("An end to end implementation of a Machine Learning pipeline")
    );
    assert_eq!(
        doc.entries[0].url.as_deref(),
        Some("https://spandan-madan.github.io/DeepLearningProject/")
    );
}

#[test]
fn planet_front_page() {
    let Some(bytes) = corpus_file("pages/py-planet-pythonbrasil-index-2025.html") else {
        return;
    };
    let doc = page(&bytes, None, "https://planet.python.org.br/").unwrap();
    // 60 entry groups; two pairs repeat a URL (one differs only by trailing whitespace): 58 posts.
    // The author h3 links are not posts.
    assert_eq!(doc.entries.len(), 58);
    let first = &doc.entries[0];
    assert_eq!(
        first.title.as_deref(),
        Some("Building and Publishing Games to Steam Directly from GitHub Actions")
    );
    assert_eq!(
        first.published.unwrap().date_naive().to_string(),
        "2025-03-23"
    );
    assert!(doc.entries.iter().all(|e| e.published.is_some()));
    assert!(
        !doc.entries
            .iter()
            .any(|e| e.url.as_deref() == Some("https://nullonerror.org/"))
    );
}

// ---------- corpus: newsletter feeds ----------

#[test]
fn pychina_newsletter_feeds_split() {
    for (f, min_items) in [
        ("feeds/py-pychina-pycoders-weekly-zh-rss.xml", 90),
        ("feeds/py-pychina-python-weekly-zh-rss.xml", 68),
    ] {
        let Some(bytes) = corpus_file(f) else { return };
        let doc = newsletter_feed(&bytes);
        let issues: Vec<_> = doc
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Issue)
            .collect();
        assert_eq!(issues.len(), 100, "{f}");
        let s = stories(&doc);
        let sections: std::collections::HashSet<_> =
            s.iter().filter_map(|e| e.section.clone()).collect();
        println!(
            "{f}: issues {} stories {} sponsored {} jobs {} sections {}",
            issues.len(),
            s.len(),
            s.iter().filter(|e| e.sponsored).count(),
            s.iter().filter(|e| e.kind == EntryKind::Job).count(),
            sections.len()
        );
        assert!(s.len() >= min_items, "{f}: {}", s.len());
        for e in &s {
            let parent = e.parent_id.as_deref().unwrap();
            assert!(issues.iter().any(|i| i.id == parent));
            assert!(e.id.starts_with(&format!("{parent}#")));
            assert!(e.url.as_deref().unwrap().starts_with("http"));
        }
    }
}

fn newsletter_feed(bytes: &[u8]) -> ParsedDoc {
    let opts = ParseOptions {
        kind: Some(SourceKind::Newsletter),
        base_url: Some("https://weekly.pychina.org/"),
        now: Some(now()),
        ..Default::default()
    };
    parse_document(bytes, &opts).expect("newsletter feed parses")
}

// ---------- project example feed ----------

#[test]
fn pycoders_example_feed_split() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/feeds/pycoders.xml"
    ))
    .unwrap();
    let doc = newsletter_feed(&bytes);
    let i704 = "https://pycoders.com/issues/704";
    let of_704: Vec<_> = doc
        .entries
        .iter()
        .filter(|e| e.parent_id.as_deref() == Some(i704))
        .cloned()
        .collect();
    // The brief said 11 stories; counted by hand there are 12 (2 featured, 5 articles, 3 projects,
    // 2 events). Links besides the two "View in Browser" and the home page: 12 stories, 1 sponsor (its
    // "Start free today" link repeats the URL), 1 job; "More Python Jobs >>>" is navigation.
    assert_eq!(
        per_section(&of_704),
        counts(&[
            ("Featured", 2),
            ("Articles & Tutorials", 6),
            ("Projects & Code", 3),
            ("Events", 2),
            ("Python Jobs", 1)
        ])
    );
    let sponsor: Vec<_> = of_704.iter().filter(|e| e.sponsored).collect();
    assert_eq!(sponsor.len(), 1);
    assert_eq!(
        sponsor[0].title.as_deref(),
        Some("Deploy Python Apps in Minutes With AcmeCloud")
    );
    assert!(
        sponsor[0]
            .summary
            .as_deref()
            .unwrap()
            .starts_with("Push your Django")
    );
    let job: Vec<_> = of_704.iter().filter(|e| e.kind == EntryKind::Job).collect();
    assert_eq!(job.len(), 1);
    assert_eq!(
        job[0].url.as_deref(),
        Some("https://pycoders.com/jobs/2931/")
    );
    assert_eq!(job[0].summary, None);
    let issue = doc.entries.iter().find(|e| e.id == i704).unwrap();
    assert!(
        of_704
            .iter()
            .all(|e| e.published == issue.published && e.authors.is_empty())
    );
    // #703 uses <p><strong> headings.
    let of_703: Vec<_> = doc
        .entries
        .iter()
        .filter(|e| e.parent_id.as_deref() == Some("https://pycoders.com/issues/703"))
        .collect();
    assert!(
        of_703
            .iter()
            .any(|e| e.section.as_deref() == Some("Featured"))
    );
    assert!(
        of_703
            .iter()
            .any(|e| e.section.as_deref() == Some("Articles & Tutorials"))
    );
    // Each issue is followed by its stories.
    let pos = doc.entries.iter().position(|e| e.id == i704).unwrap();
    assert_eq!(doc.entries[pos + 1].parent_id.as_deref(), Some(i704));
}

// ---------- project fixtures ----------

const ISSUE: &str = r#"<p>#12 – <a href="https://news.example/issues/12">View in Browser »</a></p>
<h2>Articles</h2>
<p><a href="/link/1/web">A relative story</a></p>
<p>This story is linked relatively and must come out absolute, with this paragraph as its blurb.</p>
<p><a href="https://blog.example/two?utm_source=news">Second story</a> – a blurb that sits in the same paragraph as the link.</p>
<p><a href="https://blog.example/two">Second story again</a></p>
<p><a href="https://ads.example/buy">Buy our thing</a> [Sponsor]</p>
<p>It is a very good thing and you should buy it today.</p>
<p><a href="https://blog.example/empty"></a> <a href="https://blog.example/img"><img src="x.png"></a></p>
<p>Write to <a href="mailto:editor@news.example">the editor</a> with tips about anything you like.</p>
<h2>Jobs</h2>
<ul><li><a href="https://acme.example/careers/42">Python Developer at Acme</a></li></ul>
<hr>
<p><a href="https://news.example/unsubscribe?u=1">Unsubscribe</a> | <a href="https://twitter.com/intent/tweet?text=x">Share on Twitter</a> | <a href="https://news.example/">News Example</a></p>"#;

fn fixture_ctx() -> newsletter::IssueCtx {
    newsletter::IssueCtx {
        issue_id: "issue-12".into(),
        issue_url: Some("https://news.example/issues/12".into()),
        base: Some(Url::parse("https://news.example/issues/12").unwrap()),
        own_hosts: vec!["news.example".into()],
        issue_title: Some("Issue 12".into()),
        published: None,
    }
}

#[test]
fn fixture_issue_split() {
    let s = newsletter::split_issue(ISSUE, &fixture_ctx());
    let got: Vec<_> = s
        .iter()
        .map(|e| {
            (
                e.title.as_deref().unwrap(),
                e.section.as_deref().unwrap(),
                e.kind,
                e.sponsored,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("A relative story", "Articles", EntryKind::Link, false),
            ("Second story", "Articles", EntryKind::Link, false),
            ("Buy our thing", "Articles", EntryKind::Link, true),
            ("Python Developer at Acme", "Jobs", EntryKind::Job, false),
        ]
    );
    assert_eq!(s[0].url.as_deref(), Some("https://news.example/link/1/web"));
    assert!(
        s[0].summary
            .as_deref()
            .unwrap()
            .starts_with("This story is linked relatively")
    );
    assert_eq!(
        s[1].summary.as_deref(),
        Some("– a blurb that sits in the same paragraph as the link.")
    );
    assert_eq!(
        s[1].canonical_url.as_deref(),
        Some("https://blog.example/two")
    );
    assert_eq!(s[1].id, "issue-12#https://blog.example/two");
    assert_eq!(
        s[2].summary.as_deref(),
        Some("It is a very good thing and you should buy it today.")
    );
}

#[test]
fn fixture_strong_headings_and_prose_links() {
    let html = r#"<p><strong>Featured</strong></p>
<p>Short <a href="https://a.example/x">x</a>.</p>
<p>In a long paragraph of prose we mention <a href="https://b.example/y">the y project</a> and keep writing for a while.</p>"#;
    let s = newsletter::split_issue(html, &fixture_ctx());
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].title.as_deref(), Some("the y project"));
    assert_eq!(s[0].section.as_deref(), Some("Featured"));
}

#[test]
fn selectors_matching_nothing_warn_and_fail() {
    let html = "<html><head><title>T</title></head><body><div class='x'><a href='/a'>A</a></div></body></html>";
    let selectors = crate::config::Selectors {
        item: Some("article.post".into()),
        ..Default::default()
    };
    let opts = ParseOptions {
        base_url: Some("https://s.example/"),
        kind: Some(SourceKind::Page),
        selectors: Some(&selectors),
        ..Default::default()
    };
    let err = parse_page(decode(html.as_bytes(), None), &opts).unwrap_err();
    assert!(
        err.to_string()
            .contains("selector `item` = `article.post` matched nothing"),
        "{err}"
    );
}

#[test]
fn selectors_extract_items() {
    let html = r#"<html><head><title>Blog</title></head><body>
<h2 class="sec">2025</h2>
<div class="entry"><h3><a href="/p/one">One</a></h3><span class="when">October 29, 2025</span><p>First post.</p></div>
<div class="entry"><h3><a href="/p/two">Two</a></h3><span class="when">2025-10-20</span><p>Second post.</p></div>
</body></html>"#;
    let selectors = crate::config::Selectors {
        item: Some("div.entry".into()),
        date: Some(".when".into()),
        section: Some("h2.sec".into()),
        summary: Some(".nope".into()),
        ..Default::default()
    };
    let opts = ParseOptions {
        base_url: Some("https://s.example/blog/"),
        kind: Some(SourceKind::Page),
        selectors: Some(&selectors),
        now: Some(now()),
        ..Default::default()
    };
    let doc = parse_page(decode(html.as_bytes(), None), &opts).unwrap();
    assert_eq!(doc.meta.title.as_deref(), Some("Blog"));
    assert_eq!(doc.entries.len(), 2);
    let e = &doc.entries[0];
    assert_eq!(
        (e.title.as_deref(), e.url.as_deref()),
        (Some("One"), Some("https://s.example/p/one"))
    );
    assert_eq!(e.id, "https://s.example/p/one");
    assert_eq!(e.published.unwrap().date_naive().to_string(), "2025-10-29");
    assert_eq!(e.section.as_deref(), Some("2025"));
    assert!(
        doc.warnings
            .iter()
            .any(|w| w == "selector `summary` = `.nope` matched nothing"),
        "{:?}",
        doc.warnings
    );
}

#[test]
fn page_without_links_is_an_error() {
    let html = "<html><body><h1>Nothing</h1><p>No links at all.</p></body></html>";
    let err = page(html.as_bytes(), None, "https://s.example/").unwrap_err();
    assert_eq!(err.to_string(), "no links found on the page");
}

#[test]
fn huge_page_parses_quickly() {
    let mut html = String::from("<html><body><h2>Section</h2>");
    let mut i = 0;
    while html.len() < 5 * 1024 * 1024 {
        html.push_str(&format!(
            "<p><a href=\"https://x.example/{i}\">Story number {i}</a> with a description long enough to count.</p>"
        ));
        i += 1;
    }
    html.push_str("</body></html>");
    let start = std::time::Instant::now();
    let doc = page(
        html.as_bytes(),
        Some(SourceKind::Newsletter),
        "https://n.example/1",
    )
    .unwrap();
    assert_eq!(stories(&doc).len(), i);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}
