//! Issue 14, the rest: `-v`/`-vv`, stale sources, lossless OPML, `sources add/remove`, Atom
//! links, the catalogue.

use crate::util::{FAST_SETTINGS, Reply, Server, TestEnv, source};

/// An RSS feed with one item per (guid, date) pair.
fn feed(items: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (id, date) in items {
        body.push_str(&format!(
            "<item><title>Story {id}</title><link>https://ex.example/{id}</link>\
             <guid>https://ex.example/{id}</guid><pubDate>{date}</pubDate></item>"
        ));
    }
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Ex</title>\
         <link>https://ex.example/</link><description>d</description>{body}</channel></rss>"
    )
}

#[test]
fn verbose_prints_a_line_per_source_and_vv_the_requests() {
    let body = feed(&[
        ("a", "Mon, 13 Oct 2025 10:00:00 GMT"),
        ("b", "Tue, 14 Oct 2025 10:00:00 GMT"),
    ]);
    let server = Server::start(move |req| {
        if req.headers.contains_key("if-none-match") {
            Reply::status(304)
        } else {
            Reply::Full {
                status: 200,
                headers: vec![
                    ("ETag".into(), "\"v1\"".into()),
                    ("Content-Type".into(), "application/rss+xml".into()),
                ],
                body: body.clone().into_bytes(),
            }
        }
    });
    let env = TestEnv::new();
    env.config(&format!(
        "{FAST_SETTINGS}{}",
        source("ex", &server.url("feed.xml"), "feed")
    ));
    let first = env.run(&["fetch", "-v"]);
    first.expect_code(0);
    let line = first
        .stderr
        .lines()
        .find(|l| l.starts_with("ex: "))
        .unwrap_or_else(|| panic!("no -v line:\n{}", first.stderr));
    assert!(line.contains(&server.url("feed.xml")), "{line}");
    for part in [" 200,", "bytes", "2 entries", "2 new", " ms", "not cached"] {
        assert!(line.contains(part), "{part:?} missing from {line}");
    }
    let second = env.run(&["fetch", "-v"]);
    let line = second
        .stderr
        .lines()
        .find(|l| l.starts_with("ex: "))
        .unwrap_or_else(|| panic!("no -v line:\n{}", second.stderr));
    assert!(
        line.contains(" 304,") && line.ends_with(", cached"),
        "{line}"
    );

    let quiet = env.run(&["fetch"]);
    assert!(!quiet.stderr.contains("ex: "), "{}", quiet.stderr);

    let vv = env.run(&["fetch", "-vv"]);
    assert!(vv.stderr.contains("GET http"), "{}", vv.stderr);
    assert!(vv.stderr.contains("If-None-Match: \"v1\""), "{}", vv.stderr);
    assert!(vv.stderr.contains("HTTP 304"), "{}", vv.stderr);
}

#[test]
fn every_source_unreachable_gives_one_network_hint() {
    // Port 1 on loopback refuses connections: the same failure class as an offline machine.
    let env = TestEnv::new();
    env.config(&format!(
        "{FAST_SETTINGS}{}{}",
        source("one", "http://127.0.0.1:1/a.xml", "feed"),
        source("two", "http://127.0.0.1:1/b.xml", "feed")
    ));
    let run = env.run(&["fetch"]);
    run.expect_code(3);
    assert_eq!(
        run.stderr.matches("network looks unreachable").count(),
        1,
        "{}",
        run.stderr
    );

    // One source answering means the network is fine: no hint.
    let server = Server::start(|_| Reply::status(500));
    env.config(&format!(
        "{FAST_SETTINGS}{}{}",
        source("one", "http://127.0.0.1:1/a.xml", "feed"),
        source("up", &server.url("x.xml"), "feed")
    ));
    let run = env.run(&["fetch"]);
    run.expect_code(3);
    assert!(!run.stderr.contains("unreachable"), "{}", run.stderr);
}

/// An RFC 2822 date `days` ago.
fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

