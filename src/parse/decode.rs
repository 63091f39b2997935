//! Bytes to text: pick the charset the way browsers and feed readers do (BOM, then the HTTP
//! header, then the document's own declaration, then UTF-8 if the bytes are valid, then
//! windows-1252), and say so when the declaration was wrong.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use regex::bytes::Regex;
use std::sync::LazyLock;

/// Text decoded from raw bytes, with the charset actually used.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// The document as UTF-8.
    pub(crate) text: String,
    /// Canonical name of the charset used.
    pub(crate) encoding: &'static str,
    /// What was wrong but survived.
    pub(crate) warnings: Vec<String>,
}

static XML_DECL_ENCODING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"#).unwrap()
});
static HTML_META_CHARSET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)"#).unwrap());

/// Extracts the charset parameter of a Content-Type header value, for the media types whose
/// charset RFC 7303 and HTML make authoritative (`text/*`, `*/xml`, `*/*+xml`, JSON); a
/// charset on anything else (`application/octet-stream`) says nothing about the document.
pub(crate) fn charset_from_content_type(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    let mime = parts.next()?.trim().to_ascii_lowercase();
    let textual = mime.starts_with("text/")
        || mime.ends_with("/xml")
        || mime.ends_with("+xml")
        || mime.ends_with("/json")
        || mime.ends_with("+json");
    if !textual {
        return None;
    }
    parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
    })
}

/// A UCS-4 / UTF-32 byte order, which encoding_rs (a WHATWG implementation) does not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Utf32 {
    Be,
    Le,
}

impl Utf32 {
    fn name(self) -> &'static str {
        match self {
            Utf32::Be => "UTF-32BE",
            Utf32::Le => "UTF-32LE",
        }
    }

    /// Decodes whole code units; invalid ones and a trailing partial unit become U+FFFD.
    fn decode(self, bytes: &[u8]) -> (String, bool) {
        let mut out = String::with_capacity(bytes.len() / 4);
        let mut errors = false;
        let chunks = bytes.chunks_exact(4);
        if !chunks.remainder().is_empty() {
            errors = true;
        }
        for c in chunks {
            let arr = [c[0], c[1], c[2], c[3]];
            let v = match self {
                Utf32::Be => u32::from_be_bytes(arr),
                Utf32::Le => u32::from_le_bytes(arr),
            };
            match char::from_u32(v) {
                Some(ch) => out.push(ch),
                None => {
                    errors = true;
                    out.push('\u{fffd}');
                }
            }
        }
        (out, errors)
    }
}

/// An encoding family the first bytes reveal (XML 1.0 Appendix F), before any declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Utf32(Utf32),
    Utf16(&'static Encoding),
}

/// Appendix F: without a byte-order mark, a document starting with `<` (or whitespace) in a
/// 16- or 32-bit encoding shows its width and byte order in the zero bytes of the first code units.
fn sniff_wide(bytes: &[u8]) -> Option<Sniffed> {
    let b = bytes.get(..4)?;
    match b {
        [0, 0, 0, x] if *x != 0 => Some(Sniffed::Utf32(Utf32::Be)),
        [x, 0, 0, 0] if *x != 0 => Some(Sniffed::Utf32(Utf32::Le)),
        [0, x, 0, y] if *x != 0 && *y != 0 => Some(Sniffed::Utf16(encoding_rs::UTF_16BE)),
        [x, 0, y, 0] if *x != 0 && *y != 0 => Some(Sniffed::Utf16(encoding_rs::UTF_16LE)),
        _ => None,
    }
}

fn utf32_bom(bytes: &[u8]) -> Option<Utf32> {
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        Some(Utf32::Be)
    } else if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        Some(Utf32::Le)
    } else {
        None
    }
}

/// A label naming a 16- or 32-bit encoding: meaningless for bytes that are not laid out that way.
fn is_wide_label(label: &str) -> bool {
    let l = label.to_ascii_lowercase();
    l.contains("utf-16")
        || l.contains("utf16")
        || l.contains("utf-32")
        || l.contains("utf32")
        || l.contains("ucs-2")
        || l.contains("ucs-4")
        || l.contains("ucs2")
        || l.contains("ucs4")
        || l == "unicode"
}

