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

/// The xml:base in scope (only when one was written) at an entry, its content and its summary.
#[derive(Debug, Clone, Default)]
pub(super) struct Bases {
    pub(super) entry: Option<Url>,
    pub(super) content: Option<Url>,
    pub(super) summary: Option<Url>,
}

/// Per-item facts feed-rs drops, in document order.
#[derive(Debug, Clone, Default)]
pub(super) struct ItemExtras {
    pub(super) orig_link: Option<String>,
    pub(super) guid_not_permalink: bool,
    pub(super) modified: Option<DateTime<Utc>>,
    pub(super) keywords: Vec<String>,
    pub(super) base: Bases,
}

/// Reads the extras of every item; empty when the document has none of them.
pub(super) fn item_extras(text: &str, doc_url: Option<&str>) -> Vec<ItemExtras> {
    let markers = [
        "feedburner:origLink",
        "isPermaLink",
        "dcterms:modified",
        "itunes:keywords",
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
        base: Bases::default(),
    }
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
