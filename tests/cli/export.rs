//! Export: weekly pages with front matter, idempotence, the manifest guarding user edits, the
//! Atom feed (read back with feed-rs), search pages, hostile titles, and range errors.

use crate::util::{Server, TestEnv, examples};
use std::collections::BTreeMap;
use std::path::Path;

/// The example configuration (sources and taxonomy) with every source served over loopback.
fn example_env(server: &Server) -> TestEnv {
    let text = std::fs::read_to_string(examples().join("feeds.toml")).unwrap();
    let text = text
        .replace("url = \"file:feeds/", &format!("url = \"{}/", server.base))
        .replace("database = \"example.db\"\n", "");
    let env = TestEnv::new();
    env.config(&text);
    env.run(&["fetch"]).expect_code(0);
    env
}

/// A scalar or list from the front matter.
#[derive(Debug, Clone, PartialEq)]
enum Yaml {
    /// A double-quoted string.
    Str(String),
    /// A bare integer.
    Int(i64),
    /// A bare YYYY-MM-DD.
    Date(String),
    /// A block list.
    List(Vec<Yaml>),
}

/// Parses a double-quoted YAML scalar (the only string form the export writes).
fn yaml_quoted(s: &str) -> String {
    let inner = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or_else(|| panic!("not a double-quoted string: {s:?}"));
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => panic!("unescaped quote in {s:?}"),
            '\\' => match chars.next().expect("escape") {
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                other => panic!("unexpected escape \\{other} in {s:?}"),
            },
            c => out.push(c),
        }
    }
    out
}

fn yaml_scalar(v: &str) -> Yaml {
    if v.starts_with('"') {
        return Yaml::Str(yaml_quoted(v));
    }
    if let Ok(n) = v.parse::<i64>() {
        return Yaml::Int(n);
    }
    let b = v.as_bytes();
    assert!(
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && v.chars().filter(char::is_ascii_digit).count() == 8,
        "a bare value that is neither int nor date: {v:?}"
    );
    Yaml::Date(v.to_string())
}

/// Splits a page into its front matter (a tiny YAML subset: `key: scalar`, `key:` followed by
/// `  - scalar` lines, `key: []`) and its body.
fn front_matter(page: &str) -> (BTreeMap<String, Yaml>, &str) {
    let rest = page
        .strip_prefix("---\n")
        .expect("front matter opens with ---");
    let end = rest.find("\n---\n").expect("front matter closes with ---");
    let (yaml, body) = (&rest[..end + 1], &rest[end + 5..]);
    let mut map = BTreeMap::new();
    let mut list_key: Option<String> = None;
    for line in yaml.lines() {
        if let Some(item) = line.strip_prefix("  - ") {
            let key = list_key.as_ref().expect("list item under a key");
            match map.get_mut(key) {
                Some(Yaml::List(v)) => v.push(yaml_scalar(item)),
                _ => unreachable!(),
            }
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("bad line {line:?}"));
        assert!(
            k.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "key {k:?}"
        );
        let v = v.trim();
        let value = match v {
            "" => {
                list_key = Some(k.to_string());
                Yaml::List(vec![])
            }
            "[]" => Yaml::List(vec![]),
            v => yaml_scalar(v),
        };
        assert!(
            map.insert(k.to_string(), value).is_none(),
            "duplicate key {k}"
        );
    }
    (map, body)
}

fn s(v: &str) -> Yaml {
    Yaml::Str(v.into())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn md_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// No raw `<script>` and no javascript: link; in markdown (`md`), no `](javascript:` either (in
/// HTML that is plain text).
fn assert_inert(what: &str, text: &str, md: bool) {
    let lower = text.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "raw <script> in {what}");
    assert!(
        !md || !lower.contains("](javascript:"),
        "live javascript link in {what}"
    );
    assert!(
        !lower.contains("href=\"javascript:") && !lower.contains("href=&quot;javascript:"),
        "javascript href in {what}"
    );
}

