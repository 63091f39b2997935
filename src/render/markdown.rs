//! Digest → markdown. Every piece of text that came from a feed goes through
//! [`md`] (or [`escape_text`] where it may start a line), so a hostile title or summary renders as literal
//! text: no links other than http(s), no images, no HTML, no headings or list markers.

use crate::digest::{Digest, Item, PODCASTS};
use crate::text::{is_web_url, markdown_link};
use std::fmt::Write as _;

/// Rendering choices.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RenderOptions {
    /// Show each story's matched terms.
    pub why: bool,
}

/// Escapes inline text so it renders literally, escaping only the characters that would
/// change the rendering where they stand, so the raw file stays readable (`#95 Unleash the
/// py-spy!`). Always escaped: `\\`, `` ` ``, `[`, `]` (no link can open or close), and `(`
/// right after a bracket. `*` unless between spaces, `_` unless inside a word, `~` always
/// (emphasis, strikethrough); `<` before a letter, `/`, `!` or `?` (HTML, autolinks); `&` that
/// would start an entity. `!`, `#`, `+`, `>`, `|`, `{`, `}` and `)` are inert inside a line;
/// [`escape_text`] handles line starts.
fn md(s: &str) -> String {
    let c: Vec<char> = crate::text::for_terminal(s, false).chars().collect();
    let mut out = String::with_capacity(c.len() + 8);
    for (i, &ch) in c.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| c[j]);
        let next = c.get(i + 1).copied();
        let word = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
        match ch {
            '\\' | '`' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '(' if matches!(prev, Some('[' | ']')) => out.push_str("\\("),
            // Only a `*` with a space on both sides can neither open nor close emphasis.
            '*' if !(prev.is_some_and(char::is_whitespace)
                && next.is_some_and(char::is_whitespace)) =>
            {
                out.push_str("\\*")
            }
            '_' if !(word(prev) && word(next)) => out.push_str("\\_"),
            '<' if next
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) =>
            {
                out.push_str("&lt;")
            }
            '&' if starts_entity(&c[i + 1..]) => out.push_str("&amp;"),
            ch => out.push(ch),
        }
    }
    out
}

/// True when the text after an `&` would make it a character reference (`&amp;`, `&#35;`).
fn starts_entity(rest: &[char]) -> bool {
    let rest = rest.strip_prefix(&['#']).unwrap_or(rest);
    let n = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    n > 0 && rest.get(n) == Some(&';')
}

/// A link whose label is escaped with [`md`]; only http(s) URLs become links.
fn link(text: &str, url: Option<&str>) -> String {
    match url {
        Some(u) if is_web_url(u) => {
            let full = markdown_link("x", Some(u));
            format!("[{}]{}", md(text), &full[3..])
        }
        _ => md(text),
    }
}

/// Escapes untrusted text that may start a line: besides [`md`], a leading `-`, `+`, `*`, `=`,
/// `#`, `>`, `|` or `1.`/`1)` would start a list, heading, quote or table.
fn escape_text(s: &str) -> String {
    let e = md(s);
    let digits = e.chars().take_while(char::is_ascii_digit).count();
    let mut rest = e[digits..].chars();
    let list_number = digits > 0
        && matches!(rest.next(), Some('.' | ')'))
        && rest.next().is_none_or(char::is_whitespace);
    if e.starts_with(['-', '+', '*', '=', '#', '>', '|']) {
        format!("\\{e}")
    } else if list_number {
        format!("{}\\{}", &e[..digits], &e[digits..])
    } else {
        e
    }
}

