//! Every class of feeds.toml error names the file, the line and the key, gives a hint, and
//! exits with code 2.

use crate::util::{TestEnv, source};

const TOPIC: &str = "[[topic]]\nname = \"Web\"\nterms = { django = 3 }\n\n";

#[test]
fn each_class_of_config_error_is_located_and_exits_2() {
    let src = |extra: &str| {
        format!("{TOPIC}[[source]]\nid = \"a\"\nurl = \"https://a.example/feed\"\n{extra}")
    };
    let cases: Vec<(&str, String, usize, &str)> = vec![
        ("syntax", "[[source]\nid = \"a\"\n".to_string(), 1, ""),
        ("unknown key", src("kidn = \"feed\"\n"), 8, "kidn"),
        (
            "duplicate id",
            format!(
                "{}[[source]]\nid = \"a\"\nurl = \"https://b.example/\"\n",
                src("")
            ),
            9,
            "duplicate source id",
        ),
        (
            "bad url",
            format!("{TOPIC}[[source]]\nid = \"a\"\nurl = \"htp:/nowhere\"\n"),
            7,
            "url",
        ),
        (
            "unknown topic",
            src("topic = \"Webb\"\n"),
            8,
            "unknown topic",
        ),
        (
            "bad time zone",
            "[settings]\ntime_zone = \"Europe/Atlantis\"\n".to_string(),
            2,
            "time_zone",
        ),
        (
            "negative concurrency",
            "[settings]\nconcurrency = -1\n".to_string(),
            2,
            "concurrency",
        ),
        ("bad kind", src("kind = \"blog\"\n"), 8, "kind"),
        (
            "topic hint naming an unknown source",
            format!(
                "[[topic]]\nname = \"Web\"\nterms = {{ django = 3 }}\nsources = [\"astral\"]\n{}",
                "[[source]]\nid = \"a\"\nurl = \"https://a.example/feed\"\n"
            ),
            4,
            "unknown source \"astral\"",
        ),
        (
            "bad selector",
            src("kind = \"page\"\n[source.selectors]\nitem = \"a[[\"\n"),
            10,
            "selector",
        ),
    ];
    for (what, text, line, needle) in cases {
        let env = TestEnv::new();
        env.config(&text);
        let run = env.run(&["sources"]);
        assert_eq!(run.code, 2, "{what}: {}", run.stderr);
        let err = run.stderr.trim();
        assert_eq!(err.lines().count(), 1, "{what}: one line: {err}");
        assert!(
            err.contains(&format!("feeds.toml:{line}:")),
            "{what}: line {line}: {err}"
        );
        assert!(err.contains(needle), "{what}: {needle}: {err}");
        assert!(err.contains("hint:"), "{what}: a hint: {err}");
    }
}

#[test]
fn long_failing_sources_are_reported() {
    let env = TestEnv::new();
    env.config(&format!(
        "[settings]\nfailing_days = 3\n\n{}",
        source("a", "https://a.example/feed", "feed")
    ));
    env.run(&["sources"]).expect_code(0);
    let conn = rusqlite::Connection::open(env.path("pydigest.db")).unwrap();
    conn.execute(
        "UPDATE sources SET last_status = 'failing', last_error = 'HTTP 500', failing_since = '2020-01-01T00:00:00Z', consecutive_failures = 9",
        [],
    )
    .unwrap();
    drop(conn);
    let run = env.run(&["sources"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("failing since 2020-01-01"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("warning: a has been failing for"),
        "{}",
        run.stdout
    );
}