#[test]
fn silent_sources_are_stale_and_json_has_what_the_table_shows() {
    let old = feed(&[("old1", &days_ago(400)), ("old2", &days_ago(120))]);
    let fresh = feed(&[("new1", &days_ago(3))]);
    let server = Server::start(move |req| {
        let body = if req.path.contains("old") {
            &old
        } else {
            &fresh
        };
        Reply::ok(body.clone(), "application/rss+xml")
    });
    let env = TestEnv::new();
    env.config(&format!(
        "{FAST_SETTINGS}{}{}",
        source("quiet", &server.url("old.xml"), "feed"),
        source("lively", &server.url("new.xml"), "feed")
    ));
    env.run(&["fetch"]).expect_code(0);

    let table = env.run(&["sources"]);
    table.expect_code(0);
    let row = |id: &str| {
        table
            .stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("no row {id}:\n{}", table.stdout))
            .to_string()
    };
    // The last new entry is the newest entry's own date, not the day it was fetched.
    let quiet = row("quiet");
    assert!(quiet.contains(" stale "), "{quiet}");
    let expected = (chrono::Utc::now() - chrono::Duration::days(120))
        .format("%Y-%m-%d")
        .to_string();
    assert!(quiet.trim_end().ends_with(&expected), "{quiet}");
    assert!(row("lively").contains(" ok "), "{}", row("lively"));

    let json = env.run(&["sources", "--json"]).json();
    let list = json.as_array().unwrap();
    let quiet = list.iter().find(|s| s["id"] == "quiet").unwrap();
    assert_eq!(quiet["status"], "stale");
    assert_eq!(quiet["fetch_status"], "ok");
    assert_eq!(quiet["name"], "quiet");
    assert!(
        quiet["last_new_entry"]
            .as_str()
            .unwrap()
            .starts_with(&expected)
    );
    assert!(quiet.get("failing_since").is_some(), "{quiet}");
    let lively = list.iter().find(|s| s["id"] == "lively").unwrap();
    assert_eq!(lively["status"], "ok");
}

const TOPICS: &str = "[[topic]]\nname = \"Web\"\nterms = { django = 3 }\n\n";

#[test]
fn opml_from_pydigest_reimports_identical_and_foreign_opml_still_reads() {
    let a = TestEnv::new();
    a.config(&format!(
        "{TOPICS}{}",
        r#"# my sources
[[source]]
id = "pythonbytes"
name = "Python Bytes"
url = "https://pythonbytes.fm/episodes/rss"
kind = "podcast"
weight = 1.5
tags = ["weekly", "audio"]

[[source]]
id = "pycoders"
name = "PyCoder's Weekly & <friends>"
url = "https://pycoders.com/issues.rss"
kind = "newsletter"
topic = "Web"

[[source]]
id = "psf-jobs"
name = "PSF Jobs"
url = "https://www.python.org/jobs/?a=1&b=2"
kind = "page"
[source.selectors]
item = "ol.list-recent-jobs > li"
title = "h2 a"
link = "h2 a"

[[source]]
id = "planet"
name = "Planet Python"
url = "https://planetpython.org/rss20.xml"
tags = ["aggregator"]
"#
    ));
    a.run(&["sources", "export", "-o", "a.opml"]).expect_code(0);
    let exported = std::fs::read_to_string(a.path("a.opml")).unwrap();
    assert!(exported.contains("xmlns:pydigest="), "{exported}");

    let b = TestEnv::new();
    b.config(TOPICS);
    let import = b.run(&["sources", "import", a.path("a.opml").to_str().unwrap()]);
    import.expect_code(0);
    assert!(
        import.stderr.contains("4 sources added"),
        "{}",
        import.stderr
    );
    let again = b.run(&["sources", "export"]);
    again.expect_code(0);
    assert_eq!(again.stdout, exported);
    let listed = b.run(&["sources", "--json"]).json();
    let kinds: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("pythonbytes", "podcast"),
            ("pycoders", "newsletter"),
            ("psf-jobs", "page"),
            ("planet", "feed")
        ]
        .map(|(i, k)| (i.to_string(), k.to_string()))
    );

    // A list from another reader: folders, no namespace, names outside ASCII.
    let c = TestEnv::new();
    c.config("");
    std::fs::write(
        c.path("planet.opml"),
        "<?xml version=\"1.0\"?><opml version=\"1.1\"><head><title>Planet</title></head><body>\
         <outline text=\"People\">\
         <outline type=\"rss\" text=\"Éric Araujo\" xmlUrl=\"https://eric.example/feed\"/>\
         <outline text=\"Mike Müller\" title=\"Mike Müller\" xmlUrl=\"https://mike.example/rss\"/>\
         </outline>\
         <outline type=\"link\" text=\"A web page\" url=\"https://page.example/\"/>\
         </body></opml>",
    )
    .unwrap();
    let run = c.run(&["sources", "import", c.path("planet.opml").to_str().unwrap()]);
    run.expect_code(0);
    let toml = std::fs::read_to_string(c.path("feeds.toml")).unwrap();
    assert!(toml.contains("id = \"eric-araujo\""), "{toml}");
    assert!(toml.contains("id = \"mike-muller\""), "{toml}");
    assert!(toml.contains("name = \"Mike Müller\""), "{toml}");
    assert!(!toml.contains("page.example"), "{toml}");
}

