//! Grounding: the model's answer is untrusted markdown. Only `[S<n>]` labels that name a story
//! of the material become links (to that story's URL, which we chose); every URL the model wrote
//! is removed, everything else is escaped so no link, image, HTML or code block can form.
//! Headings, list items, quotes and `**bold**`/`*italic*` survive.

use crate::render::markdown::escape_paragraph;
use crate::text::markdown_link;
use regex::Regex;
use std::sync::LazyLock;

/// A story a label may point at: label `S<n>` is `targets[n - 1]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The story's link, when it has one (only http(s) becomes a link).
    pub url: Option<String>,
}

/// The answer after grounding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grounded {
    /// Safe markdown.
    pub markdown: String,
    /// Label citations found (each number of `[S1, S2]` counts).
    pub labels: usize,
    /// Of those, how many named a story.
    pub resolved: usize,
    /// URLs the model wrote, removed.
    pub urls_removed: usize,
}

// Placeholders for generated links survive escaping untouched; any the model wrote are
// stripped before parsing, so it cannot forge one.
const PH_START: char = '\u{E000}';
const PH_END: char = '\u{E001}';

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?xi)
        \[(?P<ltext>[^\[\]\n]*)\]\((?P<lurl>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+"[^"\n]*")?\)
      | (?P<labels>\[\s*S\s*\d+(?:\s*[,;]\s*(?:S\s*)?\d+)*\s*\])
      | <(?P<auto>[a-z][a-z0-9+.-]*:[^>\s]*)>
      | (?P<bare>\b(?:https?|ftp|file|javascript|data|mailto):[^\s<>\[\]()]*)
      | (?P<www>\bwww\.[a-z0-9-]+\.[^\s<>\[\]()]*)
        "#,
    )
    .expect("token regex")
});

static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*\[?\s*S\s*\d+(?:\s*[,;]\s*(?:S\s*)?\d+)*\s*\]?\s*$").unwrap()
});

static THINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<think>.*?(?:</think>|$)").unwrap());

struct Ctx<'a> {
    targets: &'a [Target],
    links: Vec<String>,
    labels: usize,
    resolved: usize,
    urls_removed: usize,
}

impl Ctx<'_> {
    /// Resolves the numbers of a label group into placeholders for links.
    fn labels(&mut self, group: &str) -> String {
        let mut out = Vec::new();
        for n in group
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
        {
            self.labels += 1;
            let Some(t) = n
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| self.targets.get(i))
            else {
                continue;
            };
            self.resolved += 1;
            let label = format!("[S{}]", n.trim_start_matches('0'));
            self.links.push(markdown_link(&label, t.url.as_deref()));
            out.push(format!("{PH_START}{}{PH_END}", self.links.len() - 1));
        }
        out.join(" ")
    }

    /// One line of text: labels become placeholders, URLs go, link texts stay.
    fn replace_tokens(&mut self, line: &str) -> String {
        let mut out = String::new();
        let mut last = 0;
        let caps: Vec<_> = TOKEN.captures_iter(line).collect();
        for c in caps {
            let m = c.get(0).expect("whole match");
            out.push_str(&line[last..m.start()]);
            last = m.end();
            if let Some(text) = c.name("ltext") {
                self.urls_removed += 1;
                let text = text.as_str();
                if LABEL.is_match(text) {
                    out.push_str(&self.labels(text));
                } else {
                    out.push_str(&self.replace_tokens(text));
                }
            } else if let Some(g) = c.name("labels") {
                out.push_str(&self.labels(g.as_str()));
            } else {
                // A sentence ending in a URL keeps its full stop.
                self.urls_removed += 1;
                let url = m.as_str();
                let kept = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']);
                if !m.as_str().starts_with('<') {
                    out.push_str(&url[kept.len()..]);
                }
            }
        }
        out.push_str(&line[last..]);
        tidy(&out)
    }

    fn inline(&mut self, line: &str) -> String {
        let text = self.replace_tokens(line);
        let mut out = emphasis(&text);
        // Put the generated links in place of their placeholders.
        while let Some(start) = out.find(PH_START) {
            let Some(len) = out[start..].find(PH_END) else {
                break;
            };
            let idx: usize = out[start + PH_START.len_utf8()..start + len]
                .parse()
                .unwrap_or(usize::MAX);
            let link = self.links.get(idx).cloned().unwrap_or_default();
            out.replace_range(start..start + len + PH_END.len_utf8(), &link);
        }
        out
    }
}

