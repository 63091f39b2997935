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