/// A site: a home page naming two feeds, the feeds, and a page naming none.
fn site() -> Server {
    Server::start(|req| match req.path.as_str() {
        "/" => Reply::ok(
            "<!doctype html><html><head><title>Éric's site</title>\
             <link rel=\"stylesheet\" href=\"/s.css\">\
             <link rel=\"alternate\" type=\"application/rss+xml\" title=\"All posts\" href=\"/feed.rss\">\
             <link rel=\"Alternate\" type=\"application/atom+xml\" title=\"Python only\" href=\"atom.xml\">\
             </head><body>hi</body></html>",
            "text/html; charset=utf-8",
        ),
        "/bare" => Reply::ok(
            "<html><head><title>No feeds</title></head></html>",
            "text/html",
        ),
        "/feed.rss" => Reply::ok(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Éric Araujo</title>\
             <link>https://eric.example/</link><description>d</description>\
             <item><title>One</title><link>https://eric.example/1</link>\
             <guid>https://eric.example/1</guid><pubDate>Mon, 13 Oct 2025 10:00:00 GMT</pubDate></item>\
             </channel></rss>",
            "application/rss+xml",
        ),
        "/atom.xml" => Reply::ok(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
             <title>Éric on Python</title><id>urn:x</id><updated>2025-10-13T10:00:00Z</updated>\
             <entry><title>Two</title><id>urn:x:2</id><link href=\"https://eric.example/2\"/>\
             <updated>2025-10-13T10:00:00Z</updated></entry></feed>",
            "application/atom+xml",
        ),
        _ => Reply::status(404),
    })
}

const COMMENTED: &str = "# My feeds, kept by hand.\n\
[settings]\n\
connect_timeout_secs = 2 # short: tests\n\
timeout_secs = 3\n\
retries = 1\n\
\n\
# --- Sources ---\n\
\n\
# Blogs I read\n\
[[source]]\n\
id = \"mine\"   # aligned on purpose\n\
url = \"https://mine.example/feed\"\n\
\n\
[[topic]]\n\
name = \"Web\"\n\
terms = { django = 3 }\n\
sources = [\"mine\"]\n";

