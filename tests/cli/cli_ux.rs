//! Command-line manners (issue 14): closed pipes, terminal hygiene, completions and man page,
//! read-only and broken stores, `info`.

use crate::util::{FAST_SETTINGS, Reply, Run, Server, TestEnv, source};
use std::io::Read;
use std::process::Stdio;

/// An RSS feed with `n` items, one a day back from 2025-10-17, each with a long description.
fn big_feed(n: usize) -> String {
    let mut items = String::new();
    for i in 0..n {
        let day = chrono::NaiveDate::from_ymd_opt(2025, 10, 17).unwrap()
            - chrono::Days::new(i as u64 % 300);
        items.push_str(&format!(
            "<item><title>Story number {i} about packaging</title>\
             <link>https://big.example/s/{i}</link><guid>https://big.example/s/{i}</guid>\
             <pubDate>{} 10:00:00 GMT</pubDate>\
             <description>Padding text so the output is larger than a pipe buffer, item {i}.</description></item>\n",
            day.format("%a, %d %b %Y")
        ));
    }
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title>\
         <link>https://big.example/</link><description>d</description>{items}</channel></rss>"
    )
}

/// An environment whose store holds one feed served from `body`.
fn env_with_feed(body: String) -> (Server, TestEnv) {
    let server = Server::start(move |_| Reply::ok(body.clone(), "application/rss+xml"));
    let env = TestEnv::new();
    env.config(&format!(
        "{FAST_SETTINGS}{}",
        source("big", &server.url("feed.xml"), "feed")
    ));
    env.run(&["fetch"]).expect_code(0);
    (server, env)
}

/// Runs the binary with stdout a pipe whose reader reads a few bytes and then closes it.
fn run_into_closed_pipe(env: &TestEnv, args: &[&str]) -> Run {
    let mut child = env
        .cmd(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn pydigest");
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    Run::from_output(out)
}

#[test]
fn closed_pipe_ends_quietly_with_exit_0() {
    let (_server, env) = env_with_feed(big_feed(2500));
    for args in [
        &["stories", "--json"][..],
        &["stories"][..],
        &["search", "packaging", "--limit", "2500", "--json"][..],
        &["search", "packaging", "--limit", "2500"][..],
        &["sources", "export"][..],
    ] {
        let run = run_into_closed_pipe(&env, args);
        assert_eq!(run.code, 0, "{args:?}: stderr:\n{}", run.stderr);
        assert!(
            run.stderr.trim().is_empty(),
            "{args:?}: stderr:\n{}",
            run.stderr
        );
    }
}

/// A feed with a zero-width space and bidi controls in a title, and a summary whose phrase
/// FTS5 would cut at the snippet window's edge.
const HYGIENE_FEED: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>\
<title>Lab</title><link>https://lab.example/</link><description>d</description>\
<item><title>pay\u{200b}pal\u{2067} login\u{2069} \u{feff}notice</title>\
<link>https://lab.example/zw</link><guid>https://lab.example/zw</guid>\
<pubDate>Tue, 14 Oct 2025 10:00:00 GMT</pubDate><description>Nothing here.</description></item>\
<item><title>Coverage report</title>\
<link>https://lab.example/cov</link><guid>https://lab.example/cov</guid>\
<pubDate>Wed, 15 Oct 2025 10:00:00 GMT</pubDate><description>w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 \
w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20 w21 added unit test coverage x0 x1 x2 x3 x4 x5 x6 \
x7 x8 x9 x10 x11 x12 x13 x14 x15 x16 x17 x18 x19 x20 x21 x22 x23 x24</description></item>\
</channel></rss>";

#[test]
fn zero_width_and_bidi_characters_never_reach_the_terminal() {
    let (_server, env) = env_with_feed(HYGIENE_FEED.to_string());
    for args in [&["stories"][..], &["search", "notice"][..]] {
        let run = env.run(args);
        run.expect_code(0);
        assert!(run.stdout.contains("paypal login notice"), "{}", run.stdout);
        for c in ['\u{200b}', '\u{2067}', '\u{2069}', '\u{feff}'] {
            assert!(
                !run.stdout.contains(c),
                "{args:?} printed U+{:04X}",
                c as u32
            );
        }
    }
}

#[test]
fn empty_and_punctuation_only_searches_are_one_usage_error() {
    let (_server, env) = env_with_feed(HYGIENE_FEED.to_string());
    let messages: Vec<String> = ["", "\"", "!!", "  ", "* -- ^"]
        .iter()
        .map(|q| {
            let run = env.run(&["search", q]);
            run.expect_code(2);
            assert!(run.stdout.is_empty(), "{q:?}: {}", run.stdout);
            run.stderr
        })
        .collect();
    assert!(messages.iter().all(|m| m == &messages[0]), "{messages:?}");
    assert!(
        messages[0].contains("no words to search for"),
        "{}",
        messages[0]
    );
    env.run(&["search", "!!", "--json"]).expect_code(2);
}

#[test]
fn a_phrase_snippet_shows_the_whole_phrase() {
    let (_server, env) = env_with_feed(HYGIENE_FEED.to_string());
    let run = env.run(&["search", "\"unit test\"", "--json"]);
    run.expect_code(0);
    let hits = run.json();
    let snippet = hits[0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("added unit test coverage"), "{snippet}");
    let run = env.run(&["search", "\"unit test\""]);
    run.expect_code(0);
    assert!(run.stdout.contains("unit test coverage"), "{}", run.stdout);
}

/// The subcommands `--help` lists, so a new command is covered without editing this test.
fn subcommand_names() -> Vec<String> {
    let help = TestEnv::new().run(&["--help"]);
    help.expect_code(0);
    let names: Vec<String> = help
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        // A command's own line is indented by two; wrapped descriptions by more.
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(String::from)
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    names
}

#[test]
fn completions_for_every_shell_cover_every_subcommand() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = env.run(&["completions", shell]);
        run.expect_code(0);
        for name in subcommand_names() {
            assert!(
                run.stdout.contains(&name),
                "{shell} completions lack {name}"
            );
        }
    }
    env.run(&["completions", "tcsh"]).expect_code(2);
}

