//! Files for `pydigest export`: one markdown page per week with YAML front matter, a page of
//! search results, and an Atom feed of weekly digests. Pure: no clock, no I/O, so the same
//! data always gives the same bytes.

use super::html::render_html;
use super::markdown::{RenderOptions, escape_paragraph, render_items, render_markdown};
use crate::calendar::rfc3339;
use crate::digest::{Digest, Item};
use crate::text::{Markup, escape_xml, for_terminal};
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Write as _;

/// A YAML double-quoted scalar holding `s` as one line of plain text: control characters and
/// bidi overrides removed (newlines become spaces), `\` and `"` escaped, and `<`, `>`,
/// and the YAML 1.1 line breaks (U+0085, U+2028, U+2029) written as `\u` escapes, so the file
/// never holds raw markup whatever a feed or a query contained. Valid YAML 1.1 and 1.2.
pub(crate) fn yaml_str(s: &str) -> String {
    let clean = for_terminal(s, false);
    let mut out = String::with_capacity(clean.len() + 2);
    out.push('"');
    for c in clean.trim().chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '<' | '>' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The file a week is written to: `2025-W42.md`.
pub(crate) fn week_file_name(week: &str) -> String {
    format!("{week}.md")
}

/// A week's page: YAML front matter (`title`, `date` = the Monday, `start`, `end`, `week`,
/// `story_count`, `topics`) then the digest exactly as `pydigest digest` renders it, minus its
/// `# title` line, which the front matter carries (site generators print it from there).
pub(crate) fn week_page(d: &Digest) -> String {
    let mut out = String::from("---\n");
    let _ = writeln!(out, "title: {}", yaml_str(&d.title));
    let _ = writeln!(out, "date: {}", day(d.range.start));
    let _ = writeln!(out, "start: {}", day(d.range.start));
    let _ = writeln!(out, "end: {}", day(d.range.end));
    if let Some(w) = d.range.week_label() {
        let _ = writeln!(out, "week: {}", yaml_str(&w));
    }
    let _ = writeln!(out, "story_count: {}", d.story_count);
    if d.sections.is_empty() {
        out.push_str("topics: []\n");
    } else {
        out.push_str("topics:\n");
        for s in &d.sections {
            let _ = writeln!(out, "  - {}", yaml_str(&s.name));
        }
    }
    out.push_str("---\n\n");
    let body = render_markdown(d, RenderOptions::default());
    out.push_str(strip_h1(&body));
    out
}

/// The markdown without its leading `# title` line and the blank line after it.
fn strip_h1(md: &str) -> &str {
    if md.starts_with("# ")
        && let Some(end) = md.find('\n')
    {
        return md[end + 1..].trim_start_matches('\n');
    }
    md
}

/// The file a query is written to: `search-<slug>.md`, the slug made of the query's ASCII
/// letters and digits (lower-cased, other runs become `-`, at most 60 characters); a query
/// without any gets a short hash instead.
pub(crate) fn search_file_name(query: &str) -> String {
    let mut slug = String::new();
    for c in query.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        use sha2::Digest as _;
        let h = sha2::Sha256::digest(query.trim().as_bytes());
        slug = h[..4].iter().map(|b| format!("{b:02x}")).collect();
    }
    format!("search-{slug}.md")
}

/// A page of search results: front matter (`title`, `query`, `date` = the newest story's day,
/// `story_count`) then the stories, newest first, rendered like the digest's items. `items`
/// carry their display date; `newest` is the local day of the newest one.
pub(crate) fn search_page(query: &str, items: &[Item], newest: Option<NaiveDate>) -> String {
    let q = crate::text::collapse_ws(&for_terminal(query, false));
    let mut out = String::from("---\n");
    let _ = writeln!(out, "title: {}", yaml_str(&format!("Search: {q}")));
    let _ = writeln!(out, "query: {}", yaml_str(&q));
    if let Some(d) = newest {
        let _ = writeln!(out, "date: {}", day(d));
    }
    let _ = writeln!(out, "story_count: {}", items.len());
    out.push_str("---\n\n");
    let n = if items.len() == 1 {
        "1 story".to_string()
    } else {
        format!("{} stories", items.len())
    };
    let _ = writeln!(
        out,
        "{n} matching “{}”, newest first.\n",
        escape_paragraph(&q)
    );
    out.push_str(&render_items(items));
    out
}

