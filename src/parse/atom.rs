//! Atom 0.3 rewritten as Atom 1.0, and Atom text constructs put in the three forms RFC 4287
//! allows (text, html, xhtml) before feed-rs reads them. feed-rs knows neither the 0.3
//! namespace (the whole document looked empty) nor 0.3's `mode` attribute, and rejects text
//! constructs with a MIME type or base64 body (the whole document failed). The rewrite copies
//! every byte it does not need to change, so positions and markup elsewhere stay as they were.

use base64::Engine;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashSet;

/// The Atom 0.3 namespace (the 2003 draft).
const ATOM03_NS: &str = "http://purl.org/atom/ns#";
/// The RFC 4287 namespace.
const ATOM10_NS: &str = "http://www.w3.org/2005/Atom";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// The document as Atom 1.0 when it is Atom 0.3 (unchanged otherwise, or when it cannot be
/// tokenised: feed-rs then reports the error).
pub(super) fn atom03_as_atom10(text: String) -> String {
    if is_atom03(&text)
        && let Some(rewritten) = normalise(&text, true)
    {
        return rewritten;
    }
    text
}

/// Whether the document's root is an Atom 0.3 feed (or a lone entry) in the 0.3 namespace.
fn is_atom03(text: &str) -> bool {
    let head = &text[..floor_char_boundary(text, 4096)];
    head.contains(ATOM03_NS)
        && (head.contains("<feed") || head.contains(":feed") || head.contains("<entry"))
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

/// How a text construct's body is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Html,
    Xhtml,
    /// A base64-encoded document of some other media type (RFC 4287 §4.1.3.3 rule 6).
    Base64,
}

/// The media type of a text construct or content element: RFC 4287 names and the MIME types
/// Atom 0.3 used.
fn kind_of(ty: &str) -> Kind {
    let ty = ty.trim().to_ascii_lowercase();
    let ty = ty.split(';').next().unwrap_or("").trim();
    match ty {
        "" | "text" | "text/plain" => Kind::Text,
        "html" | "text/html" => Kind::Html,
        "xhtml" | "application/xhtml+xml" => Kind::Xhtml,
        t if t.ends_with("+xml") || t.ends_with("/xml") => Kind::Xhtml,
        t if t.starts_with("text/") => Kind::Text,
        _ => Kind::Base64,
    }
}

/// Rewrites an Atom 0.3 document as Atom 1.0 (`from03`), or only normalises the text
/// constructs of an Atom 1.0 document. `None` when the XML cannot be tokenised: feed-rs then
/// reports the error on the original.
pub(super) fn normalise(text: &str, from03: bool) -> Option<String> {
    let ns = if from03 { ATOM03_NS } else { ATOM10_NS };
    let mut out = String::with_capacity(text.len() + 256);
    let mut reader = Reader::from_str(text);
    // Prefixes ("" for the default namespace) bound to the Atom namespace being read.
    let mut atom_prefixes: HashSet<String> = HashSet::new();
    // Per open element: the name it is written under, when renamed.
    let mut renamed: Vec<Option<String>> = Vec::new();
    // Per open entry: whether it has an `issued` (0.3), which decides what `created` becomes.
    let mut entry_has_issued: Vec<bool> = Vec::new();
    let mut lookahead = Lookahead::default();
    loop {
        let before = pos(&reader);
        let ev = reader.read_event().ok()?;
        let after = pos(&reader);
        let raw = text.get(before..after)?;
        match ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let empty = raw.ends_with("/>");
                bind_prefixes(&e, ns, &mut atom_prefixes);
                let qname = e.name().into_inner();
                let (prefix, local) = split_qname(qname);
                let in_atom = atom_prefixes.contains(prefix);
                if !in_atom {
                    out.push_str(&retag_namespace(raw, from03));
                    if !empty {
                        renamed.push(None);
                    }
                    continue;
                }
                if local == "entry" && !empty {
                    entry_has_issued.push(lookahead.entry_has_issued(text, after, qname));
                }
                if is_text_construct(local, from03) && !empty {
                    let new_local = rename(local, from03);
                    let inner_end = skip_to_end(&mut reader)?;
                    let inner = text.get(after..inner_end)?;
                    write_text_construct(&mut out, &e, prefix, new_local, inner, from03);
                    continue;
                }
                let new_local = match local {
                    "created" if from03 => {
                        if entry_has_issued.last().copied().unwrap_or(false) {
                            // `issued` is the publication date; `created` would override it.
                            if !empty {
                                skip_to_end(&mut reader)?;
                            }
                            continue;
                        }
                        "published"
                    }
                    "info" if from03 => {
                        if !empty {
                            skip_to_end(&mut reader)?;
                        }
                        continue;
                    }
                    _ if is_text_construct(local, from03) => {
                        // An empty text construct: feed-rs would fail the document on it.
                        continue;
                    }
                    other => rename(other, from03),
                };
                let tag = retag_namespace(raw, from03);
                if new_local == local {
                    out.push_str(&strip_version(&tag, from03 && local == "feed"));
                    if !empty {
                        renamed.push(None);
                    }
                } else {
                    let new_q = qualified(prefix, new_local);
                    out.push_str(&tag.replacen(qname, &new_q, 1));
                    if !empty {
                        renamed.push(Some(new_q));
                    }
                }
            }
            Event::End(e) => {
                let local = split_qname(e.name().into_inner()).1;
                if local == "entry" {
                    entry_has_issued.pop();
                }
                match renamed.pop().flatten() {
                    Some(q) => {
                        out.push_str("</");
                        out.push_str(&q);
                        out.push('>');
                    }
                    None => out.push_str(raw),
                }
            }
            _ => out.push_str(raw),
        }
    }
    Some(out)
}

