//! What feed-rs does not keep, read per item from the raw document: the xml:base in scope
//! for each entry, its content and its summary; `feedburner:origLink`; RSS `guid
//! isPermaLink="false"`; `dcterms:modified`; iTunes and Podcasting 2.0 episode elements.
//! One Aho-Corasick pass finds item boundaries and those elements; only a document with
//! xml:base pays for a second, XML-aware pass.

use aho_corasick::{AhoCorasick, MatchKind};
use chrono::{DateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use regex::Regex;
use std::sync::LazyLock;
use url::Url;

/// What one pass over the document looks for: item boundaries (0–3), the elements read here
/// (4–11) and xml:base (12).
const PATTERNS: [&str; 13] = [
    "<item",
    "<entry",
    "</item>",
    "</entry>",
    "<feedburner:origLink",
    "isPermaLink",
    "<dcterms:modified",
    "<itunes:keywords",
    "<itunes:author",
    "<itunes:duration",
    "<itunes:image",
    "<podcast:person",
    "xml:base",
];
const XML_BASE: usize = 12;

/// Leftmost-first lets aho-corasick use its SIMD (Teddy) prefilter; the matches are the same
/// as with the standard semantics, since no pattern's end can overlap another's start.
static FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(PATTERNS)
        .expect("literal patterns")
});
static HREF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\shref\s*=\s*["']([^"']+)["']"#).unwrap());

/// How far past an element's start its end tag is looked for: bounds the work on documents
/// whose elements never close.
const ELEMENT_WINDOW: usize = 64 * 1024;

/// The xml:base in scope (only when one was written) at an entry, its content and its summary.
#[derive(Debug, Clone, Default)]
pub(super) struct Bases {
    /// At the entry or item element.
    pub(super) entry: Option<Url>,
    /// At its content (`content`, `content:encoded`).
    pub(super) content: Option<Url>,
    /// At its summary (`summary`, `description`).
    pub(super) summary: Option<Url>,
}

/// Per-item facts feed-rs drops, in document order.
#[derive(Debug, Clone, Default)]
pub(super) struct ItemExtras {
    /// `feedburner:origLink`: the real URL behind FeedBurner's redirect.
    pub(super) orig_link: Option<String>,
    /// RSS 2.0 `guid isPermaLink="false"`: the guid is an id, not a URL.
    pub(super) guid_not_permalink: bool,
    /// `dcterms:modified`.
    pub(super) modified: Option<DateTime<Utc>>,
    /// `itunes:keywords`, comma-separated.
    pub(super) keywords: Vec<String>,
    /// iTunes author and Podcasting 2.0 people, which feed-rs drops from an item whose iTunes
    /// or podcast elements carry no title or description.
    pub(super) people: Vec<String>,
    /// `itunes:duration` in seconds.
    pub(super) duration: Option<u64>,
    /// `itunes:image`'s href.
    pub(super) image: Option<String>,
    /// xml:base in scope.
    pub(super) base: Bases,
}

/// Reads the extras of every item in one pass; empty when the document has none of them.
pub(super) fn item_extras(text: &str, doc_url: Option<&str>) -> Vec<ItemExtras> {
    let mut out: Vec<ItemExtras> = Vec::new();
    let mut current: Option<ItemExtras> = None;
    let mut any = false;
    let mut has_xml_base = false;
    for m in FINDER.find_iter(text) {
        match m.pattern().as_usize() {
            0 | 1 => {
                let next = text.as_bytes().get(m.end()).copied().unwrap_or(b'x');
                if current.is_none() && (next == b'>' || next.is_ascii_whitespace()) {
                    current = Some(ItemExtras::default());
                }
            }
            2 | 3 => out.extend(current.take()),
            XML_BASE => has_xml_base = true,
            k => {
                // Channel-level elements (a show's itunes:author) are not an item's.
                if let Some(x) = current.as_mut() {
                    any |= read_element(k, &text[m.start()..], x);
                }
            }
        }
    }
    if !any {
        out.clear();
    }
    if has_xml_base {
        let bases = xml_bases(text, doc_url);
        if out.len() < bases.len() {
            out.resize_with(bases.len(), ItemExtras::default);
        }
        for (x, b) in out.iter_mut().zip(bases) {
            x.base = b;
        }
    }
    out
}