fn done(text: String, encoding: &'static str, warnings: Vec<String>) -> Decoded {
    Decoded {
        text,
        encoding,
        warnings,
    }
}

/// Decodes `bytes` per XML 1.0 Appendix F and RFC 7303, in order: a byte-order mark (UTF-8,
/// UTF-16, UTF-32), `http_charset` (from a textual media type), 16/32-bit layout seen in the first
/// bytes, the XML declaration or HTML meta charset, UTF-8 when the bytes are valid UTF-8, and
/// windows-1252 as the last resort. A label that is unknown or does not fit the bytes is skipped
/// with a warning: a wrong declaration never loses the document.
pub(crate) fn decode(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    let mut warnings = Vec::new();
    if let Some(u) = utf32_bom(bytes) {
        let (text, had_errors) = u.decode(&bytes[4..]);
        if had_errors {
            warnings.push(format!("invalid {} bytes replaced", u.name()));
        }
        return done(text, u.name(), warnings);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            warnings.push(format!("invalid {} bytes replaced", enc.name()));
        }
        return done(text.into_owned(), enc.name(), warnings);
    }
    let wide = sniff_wide(bytes);
    if let Some(label) = http_charset
        && let Some(d) = try_label(bytes, label, "HTTP charset", wide, &mut warnings)
    {
        return d;
    }
    match wide {
        Some(Sniffed::Utf32(u)) => {
            let (text, had_errors) = u.decode(bytes);
            if had_errors {
                warnings.push(format!("invalid {} bytes replaced", u.name()));
            }
            return done(text, u.name(), warnings);
        }
        Some(Sniffed::Utf16(enc)) => {
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            if had_errors {
                warnings.push(format!("invalid {} bytes replaced", enc.name()));
            }
            return done(text.into_owned(), enc.name(), warnings);
        }
        None => {}
    }
    let head = &bytes[..bytes.len().min(2048)];
    let declared = XML_DECL_ENCODING
        .captures(head)
        .or_else(|| HTML_META_CHARSET.captures(head))
        .and_then(|c| c.get(1))
        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
    if let Some(label) = declared
        && let Some(d) = try_label(bytes, &label, "declared encoding", wide, &mut warnings)
    {
        return d;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => done(s.to_string(), UTF_8.name(), warnings),
        Err(_) => {
            if warnings.is_empty() {
                warnings.push(
                    "no encoding declared and the bytes are not UTF-8: decoded as windows-1252"
                        .to_string(),
                );
            } else {
                warnings.push("decoded as windows-1252".to_string());
            }
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            done(text.into_owned(), WINDOWS_1252.name(), warnings)
        }
    }
}

