//! Parse throughput over a corpus directory, three ways over the same bytes:
//!   quickxml  — a bare quick-xml tokenising pass (the floor: no tree, no entries)
//!   feedrs    — XML to entries: feed_rs::parser::parse (what pydigest's parse path builds on)
//!   pydigest  — the whole normalise path: pydigest::parse::parse_document (charset, repairs,
//!               feed-rs, dates, URLs, HTML sanitising, text extraction, ids, hashes)
//!
//! usage: parsebench CORPUS_DIR [MIN_SECONDS] [MODE...]
//! prints one JSON object per mode: {"mode", "bytes", "entries", "seconds", "passes", "failed"}

use pydigest::parse::{ParseOptions, parse_document};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::time::Instant;

fn quickxml_pass(bytes: &[u8]) -> (usize, bool) {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut entries = 0;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let n = e.local_name();
                let n: &str = n.as_ref();
                if n == "item" || n == "entry" {
                    entries += 1;
                }
            }
            Ok(Event::Eof) => return (entries, true),
            Err(_) => return (entries, false),
            _ => {}
        }
        buf.clear();
    }
}

fn feedrs_pass(bytes: &[u8]) -> (usize, bool) {
    match feed_rs::parser::parse(bytes) {
        Ok(f) => (f.entries.len(), true),
        Err(_) => (0, false),
    }
}

fn pydigest_pass(bytes: &[u8]) -> (usize, bool) {
    let opts = ParseOptions {
        base_url: Some("http://127.0.0.1/f/0.xml"),
        now: Some(chrono::Utc::now()),
        ..ParseOptions::default()
    };
    match parse_document(bytes, &opts) {
        Ok(doc) => (doc.entries.len(), true),
        Err(_) => (0, false),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .expect("usage: parsebench CORPUS_DIR [MIN_SECONDS] [MODE...]");
    let min_secs: f64 = args.get(2).map_or(2.0, |s| s.parse().expect("MIN_SECONDS"));
    let modes: Vec<String> = if args.len() > 3 {
        args[3..].to_vec()
    } else {
        vec!["quickxml".into(), "feedrs".into(), "pydigest".into()]
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let files: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let total: usize = files.iter().map(Vec::len).sum();
    for mode in modes {
        let f: fn(&[u8]) -> (usize, bool) = match mode.as_str() {
            "quickxml" => quickxml_pass,
            "feedrs" => feedrs_pass,
            "pydigest" => pydigest_pass,
            m => panic!("unknown mode {m}"),
        };
        // one warm-up pass
        for b in &files {
            std::hint::black_box(f(b));
        }
        let start = Instant::now();
        let mut passes = 0usize;
        let (mut entries, mut failed) = (0usize, 0usize);
        while passes == 0 || start.elapsed().as_secs_f64() < min_secs {
            entries = 0;
            failed = 0;
            for b in &files {
                let (n, ok) = std::hint::black_box(f(b));
                entries += n;
                failed += usize::from(!ok);
            }
            passes += 1;
        }
        let secs = start.elapsed().as_secs_f64() / passes as f64;
        println!(
            "{{\"mode\":\"{mode}\",\"bytes\":{total},\"entries\":{entries},\"seconds\":{secs:.6},\"passes\":{passes},\"failed\":{failed}}}"
        );
    }
}
