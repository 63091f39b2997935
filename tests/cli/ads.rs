//! Ads never shown: a newsletter's house ad and sponsored links stay out of the digest, its Top
//! stories and the Atom export unless `--include-sponsored`.

use crate::corpus_or_skip;
use crate::util::{TestEnv, source};

const HOUSE_AD: &str = "programmerweekly.com";

fn python_weekly_env() -> Option<TestEnv> {
    let corpus = crate::corpus::corpus_dir()?;
    let file = corpus.join("feeds/py-pychina-python-weekly-zh-rss.xml");
    let env = TestEnv::new();
    env.config(&source(
        "pythonweekly",
        &format!("file:{}", file.display()),
        "newsletter",
    ));
    env.run(&["fetch"]).expect_code(0);
    Some(env)
}

#[test]
fn python_weekly_house_ad_stays_out_of_digest_top_stories_and_atom() {
    let _ = corpus_or_skip!();
    let env = python_weekly_env().unwrap();
    let all = ["--since", "2020-01-01", "--until", "2022-12-31"];
    let md = env.run(&[&["digest"][..], &all[..]].concat());
    md.expect_code(0);
    assert!(!md.stdout.contains(HOUSE_AD), "{}", md.stdout);
    assert!(!md.stdout.contains("Weekly Dose of Programming"));
    let json = env.run(&[&["digest", "--json"][..], &all[..]].concat());
    json.expect_code(0);
    assert!(!json.stdout.contains(HOUSE_AD));
    let out = env.path("atom");
    env.run(&[
        "export",
        "--format",
        "atom",
        "--out-dir",
        out.to_str().unwrap(),
        "--weeks",
        "2021-W01..2021-W30",
    ])
    .expect_code(0);
    let atom = std::fs::read_to_string(out.join("digest.atom")).unwrap();
    assert!(!atom.contains(HOUSE_AD));

    // Asked for, it is there.
    let kept = env.run(&[&["digest", "--json", "--include-sponsored"][..], &all[..]].concat());
    kept.expect_code(0);
    assert!(kept.stdout.contains(HOUSE_AD));
}

#[test]
fn blog_posts_titled_as_sponsored_or_as_job_ads_stay_out_of_the_digest() {
    let env = TestEnv::new();
    let feed = env.path("blog.xml");
    let item = |title: &str, slug: &str| {
        format!(
            "<item><title>{title}</title><link>https://blog.example/{slug}</link>\
             <guid>https://blog.example/{slug}</guid>\
             <pubDate>Tue, 14 Oct 2025 10:00:00 +0000</pubDate>\
             <description>About pytest fixtures.</description></item>"
        )
    };
    std::fs::write(
        &feed,
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title>\
             <link>https://blog.example/</link>{}{}</channel></rss>",
            item("Sponsored: Acme CI runs your pytest suite", "acme"),
            item("pytest fixtures I keep copying", "fixtures")
                + &item("Job: Acme is hiring a Django developer", "acme-job")
        ),
    )
    .unwrap();
    env.config(&source("blog", &format!("file:{}", feed.display()), "feed"));
    env.run(&["fetch"]).expect_code(0);
    let md = env.run(&["digest", "--week", "2025-W42"]);
    md.expect_code(0);
    assert!(
        md.stdout.contains("pytest fixtures I keep copying"),
        "{}",
        md.stdout
    );
    assert!(!md.stdout.contains("Acme"), "{}", md.stdout);
    let kept = env.run(&["digest", "--week", "2025-W42", "--include-sponsored"]);
    assert!(kept.stdout.contains("Acme"), "{}", kept.stdout);
}
