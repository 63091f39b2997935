//! Fuzz target: everything `inspect` and `fetch` do with untrusted bytes, read as each kind of
//! source. It must never panic, hang or blow up memory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pydigest::model::SourceKind;
use pydigest::parse::{ParseOptions, parse_document};

fuzz_target!(|data: &[u8]| {
    // The last byte picks an HTTP charset, so the RFC 7303 paths (a header that disagrees with
    // the bytes, a 16-bit label on 8-bit bytes) are reached too.
    let http_charset = match data.last().map(|b| b % 5) {
        Some(1) => Some("utf-16"),
        Some(2) => Some("iso-8859-2"),
        Some(3) => Some("big5"),
        _ => None,
    };
    for kind in [None, Some(SourceKind::Feed), Some(SourceKind::Newsletter), Some(SourceKind::Page)] {
        let opts = ParseOptions {
            kind,
            base_url: Some("https://example.org/feed/"),
            http_charset,
            ..ParseOptions::default()
        };
        if let Ok(doc) = parse_document(data, &opts) {
            for e in &doc.entries {
                // Stored HTML must stay sanitized whatever came in.
                if let Some(html) = &e.content_html {
                    let lower = html.to_ascii_lowercase();
                    assert!(!lower.contains("<script"), "script survived sanitizing");
                    assert!(!lower.contains("href=\"javascript:"), "javascript: link survived");
                }
            }
        }
    }
});
