//! Synthetic store generation and search latency, on a pydigest database.
//!
//! usage:
//!   searchbench gen DB CORPUS_DIR ROWS QUERIES_OUT
//!       Fills an existing pydigest database (schema made by the pydigest binary) with ROWS
//!       synthetic entries, one story each, in ONE transaction; FTS5 is filled in it (by the
//!       schema's triggers, or from `fts_pending` as `Store` does from schema 7 on).
//!       Words are drawn from the corpus vocabulary (tags stripped, words of 3–15 letters,
//!       ranked by frequency, top 20 000) with a Zipf(s = 1) distribution: titles of 8 words,
//!       summaries of 40, bodies of 200; authors from 500 names; sources round-robin over the
//!       database's sources; published uniformly at random over 2024-01-01 .. 2025-12-29 (104
//!       weeks). Writes 50 queries (20 common, 15 medium, 10 rare single words, 5 two-word
//!       phrases-as-AND) to QUERIES_OUT, one per line as `band<TAB>query`.
//!   searchbench query DB QUERIES MODE [PASSES] [PYDIGEST CONFIG]
//!       MODE bm25: the query pydigest runs — `... WHERE entries_fts MATCH ? ORDER BY
//!       bm25(entries_fts, 10.0, 3.0, 1.0, 2.0) LIMIT 20` with snippet();
//!       MODE rank: the same ranking through FTS5's rank column (`AND rank MATCH 'bm25(...)'
//!       ORDER BY rank`), as main's `pydigest search` does it after migration 2;
//!       MODE like: `LIKE '%term%'` over title, summary and content_text, LIMIT 20 (the floor);
//!       MODE lib: what `pydigest search --limit 20 WORDS` really runs (the library function
//!       the command calls: store open, query building, `Store::search`), minus printing;
//!       MODE cli: the PYDIGEST binary end to end with `--config CONFIG` (process start
//!       included). For lib and cli the warm-up pass also measures recall@20 of the stories
//!       found against the exhaustive FTS5 ordering (`bm25(entries_fts, 10, 3, 1, 2)` over
//!       every match, each story once as its best sighting, ties counted as equal), printed
//!       as recall20_mean and recall20_min.
//!       One warm-up pass, then PASSES passes (default 3); prints JSON with p50/p95 in ms over
//!       every timed query, and per band.

use regex::Regex;
use rusqlite::{Connection, params};
use std::collections::HashMap;
use std::time::Instant;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn vocabulary(dir: &str) -> Vec<String> {
    let tag = Regex::new(r"(?s)<[^>]*>|&[a-zA-Z#0-9]+;").unwrap();
    let word = Regex::new(r"[A-Za-z]{3,15}").unwrap();
    let mut counts: HashMap<String, u64> = HashMap::new();
    for e in std::fs::read_dir(dir).expect("corpus dir").flatten() {
        let bytes = std::fs::read(e.path()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        // tags inside escaped HTML (&lt;p&gt;) are stripped on a second pass
        let text = tag.replace_all(&text, " ");
        let text = text.replace("&lt;", "<").replace("&gt;", ">");
        let text = tag.replace_all(&text, " ");
        for w in word.find_iter(&text) {
            let w = w.as_str();
            if w.starts_with("http") || w.starts_with("www") {
                continue;
            }
            *counts.entry(w.to_ascii_lowercase()).or_default() += 1;
        }
    }
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().take(20_000).map(|(w, _)| w).collect()
}

struct Zipf {
    cum: Vec<f64>,
}
impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut cum = Vec::with_capacity(n);
        let mut s = 0.0;
        for r in 1..=n {
            s += 1.0 / r as f64;
            cum.push(s);
        }
        for c in &mut cum {
            *c /= s;
        }
        Zipf { cum }
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cum.partition_point(|&c| c < u).min(self.cum.len() - 1)
    }
}

fn words(rng: &mut Rng, z: &Zipf, vocab: &[String], n: usize, out: &mut String) {
    out.clear();
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&vocab[z.sample(rng)]);
    }
}