#[test]
fn sources_add_discovers_feeds_and_remove_keeps_or_purges_entries() {
    let server = site();
    let env = TestEnv::new();
    env.config(COMMENTED);

    let add = env.run(&["sources", "add", &server.url(""), "--tags", "people,blogs"]);
    add.expect_code(0);
    assert_eq!(add.stdout.trim(), "eric-araujo", "{}", add.stderr);
    assert!(add.stderr.contains("names 2 feeds"), "{}", add.stderr);
    assert!(
        add.stderr.contains(&server.url("atom.xml")),
        "{}",
        add.stderr
    );
    let toml = std::fs::read_to_string(env.path("feeds.toml")).unwrap();
    // Every line the user wrote is still there, comments and alignment included.
    for line in COMMENTED.lines() {
        assert!(toml.contains(line), "lost {line:?}:\n{toml}");
    }
    assert!(
        toml.contains(&format!("url = \"{}\"", server.url("feed.rss"))),
        "{toml}"
    );
    assert!(toml.contains("tags = [\"people\", \"blogs\"]"), "{toml}");
    assert!(toml.contains("kind = \"feed\""), "{toml}");

    let second = env.run(&[
        "sources",
        "add",
        &server.url(""),
        "--pick",
        "2",
        "--id",
        "eric-py",
        "--kind",
        "newsletter",
    ]);
    second.expect_code(0);
    let toml = std::fs::read_to_string(env.path("feeds.toml")).unwrap();
    assert!(
        toml.contains(&format!("url = \"{}\"", server.url("atom.xml"))),
        "{toml}"
    );
    assert!(toml.contains("kind = \"newsletter\""), "{toml}");

    // The same feed twice, a page naming no feed, a bad --pick: usage errors, file untouched.
    let before = std::fs::read_to_string(env.path("feeds.toml")).unwrap();
    env.run(&["sources", "add", &server.url("feed.rss")])
        .expect_code(2);
    let bare = env.run(&["sources", "add", &server.url("bare")]);
    bare.expect_code(2);
    assert!(bare.stderr.contains("names no feed"), "{}", bare.stderr);
    env.run(&["sources", "add", &server.url(""), "--pick", "3"])
        .expect_code(2);
    assert_eq!(
        std::fs::read_to_string(env.path("feeds.toml")).unwrap(),
        before
    );
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());

    // A page source: the URL itself, named after its <title>.
    let page = env.run(&["sources", "add", &server.url("bare"), "--kind", "page"]);
    page.expect_code(0);
    assert_eq!(page.stdout.trim(), "no-feeds");

    let fetch = env.run(&["fetch", "--source", "eric-araujo", "--source", "eric-py"]);
    fetch.expect_code(0);
    let count = |env: &TestEnv| env.run(&["info", "--json"]).json()["store"]["entries"].as_i64();
    let stored = count(&env);
    assert_eq!(stored, Some(2));

    let removed = env.run(&["sources", "remove", "eric-araujo"]);
    removed.expect_code(0);
    assert!(removed.stderr.contains("kept"), "{}", removed.stderr);
    assert_eq!(count(&env), stored, "entries are kept without --purge");
    let removed = env.run(&["sources", "remove", "mine"]);
    removed.expect_code(0);
    let toml = std::fs::read_to_string(env.path("feeds.toml")).unwrap();
    assert!(
        !toml.contains("eric-araujo") && !toml.contains("id = \"mine\""),
        "{toml}"
    );
    assert!(
        toml.contains("# My feeds, kept by hand.") && toml.contains("sources = []"),
        "{toml}"
    );
    assert!(
        toml.contains("connect_timeout_secs = 2 # short: tests"),
        "{toml}"
    );

    let purged = env.run(&["sources", "remove", "eric-py", "--purge"]);
    purged.expect_code(0);
    assert!(
        purged.stderr.contains("1 stored entries"),
        "{}",
        purged.stderr
    );
    env.run(&["sources", "remove", "eric-py"]).expect_code(2);
}

/// The example configuration with every source served over loopback, fetched.
fn example_env(server: &Server) -> TestEnv {
    let text = std::fs::read_to_string(crate::util::examples().join("feeds.toml")).unwrap();
    let text = text
        .replace("url = \"file:feeds/", &format!("url = \"{}/", server.base))
        .replace("database = \"example.db\"\n", "");
    let env = TestEnv::new();
    env.config(&text);
    env.run(&["fetch"]).expect_code(0);
    env
}

