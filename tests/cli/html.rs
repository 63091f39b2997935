//! `digest --format html` and `export --format html`: the example week's page parsed for
//! structure, escaping and self-containment, and rendered by real headless Chromium.

use crate::digest::{example_config, fetched_example_env};
use crate::util::{TestEnv, source};
use scraper::{Html, Selector};
use std::path::Path;
use std::process::Command;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// Every story title of the week, from `digest --json`.
fn titles(env: &TestEnv) -> Vec<String> {
    let v = env.run(&["digest", "--week", "2025-W42", "--json"]).json();
    v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["items"].as_array().unwrap().iter())
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

/// Loads nothing and runs nothing: no script, no event handler, no external resource, and
/// every link goes to http(s).
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script tag");
    assert!(!lower.contains("javascript:\""), "a javascript: URL");
    let doc = Html::parse_document(html);
    for el in doc.select(&sel("*")) {
        let name = el.value().name();
        for (attr, value) in el.value().attrs() {
            assert!(!attr.starts_with("on"), "event handler {attr} on <{name}>");
            if attr == "src" || attr == "srcset" {
                panic!("<{name} {attr}={value:?}> loads a resource");
            }
            if attr == "href" {
                assert_eq!(name, "a", "<{name} href={value:?}> loads a resource");
                assert!(
                    value.starts_with("https://") || value.starts_with("http://"),
                    "a link to {value:?}"
                );
            }
        }
        assert!(
            !matches!(
                name,
                "img" | "iframe" | "object" | "embed" | "link" | "script"
            ),
            "a <{name}> element"
        );
    }
    let style: String = doc.select(&sel("style")).flat_map(|s| s.text()).collect();
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "{style}"
    );
}

#[test]
fn the_example_week_as_one_self_contained_page() {
    let env = fetched_example_env();
    let run = env.run(&["digest", "--week", "2025-W42", "--format", "html"]);
    run.expect_code(0);
    let html = &run.stdout;
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert_self_contained(html);
    let doc = Html::parse_document(html);
    let viewport = doc
        .select(&sel("meta[name=viewport]"))
        .next()
        .expect("viewport meta");
    assert!(
        viewport
            .value()
            .attr("content")
            .unwrap()
            .contains("width=device-width")
    );
    let style: String = doc
        .select(&sel("head style"))
        .flat_map(|s| s.text())
        .collect();
    for needle in ["prefers-color-scheme: dark", "@media print", "max-width"] {
        assert!(
            style
                .replace("prefers-color-scheme:dark", "prefers-color-scheme: dark")
                .contains(needle),
            "no {needle} in the style"
        );
    }
    let h1: String = doc.select(&sel("h1")).next().unwrap().text().collect();
    assert_eq!(h1, "Python: Weekly Summary (October 13–19, 2025)");
    let title: String = doc.select(&sel("title")).next().unwrap().text().collect();
    assert_eq!(title, h1);

    // The same sections in the same order as the markdown.
    let md = env.run(&["digest", "--week", "2025-W42"]).stdout;
    let md_sections: Vec<&str> = md.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    let h2s: Vec<String> = doc.select(&sel("h2")).map(|h| h.text().collect()).collect();
    let unescaped: Vec<String> = md_sections.iter().map(|s| s.replace('\\', "")).collect();
    assert_eq!(h2s, unescaped);
    assert_eq!(h2s.first().map(String::as_str), Some("Top stories"));

    // Every story is a list item in its section; its title is the text of one link.
    let link_texts: Vec<String> = doc
        .select(&sel("section.topic li a"))
        .map(|a| a.text().collect())
        .collect();
    for t in titles(&env) {
        assert!(link_texts.contains(&t), "{t:?} is not a link text");
    }
    let top = doc.select(&sel("section#top ol > li")).count();
    assert!(top >= 3, "{top} top stories");
}

