//! `pydigest sources`: list sources with their health; import from OPML or a Planet TSV into
//! feeds.toml; export as OPML.

use super::opml::{self, Imported, slug};
use super::{Invocation, stdout};
use crate::cli::{ImportArgs, SourcesAction, SourcesArgs};
use crate::config::{Config, parse_location};
use crate::store::{SourceHealth, SourceStatus};
use crate::text::for_terminal;
use crate::{Exit, UsageError};
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

/// Runs `sources` and its subcommands.
pub(super) fn run(ctx: &Invocation, args: &SourcesArgs) -> anyhow::Result<Exit> {
    match &args.action {
        None => list(ctx, args.json),
        Some(SourcesAction::Import(a)) => import(ctx, a),
        Some(SourcesAction::Add(a)) => super::subscribe::add(ctx, a),
        Some(SourcesAction::Remove(a)) => super::subscribe::remove(ctx, a),
        Some(SourcesAction::Export(a)) => {
            let opml = opml::write(&ctx.config);
            match &a.out {
                Some(path) => crate::files::write_atomic(path, opml.as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?,
                None => stdout().write_all(opml.as_bytes())?,
            }
            Ok(Exit::Ok)
        }
    }
}

/// Days without a new entry after which a source that still answers counts as stale: a blog
/// that stopped publishing is as useless as a failing one, only harder to spot.
pub(crate) const STALE_DAYS: i64 = 90;

/// The status `sources` shows: the last fetch's, or `stale` for a source that still answers
/// but has had no new entry since `stale_before`.
fn shown_status(h: &SourceHealth, stale_before: DateTime<Utc>) -> &'static str {
    let silent = h.last_new_entry.is_some_and(|t| t < stale_before);
    if silent && matches!(h.status, SourceStatus::Ok | SourceStatus::Unchanged) {
        "stale"
    } else {
        h.status.as_str()
    }
}

fn list(ctx: &Invocation, json: bool) -> anyhow::Result<Exit> {
    let store = ctx.open_store_read()?;
    let health = store.source_health(&ctx.config.sources)?;
    let stale_before = Utc::now() - chrono::Duration::days(STALE_DAYS);
    let mut out = stdout();
    if json {
        let rows = crate::render::sources_json(&health, |h| shown_status(h, stale_before));
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(Exit::Ok);
    }
    let now = Utc::now();
    let failing_days = i64::from(ctx.config.settings.failing_days);
    writeln!(
        out,
        "{:<24} {:<10} {:>7}  {:<22} LAST NEW ENTRY",
        "SOURCE", "KIND", "ENTRIES", "STATUS"
    )?;
    let mut long_failing = Vec::new();
    for h in &health {
        let status = match (h.status, h.failing_since) {
            (SourceStatus::Failing, Some(since)) => {
                let days = (now - since).num_days();
                if days >= failing_days {
                    long_failing.push((h.id.clone(), days));
                }
                format!("failing since {}", since.format("%Y-%m-%d"))
            }
            (SourceStatus::Dead, _) => "dead (410 Gone)".to_string(),
            _ => shown_status(h, stale_before).to_string(),
        };
        let last_new = h
            .last_new_entry
            .map_or_else(|| "-".to_string(), |t| t.format("%Y-%m-%d").to_string());
        writeln!(
            out,
            "{:<24} {:<10} {:>7}  {:<22} {}",
            for_terminal(&h.id, false),
            h.kind.as_str(),
            h.entries,
            status,
            last_new
        )?;
        if let Some(err) = &h.last_error {
            writeln!(out, "{:<24} last error: {}", "", for_terminal(err, false))?;
        }
    }
    for (id, days) in long_failing {
        writeln!(
            out,
            "warning: {id} has been failing for {days} days: check its URL or remove it"
        )?;
    }
    Ok(Exit::Ok)
}

fn read_tsv(text: &str) -> Vec<Imported> {
    text.lines()
        .filter_map(|l| {
            let (name, url) = l.split_once('\t')?;
            let url = url.trim();
            (url.starts_with("http://") || url.starts_with("https://")).then(|| Imported {
                name: name.trim().to_string(),
                url: url.to_string(),
                ..Imported::default()
            })
        })
        .collect()
}

fn import(ctx: &Invocation, args: &ImportArgs) -> anyhow::Result<Exit> {
    let Some(config_path) = ctx.config.path.clone() else {
        return Err(UsageError(
            "no feeds.toml to import into: run `pydigest init` first or pass --config FILE".into(),
        )
        .into());
    };
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let text = crate::parse::decode(&bytes, None).text;
    let is_tsv = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
        || !text.trim_start().starts_with('<');
    let found = if is_tsv {
        read_tsv(&text)
    } else {
        opml::read(&text)
    };
    if found.is_empty() {
        return Err(UsageError(format!(
            "{}: no feeds found (expected OPML outlines with xmlUrl, or name<TAB>url lines)",
            args.file.display()
        ))
        .into());
    }
    let mut ids: HashSet<String> = ctx.config.sources.iter().map(|s| s.id.clone()).collect();
    let mut urls: HashSet<String> = ctx.config.sources.iter().map(|s| s.url.clone()).collect();
    let mut added = String::new();
    let (mut n_added, mut n_dup, mut n_bad) = (0, 0, 0);
    let dir = config_path.parent().unwrap_or(Path::new("."));
    for f in found {
        if !urls.insert(f.url.clone()) {
            n_dup += 1;
            continue;
        }
        if let Err(why) = parse_location(&f.url, dir) {
            eprintln!(
                "skipped {:?}: {}",
                for_terminal(&f.name, false),
                for_terminal(&why, false)
            );
            n_bad += 1;
            continue;
        }
        // An id the file gives is kept when free: stored entries are linked to it.
        let base = match &f.id {
            Some(id) if opml::valid_id(id) => id.to_string(),
            _ => slug(&f.name),
        };
        let mut id = base.clone();
        let mut n = 2;
        while !ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        let mut f = f;
        if let Some(t) = &f.topic
            && !ctx
                .config
                .topics
                .iter()
                .any(|x| x.name.eq_ignore_ascii_case(t))
        {
            eprintln!(
                "{}: topic {:?} is not defined in {}: imported without it",
                id,
                for_terminal(t, false),
                config_path.display()
            );
            f.topic = None;
        }
        added.push_str(&opml::source_table(&id, &f));
        n_added += 1;
    }
    let summary = format!("{n_added} sources added, {n_dup} already present, {n_bad} skipped");
    if args.dry_run {
        stdout().write_all(added.as_bytes())?;
        eprintln!("dry run: {summary}");
        return Ok(Exit::Ok);
    }
    let mut current = std::fs::read_to_string(&config_path)?;
    if n_added > 0 {
        current.push_str(&format!(
            "\n# Imported from {} on {}\n",
            args.file.display(),
            Utc::now().format("%Y-%m-%d")
        ));
        current.push_str(&added);
        // Validate before writing so a bad import never leaves a broken feeds.toml behind.
        Config::parse(&current, &config_path.display().to_string(), dir)?;
        crate::files::write_atomic(&config_path, current.as_bytes())
            .with_context(|| format!("writing {}", config_path.display()))?;
    }
    eprintln!("{}: {summary}", config_path.display());
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_skips_header_and_slugs_names() {
        let found =
            read_tsv("name\tfeed_url\nA. Jesse Jiryu Davis\thttps://emptysqua.re/blog/index.xml\n");
        assert_eq!(found.len(), 1);
        assert_eq!(slug(&found[0].name), "a-jesse-jiryu-davis");
    }
}
