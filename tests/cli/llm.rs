//! `digest --llm` against a real chat-completions server on loopback with scripted replies:
//! the request's shape, grounding of the answer, the cache, every failure mode, and the key
//! never leaving the environment.

use crate::digest::example_config;
use crate::util::{Reply, Request, Run, Server, TestEnv};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const KEY_VAR: &str = "PYDIGEST_TEST_LLM_KEY";
const KEY: &str = "sk-test-9f8e7d6c5b4a-never-stored";
const WEEK: &[&str] = &["digest", "--week", "2025-W42"];

fn llm_table(base: &str, extra: &str) -> String {
    format!(
        "\n[llm]\nbase_url = \"{base}/v1\"\nmodel = \"test-model\"\napi_key_env = \"{KEY_VAR}\"\ntimeout_secs = 2\ntemperature = 0.2\n{extra}"
    )
}

/// The example week fetched, with an `[llm]` table pointing at `base`.
fn env_with_llm(base: &str, extra: &str) -> TestEnv {
    let env = TestEnv::new();
    env.config(&format!("{}{}", example_config(), llm_table(base, extra)));
    env.run(&["fetch"]).expect_code(0);
    env
}

/// Runs the binary with the API key in its environment.
fn run_with_key(env: &TestEnv, args: &[&str]) -> Run {
    Run::from_output(env.cmd(args).env(KEY_VAR, KEY).output().unwrap())
}

fn completion(content: &str) -> Reply {
    let body = serde_json::json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"
        }]
    });
    Reply::ok(body.to_string(), "application/json")
}

const ANSWER: &str = "# A week of packaging and speed\n\
*Key trends, opinions and insights from the example feeds*\n\n\
The mood was busy [S1]. Some said more [S99], see https://evil.example/x and \
[the write-up](https://evil.example/y).\n\n\
## Tools that get out of the way\n\
Someone wrote about it on Tuesday [S2, S3].\n";

/// A server answering every chat request with `content`, counting hits.
fn scripted(content: &'static str) -> (Server, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = Arc::clone(&hits);
    let server = Server::start(move |req: &Request| {
        if req.path != "/v1/chat/completions" {
            return Reply::status(404);
        }
        h.fetch_add(1, Ordering::SeqCst);
        completion(content)
    });
    (server, hits)
}

fn body_json(req: &Request) -> serde_json::Value {
    serde_json::from_slice(&req.body).expect("request body is JSON")
}

/// URL of the story labelled `label` in the prompt, found by its title in the JSON digest.
fn url_of_label(env: &TestEnv, prompt: &str, label: &str) -> String {
    let line = prompt
        .lines()
        .find(|l| l.starts_with(&format!("[{label}] ")))
        .unwrap_or_else(|| panic!("{label} in the prompt:\n{prompt}"));
    let title = &line[label.len() + 3..];
    let digest = env.run(&["digest", "--week", "2025-W42", "--json"]).json();
    for topic in digest["topics"].as_array().unwrap() {
        for item in topic["items"].as_array().unwrap() {
            if item["title"]
                .as_str()
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                == Some(title.to_string())
            {
                return item["url"].as_str().unwrap().to_string();
            }
        }
    }
    panic!("no story titled {title:?}");
}

fn assert_key_absent(env: &TestEnv, runs: &[&Run]) {
    for r in runs {
        assert!(
            !r.stdout.contains(KEY) && !r.stderr.contains(KEY),
            "key in output"
        );
    }
    for f in [
        "pydigest.db",
        "pydigest.db-wal",
        "pydigest.db-shm",
        "feeds.toml",
    ] {
        if let Ok(bytes) = std::fs::read(env.path(f)) {
            assert!(
                !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
                "the API key is in {f}"
            );
        }
    }
}