#[test]
fn man_page_has_a_section_for_every_subcommand() {
    let env = TestEnv::new();
    let run = env.run(&["man"]);
    run.expect_code(0);
    assert!(run.stdout.contains(".TH pydigest 1"), "{}", run.stdout);
    for name in subcommand_names() {
        assert!(
            run.stdout.contains(&format!(".TH pydigest-{name} 1")),
            "no page for {name}"
        );
    }
    assert!(run.stdout.contains(".TH pydigest-sources-import 1"));
    assert!(
        run.stdout.contains("130 interrupted"),
        "exit codes in the page"
    );
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Sets a file's Unix mode.
fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs the binary as a user who may read but not write the environment: `nobody` (via
/// setpriv) when the tests run as root, whom permissions do not stop; else this user, after
/// [`lock_down`]. No `--db` is added: `args` name it.
fn run_unprivileged(env: &TestEnv, args: &[&str]) -> Run {
    let bin = env!("CARGO_BIN_EXE_pydigest");
    let mut c = if is_root() {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        std::process::Command::new(bin)
    };
    c.env_clear()
        .env("HOME", env.dir.path())
        .env("XDG_CONFIG_HOME", env.path("xdg-config"))
        .env("XDG_DATA_HOME", env.path("xdg-data"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(env.dir.path())
        .arg("--config")
        .arg(env.path("feeds.toml"))
        .args(args)
        .stdin(Stdio::null());
    Run::from_output(c.output().expect("run pydigest"))
}

/// Makes the environment readable and not writable by [`run_unprivileged`]'s user; `out` stays
/// writable for commands that write files.
fn lock_down(env: &TestEnv) {
    std::fs::create_dir(env.path("out")).unwrap();
    chmod(&env.path("out"), 0o777);
    if is_root() {
        chmod(env.dir.path(), 0o755);
        chmod(&env.path("pydigest.db"), 0o644);
    } else {
        chmod(&env.path("pydigest.db"), 0o444);
        chmod(env.dir.path(), 0o555);
    }
    assert!(
        !env.path("pydigest.db-wal").exists(),
        "a clean close leaves no WAL"
    );
}

/// Undoes [`lock_down`] so the temp folder can be removed and the store changed.
fn unlock(env: &TestEnv) {
    chmod(env.dir.path(), 0o755);
    chmod(&env.path("pydigest.db"), 0o644);
}

#[test]
fn a_read_only_store_serves_every_command_that_only_reads() {
    if is_root()
        && std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!("skipped: running as root without setpriv");
        return;
    }
    let (_server, env) = env_with_feed(HYGIENE_FEED.to_string());
    let stories = env.run(&["stories", "--json"]).json();
    let id = stories[0]["id"].to_string();
    let db = env.path("pydigest.db");
    let db = db.to_str().unwrap();
    let out = env.path("out");
    lock_down(&env);
    for args in [
        &["stories", "--json"][..],
        &["stories"][..],
        &["search", "\"unit test\""][..],
        &["sources"][..],
        &["sources", "--json"][..],
        &["sources", "export"][..],
        &["explain", &id][..],
        &["digest", "--week", "2025-W42"][..],
        &["digest", "--week", "2025-W42", "--json"][..],
        &[
            "export",
            "--out-dir",
            out.to_str().unwrap(),
            "--weeks",
            "2025-W42",
        ][..],
    ] {
        let run = run_unprivileged(&env, &[&["--db", db][..], args].concat());
        run.expect_code(0);
        assert!(!run.stdout.is_empty() || args[0] == "export", "{args:?}");
        assert!(!run.stderr.contains("readonly"), "{args:?}: {}", run.stderr);
    }
    assert!(out.join("2025-W42.md").is_file());
    // A write fails, and says why.
    let fetch = run_unprivileged(&env, &["--db", db, "fetch"]);
    fetch.expect_code(2);
    assert!(
        fetch.stderr.contains("is read-only here"),
        "{}",
        fetch.stderr
    );
    assert_eq!(fetch.stderr.lines().count(), 1, "{}", fetch.stderr);

    // An older schema would need a migration, which a read-only store cannot take.
    unlock(&env);
    let conn = rusqlite::Connection::open(db).unwrap();
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let older = current - 1;
    conn.pragma_update(None, "user_version", older).unwrap();
    drop(conn);
    std::fs::remove_dir_all(env.path("out")).unwrap();
    lock_down(&env);
    let run = run_unprivileged(&env, &["--db", db, "stories"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(&format!("schema version {older}"))
            && run.stderr.contains("write access"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    unlock(&env);
}

#[test]
fn a_file_that_is_not_a_database_is_one_line_with_a_hint() {
    let env = TestEnv::new();
    env.config(FAST_SETTINGS);
    std::fs::write(
        env.path("pydigest.db"),
        "these are my notes, not a database\n".repeat(200),
    )
    .unwrap();
    for args in [&["stories"][..], &["fetch"][..], &["search", "x"][..]] {
        let run = env.run(args);
        run.expect_code(2);
        let line = run.stderr.trim_end();
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(
            line.contains(env.path("pydigest.db").to_str().unwrap()),
            "{line}"
        );
        assert!(
            line.contains("not a pydigest database") && line.contains("--db"),
            "{line}"
        );
        assert!(!line.contains("Error code"), "{line}");
    }
}

#[test]
fn a_database_folder_that_cannot_be_created_or_written_exits_2() {
    let env = TestEnv::new();
    env.config(FAST_SETTINGS);
    std::fs::write(env.path("afile"), "x").unwrap();
    let under_a_file = env.path("afile/sub/x.db");
    let run = run_unprivileged(&env, &["--db", under_a_file.to_str().unwrap(), "stories"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("cannot use database directory"),
        "{}",
        run.stderr
    );
    if is_root() {
        // `nobody` can neither create a folder nor a file in the root-owned temp folder.
        chmod(env.dir.path(), 0o755);
        for rel in ["new/x.db", "x.db"] {
            let db = env.path(rel);
            let run = run_unprivileged(&env, &["--db", db.to_str().unwrap(), "stories"]);
            run.expect_code(2);
            assert!(
                run.stderr.contains("cannot use database directory"),
                "{}",
                run.stderr
            );
        }
    }
}

#[test]
fn digest_out_creates_missing_folders() {
    let (_server, env) = env_with_feed(HYGIENE_FEED.to_string());
    env.run(&["digest", "--week", "2025-W42", "--out", "missing/dir/x.md"])
        .expect_code(0);
    let text = std::fs::read_to_string(env.path("missing/dir/x.md")).unwrap();
    assert!(text.contains("Coverage report"), "{text}");
}

/// The binary in `dir` with a clean environment plus `vars`, and no `--config`/`--db`.
fn run_bare(env: &TestEnv, dir: &std::path::Path, vars: &[(&str, &str)], args: &[&str]) -> Run {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pydigest"));
    c.env_clear()
        .env("HOME", env.dir.path())
        .env("XDG_CONFIG_HOME", env.path("xdg-config"))
        .env("XDG_DATA_HOME", env.path("xdg-data"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null());
    Run::from_output(c.output().expect("run pydigest"))
}

#[test]
fn info_says_which_files_are_in_use_and_why() {
    let (_server, env) = env_with_feed(HYGIENE_FEED.to_string());
    let run = env.run(&["info", "--json"]);
    run.expect_code(0);
    let info = run.json();
    assert_eq!(
        info["config"]["path"],
        env.path("feeds.toml").to_str().unwrap()
    );
    assert_eq!(info["config"]["origin"], "flag");
    assert_eq!(info["config"]["sources"], 1);
    assert_eq!(
        info["database"]["path"],
        env.path("pydigest.db").to_str().unwrap()
    );
    assert_eq!(info["database"]["origin"], "flag");
    assert_eq!(info["database"]["exists"], true);
    let stored: i64 = rusqlite::Connection::open(env.path("pydigest.db"))
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(info["database"]["schema_version"], stored);
    assert_eq!(info["store"]["sources"], 1);
    assert_eq!(info["store"]["entries"], 2);
    assert_eq!(info["store"]["stories"], 2);
    assert!(info["store"]["last_fetch"].is_string(), "{info}");
    let text = env.run(&["info"]);
    text.expect_code(0);
    for want in [
        "feeds.toml",
        "the --config flag",
        "the --db flag",
        "2 entries",
        "last fetch",
    ] {
        assert!(text.stdout.contains(want), "{want:?} in\n{}", text.stdout);
    }

    // The environment variables, then ./feeds.toml and the user data folder.
    let db = env.path("pydigest.db");
    let cfg = env.path("feeds.toml");
    let vars = [
        ("PYDIGEST_CONFIG", cfg.to_str().unwrap()),
        ("PYDIGEST_DB", db.to_str().unwrap()),
    ];
    let info = run_bare(&env, env.dir.path(), &vars, &["info", "--json"]).json();
    assert_eq!(info["config"]["origin"], "env");
    assert_eq!(info["database"]["origin"], "env");
    let info = run_bare(&env, env.dir.path(), &[], &["info", "--json"]).json();
    assert_eq!(info["config"]["origin"], "cwd");
    assert_eq!(info["database"]["origin"], "user_data_dir");
    assert_eq!(info["database"]["exists"], false);
    assert!(info["store"].is_null());

    // Nowhere: the built-in catalogue; and info never creates a database.
    std::fs::create_dir(env.path("empty")).unwrap();
    let run = run_bare(&env, &env.path("empty"), &[], &["info", "--json"]);
    run.expect_code(0);
    let info = run.json();
    assert_eq!(info["config"]["origin"], "builtin");
    assert!(info["config"]["path"].is_null());
    let user_db = info["database"]["path"].as_str().unwrap();
    assert!(
        user_db.starts_with(env.path("xdg-data").to_str().unwrap()),
        "{user_db}"
    );
    assert!(!std::path::Path::new(user_db).exists());

    // The user config folder, naming its own database.
    std::fs::create_dir_all(env.path("xdg-config/pydigest")).unwrap();
    let own_db = env.path("elsewhere.db");
    std::fs::write(
        env.path("xdg-config/pydigest/feeds.toml"),
        format!("[settings]\ndatabase = {:?}\n", own_db.to_str().unwrap()),
    )
    .unwrap();
    let info = run_bare(&env, &env.path("empty"), &[], &["info", "--json"]).json();
    assert_eq!(info["config"]["origin"], "user_config_dir");
    assert_eq!(info["database"]["origin"], "config_file");
    assert_eq!(info["database"]["path"], own_db.to_str().unwrap());
}

#[test]
fn stories_json_has_dates_topics_summaries_and_filters_by_source_and_limit() {
    let server = Server::files(&crate::util::examples().join("feeds"));
    let env = TestEnv::new();
    env.config(&format!(
        "{}[[topic]]\nname = \"Packaging\"\nterms = {{ \"uv\" = 3, \"pip\" = 3, \"packaging\" = 3 }}\n",
        crate::util::example_sources(&server)
    ));
    env.run(&["fetch"]).expect_code(0);
    let all = env.run(&["stories", "--json"]);
    all.expect_code(0);
    let all = all.json();
    let all = all.as_array().unwrap();
    assert!(all.len() > 5, "{}", all.len());
    for s in all {
        assert!(s["published"].is_string(), "{s}");
        assert!(s["date_estimated"].is_boolean(), "{s}");
        assert!(!s["topic"].as_str().unwrap().is_empty(), "{s}");
        assert!(s["summary"].is_string(), "{s}");
        assert!(s["sightings"].is_array(), "{s}");
    }
    assert!(all.iter().any(|s| s["date_estimated"] == false));
    let topics: std::collections::HashSet<&str> =
        all.iter().map(|s| s["topic"].as_str().unwrap()).collect();
    assert!(
        topics.contains("Packaging") && topics.len() > 1,
        "{topics:?}"
    );

    let only = env
        .run(&["stories", "--json", "--source", "realpython"])
        .json();
    let only = only.as_array().unwrap();
    assert!(!only.is_empty() && only.len() < all.len());
    for s in only {
        let sources: Vec<&str> = s["sightings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["source"].as_str().unwrap())
            .collect();
        assert!(sources.contains(&"realpython"), "{s}");
    }

    let last3 = env.run(&["stories", "--json", "--limit", "3"]).json();
    let last3 = last3.as_array().unwrap();
    assert_eq!(last3, &all[all.len() - 3..].to_vec());
    let text = env.run(&["stories", "--limit", "2", "--source", "realpython"]);
    text.expect_code(0);
    assert!(text.stdout.contains("\n2 stories, "), "{}", text.stdout);
    env.run(&["stories", "--source", "nosuch"]).expect_code(2);
}

#[test]
fn a_story_without_a_feed_date_is_marked_estimated() {
    let feed = HYGIENE_FEED.replace("<pubDate>Tue, 14 Oct 2025 10:00:00 GMT</pubDate>", "");
    let (_server, env) = env_with_feed(feed);
    let stories = env.run(&["stories", "--json"]).json();
    let by_url = |u: &str| {
        stories
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["url"] == u)
            .cloned()
            .unwrap_or_else(|| panic!("no {u} in {stories}"))
    };
    assert_eq!(by_url("https://lab.example/zw")["date_estimated"], true);
    assert_eq!(by_url("https://lab.example/cov")["date_estimated"], false);
    assert_eq!(
        by_url("https://lab.example/cov")["published"],
        "2025-10-15T10:00:00Z"
    );
}