/// Removes what deleting a URL leaves behind: empty brackets, doubled spaces, a space before
/// punctuation.
fn tidy(s: &str) -> String {
    let mut t = s.replace("()", "").replace("( )", "").replace("[]", "");
    while t.contains("  ") {
        t = t.replace("  ", " ");
    }
    for p in [".", ",", ";", ":", ")"] {
        t = t.replace(&format!(" {p}"), p);
    }
    t.trim().to_string()
}

/// Escapes text, keeping `**bold**` and `*italic*` when their markers pair up.
fn emphasis(s: &str) -> String {
    wrap_pairs(s, "**", &|p| wrap_pairs(p, "*", &|q| escape_paragraph(q)))
}

fn wrap_pairs(s: &str, marker: &str, inner: &dyn Fn(&str) -> String) -> String {
    let parts: Vec<&str> = s.split(marker).collect();
    let pairs_up = parts.len() >= 3
        && parts.len() % 2 == 1
        && parts.iter().skip(1).step_by(2).all(|p| {
            !p.is_empty()
                && !p.starts_with(char::is_whitespace)
                && !p.ends_with(char::is_whitespace)
        });
    if !pairs_up {
        return inner(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 1 {
                format!("{marker}{}{marker}", inner(p))
            } else {
                inner(p)
            }
        })
        .collect()
}