fn generate(db: &str, dir: &str, rows: usize, queries_out: &str) -> rusqlite::Result<()> {
    let vocab = vocabulary(dir);
    assert!(
        vocab.len() > 12_000,
        "vocabulary too small: {}",
        vocab.len()
    );
    let z = Zipf::new(vocab.len());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut conn = Connection::open(db)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "cache_size", -1_000_000)?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let sources: Vec<String> = conn
        .prepare("SELECT id FROM sources ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    assert!(!sources.is_empty(), "no sources in the database");
    let start = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .timestamp();
    let span = 104 * 7 * 86_400;
    let t0 = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut story = tx.prepare(
            "INSERT INTO stories (id, url_key, title_key, author_key, first_seen_at, published)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?;
        let mut entry = tx.prepare(
            "INSERT INTO entries (id, source_id, entry_id, story_id, kind, title, url, canonical_url,
                 authors, published, summary, content_html, content_text, content_hash,
                 first_seen_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?1, 'post', ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?7, ?7)",
        )?;
        let (mut title, mut summary, mut body) = (String::new(), String::new(), String::new());
        for i in 1..=rows as i64 {
            words(&mut rng, &z, &vocab, 8, &mut title);
            words(&mut rng, &z, &vocab, 40, &mut summary);
            words(&mut rng, &z, &vocab, 200, &mut body);
            let mut t = title.clone();
            if let Some(f) = t.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            let author = format!("Author {}", rng.below(500));
            let when = chrono::DateTime::from_timestamp(start + rng.below(span) as i64, 0)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let url = format!("https://example.com/syn/{i}");
            let src = &sources[i as usize % sources.len()];
            story.execute(params![i, url, title, author.to_ascii_lowercase(), when])?;
            entry.execute(params![
                i,
                src,
                format!("syn-{i}"),
                t,
                url,
                author,
                when,
                summary,
                format!("<p>{body}</p>"),
                body,
                format!("h{i}"),
            ])?;
            if i % 100_000 == 0 {
                eprintln!(
                    "  {i} rows, {:.0} s, {:.0} rows/s",
                    t0.elapsed().as_secs_f64(),
                    i as f64 / t0.elapsed().as_secs_f64()
                );
            }
        }
    }
    // Stores from schema 7 on queue new entries for FTS5 and index them in one statement
    // before the commit, as `Store` does (the triggers only fill `fts_pending`).
    let queued: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'fts_pending')",
        [],
        |r| r.get(0),
    )?;
    if queued {
        tx.execute_batch(
            "INSERT INTO entries_fts(rowid, title, summary, content_text, authors)
               SELECT e.id, e.title, e.summary, e.content_text, e.authors
               FROM fts_pending p JOIN entries e ON e.id = p.id ORDER BY p.id;
             DELETE FROM fts_pending;",
        )?;
    }
    tx.commit()?;
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
    eprintln!(
        "  generated {rows} rows in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    // Queries: bands by vocabulary rank.
    let mut q = String::new();
    let pick = |rng: &mut Rng, lo: usize, hi: usize| vocab[lo + rng.below(hi - lo)].clone();
    let mut qrng = Rng(42);
    for _ in 0..20 {
        q.push_str(&format!("common\t{}\n", pick(&mut qrng, 10, 300)));
    }
    for _ in 0..15 {
        q.push_str(&format!("medium\t{}\n", pick(&mut qrng, 1_000, 4_000)));
    }
    for _ in 0..10 {
        q.push_str(&format!("rare\t{}\n", pick(&mut qrng, 12_000, 20_000)));
    }
    for _ in 0..5 {
        let a = pick(&mut qrng, 100, 2_000);
        let b = pick(&mut qrng, 100, 2_000);
        q.push_str(&format!("two-word\t{a} {b}\n"));
    }
    std::fs::write(queries_out, q).expect("write queries");
    Ok(())
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let idx = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[idx]
}

/// Story ids of every match of `fts`, best first by the exhaustive FTS5 bm25 ordering (the
/// weights of migration 2), each story once as its best sighting, with that sighting's score
/// (higher is better).
fn exhaustive(conn: &Connection, fts: &str) -> rusqlite::Result<Vec<(i64, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(e.story_id, -e.id), -bm25(entries_fts, 10.0, 3.0, 1.0, 2.0) AS s
         FROM entries_fts f JOIN entries e ON e.id = f.rowid
         WHERE entries_fts MATCH ?1 ORDER BY s DESC",
    )?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let mut rows = stmt.query([fts])?;
    while let Some(r) = rows.next()? {
        let story: i64 = r.get(0)?;
        if seen.insert(story) {
            out.push((story, r.get(1)?));
        }
    }
    Ok(out)
}

/// recall@k of `found` against the exhaustive ordering, counting ties: a story found is right
/// when its best score is at least the k-th best story's (stories with equal scores are
/// interchangeable, and which of them FTS5 lists first is unspecified).
fn recall(found: &[i64], exact: &[(i64, f64)], k: usize) -> f64 {
    let want = exact.len().min(k);
    if want == 0 {
        return 1.0;
    }
    let kth = exact[want - 1].1;
    let score: HashMap<i64, f64> = exact.iter().copied().collect();
    let good = found
        .iter()
        .take(k)
        .filter(|s| {
            score
                .get(s)
                .is_some_and(|&v| v >= kth - 1e-9 * kth.abs().max(1.0))
        })
        .count();
    good.min(want) as f64 / want as f64
}

