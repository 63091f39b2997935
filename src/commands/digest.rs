//! `pydigest digest`: the weekly digest as markdown, HTML or JSON, optionally fetching first.

use super::{Invocation, arg_error, period_digest, stdout};
use crate::calendar::{DigestRange, parse_day};
use crate::cli::{DigestArgs, DigestFormat};
use crate::digest::DigestOptions;
use crate::render::{RenderOptions, render_json, render_markdown};
use crate::{Exit, UsageError};
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::io::Write;

/// The range asked for: `--week`, `--since/--until`, else the last complete ISO week.
/// Ranges that start after `now` are refused.
pub(super) fn resolve_range(
    week: Option<&str>,
    since: Option<&str>,
    until: Option<&str>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<DigestRange, UsageError> {
    let range = match (week, since, until) {
        (Some(w), _, _) => DigestRange::parse_week(w, tz).map_err(|e| arg_error("--week", e))?,
        (None, Some(s), Some(u)) => {
            let start = parse_day(s).map_err(|e| arg_error("--since", e))?;
            let end = parse_day(u).map_err(|e| arg_error("--until", e))?;
            DigestRange::days(start, end, tz).map_err(|e| arg_error("--since/--until", e))?
        }
        (None, Some(_), None) | (None, None, Some(_)) => {
            return Err(UsageError("--since and --until go together".into()));
        }
        (None, None, None) => return Ok(DigestRange::last_complete_week(now, tz)),
    };
    let flag = if week.is_some() { "--week" } else { "--since" };
    range.begun(now).map_err(|e| arg_error(flag, e))
}

/// Runs the command.
pub(super) fn run(ctx: &Invocation, args: &DigestArgs) -> anyhow::Result<Exit> {
    let tz = ctx.config.settings.time_zone;
    let range = resolve_range(
        args.week.as_deref(),
        args.since.as_deref(),
        args.until.as_deref(),
        Utc::now(),
        tz,
    )?;
    let llm = if args.llm {
        Some(llm_config(ctx)?)
    } else {
        None
    };
    let mail = if args.mail {
        Some(mail_config(ctx)?)
    } else {
        None
    };
    let mut exit = if args.fetch {
        super::fetch::fetch_all_first(ctx)?
    } else {
        Exit::Ok
    };
    if exit == Exit::Interrupted {
        return Ok(exit);
    }
    let store = ctx.open_store_read()?;
    let digest = period_digest(
        &store,
        &ctx.config,
        &range,
        DigestOptions {
            include_sponsored: args.include_sponsored,
        },
    )?;
    let text = if args.json {
        render_json(&digest)
    } else if args.format == DigestFormat::Html {
        crate::render::page::render_page(&digest)
    } else {
        render_markdown(&digest, RenderOptions { why: args.why })
    };
    let text = match llm {
        None => text,
        Some(cfg) => {
            let opts = crate::llm::NarrateOptions {
                no_cache: args.no_cache,
            };
            let settings = &ctx.config.settings;
            let (text, failed) =
                crate::llm::with_narrative(cfg, settings, &store, &digest, text, args.json, opts)
                    .map_err(|e| UsageError(e.to_string()))?;
            if failed {
                exit = Exit::Partial;
            }
            text
        }
    };
    if args.json && args.why {
        for s in &digest.sections {
            for i in &s.items {
                let reasons: Vec<String> = i
                    .classification
                    .reasons_for(&i.classification.primary)
                    .take(4)
                    .map(|r| format!("{:?} in {} (+{})", r.term, r.field.as_str(), r.score))
                    .collect();
                eprintln!(
                    "why: story {} → {}: {}",
                    i.id,
                    s.name,
                    crate::text::for_terminal(&reasons.join(", "), false)
                );
            }
        }
    }
    match &args.out {
        Some(path) => {
            // Like `export --out-dir` and `init`: a missing folder is created, not an error.
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            crate::files::write_atomic(path, text.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            if !ctx.quiet {
                eprintln!(
                    "wrote {}: {} stories, {}",
                    path.display(),
                    digest.story_count,
                    digest.title
                );
            }
        }
        None => {
            let mut out = stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    if let Some(cfg) = mail {
        let markdown = if args.json || args.format != DigestFormat::Markdown {
            render_markdown(&digest, RenderOptions::default())
        } else {
            text
        };
        let html = crate::render::page::render_page(&digest);
        match crate::mail::send(cfg, &digest, markdown, html) {
            Ok(()) if !ctx.quiet => eprintln!("mailed to {}", cfg.to.join(", ")),
            Ok(()) => {}
            Err(e) => {
                eprintln!("failed: mail: {e}");
                exit = Exit::Partial;
            }
        }
    }
    // The process ends next: freeing a large week's digest item by item costs more than the
    // rest of the rendering, and the OS reclaims it at once.
    std::mem::forget(digest);
    Ok(exit)
}

/// The `[mail]` table `--mail` needs, or a usage error naming it.
fn mail_config(ctx: &Invocation) -> Result<&crate::config::MailConfig, UsageError> {
    ctx.config.mail.as_ref().ok_or_else(|| {
        UsageError(
            "--mail needs a [mail] table in feeds.toml with smtp_url, from and to (see \"E-mail\" in README.md)"
                .into(),
        )
    })
}

/// The `[llm]` table `--llm` needs, or a usage error naming it.
fn llm_config(ctx: &Invocation) -> Result<&crate::config::LlmConfig, UsageError> {
    ctx.config.llm.as_ref().ok_or_else(|| {
        let file = ctx.config.path.as_ref().map_or_else(
            || "the built-in catalogue".to_string(),
            |p| p.display().to_string(),
        );
        UsageError(format!(
            "--llm needs an [llm] table in {file}: add one with base_url and model (see \"Narrative digests\" in README.md)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn now() -> DateTime<Utc> {
        "2025-10-22T10:00:00Z".parse().unwrap()
    }

    #[rstest]
    #[case(Some("2025-W54"), "2025 has weeks 1 to 52")]
    #[case(Some("2025-W53"), "2025 has weeks 1 to 52")]
    #[case(Some("2020-W53"), "")]
    #[case(Some("banana"), "use the ISO form")]
    #[case(Some("2025-W00"), "has weeks")]
    #[case(Some("2025-W44"), "in the future")]
    #[case(Some("2025-W43"), "")]
    #[case(Some("2025w42"), "")]
    fn weeks_are_validated(#[case] week: Option<&str>, #[case] error: &str) {
        let r = resolve_range(week, None, None, now(), chrono_tz::Europe::London);
        if error.is_empty() {
            assert!(r.is_ok(), "{r:?}");
        } else {
            assert!(r.as_ref().unwrap_err().0.contains(error), "{r:?}");
        }
    }

    #[test]
    fn default_is_the_last_complete_week_in_the_configured_zone() {
        let r = resolve_range(None, None, None, now(), chrono_tz::Europe::London).unwrap();
        assert_eq!(r.week_label().as_deref(), Some("2025-W42"));
        // Sunday 23:30 UTC on Oct 19 is already Monday in Auckland: W42 is the last complete week there too,
        // but on Monday 00:30 London time (BST) W42 has just ended.
        let r = resolve_range(
            None,
            None,
            None,
            "2025-10-19T23:30:00Z".parse().unwrap(),
            chrono_tz::Europe::London,
        )
        .unwrap();
        assert_eq!(r.week_label().as_deref(), Some("2025-W42"));
        let r = resolve_range(
            None,
            None,
            None,
            "2025-10-19T22:30:00Z".parse().unwrap(),
            chrono_tz::UTC,
        )
        .unwrap();
        assert_eq!(r.week_label().as_deref(), Some("2025-W41"));
    }

    #[test]
    fn custom_ranges_are_checked() {
        let tz = chrono_tz::UTC;
        assert!(resolve_range(None, Some("2025-10-13"), Some("2025-10-19"), now(), tz).is_ok());
        assert!(
            resolve_range(None, Some("2025-10-19"), Some("2025-10-13"), now(), tz)
                .unwrap_err()
                .0
                .contains("before")
        );
        assert!(
            resolve_range(None, Some("13/10/2025"), Some("2025-10-19"), now(), tz)
                .unwrap_err()
                .0
                .contains("YYYY-MM-DD")
        );
        assert!(
            resolve_range(None, Some("2026-01-01"), Some("2026-01-02"), now(), tz)
                .unwrap_err()
                .0
                .contains("future")
        );
    }
}
