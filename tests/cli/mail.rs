//! `digest --mail` against a real SMTP server on loopback (Python's aiosmtpd, started by
//! tests/support/smtp_sink.py); received messages are parsed with Python's `email` module.

use crate::digest::example_config;
use crate::util::TestEnv;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The password the tests put in the environment; it must never show up anywhere.
const PASSWORD: &str = "s3cret-Hunter2-never-shown";

/// The SMTP user the server accepts (in the URL, as `[mail]` wants it).
const USER: &str = "digest-user";

fn support(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

/// aiosmtpd, or `None` when Python cannot import it (skipped; a failure under
/// `PYDIGEST_REQUIRE_SMTP=1`, as in CI).
fn aiosmtpd() -> Option<()> {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(());
    }
    assert!(
        std::env::var("PYDIGEST_REQUIRE_SMTP").as_deref() != Ok("1"),
        "aiosmtpd is not installed and PYDIGEST_REQUIRE_SMTP=1"
    );
    eprintln!("skipped: python3 -m pip install aiosmtpd");
    None
}

/// The SMTP server, killed when dropped.
struct Smtp {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Smtp {
    /// Starts it, saving messages into `dir` and refusing `reject` as a recipient.
    fn start(dir: &Path, reject: &str) -> Smtp {
        std::fs::create_dir_all(dir).unwrap();
        let mut child = Command::new("python3")
            .env("SMTP_SINK_USER", USER)
            .env("SMTP_SINK_PASSWORD", PASSWORD)
            .arg(support("smtp_sink.py"))
            .arg(dir)
            .arg(reject)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start smtp_sink.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("smtp_sink.py prints its port");
        Smtp {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    /// The received messages (`N.eml`), waiting up to 10 s for `n` of them.
    fn messages(&self, n: usize) -> Vec<PathBuf> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&self.dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect();
            found.sort();
            if found.len() >= n || Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message as Python's `email` module sees it.
fn parse(eml: &Path) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(support("parse_mail.py"))
        .arg(eml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The example config with a `[mail]` table for `smtp_url`, the example feeds fetched.
fn mail_env(smtp_url: &str, to: &[&str]) -> TestEnv {
    let env = TestEnv::new();
    let to: Vec<String> = to.iter().map(|t| format!("{t:?}")).collect();
    env.config(&format!(
        "{}\n[mail]\nsmtp_url = \"{smtp_url}\"\npassword_env = \"PYDIGEST_TEST_SMTP_PASSWORD\"\nfrom = \"Digest <digest@example.org>\"\nto = [{}]\n",
        example_config(),
        to.join(", ")
    ));
    env.run(&["fetch"]).expect_code(0);
    env
}

/// Runs the binary with the password in the environment.
fn run_with_password(env: &TestEnv, args: &[&str]) -> crate::util::Run {
    let out = env
        .cmd(args)
        .env("PYDIGEST_TEST_SMTP_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    crate::util::Run::from_output(out)
}

/// The password appears in no output and no file of the environment (the store included).
fn assert_no_password(env: &TestEnv, outputs: &[&str]) {
    for o in outputs {
        assert!(!o.contains(PASSWORD), "the password was printed");
    }
    for e in walk(&env.path("")) {
        let bytes = std::fs::read(&e).unwrap_or_default();
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "the password is in {}",
            e.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_digest_arrives_as_one_multipart_alternative_message() {
    if aiosmtpd().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(tmp.path(), "");
    let env = mail_env(
        &format!("smtp://{USER}@127.0.0.1:{}", smtp.port),
        &["reader@example.org", "Second Reader <two@example.org>"],
    );
    let run = run_with_password(&env, &["digest", "--week", "2025-W42", "--mail"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with("# Python: Weekly Summary (October 13–19, 2025)"),
        "the digest is still printed: {}",
        run.stdout
    );
    let eml = smtp.messages(1);
    assert_eq!(eml.len(), 1, "one message");
    let envelope: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(eml[0].with_extension("json")).unwrap())
            .unwrap();
    assert_eq!(envelope["to"].as_array().unwrap().len(), 2, "{envelope}");
    let m = parse(&eml[0]);
    assert_eq!(m["defects"].as_array().unwrap().len(), 0, "{m}");
    assert_eq!(m["content_type"], "multipart/alternative");
    let h = &m["headers"];
    assert_eq!(h["Subject"], "Python: Weekly Summary (October 13–19, 2025)");
    assert_eq!(h["From"], "Digest <digest@example.org>");
    assert!(h["To"].as_str().unwrap().contains("two@example.org"), "{h}");
    assert!(h["Date"].as_str().is_some_and(|d| !d.is_empty()), "{h}");
    assert!(
        h["Message-ID"]
            .as_str()
            .is_some_and(|d| d.starts_with('<') && d.contains('@')),
        "{h}"
    );
    let parts = m["parts"].as_array().unwrap();
    let types: Vec<&str> = parts.iter().map(|p| p["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["text/plain", "text/html"]);
    let plain = parts[0]["text"].as_str().unwrap();
    assert_eq!(
        plain.trim_end(),
        run.stdout.trim_end(),
        "the markdown is the plain part"
    );
    let html = parts[1]["text"].as_str().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(
        html.contains("<a href=\"https://astral.sh/blog/uv-0.9\">"),
        "links in the HTML part"
    );
    assert!(
        plain.contains("(https://astral.sh/blog/uv-0.9)"),
        "links in the text part"
    );
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert_no_password(&env, &[&run.stdout, &run.stderr]);
    // For the report: the headers of a received message.
    eprintln!("received headers: {h}");
}

#[test]
fn a_refused_connection_still_prints_the_digest_and_exits_3() {
    if aiosmtpd().is_none() {
        return;
    }
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = mail_env(&format!("smtp://127.0.0.1:{port}"), &["reader@example.org"]);
    let out = env.path("week.html");
    let run = run_with_password(
        &env,
        &[
            "digest",
            "--week",
            "2025-W42",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
            "--mail",
        ],
    );
    run.expect_code(3);
    let failed: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("failed: mail: "))
        .collect();
    assert_eq!(failed.len(), 1, "{}", run.stderr);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("<h1>Python: Weekly Summary")
    );
    assert_no_password(&env, &[&run.stdout, &run.stderr]);
}

#[test]
fn a_rejected_recipient_still_prints_the_digest_and_exits_3() {
    if aiosmtpd().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(tmp.path(), "nobody@example.org");
    let env = mail_env(
        &format!("smtp://{USER}@127.0.0.1:{}", smtp.port),
        &["nobody@example.org"],
    );
    let run = run_with_password(&env, &["digest", "--week", "2025-W42", "--mail"]);
    run.expect_code(3);
    assert!(
        run.stdout.starts_with("# Python: Weekly Summary"),
        "{}",
        run.stdout
    );
    let failed: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("failed: mail: "))
        .collect();
    assert_eq!(failed.len(), 1, "{}", run.stderr);
    assert!(
        failed[0].contains("550") || failed[0].contains("mailbox"),
        "{}",
        failed[0]
    );
    assert!(smtp.messages(0).is_empty(), "nothing was delivered");
    assert_no_password(&env, &[&run.stdout, &run.stderr]);
}

#[test]
fn mail_config_errors_never_echo_a_password() {
    let env = TestEnv::new();
    env.config(&format!(
        "{}\n[mail]\nsmtp_url = \"smtp://me:{PASSWORD}@127.0.0.1:25\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n",
        example_config()
    ));
    let run = env.run(&["digest", "--week", "2025-W42", "--mail"]);
    run.expect_code(2);
    assert!(run.stderr.contains("smtp_url"), "{}", run.stderr);
    assert!(!run.stderr.contains(PASSWORD), "{}", run.stderr);
    let env = TestEnv::new();
    env.config(&example_config());
    let run = env.run(&["digest", "--week", "2025-W42", "--mail"]);
    run.expect_code(2);
    assert!(run.stderr.contains("[mail]"), "{}", run.stderr);
}
