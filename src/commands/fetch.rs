//! `pydigest fetch`: fetch every source (or `--source ID`s), parse, store one transaction per
//! source, then print one line per failed source and a summary.

use super::Invocation;
use crate::cli::FetchArgs;
use crate::config::Source;
use crate::fetch::{FetchJob, Outcome, fetch_all};
use crate::model::ParsedDoc;
use crate::parse::{ParseOptions, charset_from_content_type, parse_document};
use crate::store::{FetchMeta, WriteStats};
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A fetch outcome after parsing, ready to be written.
enum Processed {
    Parsed(Box<ParsedDoc>, FetchMeta),
    NotModified(Option<String>),
    /// The fetch or the parse failed; `gone` when the server said the source is gone (410).
    Failed {
        error: String,
        gone: bool,
    },
    SkippedDead,
    Cancelled,
}

/// Counts for the closing summary.
#[derive(Debug, Default)]
pub(super) struct FetchReport {
    /// Sources attempted.
    pub sources: usize,
    /// Fetched and stored.
    pub ok: usize,
    /// 304 / unchanged file.
    pub unchanged: usize,
    /// Failed (fetch or parse).
    pub failed: usize,
    /// Skipped because marked dead.
    pub dead: usize,
    /// Not fetched because of Ctrl-C.
    pub cancelled: usize,
    /// New entries stored.
    pub new_entries: usize,
    /// Entries whose content changed.
    pub updated_entries: usize,
    /// One line per failure.
    pub failures: Vec<String>,
    /// One line per permanent redirect.
    pub moved: Vec<String>,
}

impl FetchReport {
    /// Counts a source's outcome, before its database write.
    fn count(&mut self, id: &str, processed: &Processed) {
        let moved_to = match processed {
            Processed::Parsed(_, meta) => meta.moved_to.as_deref(),
            Processed::NotModified(moved_to) => moved_to.as_deref(),
            _ => None,
        };
        if let Some(to) = moved_to {
            self.moved
                .push(format!("{id}: moved permanently to {to} (stored)"));
        }
        match processed {
            // Counted as ok once stored (`stored`).
            Processed::Parsed(..) => {}
            Processed::NotModified(_) => self.unchanged += 1,
            Processed::Failed { error, .. } => {
                self.failed += 1;
                self.failures
                    .push(format!("{id}: {}", for_terminal(error, false)));
            }
            Processed::SkippedDead => self.dead += 1,
            Processed::Cancelled => self.cancelled += 1,
        }
    }

    /// Counts a parsed source whose entries were stored.
    fn stored(&mut self, stats: &WriteStats) {
        self.ok += 1;
        self.new_entries += stats.new;
        self.updated_entries += stats.updated;
    }

    /// Counts a source whose database write failed.
    fn write_failed(&mut self, id: &str, e: &impl std::fmt::Display) {
        self.failed += 1;
        self.failures.push(format!("{id}: storing failed: {e}"));
    }

    /// The closing line: "42 sources: 38 ok, 3 unchanged, 1 failed; 1 843 new entries".
    fn summary(&self) -> String {
        let mut summary = format!(
            "{} sources: {} ok, {} unchanged, {} failed",
            group_digits(self.sources),
            group_digits(self.ok),
            group_digits(self.unchanged),
            group_digits(self.failed)
        );
        if self.dead > 0 {
            summary.push_str(&format!(", {} dead (skipped)", self.dead));
        }
        summary.push_str(&format!("; {} new entries", group_digits(self.new_entries)));
        if self.updated_entries > 0 {
            summary.push_str(&format!(", {} updated", group_digits(self.updated_entries)));
        }
        summary
    }
}

/// Groups digits by thousands with a space: 1843 → "1 843".
pub(super) fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn parse_fetched(
    source: &Source,
    body: &[u8],
    content_type: Option<&str>,
    final_url: &str,
) -> Result<ParsedDoc, String> {
    let charset = content_type.and_then(charset_from_content_type);
    let base = if final_url.starts_with("http") {
        Some(final_url)
    } else {
        None
    };
    let opts = ParseOptions {
        base_url: base,
        http_charset: charset.as_deref(),
        kind: Some(source.kind),
        aggregator: source.is_aggregator(),
        selectors: source.selectors.as_ref(),
        now: Some(Utc::now()),
    };
    parse_document(body, &opts).map_err(|e| e.to_string())
}