/// Grounds the model's answer against the material's stories. Errors say why the answer
/// cannot be used: empty, citing nothing, or citing mostly stories that do not exist.
pub(crate) fn ground(answer: &str, targets: &[Target]) -> Result<Grounded, String> {
    let answer: String = THINK
        .replace_all(answer, "")
        .chars()
        .filter(|c| *c != PH_START && *c != PH_END)
        .collect();
    let mut ctx = Ctx {
        targets,
        links: Vec::new(),
        labels: 0,
        resolved: 0,
        urls_removed: 0,
    };
    let mut lines: Vec<String> = Vec::new();
    let mut seen_heading = false;
    for raw in answer.lines() {
        let line = raw.trim();
        if line.starts_with("```")
            || line.starts_with("~~~")
            || (line.len() >= 3
                && line
                    .chars()
                    .all(|c| matches!(c, '-' | '*' | '_' | '=' | ' ')))
        {
            continue;
        }
        if line.is_empty() {
            if lines.last().is_some_and(|l| !l.is_empty()) {
                lines.push(String::new());
            }
            continue;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        let rendered = if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let text = line[hashes..].trim().trim_end_matches('#').trim();
            let prefix = match hashes {
                1 if !seen_heading => "#",
                1 | 2 => "##",
                _ => "###",
            };
            seen_heading = true;
            let text = ctx.inline(text);
            if text.is_empty() {
                continue;
            }
            format!("{prefix} {text}")
        } else if let Some(rest) = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .or_else(|| line.strip_prefix("+ "))
        {
            format!("- {}", ctx.inline(rest))
        } else if let Some(rest) = line.strip_prefix('>') {
            format!("> {}", ctx.inline(rest))
        } else if let Some((n, rest)) = numbered(line) {
            format!("{n}. {}", ctx.inline(rest))
        } else {
            ctx.inline(line)
        };
        if !rendered.trim().is_empty() {
            lines.push(rendered);
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let markdown = lines.join("\n");
    if markdown.trim().is_empty() {
        return Err("the answer is empty".into());
    }
    if ctx.labels == 0 {
        return Err("the answer cites no story label".into());
    }
    let unresolved = ctx.labels - ctx.resolved;
    if unresolved * 2 > ctx.labels {
        return Err(format!(
            "{unresolved} of the answer's {} story labels name no story",
            ctx.labels
        ));
    }
    Ok(Grounded {
        markdown: markdown + "\n",
        labels: ctx.labels,
        resolved: ctx.resolved,
        urls_removed: ctx.urls_removed,
    })
}

/// "12. rest" → (12, "rest").
fn numbered(line: &str) -> Option<(usize, &str)> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &line[digits..];
    let rest = rest
        .strip_prefix(". ")
        .or_else(|| rest.strip_prefix(") "))?;
    Some((line[..digits].parse().ok()?, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Target> {
        vec![
            Target {
                url: Some("https://a.example/one".into()),
            },
            Target {
                url: Some("https://b.example/two_(x)".into()),
            },
            Target { url: None },
        ]
    }

    #[test]
    fn labels_become_links_to_our_stories() {
        let g = ground(
            "# Week\n\nAda wrote about uv [S1] and Bob replied [S2, S3].",
            &targets(),
        )
        .unwrap();
        assert_eq!(
            g.markdown,
            "# Week\n\nAda wrote about uv [\\[S1\\]](https://a.example/one) and Bob replied \
             [\\[S2\\]](https://b.example/two_%28x%29) \\[S3\\].\n"
        );
        assert_eq!((g.labels, g.resolved), (3, 3));
    }

    #[test]
    fn invented_labels_and_urls_are_removed() {
        let g = ground(
            "Read [the post](https://evil.example/x) [S1] [S9] or https://evil.example/y (www.evil.example).\n\
             <https://evil.example/z> [S2](https://evil.example/w)",
            &targets(),
        )
        .unwrap();
        assert!(!g.markdown.contains("evil"), "{}", g.markdown);
        assert!(!g.markdown.contains("S9"), "{}", g.markdown);
        assert!(
            g.markdown
                .contains("Read the post [\\[S1\\]](https://a.example/one)")
        );
        assert!(
            g.markdown
                .contains("[\\[S2\\]](https://b.example/two_%28x%29)")
        );
        assert_eq!((g.labels, g.resolved, g.urls_removed), (3, 2, 5));
    }

    #[test]
    fn hostile_markdown_is_inert() {
        let g = ground(
            "x](javascript:alert(1)) ![img](data:x) <script>alert(1)</script> [S1]\n    code\n| a | b |",
            &targets(),
        )
        .unwrap();
        assert!(!g.markdown.contains("<script"), "{}", g.markdown);
        assert!(!g.markdown.contains("](javascript"), "{}", g.markdown);
        let others = g.markdown.replace("[\\[S1\\]](https://a.example/one)", "");
        assert!(!others.contains("]("), "only our link: {others}");
        assert!(!g.markdown.lines().any(|l| l.starts_with("    ")));
    }

    #[test]
    fn structure_survives() {
        let g = ground(
            "<think>plan</think># Title\n*A strap line*\n\n\n## Section one\n- **Ada** wrote [S1]\n1. first [S2]\n### Deep\n# Late h1\n---\n",
            &targets(),
        )
        .unwrap();
        assert_eq!(
            g.markdown,
            "# Title\n*A strap line*\n\n## Section one\n- **Ada** wrote [\\[S1\\]](https://a.example/one)\n\
             1. first [\\[S2\\]](https://b.example/two_%28x%29)\n### Deep\n## Late h1\n"
        );
    }

    #[test]
    fn unusable_answers_are_failures() {
        assert!(ground("  \n\n", &targets()).unwrap_err().contains("empty"));
        assert!(
            ground("All good.", &targets())
                .unwrap_err()
                .contains("cites no")
        );
        assert!(
            ground("A [S7] B [S8] C [S1]", &targets())
                .unwrap_err()
                .contains("2 of the answer's 3")
        );
        assert!(ground("A [S7] B [S1]", &targets()).is_ok());
    }

    #[test]
    fn forged_placeholders_are_stripped() {
        let g = ground("\u{E000}0\u{E001} [S1]", &targets()).unwrap();
        assert_eq!(g.markdown, "0 [\\[S1\\]](https://a.example/one)\n");
    }
}
