//! Bytes to text: pick the charset the way browsers and feed readers do (BOM, then the HTTP
//! header, then the document's own declaration, then UTF-8 if the bytes are valid, then
//! windows-1252), and say so when the declaration was wrong.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use regex::bytes::Regex;
use std::sync::LazyLock;

/// Text decoded from raw bytes, with the charset actually used.
#[derive(Debug)]
pub struct Decoded {
    /// The document as UTF-8.
    pub text: String,
    /// Canonical name of the charset used.
    pub encoding: &'static str,
    /// What was wrong but survived.
    pub warnings: Vec<String>,
}

static XML_DECL_ENCODING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"#).unwrap()
});
static HTML_META_CHARSET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)"#).unwrap());

/// Extracts the charset parameter of a Content-Type header value.
pub fn charset_from_content_type(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Decodes `bytes`, preferring in order: a byte-order mark, `http_charset`, the XML declaration or
/// HTML meta charset, UTF-8 when the bytes are valid UTF-8, and windows-1252 as the last resort.
pub fn decode(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    let mut warnings = Vec::new();
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            warnings.push(format!("invalid {} bytes replaced", enc.name()));
        }
        return Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            warnings,
        };
    }
    let head = &bytes[..bytes.len().min(2048)];
    let declared = XML_DECL_ENCODING
        .captures(head)
        .or_else(|| HTML_META_CHARSET.captures(head))
        .and_then(|c| c.get(1))
        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());

    let candidates = [
        ("HTTP charset", http_charset.map(str::to_string)),
        ("declared encoding", declared),
    ];
    for (what, label) in candidates {
        let Some(label) = label else { continue };
        let Some(enc) = Encoding::for_label(label.trim().as_bytes()) else {
            warnings.push(format!("unknown {what} {label:?} ignored"));
            continue;
        };
        // UTF-16 declared on 8-bit bytes is a common lie; encoding_rs maps it to UTF-8 anyway.
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return Decoded {
                text: text.into_owned(),
                encoding: enc.name(),
                warnings,
            };
        }
        if enc != UTF_8 && std::str::from_utf8(bytes).is_ok() {
            warnings.push(format!("{what} {label:?} is wrong: the bytes are UTF-8"));
            return Decoded {
                text: String::from_utf8(bytes.to_vec()).unwrap_or_default(),
                encoding: "UTF-8",
                warnings,
            };
        }
        warnings.push(format!(
            "{what} {label:?} does not match the bytes; invalid sequences replaced"
        ));
        return Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            warnings,
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded {
            text: s.to_string(),
            encoding: UTF_8.name(),
            warnings,
        },
        Err(_) => {
            warnings.push(
                "no encoding declared and the bytes are not UTF-8: decoded as windows-1252"
                    .to_string(),
            );
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            Decoded {
                text: text.into_owned(),
                encoding: WINDOWS_1252.name(),
                warnings,
            }
        }
    }
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

    #[test]
    fn charset_parameter() {
        assert_eq!(
            charset_from_content_type("text/xml; charset=\"ISO-8859-1\"").as_deref(),
            Some("ISO-8859-1")
        );
        assert_eq!(charset_from_content_type("application/rss+xml"), None);
    }
}