#[test]
fn hostile_text_and_links_are_inert_in_the_page() {
    let env = TestEnv::new();
    let feed = env.path("hostile.xml");
    std::fs::write(
        &feed,
        r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile</title><link>https://hostile.example/</link>
<item><title>Quote "&gt;&lt;img src=x onerror=alert(1)&gt; &amp;amp; &lt;/li&gt;&lt;/ul&gt;&lt;h1&gt;fake</title>
<link>javascript:alert(1)</link><guid>h1</guid><pubDate>Wed, 15 Oct 2025 10:00:00 +0000</pubDate>
<description>&lt;script&gt;alert(2)&lt;/script&gt;Summary &lt;b onclick="x()"&gt;bold&lt;/b&gt; "q" &amp;lt;tag&amp;gt;</description></item>
<item><title>A &lt; B &amp;&amp; C &gt; D 'single' "double"</title>
<link>https://hostile.example/ok?a=1&amp;b="2"</link><guid>h2</guid><pubDate>Thu, 16 Oct 2025 10:00:00 +0000</pubDate>
<description>x](javascript:alert(1)) and &lt;style&gt;body{display:none}&lt;/style&gt; done</description></item>
</channel></rss>"#,
    )
    .unwrap();
    env.config(&format!(
        "{}{}",
        example_config(),
        source("hostile", &format!("file:{}", feed.display()), "feed")
    ));
    env.run(&["fetch"]).expect_code(0);
    let run = env.run(&["digest", "--week", "2025-W42", "--format", "html"]);
    run.expect_code(0);
    let html = &run.stdout;
    assert_self_contained(html);
    let doc = Html::parse_document(html);
    assert_eq!(doc.select(&sel("h1")).count(), 1, "a title made a heading");
    assert_eq!(
        doc.select(&sel("style")).count(),
        1,
        "a summary made a style"
    );
    assert_eq!(
        doc.select(&sel("b, img")).count(),
        0,
        "feed markup became elements"
    );
    // Each title survives as text, in one element.
    let text: String = doc.root_element().text().collect();
    for t in titles(&env)
        .iter()
        .filter(|t| t.contains('&') || t.contains('<'))
    {
        assert!(text.contains(t.as_str()), "{t:?} is not shown as text");
    }
    assert!(
        text.contains("A < B && C > D 'single' \"double\""),
        "{text}"
    );
    assert!(text.contains("x](javascript:alert(1))"), "{text}");
    // The javascript: story is shown without a link; the other keeps its (escaped) URL.
    let hrefs: Vec<&str> = doc
        .select(&sel("a[href]"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        hrefs.contains(&"https://hostile.example/ok?a=1&b=%222%22"),
        "{hrefs:?}"
    );
}

#[test]
fn export_writes_a_page_per_week_and_an_index() {
    let env = fetched_example_env();
    let out = env.path("site");
    let run = env.run(&[
        "export",
        "--out-dir",
        out.to_str().unwrap(),
        "--weeks",
        "2025-W41..2025-W42",
        "--format",
        "html",
    ]);
    run.expect_code(0);
    let week = std::fs::read_to_string(out.join("2025-W42.html")).unwrap();
    assert_self_contained(&week);
    assert!(week.contains("<h1>Python: Weekly Summary (October 13–19, 2025)</h1>"));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    let doc = Html::parse_document(&index);
    let links: Vec<&str> = doc
        .select(&sel("a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(links.contains(&"2025-W42.html"), "{links:?}");
    for l in &links {
        assert!(out.join(l).is_file(), "{l} is not written");
    }
    // Re-exporting changes nothing.
    let again = env.run(&[
        "export",
        "--out-dir",
        out.to_str().unwrap(),
        "--weeks",
        "2025-W41..2025-W42",
        "--format",
        "html",
    ]);
    again.expect_code(0);
    assert!(again.stderr.contains("0 written"), "{}", again.stderr);
}

/// Debian's `chromium`, or `None` (the test is skipped; under `PYDIGEST_REQUIRE_CHROMIUM=1`
/// it fails instead, as in CI).
fn chromium() -> Option<&'static str> {
    let found = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("chromium");
    }
    assert!(
        std::env::var("PYDIGEST_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
        "chromium is not installed and PYDIGEST_REQUIRE_CHROMIUM=1"
    );
    eprintln!("skipped: chromium is not installed");
    None
}

/// Runs headless chromium on `page` with `extra` flags, a fresh profile and no network
/// chatter, and returns its stdout.
fn run_chromium(bin: &str, page: &Path, profile: &Path, extra: &[&str]) -> String {
    let out = Command::new("timeout")
        .arg("120")
        .arg(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn headless_chromium_renders_every_title_and_a_screenshot() {
    let Some(bin) = chromium() else { return };
    let env = fetched_example_env();
    let page = env.path("digest-2025-W42.html");
    env.run(&[
        "digest",
        "--week",
        "2025-W42",
        "--format",
        "html",
        "--out",
        page.to_str().unwrap(),
    ])
    .expect_code(0);
    let dom = run_chromium(bin, &page, &env.path("profile-dom"), &["--dump-dom"]);
    let doc = Html::parse_document(&dom);
    let text: String = doc.root_element().text().collect();
    for t in titles(&env) {
        assert!(text.contains(&t), "{t:?} is not in the rendered DOM");
    }
    // Kept under target/tmp so a person can look at it after the run.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("digest-2025-W42-phone.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        bin,
        &page,
        &env.path("profile-shot"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=420,900",
            "--hide-scrollbars",
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 10_000,
        "a {}-byte screenshot is blank",
        png.len()
    );
}