#[test]
fn atom_entries_link_somewhere_and_a_narrow_export_keeps_the_latest_digests() {
    let server = Server::files(&crate::util::examples().join("feeds"));
    let env = example_env(&server);
    let out = env.path("site");
    let out_s = out.to_str().unwrap();
    let atom = |extra: &[&str]| {
        let mut args = vec!["export", "--out-dir", out_s, "--format", "atom"];
        args.extend_from_slice(extra);
        env.run(&args).expect_code(0);
        let bytes = std::fs::read(out.join("digest.atom")).unwrap();
        feed_rs::parser::parse(&bytes[..]).expect("feed-rs parses the export")
    };
    let ids = |f: &feed_rs::model::Feed| -> Vec<String> {
        f.entries.iter().map(|e| e.id.clone()).collect()
    };

    // One week asked for, the earlier weeks kept: the example data has five.
    let wide = atom(&["--weeks", "2025-W38..2025-W42"]);
    assert_eq!(wide.entries.len(), 5, "{:?}", ids(&wide));
    let narrow = atom(&["--weeks", "2025-W42"]);
    assert_eq!(ids(&narrow), ids(&wide));
    let three = atom(&["--weeks", "2025-W42", "--feed-entries", "3"]);
    assert_eq!(
        ids(&three),
        ["2025-W42", "2025-W41", "2025-W40"].map(|w| format!("urn:pydigest:week:{w}"))
    );

    // Without pages alongside, each entry links to its first story.
    for e in &three.entries {
        assert_eq!(e.links.len(), 1, "{e:?}");
        assert!(e.links[0].href.starts_with("http"), "{:?}", e.links);
        assert_eq!(e.links[0].rel.as_deref(), Some("alternate"));
    }
    // With the week's page exported into the same folder, the entry links to it.
    env.run(&["export", "--out-dir", out_s, "--weeks", "2025-W42"])
        .expect_code(0);
    let linked = atom(&["--weeks", "2025-W42", "--feed-entries", "3"]);
    assert_eq!(linked.entries[0].links[0].href, "2025-W42.md");
    assert!(linked.entries[1].links[0].href.starts_with("http"));
}

#[test]
fn catalogue_sources_say_where_they_were_confirmed_and_ship_no_unverified_page() {
    let env = TestEnv::new();
    env.run(&["init", "catalogue.toml"]).expect_code(0);
    let text = std::fs::read_to_string(env.path("catalogue.toml")).unwrap();
    // Blocks of uncommented lines starting with [[source]].
    let blocks: Vec<&str> = text
        .split("\n\n")
        .filter(|b| b.trim_start().starts_with("[[source]]"))
        .collect();
    assert!(blocks.len() > 30, "{}", blocks.len());
    for b in &blocks {
        assert!(
            b.contains("\n# confirmed: "),
            "no `# confirmed:` line in\n{b}"
        );
        assert!(
            !b.contains("kind = \"page\""),
            "unverified page source:\n{b}"
        );
    }
    let url_of = |id: &str| {
        blocks
            .iter()
            .find(|b| b.contains(&format!("\nid = \"{id}\"\n")))
            .and_then(|b| b.lines().find(|l| l.starts_with("url = ")))
            .map(|l| l.trim_start_matches("url = ").trim_matches('"').to_string())
    };
    assert_eq!(
        url_of("python-insider").as_deref(),
        Some("https://blog.python.org/rss.xml")
    );
    for (id, url) in [
        ("coredispatch", "https://coredispatch.xyz/api/feed/rss"),
        ("djangonews", "https://django-news.com/issues.rss"),
        (
            "talkpython-blog",
            "https://talkpython.fm/blog/posts/index.xml",
        ),
        ("peps", "https://peps.python.org/peps.rss"),
        (
            "python-releases",
            "https://www.python.org/downloads/feed.rss",
        ),
        ("scikit-learn", "https://blog.scikit-learn.org/feed.xml"),
    ] {
        assert_eq!(url_of(id).as_deref(), Some(url), "{id}");
    }
    for gone in ["testandcode", "mattlayman", "pydantic", "pythonweekly"] {
        assert_eq!(url_of(gone), None, "{gone} is still in the catalogue");
    }
    // The catalogue loads as a feeds.toml.
    env.config(&text);
    env.run(&["sources", "--json"]).expect_code(0);
}

