//! Blog index pages and link lists: CSS selectors when configured, else articles, headings with
//! links, or rows of a link table/list.

use super::blocks::{Block, collect_blocks};
use super::newsletter::bare_host;
use crate::canon::{absolutize, canonical_url};
use crate::config::Selectors;
use crate::model::{Entry, EntryKind};
use chrono::{DateTime, Utc};
use ego_tree::NodeId;
use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashSet;
use std::sync::LazyLock;
use url::Url;

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

static HEADING_LINK: LazyLock<Selector> = LazyLock::new(|| {
    sel(
        "h1 a[href], h2 a[href], h3 a[href], h4 a[href], a[rel~=bookmark], .entry-title a[href], .post-title a[href]",
    )
});
static HEADINGS: LazyLock<Selector> = LazyLock::new(|| sel("h1, h2, h3, h4, h5, h6"));
static ANY_LINK: LazyLock<Selector> = LazyLock::new(|| sel("a[href]"));
static PARAGRAPH: LazyLock<Selector> = LazyLock::new(|| sel("p"));
static TIME_DT: LazyLock<Selector> = LazyLock::new(|| sel("time[datetime]"));
static DATE_ELEMS: LazyLock<Selector> = LazyLock::new(|| {
    sel(
        "time, .date, .published, .post-date, .entry-date, .dt-published, .post-info, .post-meta, .meta, footer",
    )
});
static ARTICLE: LazyLock<Selector> = LazyLock::new(|| sel("article"));
static POST: LazyLock<Selector> = LazyLock::new(|| sel(".post"));
static ROWS: LazyLock<Selector> = LazyLock::new(|| sel("tr, li"));

/// Date-looking substrings: ISO dates, "23 de March de 2025", "13 fevereiro 2016", "March 23, 2025".
static DATE_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}\.?\s+(?:de\s+)?\p{L}{3,}\.?,?\s+(?:de\s+)?\d{4}|\p{L}{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})",
    )
    .unwrap()
});

static ORDINAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d)(st|nd|rd|th)\b").unwrap());

/// Finds the first date in free text.
pub(crate) fn find_date(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    for m in DATE_TEXT.find_iter(text).take(5) {
        let raw = m.as_str().replace(" de ", " ");
        let raw = ORDINAL.replace_all(&raw, "$1").into_owned();
        if let Some(d) = crate::parse::parse_human_date(&raw, now) {
            return Some(d);
        }
    }
    None
}

fn element_text(e: ElementRef<'_>) -> String {
    crate::text::collapse_ws(&e.text().collect::<String>())
}

/// Context shared by the page extractors.
pub(crate) struct PageCtx {
    pub(crate) base: Option<Url>,
    pub(crate) now: DateTime<Utc>,
}

impl PageCtx {
    fn link(&self, href: &str) -> Option<(String, String)> {
        if href.trim_start().starts_with('#') {
            return None;
        }
        let url = absolutize(href, self.base.as_ref())?;
        if url.scheme() == "file" {
            return None;
        }
        let canonical = canonical_url(url.as_str())?;
        Some((url.to_string(), canonical))
    }

    fn entry(&self, title: String, url: String, canonical: String, kind: EntryKind) -> Entry {
        Entry {
            id: canonical.clone(),
            title: Some(title),
            url: Some(url),
            canonical_url: Some(canonical),
            kind,
            ..Entry::default()
        }
    }

    fn date_in(&self, item: ElementRef<'_>) -> Option<DateTime<Utc>> {
        if let Some(d) = item
            .select(&TIME_DT)
            .find_map(|t| t.attr("datetime").and_then(crate::parse::parse_date))
        {
            return Some(d);
        }
        item.select(&DATE_ELEMS)
            .find_map(|e| find_date(&element_text(e), self.now))
    }
}

