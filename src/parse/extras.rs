//! What feed-rs does not keep, read per item from the raw document: the xml:base in scope
//! for each entry, its content and its summary; `feedburner:origLink`; RSS `guid
//! isPermaLink="false"`; `dcterms:modified`; `itunes:keywords`. Each pass runs only when its
//! marker occurs in the document, so ordinary feeds pay a few substring scans.

use aho_corasick::AhoCorasick;
use chrono::{DateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use regex::Regex;
use std::sync::LazyLock;
use url::Url;

/// The elements this module reads, by bit in [`present`]'s mask, plus xml:base.
const MARKERS: [&str; 9] = [
    "feedburner:origLink",
    "isPermaLink",
    "dcterms:modified",
    "itunes:keywords",
    "itunes:author",
    "itunes:duration",
    "itunes:image",
    "podcast:person",
    "xml:base",
];
const ORIG: u16 = 1 << 0;
const PERMALINK: u16 = 1 << 1;
const MODIFIED: u16 = 1 << 2;
const KEYWORDS: u16 = 1 << 3;
const AUTHOR: u16 = 1 << 4;
const DURATION: u16 = 1 << 5;
const IMAGE: u16 = 1 << 6;
const PERSON: u16 = 1 << 7;
const XML_BASE: u16 = 1 << 8;

static MARKER_FINDER: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(MARKERS).expect("literal patterns"));
static BLOCK_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new(["<item", "<entry", "</item>", "</entry>"]).expect("literal patterns")
});

/// Which of [`MARKERS`] occur in the document, in one pass.
fn present(text: &str) -> u16 {
    let mut mask = 0u16;
    for m in MARKER_FINDER.find_iter(text) {
        mask |= 1 << m.pattern().as_usize();
        if mask == (1 << MARKERS.len()) - 1 {
            break;
        }
    }
    mask
}

/// Each `<item>` / `<entry>` element's text, from its start tag to the first end tag of
/// either name (as wild feeds nest neither), in one pass over the document.
fn item_blocks(text: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut start = None;
    for m in BLOCK_FINDER.find_iter(text) {
        if m.pattern().as_usize() < 2 {
            let next = text.as_bytes().get(m.end()).copied().unwrap_or(b'x');
            if start.is_none() && (next == b'>' || next.is_ascii_whitespace()) {
                start = Some(m.start());
            }
        } else if let Some(s) = start.take() {
            blocks.push(&text[s..m.end()]);
        }
    }
    blocks
}
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
    let mask = present(text);
    let mut out: Vec<ItemExtras> = Vec::new();
    if mask & !XML_BASE != 0 {
        out = item_blocks(text)
            .into_iter()
            .map(|b| block_extras(b, mask))
            .collect();
    }
    if mask & XML_BASE != 0 {
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

/// Reads one item's extras, running only the patterns whose element the document has.
fn block_extras(block: &str, mask: u16) -> ItemExtras {
    let has = |bit: u16| mask & bit != 0;
    let first = |wanted: bool, re: &Regex| {
        wanted
            .then(|| re.captures(block).map(|c| unescape(&c[1])))
            .flatten()
    };
    let mut people: Vec<String> = Vec::new();
    for (bit, re) in [(AUTHOR, &*ITUNES_AUTHOR), (PERSON, &*PODCAST_PERSON)] {
        if has(bit) {
            people.extend(
                re.captures_iter(block)
                    .map(|c| unescape(&c[1]))
                    .filter(|n| !n.is_empty()),
            );
        }
    }
    ItemExtras {
        orig_link: first(has(ORIG), &ORIG_LINK),
        guid_not_permalink: has(PERMALINK) && GUID_NOT_PERMALINK.is_match(block),
        modified: first(has(MODIFIED), &DCTERMS_MODIFIED)
            .and_then(|d| super::dates::parse_date(&d)),
        keywords: first(has(KEYWORDS), &ITUNES_KEYWORDS)
            .map(|k| {
                k.split(',')
                    .map(crate::text::collapse_ws)
                    .filter(|k| !k.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        people,
        duration: first(has(DURATION), &ITUNES_DURATION).and_then(|d| parse_duration(&d)),
        image: first(has(IMAGE), &ITUNES_IMAGE),
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