/// Escapes text for XML element content.
fn xml(s: &str) -> String {
    escape_xml(s, Markup::Text)
}

/// The Atom id of a week's entry.
pub(crate) fn week_urn(week: &str) -> String {
    format!("urn:pydigest:week:{week}")
}

/// An Atom 1.0 feed with one entry per digest, newest week first: id `urn:pydigest:week:…`,
/// the digest title, `updated` = the end of the week (the next Monday 00:00 local, in UTC),
/// a `rel="alternate"` link from `link` (when it gives one), and the digest as sanitized HTML.
/// The feed's `updated` is the newest entry's.
pub(crate) fn atom_feed(digests: &[Digest], link: &dyn Fn(&Digest) -> Option<String>) -> String {
    let mut sorted: Vec<&Digest> = digests.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.range.start));
    let updated = sorted
        .iter()
        .map(|d| d.range.until)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str("  <id>urn:pydigest:weekly-digests</id>\n");
    out.push_str("  <title>Python: Weekly Summaries</title>\n");
    out.push_str("  <subtitle>Python ecosystem news, grouped by topic, one entry a week (written by pydigest)</subtitle>\n");
    let _ = writeln!(out, "  <updated>{}</updated>", rfc3339(updated));
    out.push_str("  <author><name>pydigest</name></author>\n");
    out.push_str("  <generator>pydigest</generator>\n");
    for d in sorted {
        let id = d.range.week_label().map_or_else(
            || {
                format!(
                    "urn:pydigest:days:{}..{}",
                    day(d.range.start),
                    day(d.range.end)
                )
            },
            |w| week_urn(&w),
        );
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <id>{}</id>", xml(&id));
        let _ = writeln!(
            out,
            "    <title type=\"text\">{}</title>",
            xml(&for_terminal(&d.title, false))
        );
        if let Some(href) = link(d) {
            let _ = writeln!(
                out,
                "    <link rel=\"alternate\" type=\"{}\" href=\"{}\"/>",
                if href.starts_with("http") {
                    "text/html"
                } else {
                    "text/markdown"
                },
                crate::text::escape_xml(
                    &for_terminal(&href, false),
                    crate::text::Markup::Attribute
                )
            );
        }
        let _ = writeln!(out, "    <updated>{}</updated>", rfc3339(d.range.until));
        let _ = writeln!(out, "    <published>{}</published>", rfc3339(d.range.until));
        let _ = writeln!(
            out,
            "    <summary type=\"text\">{}</summary>",
            xml(&for_terminal(&d.overview, false))
        );
        let _ = writeln!(
            out,
            "    <content type=\"html\">{}</content>",
            xml(&render_html(d))
        );
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("plain", "\"plain\"")]
    #[case("a: b # c", "\"a: b # c\"")]
    #[case("say \"hi\"\\", "\"say \\\"hi\\\"\\\\\"")]
    #[case("two\nlines\r\n", "\"two lines\"")]
    #[case("<script>&", "\"\\u003cscript\\u003e&\"")]
    #[case("sep\u{2028}x\u{85}", "\"sep\\u2028x\"")]
    #[case("bidi\u{202e}gone\u{1b}[31m", "\"bidigone\"")]
    fn yaml_strings_are_quoted(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(yaml_str(input), expected);
    }

    #[rstest]
    #[case("uv", "search-uv.md")]
    #[case("  Free-Threading  3.14! ", "search-free-threading-3-14.md")]
    #[case("../../etc/passwd", "search-etc-passwd.md")]
    #[case("日本", "search-")]
    fn search_files_are_safe_names(#[case] q: &str, #[case] prefix: &str) {
        let name = search_file_name(q);
        assert!(name.starts_with(prefix) && name.ends_with(".md"), "{name}");
        assert!(!name.contains('/') && !name.contains(".."), "{name}");
        assert!(name.len() > "search-.md".len(), "{name}");
    }

    #[test]
    fn h1_is_stripped_once() {
        assert_eq!(strip_h1("# T\n\nbody\n# not\n"), "body\n# not\n");
        assert_eq!(strip_h1("no title\n"), "no title\n");
    }

    #[test]
    fn xml_drops_what_xml_cannot_hold() {
        assert_eq!(xml("a\u{0}<b>&\u{ffff}"), "a&lt;b&gt;&amp;");
    }
}