#[test]
fn narrative_request_shape_grounding_cache_and_no_cache() {
    let (server, hits) = scripted(ANSWER);
    let env = env_with_llm(&server.base, "");

    let first = run_with_key(&env, &["-vv", "digest", "--week", "2025-W42", "--llm"]);
    first.expect_code(0);
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    // The request: OpenAI wire format, the key from api_key_env as a bearer token.
    let reqs = server.requests();
    let req = reqs.last().unwrap();
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(
        req.headers.get("authorization").map(String::as_str),
        Some(&*format!("Bearer {KEY}"))
    );
    assert!(req.headers["content-type"].starts_with("application/json"));
    let body = body_json(req);
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["temperature"], 0.2);
    assert_eq!(body["stream"], false);
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "system");
    assert!(
        messages[0]["content"]
            .as_str()
            .unwrap()
            .contains("Cite stories only by their labels")
    );
    assert_eq!(messages[1]["role"], "user");
    let prompt = messages[1]["content"].as_str().unwrap();
    assert!(
        prompt.starts_with("The week: October 13–19, 2025"),
        "{prompt}"
    );
    for field in [
        "[S1] ",
        "[S3] ",
        "\nSource: ",
        "\nDate: 2025-10-1",
        "\nTopic: ",
    ] {
        assert!(prompt.contains(field), "{field:?} in\n{prompt}");
    }

    // Grounding: labels link to our stories, invented labels and URLs are gone.
    let md = &first.stdout;
    assert!(
        md.starts_with("# A week of packaging and speed\n*Key trends"),
        "{md}"
    );
    let s1 = url_of_label(&env, prompt, "S1");
    assert!(
        md.contains(&format!("The mood was busy [\\[S1\\]]({s1})")),
        "{md}"
    );
    let s2 = url_of_label(&env, prompt, "S2");
    assert!(md.contains(&format!("[\\[S2\\]]({s2})")), "{md}");
    assert!(!md.contains("S99"), "{md}");
    assert!(!md.contains("evil.example"), "{md}");
    assert!(md.contains("the write-up"), "link text kept: {md}");
    // Then the digest's story list as the reference section.
    let reference = md
        .split_once("\n---\n\n## The week's stories\n")
        .expect("reference")
        .1;
    assert!(reference.contains("### Top stories"), "{reference}");
    assert!(!reference.contains("\n# "), "{reference}");

    // The same digest again: answered from the store.
    let second = run_with_key(&env, &["digest", "--week", "2025-W42", "--llm"]);
    second.expect_code(0);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the second run made a request"
    );
    assert_eq!(second.stdout, first.stdout);
    // Cached answers need no key.
    env.run(&["digest", "--week", "2025-W42", "--llm"])
        .expect_code(0);
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    let forced = run_with_key(
        &env,
        &["digest", "--week", "2025-W42", "--llm", "--no-cache"],
    );
    forced.expect_code(0);
    assert_eq!(hits.load(Ordering::SeqCst), 2, "--no-cache asks again");
    assert_eq!(forced.stdout, first.stdout);

    assert_key_absent(&env, &[&first, &second, &forced]);
}

