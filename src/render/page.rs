//! Digest → one self-contained HTML page (`digest --format html`, `export --format html`, the
//! text/html part of `digest --mail`). Built from the same [`Digest`] as the markdown, with the
//! same sections in the same order; every piece of feed text goes through [`super::html::esc`]
//! (the one escaper, [`crate::text::escape_xml`]) and only http(s) URLs become links. The page
//! loads nothing: inline CSS, no scripts, fonts, images or external stylesheets.

use super::html::{esc, item, top_items};
use crate::digest::Digest;
use std::fmt::Write as _;

/// Inline style: one readable column, light and dark schemes, printable.
const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fdfdfc;--muted:#5a5a5a;--link:#0b57a4;--rule:#dddddd}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#161616;--muted:#a8a8a8;--link:#8ab4f8;--rule:#3a3a3a}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:42rem;padding:1rem;background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;overflow-wrap:anywhere}
h1{font-size:1.5rem;line-height:1.25}
h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid var(--rule)}
a{color:var(--link)}
li{margin:.6rem 0}
em,.muted{color:var(--muted)}
footer{margin-top:2rem;font-size:.85rem;color:var(--muted)}
@media print{:root{--fg:#000;--bg:#fff;--muted:#333;--link:#000}body{max-width:none;font-size:11pt}a{text-decoration:none}h2{break-after:avoid}li{break-inside:avoid}}
";

/// The digest as a complete HTML document ending in a newline.
pub(crate) fn render_page(d: &Digest) -> String {
    let mut out = String::new();
    page_head(&mut out, &d.title);
    let _ = writeln!(out, "<main>\n<h1>{}</h1>", esc(&d.title));
    let _ = writeln!(out, "<p>{}</p>", esc(&d.overview));
    if d.is_empty() {
        out.push_str(
            "<p>Fetch first (<code>pydigest fetch</code>), or pick another week with <code>--week YYYY-Www</code>.</p>\n",
        );
    } else {
        body(&mut out, d);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// `<!doctype>`, `<head>` with charset, viewport, title and the inline style, and `<body>`.
pub(crate) fn page_head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(title)
    );
}

/// Top stories, one section per topic, trending terms: the markdown's order.
fn body(out: &mut String, d: &Digest) {
    for w in &d.watches {
        let _ = writeln!(
            out,
            "<section class=\"watch\">\n<h2>{}</h2>\n<ul>",
            esc(&w.name)
        );
        for i in &w.items {
            item(out, i);
        }
        out.push_str("</ul>\n</section>\n");
    }
    if !d.top.is_empty() {
        out.push_str("<section id=\"top\">\n<h2>Top stories</h2>\n<ol>\n");
        top_items(out, d);
        out.push_str("</ol>\n</section>\n");
    }
    for s in &d.sections {
        let _ = writeln!(
            out,
            "<section class=\"topic\">\n<h2>{}</h2>\n<ul>",
            esc(&s.name)
        );
        // The same flood limits as the markdown: the best few, then one line for the rest.
        for i in s.shown() {
            item(out, i);
        }
        if let Some(more) = s.more_line() {
            let _ = writeln!(out, "<li class=\"more\">{}</li>", esc(&more));
        }
        out.push_str("</ul>\n</section>\n");
    }
    if !d.trending.is_empty() {
        let _ = writeln!(
            out,
            "<section id=\"trending\">\n<h2>Trending this {}</h2>\n<ul>",
            d.span_word()
        );
        for t in &d.trending {
            let stories = if t.count == 1 {
                "1 story".to_string()
            } else {
                format!("{} stories", t.count)
            };
            let base = if t.baseline == 0.0 {
                "new this week".to_string()
            } else {
                let b = format!("{:.1}", (t.baseline * 10.0).round() / 10.0);
                format!("{} a week before", b.strip_suffix(".0").unwrap_or(&b))
            };
            let _ = writeln!(
                out,
                "<li><strong>{}</strong> — {stories} ({base})</li>",
                esc(&t.term)
            );
        }
        out.push_str("</ul>\n</section>\n");
    }
}

/// An index page linking each week's page: `(file name, title)` pairs, newest first as given.
pub(crate) fn index_page(weeks: &[(String, String)]) -> String {
    let mut out = String::new();
    page_head(&mut out, "Python weekly digests");
    out.push_str("<main>\n<h1>Python weekly digests</h1>\n<ul>\n");
    for (file, title) in weeks {
        // File names are ours (`2025-W42.html`), but escaping costs nothing.
        let _ = writeln!(out, "<li><a href=\"{}\">{}</a></li>", esc(file), esc(title));
    }
    out.push_str("</ul>\n</main>\n</body>\n</html>\n");
    out
}