fn process(job: &FetchJob, outcome: Outcome) -> Processed {
    match outcome {
        Outcome::Fetched {
            body,
            content_type,
            final_url,
            etag,
            last_modified,
            moved_to,
        } => {
            let meta = FetchMeta {
                etag,
                last_modified,
                moved_to,
                bytes: body.len() as u64,
            };
            match parse_fetched(&job.source, &body, content_type.as_deref(), &final_url) {
                Ok(doc) => Processed::Parsed(Box::new(doc), meta),
                Err(error) => Processed::Failed { error, gone: false },
            }
        }
        Outcome::NotModified { moved_to } => Processed::NotModified(moved_to),
        Outcome::Failed { error, gone } => {
            let error = if gone {
                format!("{error}: the source is gone; marked dead and no longer fetched")
            } else {
                error.to_string()
            };
            Processed::Failed { error, gone }
        }
        Outcome::SkippedDead => Processed::SkippedDead,
        Outcome::Cancelled => Processed::Cancelled,
    }
}

/// Runs the fetch.
pub(super) fn run(ctx: &Invocation, args: &FetchArgs) -> anyhow::Result<Exit> {
    let sources: Vec<&Source> = if args.sources.is_empty() {
        ctx.config.sources.iter().collect()
    } else {
        let unknown: Vec<&str> = args
            .sources
            .iter()
            .filter(|id| ctx.config.source(id).is_none())
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(UsageError(format!(
                "unknown source id(s): {} (see `pydigest sources`)",
                unknown.join(", ")
            ))
            .into());
        }
        ctx.config
            .sources
            .iter()
            .filter(|s| args.sources.contains(&s.id))
            .collect()
    };
    let mut store = ctx.open_store()?;
    let mut jobs = Vec::with_capacity(sources.len());
    for s in &sources {
        jobs.push(FetchJob {
            source: (*s).clone(),
            state: store.fetch_state(&s.id)?,
        });
    }
    let bar = ProgressBar::with_draw_target(
        Some(jobs.len() as u64),
        if ctx.show_progress() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} sources {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );

    let mut report = FetchReport {
        sources: jobs.len(),
        ..FetchReport::default()
    };
    let mut write_error: Option<anyhow::Error> = None;
    let interrupted = fetch_all(jobs, &ctx.config.settings, process, |job, processed| {
        let id = job.source.id.as_str();
        let now = Utc::now();
        report.count(id, &processed);
        let result = match processed {
            Processed::Parsed(doc, meta) => {
                for w in &doc.warnings {
                    tracing::info!("{}: {}", id, for_terminal(w, false));
                }
                if doc.entries.is_empty() && !doc.warnings.is_empty() {
                    tracing::warn!(
                        "{}: no entries ({})",
                        id,
                        for_terminal(&doc.warnings.join("; "), false)
                    );
                }
                store
                    .record_success(&job.source, &meta, &doc, now)
                    .map(|stats| report.stored(&stats))
            }
            Processed::NotModified(moved_to) => {
                store.record_not_modified(id, moved_to.as_deref(), now)
            }
            Processed::Failed { error, gone } => store.record_failure(id, &error, gone, now),
            Processed::SkippedDead | Processed::Cancelled => Ok(()),
        };
        if let Err(e) = result {
            report.write_failed(id, &e);
            write_error.get_or_insert(e.into());
        }
        bar.inc(1);
    })?;
    bar.finish_and_clear();

    if !ctx.quiet {
        for line in &report.moved {
            eprintln!("moved: {line}");
        }
    }
    for line in &report.failures {
        eprintln!("failed: {line}");
    }
    if !ctx.quiet {
        eprintln!("{}", report.summary());
    }
    if interrupted {
        eprintln!(
            "interrupted: {} source(s) not fetched; everything fetched before the interrupt is stored",
            report.cancelled
        );
        return Ok(Exit::Interrupted);
    }
    if let Some(e) = write_error {
        return Err(e.context("writing to the database"));
    }
    Ok(if report.failed > 0 {
        Exit::Partial
    } else {
        Exit::Ok
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn digits_are_grouped() {
        assert_eq!(super::group_digits(1843), "1 843");
        assert_eq!(super::group_digits(212), "212");
        assert_eq!(super::group_digits(1_000_000), "1 000 000");
    }
}