#[test]
fn json_gets_a_narrative_field_and_out_writes_the_file() {
    let (server, hits) = scripted(ANSWER);
    let env = env_with_llm(&server.base, "");
    let plain = env.run(&["digest", "--week", "2025-W42", "--json"]).json();
    assert!(
        plain.get("narrative").is_none(),
        "the default shape is unchanged"
    );
    let v = run_with_key(&env, &["digest", "--week", "2025-W42", "--json", "--llm"]);
    v.expect_code(0);
    let v = v.json();
    let narrative = v["narrative"].as_str().unwrap();
    assert!(
        narrative.starts_with("# A week of packaging"),
        "{narrative}"
    );
    assert!(!narrative.contains("evil.example"));
    let mut without = v.clone();
    without.as_object_mut().unwrap().remove("narrative");
    assert_eq!(without, plain);

    let out = env.path("week.md");
    run_with_key(
        &env,
        &[
            "digest",
            "--week",
            "2025-W42",
            "--llm",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    let written = std::fs::read_to_string(out).unwrap();
    assert!(written.starts_with("# A week of packaging"), "{written}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "markdown and JSON share the cached answer"
    );
}

#[test]
fn failures_print_the_plain_digest_one_line_and_exit_3() {
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let server = Server::start(|req: &Request| match req.path.as_str() {
        "/status/v1/chat/completions" => Reply::Full {
            status: 500,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: br#"{"error":{"message":"model crashed"}}"#.to_vec(),
        },
        "/malformed/v1/chat/completions" => Reply::ok("{\"choices\": [{\"mess", "application/json"),
        "/shape/v1/chat/completions" => Reply::ok("{\"choices\": []}", "application/json"),
        "/slow/v1/chat/completions" => Reply::Hang(Duration::from_secs(6)),
        "/invented/v1/chat/completions" => completion("# Week\nA [S70] B [S71] C [S1]."),
        "/empty/v1/chat/completions" => completion("  \n"),
        _ => Reply::status(404),
    });
    let cases: Vec<(String, &str, bool)> = vec![
        (
            server.url("status"),
            "HTTP 500 Internal Server Error: model crashed",
            true,
        ),
        (server.url("malformed"), "malformed reply: not JSON", true),
        (
            server.url("shape"),
            "malformed reply: no choices[0].message.content",
            true,
        ),
        (server.url("slow"), "no answer within 2s", true),
        (refused, "cannot connect to", true),
        (
            server.url("invented"),
            "2 of the answer's 3 story labels name no story",
            true,
        ),
        (server.url("empty"), "the answer is empty", true),
        (
            server.url("status"),
            "environment variable PYDIGEST_TEST_LLM_KEY (api_key_env) is not set",
            false,
        ),
    ];
    let env = TestEnv::new();
    env.config(&example_config());
    env.run(&["fetch"]).expect_code(0);
    let plain = env.run(WEEK);
    plain.expect_code(0);
    for (base, reason, with_key) in cases {
        env.config(&format!("{}{}", example_config(), llm_table(&base, "")));
        let started = Instant::now();
        let args = ["digest", "--week", "2025-W42", "--llm"];
        let run = if with_key {
            run_with_key(&env, &args)
        } else {
            env.run(&args)
        };
        run.expect_code(3);
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{reason}: took {:?}",
            started.elapsed()
        );
        let failed: Vec<&str> = run.failed_lines();
        assert_eq!(failed.len(), 1, "{reason}: {}", run.stderr);
        assert!(failed[0].starts_with("failed: llm: "), "{}", failed[0]);
        assert!(
            failed[0].contains(reason),
            "expected {reason:?} in {:?}",
            failed[0]
        );
        assert_eq!(
            run.stdout, plain.stdout,
            "{reason}: the plain digest, as today"
        );
        let json = if with_key {
            run_with_key(&env, &["digest", "--week", "2025-W42", "--llm", "--json"])
        } else {
            env.run(&["digest", "--week", "2025-W42", "--llm", "--json"])
        };
        json.expect_code(3);
        assert!(json.json()["narrative"].is_null(), "{reason}");
        assert_key_absent(&env, &[&run, &json]);
    }
}

#[test]
fn llm_without_a_table_is_a_usage_error_naming_it() {
    let env = TestEnv::new();
    env.config(&example_config());
    let run = env.run(&["digest", "--week", "2025-W42", "--llm", "--fetch"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("--llm needs an [llm] table in"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("feeds.toml"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    let no_cache = env.run(&["digest", "--no-cache"]);
    no_cache.expect_code(2);
}

#[test]
fn llm_table_errors_name_line_and_key() {
    let env = TestEnv::new();
    let cases = [
        ("modle = \"x\"\n", "`modle`"),
        ("max_stories = 0\n", "`max_stories`"),
        ("temperature = 9.0\n", "`temperature`"),
    ];
    for (extra, key) in cases {
        let cfg = format!(
            "{}{}",
            example_config(),
            llm_table("http://127.0.0.1:9", extra)
        );
        let line = cfg.lines().count();
        env.config(&cfg);
        let run = env.run(&["digest", "--llm"]);
        run.expect_code(2);
        assert!(
            run.stderr.contains(&format!("feeds.toml:{line}: {key}")),
            "{}",
            run.stderr
        );
    }
    env.config(&format!(
        "{}\n[llm]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"m\"\napi_key_env = \"{KEY}\"\n",
        example_config()
    ));
    let run = env.run(&["sources"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("`api_key_env`: must be the name of an environment variable"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(KEY), "a pasted key is not echoed");
}

#[test]
fn the_default_digest_never_calls_the_model() {
    let (server, hits) = scripted(ANSWER);
    let env = env_with_llm(&server.base, "");
    run_with_key(&env, WEEK).expect_code(0);
    run_with_key(&env, &["digest", "--week", "2025-W42", "--json"]).expect_code(0);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert!(server.requests().is_empty());
}

#[test]
fn a_long_week_is_summarised_per_topic_first() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = Arc::clone(&hits);
    let server = Server::start(move |req: &Request| {
        h.fetch_add(1, Ordering::SeqCst);
        let body = body_json(req);
        let system = body["messages"][0]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if system.starts_with("You help the editor") {
            completion("Notes: Ada wrote about it [S1].")
        } else {
            assert!(
                body["messages"][1]["content"]
                    .as_str()
                    .unwrap()
                    .contains("Notes: Ada wrote")
            );
            completion("# Overview\nFrom the notes [S1] [S2].")
        }
    });
    let env = env_with_llm(&server.base, "max_prompt_chars = 1500\n");
    let run = run_with_key(&env, &["digest", "--week", "2025-W42", "--llm"]);
    run.expect_code(0);
    let n = hits.load(Ordering::SeqCst);
    assert!(n >= 3, "topic notes then the overview: {n} requests");
    assert!(
        run.stdout
            .starts_with("# Overview\nFrom the notes [\\[S1\\]](http"),
        "{}",
        run.stdout
    );
    // Every topic request stayed within the budget.
    for r in server.requests() {
        let b = body_json(&r);
        let messages = b["messages"].as_array().unwrap();
        if messages[0]["content"]
            .as_str()
            .unwrap()
            .starts_with("You help the editor")
        {
            let chars: usize = messages
                .iter()
                .map(|m| m["content"].as_str().unwrap().chars().count())
                .sum();
            assert!(chars <= 1500, "{chars}");
        }
    }
    run_with_key(&env, &["digest", "--week", "2025-W42", "--llm"]).expect_code(0);
    assert_eq!(hits.load(Ordering::SeqCst), n, "every step cached");
}