#[test]
fn weekly_pages_have_front_matter_are_idempotent_and_keep_user_edits() {
    let server = Server::files(&examples().join("feeds"));
    let env = example_env(&server);
    let out = env.path("site/docs");
    let out_s = out.to_str().unwrap();

    let first = env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--weeks",
        "2025-W41..2025-W42",
    ]);
    first.expect_code(0);
    assert!(
        first
            .stderr
            .contains("2 files: 2 written, 0 unchanged, 0 kept"),
        "{}",
        first.stderr
    );
    assert_eq!(
        md_files(&out),
        [".pydigest-export.json", "2025-W41.md", "2025-W42.md"]
    );

    // Front matter: the keys, their types and values, against `digest --json`.
    let page = read(&out.join("2025-W42.md"));
    let (fm, body) = front_matter(&page);
    let json = env.run(&["digest", "--week", "2025-W42", "--json"]);
    json.expect_code(0);
    let json = json.json();
    let topics: Vec<Yaml> = json["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| s(t["name"].as_str().unwrap()))
        .collect();
    let count: usize = json["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["items"].as_array().unwrap().len())
        .sum();
    let expected: BTreeMap<String, Yaml> = [
        ("title", s("Python: Weekly Summary (October 13–19, 2025)")),
        ("date", Yaml::Date("2025-10-13".into())),
        ("start", Yaml::Date("2025-10-13".into())),
        ("end", Yaml::Date("2025-10-19".into())),
        ("week", s("2025-W42")),
        ("story_count", Yaml::Int(count as i64)),
        ("topics", Yaml::List(topics)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(fm, expected);
    assert!(count >= 30, "{count}");
    assert!(page.contains("\n  - \"Community & events\"\n"), "{page}");

    // The body is the digest as `digest` renders it, without the H1 the front matter carries.
    let digest = env.run(&["digest", "--week", "2025-W42"]);
    digest.expect_code(0);
    let (h1, rest) = digest.stdout.split_once("\n\n").unwrap();
    assert_eq!(h1, "# Python: Weekly Summary (October 13–19, 2025)");
    assert_eq!(body, format!("\n{rest}"));

    let (fm41, _) = front_matter(&read(&out.join("2025-W41.md")));
    assert_eq!(fm41["week"], s("2025-W41"));
    assert_eq!(fm41["date"], Yaml::Date("2025-10-06".into()));

    // Again: the same bytes, nothing rewritten.
    let mtime = |name: &str| {
        std::fs::metadata(out.join(name))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before: Vec<_> = ["2025-W41.md", "2025-W42.md", ".pydigest-export.json"]
        .iter()
        .map(|n| (read(&out.join(n)), mtime(n)))
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--weeks",
        "2025-W41..2025-W42",
    ]);
    second.expect_code(0);
    assert!(
        second
            .stderr
            .contains("2 files: 0 written, 2 unchanged, 0 kept"),
        "{}",
        second.stderr
    );
    let after: Vec<_> = ["2025-W41.md", "2025-W42.md", ".pydigest-export.json"]
        .iter()
        .map(|n| (read(&out.join(n)), mtime(n)))
        .collect();
    assert_eq!(before, after);

    // A user edit is kept, with a warning and exit code 3; the other week is still fine.
    let edited = format!("{page}\nMy own note.\n");
    std::fs::write(out.join("2025-W42.md"), &edited).unwrap();
    let third = env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--weeks",
        "2025-W41..2025-W42",
    ]);
    third.expect_code(3);
    let warning = format!(
        "kept {}: changed since the last export (use --force to overwrite)",
        out.join("2025-W42.md").display()
    );
    assert!(third.stderr.contains(&warning), "{}", third.stderr);
    assert!(
        third.stderr.contains("0 written, 1 unchanged, 1 kept"),
        "{}",
        third.stderr
    );
    assert_eq!(read(&out.join("2025-W42.md")), edited);

    // A file pydigest never wrote is kept too.
    std::fs::remove_file(out.join(".pydigest-export.json")).unwrap();
    std::fs::write(out.join("2025-W42.md"), &page).unwrap();
    std::fs::write(out.join("2025-W41.md"), "mine\n").unwrap();
    let fourth = env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--weeks",
        "2025-W41..2025-W42",
    ]);
    fourth.expect_code(3);
    assert!(
        fourth
            .stderr
            .contains("2025-W41.md: not written by pydigest export"),
        "{}",
        fourth.stderr
    );
    assert_eq!(read(&out.join("2025-W41.md")), "mine\n");

    // --force overwrites, and the export is back to the first one's bytes.
    std::fs::write(out.join("2025-W42.md"), &edited).unwrap();
    let forced = env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--weeks",
        "2025-W41..2025-W42",
        "--force",
    ]);
    forced.expect_code(0);
    assert_eq!(read(&out.join("2025-W42.md")), page);
    assert_eq!(read(&out.join("2025-W41.md")), before[0].0);
    assert_eq!(read(&out.join(".pydigest-export.json")), before[2].0);
    assert!(
        !md_files(&out).iter().any(|n| n.ends_with(".tmp")),
        "temporary files left behind"
    );
}