/// Decodes with the encoding `label` names, or says why not (unknown, 16/32-bit on 8-bit bytes,
/// invalid sequences) and returns `None` so the next source of truth is tried.
fn try_label(
    bytes: &[u8],
    label: &str,
    what: &str,
    wide: Option<Sniffed>,
    warnings: &mut Vec<String>,
) -> Option<Decoded> {
    let label = label.trim();
    if is_wide_label(label) {
        if wide.is_some() {
            // The layout of the first bytes is more precise (byte order) than the label.
            return None;
        }
        warnings.push(format!(
            "{what} {label:?} is wrong: the bytes are not 16- or 32-bit"
        ));
        return None;
    }
    let enc = Encoding::for_label(label.as_bytes())
        // WHATWG's "replacement" turns the whole document into one U+FFFD: never useful here.
        .filter(|e| *e != encoding_rs::REPLACEMENT);
    let Some(enc) = enc else {
        warnings.push(format!("unknown {what} {label:?} ignored"));
        return None;
    };
    if wide.is_some() {
        warnings.push(format!(
            "{what} {label:?} is wrong: the bytes are 16- or 32-bit"
        ));
        return None;
    }
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if !had_errors {
        return Some(done(
            text.into_owned(),
            enc.name(),
            std::mem::take(warnings),
        ));
    }
    if enc != UTF_8 && std::str::from_utf8(bytes).is_ok() {
        warnings.push(format!("{what} {label:?} is wrong: the bytes are UTF-8"));
        return Some(done(
            String::from_utf8(bytes.to_vec()).unwrap_or_default(),
            "UTF-8",
            std::mem::take(warnings),
        ));
    }
    warnings.push(format!(
        "{what} {label:?} does not match the bytes; invalid sequences replaced"
    ));
    Some(done(
        text.into_owned(),
        enc.name(),
        std::mem::take(warnings),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>".to_vec(), None, "windows-1252", "café")]
    #[case(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xc3\xa9</a>".to_vec(), None, "windows-1252", "cafÃ©")]
    #[case(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xe9</a>".to_vec(), None, "UTF-8", "caf\u{fffd}")]
    #[case(b"<rss><a>caf\xe9</a></rss>".to_vec(), None, "windows-1252", "café")]
    #[case(b"<rss><a>caf\xc3\xa9</a></rss>".to_vec(), None, "UTF-8", "café")]
    #[case(b"\xef\xbb\xbf<a>caf\xc3\xa9</a>".to_vec(), Some("iso-8859-1"), "UTF-8", "café")]
    #[case(b"<a>caf\xc3\xa9</a>".to_vec(), Some("utf-8"), "UTF-8", "café")]
    #[case(b"<?xml version='1.0' encoding='koi8-r'?><a>\xf0\xd2\xc9\xd7\xc5\xd4</a>".to_vec(), None, "KOI8-R", "Привет")]
    #[case(b"<?xml version=\"1.0\" encoding=\"gb2312\"?><a>\xd6\xd0\xce\xc4</a>".to_vec(), None, "GBK", "中文")]
    #[case(b"<\0?\0x\0m\0l\0 \0?\0>\0".to_vec(), Some("utf-16"), "UTF-16LE", "<?xml ?>")]
    #[case(b"\0<\0r\0s\0s\0>".to_vec(), None, "UTF-16BE", "<rss>")]
    #[case(b"\0\0\xfe\xff\0\0\0<\0\0\0a".to_vec(), None, "UTF-32BE", "<a")]
    #[case(b"<\0\0\0a\0\0\0".to_vec(), None, "UTF-32LE", "<a")]
    #[case(b"<?xml version=\"1.0\" encoding=\"utf-16\"?><a>caf\xc3\xa9</a>".to_vec(), None, "UTF-8", "caf\u{e9}")]
    #[case(b"<?xml version=\"1.0\" encoding=\"big5\"?><a>\xa4\xa4\xa4\xe5</a>".to_vec(), None, "Big5", "\u{4e2d}\u{6587}")]
    #[case(b"<?xml version=\"1.0\" encoding=\"euc-kr\"?><a>\xc7\xd1</a>".to_vec(), None, "EUC-KR", "\u{d55c}")]
    #[case(b"<?xml version=\"1.0\" encoding=\"iso-2022-kr\"?><a>cafe</a>".to_vec(), None, "UTF-8", "cafe")]
    #[case(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xb3\xf3d\xbc</a>".to_vec(), Some("iso-8859-2"), "ISO-8859-2", "\u{142}\u{f3}d\u{17a}")]
    fn decodes(
        #[case] bytes: Vec<u8>,
        #[case] http: Option<&str>,
        #[case] enc: &str,
        #[case] contains: &str,
    ) {
        let d = decode(&bytes, http);
        assert_eq!(d.encoding, enc);
        assert!(d.text.contains(contains), "{:?}", d.text);
    }

    #[test]
    fn a_wrong_declaration_is_a_warning() {
        let d = decode(
            b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xe9</a>",
            None,
        );
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    }

    #[rstest]
    #[case("application/octet-stream; charset=koi8-r", None)]
    #[case("application/atom+xml; charset='utf-8'", Some("utf-8"))]
    #[case("application/xml;charset=big5", Some("big5"))]
    #[case("text/html; charset=", None)]
    fn charset_only_for_textual_media_types(#[case] ct: &str, #[case] expected: Option<&str>) {
        assert_eq!(charset_from_content_type(ct).as_deref(), expected);
    }

    #[test]
    fn charset_parameter() {
        assert_eq!(
            charset_from_content_type("text/xml; charset=\"ISO-8859-1\"").as_deref(),
            Some("ISO-8859-1")
        );
        assert_eq!(charset_from_content_type("application/rss+xml"), None);
    }
}