fn why_line(i: &Item) -> String {
    let c = &i.classification;
    let mut reasons: Vec<String> = c
        .reasons_for(&c.primary)
        .take(4)
        .map(|r| {
            format!(
                "“{}” in {} (+{})",
                md(&r.term),
                r.field.as_str(),
                trim_float(r.score)
            )
        })
        .collect();
    if reasons.is_empty() {
        reasons.push("no topic term matched".into());
    }
    let mut s = format!("{}: {}", md(&c.primary), reasons.join(", "));
    if !c.secondary.is_empty() {
        s.push_str(&format!(
            "; also scored: {}",
            c.secondary
                .iter()
                .map(|t| md(t))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    s
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

fn item(out: &mut String, i: &Item, opts: RenderOptions) {
    let _ = writeln!(
        out,
        "- **{}** — {}  ",
        link(&i.title, i.url.as_deref()),
        super::byline(i, escape_text, |s| format!("*{s}*"))
    );
    if !i.summary.is_empty() {
        let _ = writeln!(out, "  {}  ", escape_text(&i.summary));
    }
    if !i.also_in.is_empty() {
        let names: Vec<String> = i.also_in.iter().map(|n| escape_text(n)).collect();
        let _ = writeln!(out, "  Also in: {}  ", names.join(", "));
    }
    if opts.why {
        let _ = writeln!(out, "  Why: {}  ", why_line(i));
    }
    // A trailing "  " would be a hard break before nothing; strip it from the last line.
    if out.ends_with("  \n") {
        out.truncate(out.len() - 3);
        out.push('\n');
    }
}

/// Renders the digest as a markdown document ending in a newline.
pub(crate) fn render_markdown(d: &Digest, opts: RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md(&d.title));
    let _ = writeln!(out, "{}", escape_text(&d.overview));
    if d.is_empty() {
        let _ = writeln!(
            out,
            "\nFetch first (`pydigest fetch`), or pick another week with `--week YYYY-Www`."
        );
        return out;
    }

    for w in &d.watches {
        let _ = writeln!(out, "\n## {}\n", md(&w.name));
        for i in &w.items {
            item(&mut out, i, opts);
        }
    }

    if !d.top.is_empty() {
        let _ = writeln!(out, "\n## Top stories\n");
        for (n, id) in d.top.iter().enumerate() {
            let Some(i) = d.item(*id) else { continue };
            let mut line = format!(
                "{}. **{}** — *{}*",
                n + 1,
                link(&i.title, i.url.as_deref()),
                escape_text(&i.source)
            );
            if !i.also_in.is_empty() {
                line.push_str(&format!(
                    ", also in {}",
                    i.also_in
                        .iter()
                        .map(|s| escape_text(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let section = if d
                .sections
                .iter()
                .any(|s| s.name == PODCASTS && s.items.iter().any(|x| x.id == i.id))
            {
                PODCASTS
            } else {
                i.classification.primary.as_str()
            };
            line.push_str(&format!(" ({})", md(section)));
            let _ = writeln!(out, "{line}");
        }
    }

    for s in &d.sections {
        let _ = writeln!(out, "\n## {}\n", md(&s.name));
        for i in s.shown() {
            item(&mut out, i, opts);
        }
        if let Some(more) = s.more_line() {
            let _ = writeln!(out, "- {}", md(&more));
        }
    }

    if !d.trending.is_empty() {
        let span = d.span_word();
        let _ = writeln!(out, "\n## Trending this {span}\n");
        for t in &d.trending {
            let base = if t.baseline == 0.0 {
                format!("new this {span}")
            } else {
                format!(
                    "{} a {span} before",
                    trim_float((t.baseline * 10.0).round() / 10.0)
                )
            };
            let _ = writeln!(
                out,
                "- **{}** — {} ({base})",
                md(&t.term),
                if t.count == 1 {
                    "1 story".into()
                } else {
                    format!("{} stories", t.count)
                }
            );
        }
    }
    out
}

/// Renders stories as the digest's story list (title link, byline, summary, "Also in"), one
/// list item each, for pages other than the digest (`export --query`).
pub(crate) fn render_items(items: &[Item]) -> String {
    let mut out = String::new();
    for i in items {
        item(&mut out, i, RenderOptions::default());
    }
    out
}

/// Escapes untrusted text for a markdown paragraph exactly like the digest's titles and
/// summaries (no links, HTML, headings or list markers can form).
pub(crate) fn escape_paragraph(s: &str) -> String {
    escape_text(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("- not a list", "\\- not a list")]
    #[case("1. not a list", "1\\. not a list")]
    #[case("2025) was fine", "2025\\) was fine")]
    #[case("=== heading?", "\\=== heading?")]
    #[case("3.14 is out", "3.14 is out")]
    #[case("# not a heading", "\\# not a heading")]
    #[case("x](javascript:alert(1))", "x\\]\\(javascript:alert(1))")]
    #[case("[a](b) & c &amp; #1", "\\[a\\]\\(b) & c &amp;amp; #1")]
    #[case("<img src=x>", "&lt;img src=x>")]
    #[case("#95 Unleash the py-spy!", "\\#95 Unleash the py-spy!")]
    #[case("Episode #95: Unleash the py-spy!", "Episode #95: Unleash the py-spy!")]
    #[case(
        "AT&T, 3 < 4 > 2, a | b, {x} (y) +1",
        "AT&T, 3 < 4 > 2, a | b, {x} (y) +1"
    )]
    #[case("max_length and __init__", "max_length and \\_\\_init\\_\\_")]
    #[case("2 * 3 but *bold* and a*b", "2 * 3 but \\*bold\\* and a\\*b")]
    #[case("![img](javascript:x)", "!\\[img\\]\\(javascript:x)")]
    #[case(
        "<https://evil.example> </b> <!-- c",
        "&lt;https://evil.example> &lt;/b> &lt;!-- c"
    )]
    #[case(
        "`code` ~~gone~~ back\\slash",
        "\\`code\\` \\~\\~gone\\~\\~ back\\\\slash"
    )]
    #[case("&#106;avascript &lt;", "&amp;#106;avascript &amp;lt;")]
    #[case("> quote", "\\> quote")]
    #[case("+ item", "\\+ item")]
    #[case("* item", "\\* item")]
    #[case("a\nb\r\n# c", "a b  # c")]
    fn text_is_inert(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(escape_text(input), expected);
    }
}

#[cfg(test)]
mod link_tests {
    #[test]
    fn only_web_links_become_links() {
        assert_eq!(
            super::link("a (b)", Some("https://x.org/p_(q)")),
            "[a (b)](https://x.org/p_%28q%29)"
        );
        assert_eq!(super::link("a", Some("javascript:alert(1)")), "a");
        assert_eq!(super::link("]", None), "\\]");
    }
}