/// The start tag and the content of the element `rest` starts with.
fn element(rest: &str) -> Option<(&str, String)> {
    let window = &rest[..floor_char_boundary(rest, ELEMENT_WINDOW)];
    let gt = window.find('>')?;
    let tag = &window[..gt];
    if tag.ends_with('/') {
        return Some((tag, String::new()));
    }
    let name_end = tag
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(tag.len());
    let close = format!("</{}", &tag[1..name_end]);
    let body = &window[gt + 1..];
    let end = body.find(&close)?;
    Some((tag, unescape(&body[..end])))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Reads the element (or attribute) of pattern `k` at the start of `rest` into `x`; whether
/// anything was read.
fn read_element(k: usize, rest: &str, x: &mut ItemExtras) -> bool {
    if PATTERNS[k] == "isPermaLink" {
        let v = rest["isPermaLink".len()..].trim_start();
        let v = v.strip_prefix('=').unwrap_or("").trim_start();
        let v = v.trim_start_matches(['"', '\'']).trim_start();
        x.guid_not_permalink = v.get(..5).is_some_and(|f| f.eq_ignore_ascii_case("false"));
        return x.guid_not_permalink;
    }
    // A longer name with the same prefix (`<itunes:imageX>`) is another element.
    let after = rest
        .as_bytes()
        .get(PATTERNS[k].len())
        .copied()
        .unwrap_or(b'x');
    if !(after == b'>' || after == b'/' || after.is_ascii_whitespace()) {
        return false;
    }
    let Some((tag, content)) = element(rest) else {
        return false;
    };
    let content = Some(content).filter(|c| !c.is_empty());
    match PATTERNS[k] {
        "<feedburner:origLink" => x.orig_link = content,
        "<dcterms:modified" => x.modified = content.and_then(|d| super::dates::parse_date(&d)),
        "<itunes:keywords" => {
            x.keywords = content
                .map(|k| {
                    k.split(',')
                        .map(crate::text::collapse_ws)
                        .filter(|k| !k.is_empty())
                        .collect()
                })
                .unwrap_or_default();
        }
        "<itunes:author" | "<podcast:person" => x.people.extend(content),
        "<itunes:duration" => x.duration = content.and_then(|d| parse_duration(&d)),
        "<itunes:image" => x.image = HREF.captures(tag).map(|c| unescape(&c[1])),
        _ => return false,
    }
    true
}

fn unescape(s: &str) -> String {
    let s = s
        .trim()
        .trim_start_matches("<![CDATA[")
        .trim_end_matches("]]>");
    html_escape::decode_html_entities(s).trim().to_string()
}

/// iTunes durations: seconds, `MM:SS` or `HH:MM:SS` (fractions of a second ignored).
fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    let s = s.split('.').next().unwrap_or(s);
    let mut total: u64 = 0;
    let parts: Vec<&str> = s.split(':').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    for p in parts {
        let n: u64 = p.trim().parse().ok()?;
        total = total.checked_mul(60)?.checked_add(n)?;
    }
    Some(total)
}

/// One open element: the base in scope inside it, and whether an xml:base set it.
type Scope = (Option<Url>, bool);

/// The xml:base chain (XML Base §4.2: each relative xml:base resolves against its parent's)
/// at each entry, its content and its summary, starting from the document's own URL.
fn xml_bases(text: &str, doc_url: Option<&str>) -> Vec<Bases> {
    let root: Scope = (doc_url.and_then(|u| Url::parse(u).ok()), false);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Scope> = Vec::new();
    let mut out: Vec<Bases> = Vec::new();
    let mut entry_depth: Option<usize> = None;
    loop {
        let ev = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        let (e, empty) = match ev {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                stack.pop();
                if entry_depth == Some(stack.len()) {
                    entry_depth = None;
                }
                continue;
            }
            _ => continue,
        };
        {
            {
                let parent = stack.last().unwrap_or(&root);
                let scope = scope_of(&e, parent);
                let qname = e.name().into_inner();
                let local = qname.rsplit(':').next().unwrap_or(qname);
                let explicit_url = || scope.1.then(|| scope.0.clone()).flatten();
                match local {
                    "entry" | "item" if entry_depth.is_none() => {
                        out.push(Bases {
                            entry: explicit_url(),
                            ..Bases::default()
                        });
                        if !empty {
                            entry_depth = Some(stack.len());
                        }
                    }
                    "content" | "encoded" if entry_depth.is_some() => {
                        if let Some(b) = out.last_mut() {
                            b.content = explicit_url();
                        }
                    }
                    "summary" | "description" if entry_depth.is_some() => {
                        if let Some(b) = out.last_mut() {
                            b.summary = explicit_url();
                        }
                    }
                    _ => {}
                }
                if !empty {
                    stack.push(scope);
                }
            }
        }
    }
    out
}

fn scope_of(e: &BytesStart<'_>, parent: &Scope) -> Scope {
    let xml_base = e
        .attributes()
        .flatten()
        .find(|a| a.key.into_inner() == "xml:base")
        .and_then(|a| {
            quick_xml::escape::unescape(&a.value)
                .ok()
                .map(|v| v.trim().to_string())
        });
    match xml_base {
        None => parent.clone(),
        Some(b) => {
            let resolved = match Url::parse(&b) {
                Ok(u) => Some(u),
                Err(url::ParseError::RelativeUrlWithoutBase) => {
                    parent.0.as_ref().and_then(|p| p.join(&b).ok())
                }
                Err(_) => None,
            };
            match resolved {
                Some(u) => (Some(u), true),
                None => parent.clone(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use rstest::rstest;

    #[rstest]
    #[case("3600", Some(3600))]
    #[case("62:03", Some(3723))]
    #[case("1:02:03", Some(3723))]
    #[case("00:45.5", Some(45))]
    #[case("1:2:3:4", None)]
    #[case("an hour", None)]
    fn itunes_durations(#[case] raw: &str, #[case] secs: Option<u64>) {
        assert_eq!(parse_duration(raw), secs);
    }
}