/// Extraction with the configured CSS selectors. Warnings name each selector that matched nothing.
pub(crate) fn with_selectors(
    doc: &Html,
    s: &Selectors,
    ctx: &PageCtx,
    warnings: &mut Vec<String>,
) -> Vec<Entry> {
    let mut parse = |name: &str, v: &Option<String>| -> Option<(String, Selector)> {
        let v = v.as_deref()?;
        match Selector::parse(v) {
            Ok(s) => Some((v.to_string(), s)),
            Err(e) => {
                warnings.push(format!("selector `{name}` = `{v}` is invalid: {e}"));
                None
            }
        }
    };
    let item_sel = parse("item", &s.item);
    let title_sel = parse("title", &s.title);
    let link_sel = parse("link", &s.link);
    let summary_sel = parse("summary", &s.summary);
    let date_sel = parse("date", &s.date);
    let section_sel = parse("section", &s.section);

    let items: Vec<ElementRef<'_>> = match &item_sel {
        Some((v, sel)) => {
            let items: Vec<_> = doc.select(sel).collect();
            if items.is_empty() {
                warnings.push(format!("selector `item` = `{v}` matched nothing"));
            }
            items
        }
        None => default_items(doc),
    };
    // Section headings in document order, to find the nearest preceding one.
    let sections: Vec<(NodeId, String)> = match &section_sel {
        Some((v, sel)) => {
            let found: Vec<_> = doc.select(sel).map(|e| (e.id(), element_text(e))).collect();
            if found.is_empty() {
                warnings.push(format!("selector `section` = `{v}` matched nothing"));
            }
            found
        }
        None => Vec::new(),
    };
    let order: std::collections::HashMap<NodeId, usize> = if sections.is_empty() {
        Default::default()
    } else {
        doc.tree
            .root()
            .descendants()
            .enumerate()
            .map(|(i, n)| (n.id(), i))
            .collect()
    };

    let mut hits = [0usize; 4];
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for item in items {
        let link_el = match &link_sel {
            Some((_, sel)) => item.select(sel).next().inspect(|_| hits[0] += 1),
            None => item.select(&ANY_LINK).next(),
        };
        let href = link_el.and_then(|a| {
            a.attr("href")
                .or_else(|| a.select(&ANY_LINK).next()?.attr("href"))
        });
        let Some((url, canonical)) = href.and_then(|h| ctx.link(h)) else {
            continue;
        };
        let title = match &title_sel {
            Some((_, sel)) => item
                .select(sel)
                .next()
                .inspect(|_| hits[1] += 1)
                .map(element_text),
            None => item
                .select(&HEADINGS)
                .next()
                .map(element_text)
                .or_else(|| link_el.map(element_text)),
        }
        .filter(|t| !t.is_empty())
        .or_else(|| link_el.map(element_text))
        .unwrap_or_else(|| url.clone());
        if !seen.insert(canonical.clone()) {
            continue;
        }
        let mut e = ctx.entry(title, url, canonical, EntryKind::Post);
        e.summary = match &summary_sel {
            Some((_, sel)) => item
                .select(sel)
                .next()
                .inspect(|_| hits[2] += 1)
                .map(element_text),
            None => item
                .select(&PARAGRAPH)
                .map(element_text)
                .find(|t| !t.is_empty()),
        }
        .filter(|t| !t.is_empty());
        e.published = match &date_sel {
            Some((_, sel)) => item
                .select(sel)
                .next()
                .inspect(|_| hits[3] += 1)
                .and_then(|d| {
                    d.attr("datetime")
                        .and_then(crate::parse::parse_date)
                        .or_else(|| find_date(&element_text(d), ctx.now))
                        .or_else(|| crate::parse::parse_human_date(&element_text(d), ctx.now))
                }),
            None => ctx.date_in(item),
        };
        if !sections.is_empty() {
            let pos = order.get(&item.id()).copied().unwrap_or(0);
            e.section = sections
                .iter()
                .rfind(|(id, _)| order.get(id).is_some_and(|p| *p < pos))
                .map(|(_, t)| t.clone());
        }
        out.push(e);
    }
    for (i, (name, s)) in [
        ("link", &link_sel),
        ("title", &title_sel),
        ("summary", &summary_sel),
        ("date", &date_sel),
    ]
    .into_iter()
    .enumerate()
    {
        if let Some((v, _)) = s
            && hits[i] == 0
            && item_sel
                .as_ref()
                .is_none_or(|_| !out.is_empty() || hits.iter().all(|h| *h == 0))
        {
            warnings.push(format!("selector `{name}` = `{v}` matched nothing"));
        }
    }
    out
}

/// Default items: `article`, else `.post`, else list items holding a link.
fn default_items(doc: &Html) -> Vec<ElementRef<'_>> {
    let articles: Vec<_> = doc.select(&ARTICLE).collect();
    if !articles.is_empty() {
        return articles;
    }
    let posts: Vec<_> = doc.select(&POST).collect();
    if !posts.is_empty() {
        return posts;
    }
    doc.select(&ROWS)
        .filter(|e| e.value().name() == "li" && e.select(&ANY_LINK).next().is_some())
        .collect()
}

/// `article` elements that have a title link in a heading (or `rel=bookmark`).
pub(crate) fn from_articles(doc: &Html, ctx: &PageCtx) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for art in doc.select(&ARTICLE) {
        // Skip an article nested in another that already produced an entry.
        let Some(a) = art.select(&HEADING_LINK).next() else {
            continue;
        };
        let Some((url, canonical)) = a.attr("href").and_then(|h| ctx.link(h)) else {
            continue;
        };
        let title = element_text(a);
        if title.is_empty() || !seen.insert(canonical.clone()) {
            continue;
        }
        let mut e = ctx.entry(title, url, canonical, EntryKind::Post);
        e.summary = art
            .select(&PARAGRAPH)
            .map(element_text)
            .find(|t| t.chars().count() >= 20);
        e.published = ctx.date_in(art);
        out.push(e);
    }
    out
}

