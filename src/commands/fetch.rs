//! `pydigest fetch`: fetch every source (or `--source ID`s), parse on the blocking pool, store
//! each source atomically (a savepoint in a batch transaction of several sources, committed
//! every [`BatchLimits`]), then print one line per failed source and a summary.

use super::Invocation;
use crate::cli::FetchArgs;
use crate::config::Source;
use crate::fetch::{FetchError, FetchJob, Outcome, fetch_all_ticking};
use crate::model::ParsedDoc;
use crate::parse::{ParseOptions, charset_from_content_type, parse_document};
use crate::store::{BatchLimits, FetchMeta, Store, WriteStats};
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// A fetch outcome after parsing, ready to be written.
enum Processed {
    /// A parsed document, with its entries' content hashes (computed off the writer).
    Parsed(Box<ParsedDoc>, Vec<String>, FetchMeta),
    /// An archive page: the issue links its `follow` selector picked.
    Archive(Vec<String>, FetchMeta),
    NotModified(Option<String>),
    /// The fetch or the parse failed; `gone` when the server said the source is gone (410).
    Failed {
        error: String,
        gone: bool,
    },
    SkippedDead,
    Cancelled,
}

/// What `-v` says about one source besides the new-entry count, which only the store knows.
struct Trace {
    /// HTTP status, "file", or why nothing was requested.
    status: String,
    /// Body size.
    bytes: u64,
    /// Entries parsed.
    entries: usize,
    /// Time spent fetching.
    elapsed: Duration,
    /// Answered 304 / unchanged file: nothing was downloaded.
    cached: bool,
    /// Failed to resolve or connect: with every source so, the machine is likely offline.
    unreachable: bool,
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
    /// Failures that were a name lookup or connection failing.
    pub unreachable: usize,
    /// Followed issue pages that failed (their archive source counts as ok).
    pub issues_failed: usize,
}

