//! Digest → an HTML fragment (for the Atom export). Built directly from the [`Digest`], not from
//! its markdown: every piece of feed text is made plain (control characters and bidi overrides
//! removed) and HTML-escaped, only http(s) URLs become links, and the result still goes through
//! [`crate::parse::sanitize_html`].

use crate::digest::{Digest, Item, PODCASTS};
use crate::text::{Markup, escape_xml, for_terminal, is_web_url};
use std::fmt::Write as _;

/// Feed text made plain ([`for_terminal`]) and escaped for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    escape_xml(&for_terminal(s, false), Markup::Html)
}

/// `<a href>` for http(s) URLs, else the escaped text alone.
pub(crate) fn link(text: &str, url: Option<&str>) -> String {
    match url {
        Some(u) if is_web_url(u) => {
            let href: String = u
                .trim()
                .chars()
                .filter(|c| !c.is_control() && !c.is_whitespace())
                .collect();
            format!("<a href=\"{}\">{}</a>", esc(&href), esc(text))
        }
        _ => esc(text),
    }
}

/// One story as an `<li>`: title link, byline, summary, "Also in".
pub(crate) fn item(out: &mut String, i: &Item) {
    let _ = write!(
        out,
        "<li><strong>{}</strong> — {}",
        link(&i.title, i.url.as_deref()),
        super::byline(i, esc, |s| format!("<em>{s}</em>"))
    );
    if !i.summary.is_empty() {
        let _ = write!(out, "<br>{}", esc(&i.summary));
    }
    if !i.also_in.is_empty() {
        let names: Vec<String> = i.also_in.iter().map(|n| esc(n)).collect();
        let _ = write!(out, "<br>Also in: {}", names.join(", "));
    }
    out.push_str("</li>\n");
}

/// The Top stories as `<li>` lines: title link, source, "also in", and the section it is under.
pub(crate) fn top_items(out: &mut String, d: &Digest) {
    for id in &d.top {
        let Some(i) = d.item(*id) else { continue };
        let _ = write!(
            out,
            "<li><strong>{}</strong> — <em>{}</em>",
            link(&i.title, i.url.as_deref()),
            esc(&i.source)
        );
        if !i.also_in.is_empty() {
            let names: Vec<String> = i.also_in.iter().map(|n| esc(n)).collect();
            let _ = write!(out, ", also in {}", names.join(", "));
        }
        let podcast = d
            .sections
            .iter()
            .any(|s| s.name == PODCASTS && s.items.iter().any(|x| x.id == i.id));
        let section = if podcast {
            PODCASTS
        } else {
            i.classification.primary.as_str()
        };
        let _ = writeln!(out, " ({})</li>", esc(section));
    }
}

/// The digest as an HTML fragment: overview, top stories, one section per topic, trending
/// terms. The title is left out (a feed entry carries it). Sanitized before it is returned.
pub(crate) fn render_html(d: &Digest) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<p>{}</p>", esc(&d.overview));
    if !d.top.is_empty() {
        out.push_str("<h2>Top stories</h2>\n<ol>\n");
        top_items(&mut out, d);
        out.push_str("</ol>\n");
    }
    for s in &d.sections {
        let _ = writeln!(out, "<h2>{}</h2>\n<ul>", esc(&s.name));
        for i in s.shown() {
            item(&mut out, i);
        }
        if let Some(more) = s.more_line() {
            let _ = writeln!(out, "<li>{}</li>", esc(&more));
        }
        out.push_str("</ul>\n");
    }
    if !d.trending.is_empty() {
        let _ = writeln!(out, "<h2>Trending this {}</h2>\n<ul>", d.span_word());
        for t in &d.trending {
            let stories = if t.count == 1 {
                "1 story".to_string()
            } else {
                format!("{} stories", t.count)
            };
            let _ = writeln!(
                out,
                "<li><strong>{}</strong> — {stories}</li>",
                esc(&t.term)
            );
        }
        out.push_str("</ul>\n");
    }
    crate::parse::sanitize_html(&out, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_links_are_inert() {
        assert_eq!(
            esc("<script>x</script> & \"q\"\u{1b}[31m"),
            "&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(link("t", Some("javascript:alert(1)")), "t");
        assert_eq!(
            link("a<b", Some("https://x.org/?a=1&b=\"2\"")),
            "<a href=\"https://x.org/?a=1&amp;b=&quot;2&quot;\">a&lt;b</a>"
        );
        let clean = crate::parse::sanitize_html(
            &format!("<p>{}</p>", link("x", Some("https://x.org/"))),
            None,
        );
        assert!(clean.contains("href=\"https://x.org/\""), "{clean}");
    }
}