/// Headings that hold a link: the heading level with the most described links wins (so a Planet's
/// author headings lose to its post headings). Summary: the next paragraph; date: a date inside
/// the post's region, else the nearest preceding heading that is a date.
pub(crate) fn from_headings(doc: &Html, ctx: &PageCtx) -> Vec<Entry> {
    let root = doc.tree.root().id();
    let blocks = collect_blocks(doc, root);
    let mut best: Option<(u8, usize)> = None;
    for level in 1..=6u8 {
        let n = (0..blocks.len())
            .filter(|&i| heading_story(&blocks, i, level, true).is_some())
            .count();
        if n > 0 && best.is_none_or(|(_, m)| n > m) {
            best = Some((level, n));
        }
    }
    let Some((level, _)) = best else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut date_heading: Option<DateTime<Utc>> = None;
    for i in 0..blocks.len() {
        let b = &blocks[i];
        if let Some(l) = b.heading.filter(|l| *l < level) {
            let _ = l;
            if let Some(d) = find_date(&b.text(), ctx.now) {
                date_heading = Some(d);
            }
            continue;
        }
        let Some(summary) = heading_story(&blocks, i, level, false) else {
            continue;
        };
        let link = &b.links[0];
        let Some((url, canonical)) = ctx.link(&link.href) else {
            continue;
        };
        if !seen.insert(canonical.clone()) {
            continue;
        }
        let mut e = ctx.entry(link.text.clone(), url, canonical, EntryKind::Post);
        e.summary = summary;
        // The post's region: following siblings of the heading until the next heading.
        e.published = region_date(doc, b.node, ctx).or(date_heading);
        out.push(e);
    }
    out
}

/// For heading block `i` at `level` holding a link: `Some(summary)`. `strict` (used to pick the
/// level) wants a described link: text before any next heading. Otherwise the summary may be
/// `None` and only a heading of the same or a higher rank ends the post.
fn heading_story(blocks: &[Block], i: usize, level: u8, strict: bool) -> Option<Option<String>> {
    let b = &blocks[i];
    if b.heading != Some(level) {
        return None;
    }
    let link = b.links.first()?;
    let title_len = link.text.chars().count();
    if title_len < 3 || link.has_img && title_len == 0 || link.href.trim_start().starts_with('#') {
        return None;
    }
    if b.text_without(link).chars().count() > title_len {
        return None;
    }
    // A described link: some text follows before the next heading.
    let mut summary = None;
    for n in blocks.iter().skip(i + 1).take(8) {
        match n.heading {
            Some(h) if strict || h <= level => break,
            Some(_) => continue,
            None => {}
        }
        if n.pre {
            continue;
        }
        let t = n.text();
        if t.chars().count() >= 20 {
            summary = Some(crate::text::truncate_words(&t, 600));
            break;
        }
    }
    if strict {
        summary.as_ref()?;
    }
    Some(summary)
}

fn region_date(doc: &Html, heading: NodeId, ctx: &PageCtx) -> Option<DateTime<Utc>> {
    let node = doc.tree.get(heading)?;
    for sib in node.next_siblings().take(12) {
        let Some(el) = ElementRef::wrap(sib) else {
            continue;
        };
        if matches!(el.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
            break;
        }
        if let Some(d) = ctx.date_in(el) {
            return Some(d);
        }
        if el.value().classes().any(|c| c.contains("date"))
            && let Some(d) = find_date(&element_text(el), ctx.now)
        {
            return Some(d);
        }
    }
    None
}

/// Rows of a link table or list: the row's longest link (not a bare number) is the story.
pub(crate) fn from_rows(doc: &Html, ctx: &PageCtx) -> Vec<Entry> {
    let own_host = ctx.base.as_ref().and_then(bare_host);
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for row in doc.select(&ROWS) {
        if row.ancestors().any(|a| matches!(a.value(), Node::Element(e) if matches!(e.name(), "nav" | "footer" | "header")))
        {
            continue;
        }
        // Only innermost rows: a list item holding a nested list of links is left to its children.
        if row.value().name() == "li" && row.select(&ROWS).nth(1).is_some() {
            continue;
        }
        let best = row
            .select(&ANY_LINK)
            .map(|a| (a, element_text(a)))
            .filter(|(_, t)| t.chars().any(char::is_alphabetic) && t.chars().count() >= 8)
            .max_by_key(|(_, t)| t.chars().count());
        let Some((a, title)) = best else { continue };
        let Some((url, canonical)) = a.attr("href").and_then(|h| ctx.link(h)) else {
            continue;
        };
        let host = Url::parse(&url).ok().as_ref().and_then(bare_host);
        if own_host.is_some() && host == own_host {
            continue;
        }
        if !seen.insert(canonical.clone()) {
            continue;
        }
        let mut e = ctx.entry(title.clone(), url, canonical, EntryKind::Link);
        let rest = element_text(row).replacen(&title, "", 1);
        let rest = crate::text::collapse_ws(&rest);
        if rest.chars().count() >= 40 {
            e.summary = Some(rest);
        }
        e.published = ctx.date_in(row);
        out.push(e);
    }
    out
}