/// A newsletter issue page on the web: a few sections of linked stories.
fn issue_page(n: u32) -> String {
    format!(
        "<!doctype html><html><head><title>Weekly issue {n}</title></head><body>\
         <header><a href=\"/\">Home</a> <a href=\"/archive\">Archive</a></header>\
         <article><h1>Weekly issue {n}</h1>\
         <h2>Articles</h2>\
         <p><a href=\"https://blog.example/issue{n}-free-threading\">Free-threaded Python in production, part {n}</a>\
         A long look at running without the GIL.</p>\
         <p><a href=\"https://blog.example/issue{n}-uv-workspaces\">Workspaces with uv for monorepos ({n})</a>\
         How to split a big repository.</p>\
         <h2>Projects</h2>\
         <p><a href=\"https://github.com/example/project-{n}\">project-{n}: a fast TOML parser</a>\
         Written in Rust with Python bindings.</p>\
         </article></body></html>"
    )
}

#[test]
fn archive_pages_follow_the_newest_unseen_issues() {
    let issues = std::sync::Arc::new(std::sync::Mutex::new(vec![2u32, 1]));
    let listed = std::sync::Arc::clone(&issues);
    let server = Server::start(move |req| {
        if req.path == "/archive" {
            let items: String = listed
                .lock()
                .unwrap()
                .iter()
                .map(|n| {
                    format!("<li class=\"issue\"><a href=\"/p/issue-{n}#top\">Issue {n}</a></li>")
                })
                .collect();
            return Reply::ok(
                format!(
                    "<html><head><title>Archive</title></head><body>\
                     <a href=\"/about\">About</a><ul class=\"issues\">{items}</ul></body></html>"
                ),
                "text/html",
            );
        }
        match req
            .path
            .strip_prefix("/p/issue-")
            .and_then(|n| n.parse().ok())
        {
            Some(n) => Reply::ok(issue_page(n), "text/html; charset=utf-8"),
            None => Reply::status(404),
        }
    });
    let env = TestEnv::new();
    env.config(&format!(
        "{FAST_SETTINGS}[[source]]\nid = \"weekly\"\nname = \"Weekly\"\nurl = \"{}\"\nkind = \"page\"\n\
         [source.selectors]\nfollow = \"ul.issues li.issue\"\n",
        server.url("archive")
    ));
    let issue_hits = |server: &Server| -> Vec<String> {
        server
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/p/"))
            .map(|r| r.path.clone())
            .collect()
    };

    let first = env.run(&["fetch", "-v"]);
    first.expect_code(0);
    let mut hits = issue_hits(&server);
    hits.sort();
    assert_eq!(hits, ["/p/issue-1", "/p/issue-2"], "{}", first.stderr);
    assert!(first.stderr.contains("issue page"), "{}", first.stderr);
    let stories = env.run(&["stories", "--json"]).json();
    let urls: Vec<&str> = stories
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["url"].as_str())
        .collect();
    for n in [1, 2] {
        assert!(
            urls.contains(&format!("https://blog.example/issue{n}-free-threading").as_str()),
            "{urls:?}"
        );
    }

    // Nothing new on the archive: no issue page is fetched again.
    env.run(&["fetch"]).expect_code(0);
    assert_eq!(issue_hits(&server).len(), 2);

    // Three new issues: only the newest two (max_follow) this time, the third on the next run.
    issues.lock().unwrap().splice(0..0, [5, 4, 3]);
    env.run(&["fetch"]).expect_code(0);
    let hits = issue_hits(&server);
    assert_eq!(
        &hits[2..].iter().collect::<std::collections::BTreeSet<_>>(),
        &["/p/issue-4".to_string(), "/p/issue-5".to_string()]
            .iter()
            .collect()
    );
    env.run(&["fetch"]).expect_code(0);
    let hits = issue_hits(&server);
    assert_eq!(hits.len(), 5, "{hits:?}");
    assert_eq!(hits[4], "/p/issue-3");

    // max_follow = 1: one issue page per run.
    let one = TestEnv::new();
    one.config(&format!(
        "{FAST_SETTINGS}[[source]]\nid = \"weekly\"\nname = \"Weekly\"\nurl = \"{}\"\nkind = \"page\"\n\
         [source.selectors]\nfollow = \"ul.issues a\"\nmax_follow = 1\n",
        server.url("archive")
    ));
    one.run(&["fetch"]).expect_code(0);
    let hits = issue_hits(&server);
    assert_eq!(hits.len(), 6, "{hits:?}");
    assert_eq!(hits[5], "/p/issue-5");
}