fn pos(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn split_qname(q: &str) -> (&str, &str) {
    match q.split_once(':') {
        Some((p, l)) => (p, l),
        None => ("", q),
    }
}

fn qualified(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_string()
    } else {
        format!("{prefix}:{local}")
    }
}

fn bind_prefixes(e: &BytesStart<'_>, ns: &str, prefixes: &mut HashSet<String>) {
    for a in e.attributes().flatten() {
        let key = a.key.into_inner();
        let prefix = if key == "xmlns" {
            ""
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            p
        } else {
            continue;
        };
        if a.value.trim() == ns {
            prefixes.insert(prefix.to_string());
        } else {
            prefixes.remove(prefix);
        }
    }
}

/// Rebinds the 0.3 namespace to RFC 4287's in a start tag.
fn retag_namespace(raw: &str, from03: bool) -> String {
    if from03 && raw.contains(ATOM03_NS) {
        raw.replace(ATOM03_NS, ATOM10_NS)
    } else {
        raw.to_string()
    }
}

/// Drops 0.3's `version="0.3"` from the root, which means nothing in 1.0.
fn strip_version(tag: &str, is_root: bool) -> String {
    if !is_root {
        return tag.to_string();
    }
    static VERSION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\sversion\s*=\s*("[^"]*"|'[^']*')"#).unwrap()
    });
    VERSION.replace(tag, "").into_owned()
}

fn is_text_construct(local: &str, from03: bool) -> bool {
    matches!(
        local,
        "title" | "subtitle" | "rights" | "summary" | "content"
    ) || (from03 && matches!(local, "tagline" | "copyright"))
}

/// Atom 0.3 element names and their RFC 4287 equivalents.
fn rename(local: &str, from03: bool) -> &str {
    if !from03 {
        return local;
    }
    match local {
        "issued" => "published",
        "modified" => "updated",
        "tagline" => "subtitle",
        "copyright" => "rights",
        "url" => "uri",
        other => other,
    }
}

/// Finds whether an entry has an `issued` child by looking ahead in the raw text. The next
/// end tag and the next `issued` are remembered, so a document of unclosed entries costs one
/// scan, not one per entry.
#[derive(Default)]
struct Lookahead {
    /// Next `</entry` at or after the last position asked about (`text.len()` when none).
    end: Option<usize>,
    /// Next `issued>` likewise.
    issued: Option<usize>,
}

impl Lookahead {
    fn entry_has_issued(&mut self, text: &str, from: usize, qname: &str) -> bool {
        let next = |cached: Option<usize>, needle: &str| match cached {
            Some(at) if at >= from => at,
            _ => text[from..].find(needle).map_or(text.len(), |i| from + i),
        };
        let end = next(self.end, &format!("</{qname}"));
        let issued = next(self.issued, "issued>");
        self.end = Some(end);
        self.issued = Some(issued);
        issued < end
    }
}

