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

/// The subcommands clap knows, so a new command is covered without editing this test.
fn subcommand_names() -> Vec<String> {
    use clap::CommandFactory as _;
    let names: Vec<String> = pydigest::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
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