impl FetchReport {
    /// Counts a source's outcome, before its database write.
    fn count(&mut self, id: &str, processed: &Processed) {
        let moved_to = match processed {
            Processed::Parsed(_, _, meta) | Processed::Archive(_, meta) => meta.moved_to.as_deref(),
            Processed::NotModified(moved_to) => moved_to.as_deref(),
            _ => None,
        };
        if let Some(to) = moved_to {
            self.moved
                .push(format!("{id}: moved permanently to {to} (stored)"));
        }
        match processed {
            // Counted as ok once stored (`stored`).
            Processed::Parsed(..) | Processed::Archive(..) => {}
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

/// Parses a fetched body as `source` says (kind, selectors), relative links against its URL.
pub(super) fn parse_fetched(
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

fn process(job: &FetchJob, outcome: Outcome, elapsed: Duration) -> (Processed, Trace) {
    let mut trace = Trace {
        status: String::new(),
        bytes: 0,
        entries: 0,
        elapsed,
        cached: false,
        unreachable: false,
    };
    let processed = match outcome {
        Outcome::Fetched {
            status,
            body,
            content_type,
            final_url,
            etag,
            last_modified,
            moved_to,
        } => {
            trace.status = status.map_or_else(|| "file".to_string(), |s| s.to_string());
            trace.bytes = body.len() as u64;
            let meta = FetchMeta {
                etag,
                last_modified,
                moved_to,
                bytes: body.len() as u64,
            };
            if let Some(follow) = super::follow::follow_selector(&job.source) {
                return (
                    match super::follow::archive_links(
                        &body,
                        content_type.as_deref(),
                        &final_url,
                        follow,
                    ) {
                        Ok(links) => {
                            trace.entries = links.len();
                            Processed::Archive(links, meta)
                        }
                        Err(error) => Processed::Failed { error, gone: false },
                    },
                    trace,
                );
            }
            match parse_fetched(&job.source, &body, content_type.as_deref(), &final_url) {
                Ok(doc) => {
                    trace.entries = doc.entries.len();
                    tracing::debug!(
                        source = %job.source.id,
                        "parsed as {:?} (Content-Type: {}): {} entries, {} warnings, title {:?}",
                        job.source.kind,
                        for_terminal(content_type.as_deref().unwrap_or("-"), false),
                        doc.entries.len(),
                        doc.warnings.len(),
                        for_terminal(doc.meta.title.as_deref().unwrap_or(""), false)
                    );
                    let hashes = crate::store::entry_hashes(&doc.entries);
                    Processed::Parsed(Box::new(doc), hashes, meta)
                }
                Err(error) => Processed::Failed { error, gone: false },
            }
        }
        Outcome::NotModified { moved_to } => {
            trace.status = "304".to_string();
            trace.cached = true;
            Processed::NotModified(moved_to)
        }
        Outcome::Failed { error, gone } => {
            trace.status = "failed".to_string();
            trace.unreachable = matches!(error, FetchError::Connect(_));
            let error = if gone {
                format!("{error}: the source is gone; marked dead and no longer fetched")
            } else {
                error.to_string()
            };
            Processed::Failed { error, gone }
        }
        Outcome::SkippedDead => {
            trace.status = "dead (skipped)".to_string();
            Processed::SkippedDead
        }
        Outcome::Cancelled => {
            trace.status = "cancelled".to_string();
            Processed::Cancelled
        }
    };
    (processed, trace)
}

/// The `-v` line for one source.
fn verbose_line(job: &FetchJob, trace: &Trace, new: usize, error: Option<&str>) -> String {
    let url = job.state.url.as_deref().unwrap_or(&job.source.url);
    let mut line = format!(
        "{}: {} {}, {} bytes, {} entries, {} new, {} ms, {}",
        job.source.id,
        for_terminal(url, false),
        trace.status,
        group_digits(trace.bytes as usize),
        trace.entries,
        new,
        trace.elapsed.as_millis(),
        if trace.cached { "cached" } else { "not cached" }
    );
    if let Some(e) = error {
        line.push_str(&format!(" ({})", for_terminal(e, false)));
    }
    line
}

/// Commits the store's open batch when it is due (or, with `end`, whatever it holds, leaving
/// batch mode); a failed commit loses the batch's sources, which the next fetch takes again.
fn commit(
    store: &mut Store,
    end: bool,
    uncommitted: &mut usize,
    report: &mut FetchReport,
    write_error: &mut Option<anyhow::Error>,
) {
    let result = if end {
        store.end_batch()
    } else {
        store.commit_if_due()
    };
    match result {
        Ok(true) => *uncommitted = 0,
        Ok(false) => {}
        Err(e) => {
            report.failures.push(format!(
                "storing failed: {e}: the last {} source(s) written were not stored and will be fetched again",
                std::mem::take(uncommitted)
            ));
            write_error.get_or_insert(e.into());
        }
    }
}

/// `--fetch` on a command that then reads: fetches every source and returns the fetch's exit
/// code (`Interrupted` tells the caller to stop; a partial failure is still worth reading).
pub(super) fn fetch_all_first(ctx: &Invocation) -> anyhow::Result<Exit> {
    run(ctx, &FetchArgs { sources: vec![] })
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
    let verbose = ctx.verbose > 0 && !ctx.quiet;
    let mut pending: Vec<(Source, String)> = Vec::new();
    // Sources written since the last commit: what a failed commit loses.
    let mut uncommitted = 0usize;
    store.begin_batch(BatchLimits::default())?;
    let interrupted = fetch_all_ticking(jobs, &ctx.config.settings, process, |event| {
        let Some((job, (processed, trace))) = event else {
            commit(
                &mut store,
                false,
                &mut uncommitted,
                &mut report,
                &mut write_error,
            );
            return;
        };
        let id = job.source.id.as_str();
        let now = Utc::now();
        let mut new = 0;
        let mut error = None;
        report.count(id, &processed);
        let result = match processed {
            Processed::Parsed(doc, hashes, meta) => {
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
                    .record_success(&job.source, &meta, &doc, &hashes, now)
                    .map(|stats| {
                        new = stats.new;
                        report.stored(&stats);
                    })
            }
            Processed::Archive(links, meta) => store
                .write_source(0, |s| {
                    s.record_archive(id, &meta, now)?;
                    super::follow::unseen(s, &job.source, &links)
                })
                .map(|next| {
                    report.ok += 1;
                    pending.extend(next.into_iter().map(|u| (job.source.clone(), u)));
                }),
            Processed::NotModified(moved_to) => {
                store.record_not_modified(id, moved_to.as_deref(), now)
            }
            Processed::Failed { error: msg, gone } => {
                report.unreachable += usize::from(trace.unreachable);
                let result = store.record_failure(id, &msg, gone, now);
                error = Some(msg);
                result
            }
            Processed::SkippedDead | Processed::Cancelled => Ok(()),
        };
        match result {
            Ok(()) => uncommitted += 1,
            Err(e) => {
                report.write_failed(id, &e);
                write_error.get_or_insert(e.into());
            }
        }
        commit(
            &mut store,
            false,
            &mut uncommitted,
            &mut report,
            &mut write_error,
        );
        if verbose {
            bar.suspend(|| eprintln!("{}", verbose_line(&job, &trace, new, error.as_deref())));
        }
        bar.inc(1);
    })?;
    commit(
        &mut store,
        true,
        &mut uncommitted,
        &mut report,
        &mut write_error,
    );
    bar.finish_and_clear();
    let interrupted = interrupted
        || (!pending.is_empty()
            && super::follow::fetch_issues(
                pending,
                &ctx.config.settings,
                &mut store,
                &mut report,
                verbose,
            )?);

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
        if report.unreachable > 0
            && report.unreachable == report.failed
            && report.ok + report.unchanged == 0
        {
            eprintln!(
                "hint: no source could be reached (name lookup or connection failed for each): the network looks unreachable; check the connection or proxy and try again"
            );
        }
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
    Ok(if report.failed > 0 || report.issues_failed > 0 {
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
