//! What feed-rs does not keep, read per item from the raw document: the xml:base in scope
//! for each entry, its content and its summary; `feedburner:origLink`; RSS `guid
//! isPermaLink="false"`; `dcterms:modified`; `itunes:keywords`. Each pass runs only when its
//! marker occurs in the document, so ordinary feeds pay a few substring scans.

use chrono::{DateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use regex::Regex;
use std::sync::LazyLock;
use url::Url;

static ITEM_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<(?:item|entry)[\s>].*?</(?:item|entry)>").unwrap());
static ORIG_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<feedburner:origLink>\s*(.*?)\s*</feedburner:origLink>").unwrap()
});
static GUID_NOT_PERMALINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<guid\s[^>]*isPermaLink\s*=\s*["']\s*false\s*["']"#).unwrap());
static DCTERMS_MODIFIED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<dcterms:modified(?:\s[^>]*)?>\s*(.*?)\s*</dcterms:modified>").unwrap()
});
static ITUNES_KEYWORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<itunes:keywords(?:\s[^>]*)?>\s*(.*?)\s*</itunes:keywords>").unwrap()
});

static ITUNES_AUTHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<itunes:author(?:\s[^>]*)?>\s*(.*?)\s*</itunes:author>").unwrap()
});
static PODCAST_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<podcast:person(?:\s[^>]*)?>\s*(.*?)\s*</podcast:person>").unwrap()
});
static ITUNES_DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<itunes:duration(?:\s[^>]*)?>\s*(.*?)\s*</itunes:duration>").unwrap()
});
static ITUNES_IMAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<itunes:image\s[^>]*href\s*=\s*["']([^"']+)["']"#).unwrap());

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

/// Reads the extras of every item; empty when the document has none of them.
pub(super) fn item_extras(text: &str, doc_url: Option<&str>) -> Vec<ItemExtras> {
    let markers = [
        "feedburner:origLink",
        "isPermaLink",
        "dcterms:modified",
        "itunes:keywords",
        "itunes:author",
        "itunes:duration",
        "itunes:image",
        "podcast:person",
    ];
    let mut out: Vec<ItemExtras> = Vec::new();
    if markers.iter().any(|m| text.contains(m)) {
        out = ITEM_BLOCK
            .find_iter(text)
            .map(|m| block_extras(m.as_str()))
            .collect();
    }
    if text.contains("xml:base") {
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

fn unescape(s: &str) -> String {
    let s = s
        .trim()
        .trim_start_matches("<![CDATA[")
        .trim_end_matches("]]>");
    html_escape::decode_html_entities(s).trim().to_string()
}

fn block_extras(block: &str) -> ItemExtras {
    ItemExtras {
        orig_link: ORIG_LINK.captures(block).map(|c| unescape(&c[1])),
        guid_not_permalink: GUID_NOT_PERMALINK.is_match(block),
        modified: DCTERMS_MODIFIED
            .captures(block)
            .and_then(|c| super::dates::parse_date(&unescape(&c[1]))),
        keywords: ITUNES_KEYWORDS
            .captures(block)
            .map(|c| {
                unescape(&c[1])
                    .split(',')
                    .map(crate::text::collapse_ws)
                    .filter(|k| !k.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        people: ITUNES_AUTHOR
            .captures_iter(block)
            .chain(PODCAST_PERSON.captures_iter(block))
            .map(|c| unescape(&c[1]))
            .filter(|n| !n.is_empty())
            .collect(),
        duration: ITUNES_DURATION
            .captures(block)
            .and_then(|c| parse_duration(&unescape(&c[1]))),
        image: ITUNES_IMAGE.captures(block).map(|c| unescape(&c[1])),
        base: Bases::default(),
    }
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
