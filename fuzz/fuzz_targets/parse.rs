//! Fuzz target: everything `inspect` and `fetch` do with untrusted bytes, read as each kind of
//! source. It must never panic, hang or blow up memory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pydigest::model::SourceKind;
use pydigest::parse::{ParseOptions, parse_document};

fuzz_target!(|data: &[u8]| {
    for kind in [None, Some(SourceKind::Feed), Some(SourceKind::Newsletter), Some(SourceKind::Page)] {
        let opts = ParseOptions { kind, base_url: Some("https://example.org/feed/"), ..ParseOptions::default() };
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