#[test]
fn atom_search_and_hostile_titles() {
    let server = Server::files(&examples().join("feeds"));
    let env = example_env(&server);
    let out = env.path("out");
    let out_s = out.to_str().unwrap();

    // Atom: one entry per week, readable by feed-rs.
    env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--weeks",
        "2025-W41..2025-W42",
        "--format",
        "atom",
        "--feed-entries",
        "2",
    ])
    .expect_code(0);
    let atom = std::fs::read(out.join("digest.atom")).unwrap();
    let feed = feed_rs::parser::parse(&atom[..]).expect("feed-rs parses the export");
    assert_eq!(feed.entries.len(), 2);
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        ["urn:pydigest:week:2025-W42", "urn:pydigest:week:2025-W41"]
    );
    let w42 = &feed.entries[0];
    assert_eq!(
        w42.title.as_ref().unwrap().content,
        "Python: Weekly Summary (October 13–19, 2025)"
    );
    // The end of the week: Monday 20 October 00:00 in London (BST).
    assert_eq!(
        w42.updated.unwrap().to_rfc3339(),
        "2025-10-19T23:00:00+00:00"
    );
    let html = w42.content.as_ref().unwrap().body.as_deref().unwrap();
    assert!(html.contains("<h2>Top stories</h2>"), "{html}");
    assert!(
        html.contains("<a href=\"https://astral.sh/blog/uv-0.9\""),
        "{html}"
    );
    assert!(html.contains("Sanitising feed HTML"), "{html}");
    assert_inert("atom content", html, false);
    assert_inert(
        "atom file",
        &String::from_utf8(atom.clone()).unwrap(),
        false,
    );
    // Idempotent too.
    let again = env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--weeks",
        "2025-W41..2025-W42",
        "--format",
        "atom",
        "--feed-entries",
        "2",
    ]);
    again.expect_code(0);
    assert!(
        again.stderr.contains("0 written, 1 unchanged"),
        "{}",
        again.stderr
    );
    assert_eq!(std::fs::read(out.join("digest.atom")).unwrap(), atom);

    // Search: one page with the matching stories.
    env.run(&["export", "--out-dir", out_s, "--query", "uv"])
        .expect_code(0);
    let page = read(&out.join("search-uv.md"));
    let (fm, body) = front_matter(&page);
    assert_eq!(fm["title"], s("Search: uv"));
    assert_eq!(fm["query"], s("uv"));
    assert_eq!(fm["date"], Yaml::Date("2025-10-14".into()));
    assert!(matches!(fm["story_count"], Yaml::Int(n) if n >= 1));
    assert!(
        body.contains("[uv 0.9: Python 3.14 by default](https://astral.sh/blog/uv-0.9)"),
        "{body}"
    );

    // The hostile title stays text in the week page, its front matter and a search page.
    env.run(&["export", "--out-dir", out_s, "--weeks", "2025-W42"])
        .expect_code(0);
    let week = read(&out.join("2025-W42.md"));
    assert!(
        week.contains("Sanitising feed HTML: and other x\\]\\(javascript:alert(1)) surprises"),
        "{week}"
    );
    let (_, _) = front_matter(&week);
    assert_inert("week page", &week, true);
    env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--query",
        "sanitising javascript",
    ])
    .expect_code(0);
    let hostile = read(&out.join("search-sanitising-javascript.md"));
    assert!(hostile.contains("Sanitising feed HTML"), "{hostile}");
    assert_inert("search page", &hostile, true);
    let (fm, _) = front_matter(&hostile);
    assert_eq!(fm["query"], s("sanitising javascript"));

    // A query full of YAML and HTML syntax round-trips through the front matter as text.
    let q = "Sanitising: \"<script>\" #";
    env.run(&["export", "--out-dir", out_s, "--query", q])
        .expect_code(0);
    let page = read(&out.join("search-sanitising-script.md"));
    assert_inert("search page for a hostile query", &page, true);
    let (fm, body) = front_matter(&page);
    assert_eq!(fm["query"], s(q));
    assert_eq!(fm["title"], s(&format!("Search: {q}")));
    assert!(body.contains("Sanitising feed HTML"), "{body}");
}

#[test]
fn bad_ranges_are_usage_errors_and_empty_ranges_say_so() {
    let server = Server::files(&examples().join("feeds"));
    let env = example_env(&server);
    let out = env.path("out");
    let out_s = out.to_str().unwrap();
    for (weeks, message) in [
        ("2025-W43..2025-W41", "comes before"),
        ("2025-W60", "2025 has weeks 1 to 52"),
        ("2099-W01", "in the future"),
        ("2025-W41..", "YYYY-Www"),
    ] {
        let run = env.run(&["export", "--out-dir", out_s, "--weeks", weeks]);
        run.expect_code(2);
        assert!(run.stderr.contains(message), "{weeks}: {}", run.stderr);
    }
    let run = env.run(&["export", "--out-dir", out_s, "--since", "2099-01-01"]);
    run.expect_code(2);
    let run = env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--query",
        "uv",
        "--format",
        "atom",
    ]);
    run.expect_code(2);
    assert!(!out.exists(), "nothing is written on a usage error");

    let empty = env.run(&[
        "export",
        "--out-dir",
        out_s,
        "--weeks",
        "2024-W01..2024-W02",
    ]);
    empty.expect_code(0);
    assert!(
        empty
            .stderr
            .contains("nothing to export: no stories in 2024-W01..2024-W02"),
        "{}",
        empty.stderr
    );
    let none = env.run(&["export", "--out-dir", out_s, "--query", "zzzqqq"]);
    none.expect_code(0);
    assert!(
        none.stderr.contains("nothing to export: no stories match"),
        "{}",
        none.stderr
    );
    assert!(!out.exists() || md_files(&out).is_empty());
}