fn query(
    db: &str,
    queries: &str,
    mode: &str,
    passes: usize,
    extra: &[String],
) -> rusqlite::Result<()> {
    let qs: Vec<(String, String)> = std::fs::read_to_string(queries)
        .expect("queries")
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    // `lib` and `cli` migrate the store as `pydigest search` does, so they open it read-write.
    let conn = if matches!(mode, "lib" | "cli") {
        Connection::open(db)?
    } else {
        Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?
    };
    let sql = match mode {
        "bm25" => {
            "SELECT rowid, title, snippet(entries_fts, 2, '[', ']', '…', 16) FROM entries_fts
             WHERE entries_fts MATCH ?1 ORDER BY bm25(entries_fts, 10.0, 3.0, 1.0, 2.0) LIMIT 20"
        }
        "rank" => {
            "SELECT rowid, title, snippet(entries_fts, 2, '[', ']', '…', 16) FROM entries_fts
             WHERE entries_fts MATCH ?1 AND rank MATCH 'bm25(10.0, 3.0, 1.0, 2.0)'
             ORDER BY rank LIMIT 20"
        }
        "like" => {
            "SELECT id, title FROM entries
             WHERE title LIKE ?1 OR summary LIKE ?1 OR content_text LIKE ?1 LIMIT 20"
        }
        "lib" | "cli" => "SELECT 1",
        m => panic!("unknown mode {m}"),
    };
    let mut stmt = conn.prepare(sql)?;
    let dbp = std::path::PathBuf::from(db);
    let mut run = |q: &str| -> rusqlite::Result<(f64, Vec<i64>)> {
        if mode == "lib" {
            let t = Instant::now();
            let ids = pydigest::bench_api::search(&dbp, q, 20).expect("pydigest search");
            return Ok((t.elapsed().as_secs_f64() * 1000.0, ids));
        }
        if mode == "cli" {
            let (bin, config) = (&extra[0], &extra[1]);
            let t = Instant::now();
            let out = std::process::Command::new(bin)
                .args([
                    "-q", "--config", config, "--db", db, "search", "--limit", "20", "--json",
                ])
                .args(q.split_whitespace())
                .output()
                .expect("run pydigest");
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            assert!(out.status.success(), "pydigest search failed: {out:?}");
            let text = String::from_utf8_lossy(&out.stdout);
            let ids = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("\"story_id\": "))
                .map(|v| v.trim_end_matches(',').parse().unwrap())
                .collect();
            return Ok((ms, ids));
        }
        let arg = if mode == "like" {
            format!("%{q}%")
        } else {
            q.to_string()
        };
        let t = Instant::now();
        let mut ids = Vec::new();
        let mut rows = stmt.query([arg])?;
        while let Some(r) = rows.next()? {
            ids.push(r.get(0)?);
            let _: Option<String> = r.get(1)?;
        }
        Ok((t.elapsed().as_secs_f64() * 1000.0, ids))
    };
    // Warm-up pass; for `lib` and `cli` it also gives the ids whose recall is measured.
    let mut recalls = Vec::new();
    for (_, q) in &qs {
        let (_, ids) = run(q)?;
        if matches!(mode, "lib" | "cli") {
            let fts = pydigest::bench_api::fts_query(q).expect("query has words");
            recalls.push(recall(&ids, &exhaustive(&conn, &fts)?, 20));
        }
    }
    let mut all = Vec::new();
    let mut bands: HashMap<String, Vec<f64>> = HashMap::new();
    let mut hits = 0;
    for _ in 0..passes {
        for (band, q) in &qs {
            let (ms, ids) = run(q)?;
            hits += ids.len();
            all.push(ms);
            bands.entry(band.clone()).or_default().push(ms);
        }
    }
    let mut band_json = Vec::new();
    let mut names: Vec<_> = bands.keys().cloned().collect();
    names.sort();
    for b in names {
        let v = bands.get_mut(&b).unwrap();
        band_json.push(format!(
            "\"{b}\":{{\"p50\":{:.3},\"p95\":{:.3}}}",
            pct(v, 0.5),
            pct(v, 0.95)
        ));
    }
    let recall_json = if recalls.is_empty() {
        String::new()
    } else {
        format!(
            ",\"recall20_mean\":{:.4},\"recall20_min\":{:.4}",
            recalls.iter().sum::<f64>() / recalls.len() as f64,
            recalls.iter().copied().fold(f64::INFINITY, f64::min)
        )
    };
    println!(
        "{{\"mode\":\"{mode}\",\"queries\":{},\"timed\":{},\"hits\":{hits},\"p50\":{:.3},\"p95\":{:.3},\"max\":{:.3}{recall_json},\"bands\":{{{}}}}}",
        qs.len(),
        all.len(),
        pct(&mut all, 0.5),
        pct(&mut all, 0.95),
        pct(&mut all, 1.0),
        band_json.join(",")
    );
    Ok(())
}

fn main() -> rusqlite::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    match a.get(1).map(String::as_str) {
        Some("gen") if a.len() == 6 => generate(&a[2], &a[3], a[4].parse().unwrap(), &a[5]),
        Some("query") if a.len() >= 5 => query(
            &a[2],
            &a[3],
            &a[4],
            a.get(5).map_or(3, |p| p.parse().unwrap()),
            a.get(6..).unwrap_or_default(),
        ),
        _ => {
            eprintln!(
                "usage: searchbench gen DB CORPUS_DIR ROWS QUERIES_OUT | query DB QUERIES MODE [PASSES] [PYDIGEST CONFIG]"
            );
            std::process::exit(2);
        }
    }
}
