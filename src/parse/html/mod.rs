//! HTML pages: newsletter issues split into their links, and blog index pages scraped with CSS
//! selectors or generic rules.
//!
//! * [`split_newsletter_entries`]: every `Issue` entry of a newsletter feed gets one `Link`/`Job`
//!   entry per story it links to (rules in [`newsletter`]).
//! * [`parse_page`]: a page with configured selectors is scraped with them; a newsletter issue page
//!   becomes one `Issue` entry plus its stories; anything else goes through the generic index
//!   extraction (articles, headings with links, link tables/lists).

mod blocks;
mod newsletter;
mod page;
#[cfg(test)]
mod tests;

use super::{Decoded, ParseError, ParseOptions};
use crate::model::{DocFormat, DocMeta, Entry, EntryKind, ParsedDoc, SourceKind};
use newsletter::{IssueCtx, bare_host, split_issue};
use page::PageCtx;
use scraper::{Html, Selector};
use std::sync::LazyLock;
use url::Url;

/// Fewest stories for a page to be taken for a newsletter issue when the kind is not declared.
const MIN_DETECTED_STORIES: usize = 5;

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

static TITLE: LazyLock<Selector> = LazyLock::new(|| sel("title"));
static OG_TITLE: LazyLock<Selector> = LazyLock::new(|| sel(r#"meta[property="og:title"]"#));
static DESCRIPTION: LazyLock<Selector> =
    LazyLock::new(|| sel(r#"meta[name="description"], meta[property="og:description"]"#));
static HTML_LANG: LazyLock<Selector> = LazyLock::new(|| sel("html[lang]"));
static SELF_URL: LazyLock<Selector> =
    LazyLock::new(|| sel(r#"link[rel~=canonical][href], meta[property="og:url"][content]"#));
static ANY_LINK: LazyLock<Selector> = LazyLock::new(|| sel("a[href]"));
static CONTENT_ROOTS: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    [
        "[itemprop~=articleBody]",
        "article",
        "main",
        "[role=main]",
        "#content",
        ".content",
        "body",
    ]
    .iter()
    .map(|s| sel(s))
    .collect()
});

/// Parses an HTML page into entries.
pub(super) fn parse_page(
    decoded: Decoded,
    opts: &ParseOptions<'_>,
) -> Result<ParsedDoc, ParseError> {
    let doc = Html::parse_document(&decoded.text);
    let base = opts.base_url.and_then(|b| Url::parse(b).ok());
    let text_of = |s: &Selector| {
        doc.select(s)
            .next()
            .map(|e| crate::text::collapse_ws(&e.text().collect::<String>()))
    };
    let og_title = doc
        .select(&OG_TITLE)
        .next()
        .and_then(|e| e.attr("content"))
        .map(crate::text::plain_line);
    let title = og_title
        .filter(|t| !t.is_empty())
        .or_else(|| text_of(&TITLE))
        .filter(|t| !t.is_empty());
    let description = doc
        .select(&DESCRIPTION)
        .next()
        .and_then(|e| e.attr("content"))
        .map(crate::text::plain_line)
        .filter(|t| !t.is_empty());
    let language = doc
        .select(&HTML_LANG)
        .next()
        .and_then(|e| e.attr("lang"))
        .map(str::to_string);
    let mut out = ParsedDoc {
        meta: DocMeta {
            title: title.clone(),
            site_url: opts.base_url.map(str::to_string),
            description,
            language,
            encoding: Some(decoded.encoding.to_string()),
            format: DocFormat::Html,
        },
        warnings: decoded.warnings,
        entries: Vec::new(),
    };
    let ctx = PageCtx {
        base: base.clone(),
        now: opts.now.unwrap_or_else(chrono::Utc::now),
    };
    let link_count = doc.select(&ANY_LINK).count();

    if let Some(selectors) = opts.selectors {
        out.entries = page::with_selectors(&doc, selectors, &ctx, &mut out.warnings);
        if out.entries.is_empty() {
            let detail = if out.warnings.is_empty() {
                String::new()
            } else {
                format!(": {}", out.warnings.join("; "))
            };
            return Err(ParseError::Page(format!(
                "the configured selectors found no entries on the page{detail}"
            )));
        }
        return Ok(out);
    }
    if link_count == 0 {
        return Err(ParseError::Page("no links found on the page".into()));
    }

    let issue = || issue_from_page(&doc, opts, base.as_ref(), title.as_deref());
    match opts.kind {
        Some(SourceKind::Newsletter) => {
            let entries = issue();
            if entries.len() <= 1 {
                return Err(ParseError::Page(
                    "no story links found in the newsletter issue page".into(),
                ));
            }
            out.entries = entries;
        }
        kind => {
            let mut entries = page::from_articles(&doc, &ctx);
            if entries.len() < 2 {
                let headings = page::from_headings(&doc, &ctx);
                if headings.len() > entries.len() {
                    entries = headings;
                }
            }
            if kind.is_none() && entries.len() < 3 {
                let split = issue();
                let sections = split
                    .iter()
                    .filter_map(|e| e.section.as_ref())
                    .collect::<std::collections::HashSet<_>>();
                if split.len() > MIN_DETECTED_STORIES && !sections.is_empty() {
                    entries = split;
                }
            }
            if entries.is_empty() {
                entries = page::from_rows(&doc, &ctx);
            }
            if entries.is_empty() {
                return Err(ParseError::Page(format!(
                    "no posts or story links found on the page ({link_count} links, none looked like a post or story)"
                )));
            }
            out.entries = entries;
        }
    }
    Ok(out)
}

/// Hosts that are the newsletter's own site: where the page was fetched from, and where it
/// says it lives (`link rel=canonical`, `og:url`), which differs for mirrors and local copies.
fn own_hosts(doc: &Html, base: Option<&Url>) -> Vec<String> {
    let declared = doc
        .select(&SELF_URL)
        .filter_map(|e| e.attr("href").or_else(|| e.attr("content")));
    let mut hosts: Vec<String> = base
        .and_then(bare_host)
        .into_iter()
        .chain(
            declared
                .filter_map(|u| Url::parse(u).ok())
                .filter_map(|u| bare_host(&u)),
        )
        .collect();
    hosts.dedup();
    hosts
}

/// The page as one `Issue` entry (its main content, sanitized) followed by its stories.
fn issue_from_page(
    doc: &Html,
    opts: &ParseOptions<'_>,
    base: Option<&Url>,
    title: Option<&str>,
) -> Vec<Entry> {
    let root = CONTENT_ROOTS
        .iter()
        .find_map(|s| doc.select(s).find(|e| e.select(&ANY_LINK).next().is_some()))
        .unwrap_or_else(|| doc.root_element());
    let content_html = super::sanitize_html(&root.html(), base);
    let id = opts
        .base_url
        .map(str::to_string)
        .unwrap_or_else(|| super::content_hash(&[title.unwrap_or(""), &content_html]));
    let issue = Entry {
        id: id.clone(),
        title: title.map(str::to_string),
        url: opts.base_url.map(str::to_string),
        canonical_url: opts.base_url.and_then(crate::canon::canonical_url),
        summary: None,
        content_text: Some(crate::text::html_to_text(&content_html)),
        content_html: Some(content_html),
        kind: EntryKind::Issue,
        published: None,
        ..Entry::default()
    };
    let ctx = IssueCtx {
        issue_id: id,
        issue_url: opts.base_url.map(str::to_string),
        base: base.cloned(),
        own_hosts: own_hosts(doc, base),
        issue_title: title.map(str::to_string),
        published: None,
    };
    let stories = split_issue(issue.content_html.as_deref().unwrap_or(""), &ctx);
    let mut out = Vec::with_capacity(stories.len() + 1);
    out.push(issue);
    out.extend(stories);
    out
}

/// Adds one entry per linked story to a newsletter feed's issue entries; each issue's stories
/// follow it.
pub(super) fn split_newsletter_entries(doc: &mut ParsedDoc, opts: &ParseOptions<'_>) {
    let site = doc
        .meta
        .site_url
        .as_deref()
        .and_then(|s| Url::parse(s).ok());
    let base_opt = opts.base_url.and_then(|s| Url::parse(s).ok());
    let mut own_hosts: Vec<String> = [site.as_ref(), base_opt.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(bare_host)
        .collect();
    own_hosts.dedup();
    let entries = std::mem::take(&mut doc.entries);
    let mut out = Vec::with_capacity(entries.len() * 8);
    for issue in entries {
        let html = (issue.kind == EntryKind::Issue)
            .then(|| issue.content_html.clone())
            .flatten();
        let Some(html) = html else {
            out.push(issue);
            continue;
        };
        let issue_url = issue.url.as_deref().and_then(|u| Url::parse(u).ok());
        let mut hosts = own_hosts.clone();
        if let Some(h) = issue_url.as_ref().and_then(bare_host)
            && !hosts.contains(&h)
        {
            hosts.push(h);
        }
        let ctx = IssueCtx {
            issue_id: issue.id.clone(),
            issue_url: issue.url.clone(),
            base: issue_url
                .or_else(|| site.clone())
                .or_else(|| base_opt.clone()),
            own_hosts: hosts,
            issue_title: issue.title.clone(),
            published: issue.published,
        };
        let stories = split_issue(&html, &ctx);
        out.push(issue);
        out.extend(stories);
    }
    doc.entries = out;
}