/// Reads to the end of the element just started; returns where its end tag starts.
fn skip_to_end(reader: &mut Reader<&[u8]>) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        let before = pos(reader);
        match reader.read_event().ok()? {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return Some(before),
            Event::End(_) => depth -= 1,
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The character data of `inner` (text, entity and character references, CDATA), ignoring
/// any child markup.
fn character_data(inner: &str) -> String {
    let mut reader = Reader::from_str(inner);
    let mut s = String::new();
    while let Ok(ev) = reader.read_event() {
        match ev {
            Event::Eof => break,
            Event::Text(t) => s.push_str(&t.xml10_content()),
            Event::CData(c) => s.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                if let Ok(Some(ch)) = r.resolve_char_ref() {
                    s.push(ch);
                } else {
                    let name = r.xml10_content();
                    s.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            _ => {}
        }
    }
    s
}

fn has_child_elements(inner: &str) -> bool {
    let mut reader = Reader::from_str(inner);
    while let Ok(ev) = reader.read_event() {
        match ev {
            Event::Eof => return false,
            Event::Start(_) | Event::Empty(_) => return true,
            _ => {}
        }
    }
    false
}

/// Base64 bodies wrap lines and sometimes carry stray whitespace.
fn decode_base64(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(compact.trim_end_matches('=').as_bytes())
        })
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Writes a text construct in one of RFC 4287's three forms, keeping its other attributes
/// (`xml:base`, `xml:lang`, `src`); an unreadable or empty one is left out.
fn write_text_construct(
    out: &mut String,
    e: &BytesStart<'_>,
    prefix: &str,
    local: &str,
    inner: &str,
    from03: bool,
) {
    let mut ty = String::new();
    let mut mode = String::new();
    let mut kept = String::new();
    let mut has_src = false;
    for a in e.attributes().flatten() {
        let key = a.key.into_inner();
        match key {
            "type" => {
                ty = quick_xml::escape::unescape(&a.value)
                    .map(|v| v.into_owned())
                    .unwrap_or_default()
            }
            "mode" if from03 => {
                mode = quick_xml::escape::unescape(&a.value)
                    .map(|v| v.trim().to_ascii_lowercase())
                    .unwrap_or_default();
            }
            "version" => {}
            _ => {
                if key == "src" {
                    has_src = true;
                }
                let value = a.value.as_ref();
                let value = if from03 && value.trim() == ATOM03_NS {
                    ATOM10_NS
                } else {
                    value
                };
                kept.push(' ');
                kept.push_str(key);
                kept.push_str("=\"");
                kept.push_str(&value.replace('"', "&quot;"));
                kept.push('"');
            }
        }
    }
    let name = qualified(prefix, local);
    if has_src {
        // Out-of-line content: nothing inline to read; keep the type if it is a MIME type.
        let ty_attr = if ty.contains('/') {
            format!(" type=\"{}\"", escape(&ty))
        } else {
            String::new()
        };
        out.push_str(&format!("<{name}{kept}{ty_attr}/>"));
        return;
    }
    let kind = kind_of(&ty);
    // What to write: (RFC 4287 type, body already escaped for XML).
    let body: Option<(&str, String)> = match mode.as_str() {
        "base64" => decode_base64(&character_data(inner)).map(|s| match kind {
            Kind::Html | Kind::Xhtml => ("html", escape(&s)),
            Kind::Text | Kind::Base64 => ("text", escape(&s)),
        }),
        "escaped" => Some(match kind {
            Kind::Html | Kind::Xhtml => ("html", inner.to_string()),
            Kind::Text | Kind::Base64 => ("text", inner.to_string()),
        }),
        _ => match kind {
            Kind::Text => Some(("text", inner.to_string())),
            Kind::Html if from03 && has_child_elements(inner) => {
                Some(("xhtml", format!("<div xmlns=\"{XHTML_NS}\">{inner}</div>")))
            }
            Kind::Html => Some(("html", inner.to_string())),
            Kind::Xhtml => Some((
                "xhtml",
                if has_div_root(inner) {
                    inner.to_string()
                } else {
                    format!("<div xmlns=\"{XHTML_NS}\">{inner}</div>")
                },
            )),
            Kind::Base64 => decode_base64(&character_data(inner)).map(|s| ("text", escape(&s))),
        },
    };
    let Some((ty, body)) = body else { return };
    if body.trim().is_empty() {
        return;
    }
    out.push_str(&format!("<{name}{kept} type=\"{ty}\">{body}</{name}>"));
}

/// Whether the only element child is a `div` (RFC 4287 §3.1.1.3), which feed-rs unwraps.
fn has_div_root(inner: &str) -> bool {
    let t = inner.trim_start();
    t.starts_with("<div") || t.starts_with("<xhtml:div") || t.starts_with("<h:div")
}
