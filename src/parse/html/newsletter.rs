//! Splitting a newsletter issue into one entry per linked story.
//!
//! Rules (in order):
//! 1. The issue HTML is flattened into blocks (paragraphs, list items, headings, cells).
//! 2. Headings (`h1`–`h6`, or a paragraph that is only `<strong>`/`<b>`) set the current section,
//!    unless the heading is the issue's own title or only links to the issue itself.
//!    A heading that is mostly one story link is a story, not a section.
//! 3. Each link is a candidate story. Skipped: non-web links (mailto…), links back to the issue,
//!    image-only or text-less links, navigation ("unsubscribe", "view in browser", share links,
//!    "More jobs >>>"), links to the newsletter's own site (except its job ads and click-tracking
//!    redirects), and repeats of a URL already seen in the issue.
//! 4. A link that leads its block is a story: its blurb is the rest of the block, or, when the link
//!    stands alone, the next paragraph (before the next heading or the next other link). A link in
//!    the middle of a block is a story only when the block gives it >= 40 characters of blurb.
//! 5. Sponsored: "sponsor(ed)", "[Sponsor]", "advertisement", "partner", "our other newsletters",
//!    "subscribe", "share this" in the block or section (sponsor words also in the blurb), or a
//!    URL that says so (`utm_content=sponsor…`).
//! 6. Job: under a jobs section, or a job-board URL.

use super::blocks::{Block, RawLink, collect_blocks, is_inside};
use crate::canon::{absolutize, canonical_url, story_key};
use crate::model::{Entry, EntryKind};
use chrono::{DateTime, Utc};
use regex::Regex;
use scraper::Html;
use std::collections::HashSet;
use std::sync::LazyLock;
use url::Url;

/// Minimum blurb length for a link in the middle of prose.
const MIN_PROSE_BLURB: usize = 40;
/// Minimum length of a following paragraph used as blurb.
const MIN_NEXT_BLURB: usize = 20;
/// Below this, the text around a link does not count as a blurb.
const MIN_INLINE_BLURB: usize = 12;

static SPONSOR_STRONG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\[\s*sponsor(ed)?\s*\]|\bsponsor(ed)?\b|\badvertisement\b|\bpaid (post|content|promotion)\b|\bour other newsletters?\b|赞助|广告)",
    )
    .unwrap()
});
static SPONSOR_HOUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bpartner\b|\bsubscribe\b|订阅|\bshare this\b|\bunsubscribe\b)").unwrap()
});
static NAV_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(
            unsubscribe.* | .*\bunsubscribe\b.* | view\ (this\ (email|issue)\ )?(in|on)\ (your\ |the\ )?(browser|web).* |
            view\ online.* | read\ (it\ )?online.* | web\ version | update\ (your\ )?(preferences|profile|subscription).* |
            manage\ (your\ )?(preferences|subscription).* | forward\ (this\ )?to\ a\ friend.* | share(\ this)?(\ on\ \w+)? |
            tweet(\ this)? | follow\ us.* | subscribe(\ here|\ now)?\W* | click\ here.* | read\ more\W* | continue\ reading\W* |
            more\ \.\.\.\W* | more | (see|view)\ (all|more)\b.* | more\b.*(>>>?|»|→|\.\.\.)\s*
        )$",
    )
    .unwrap()
});
static NAV_SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(comments?|leave a comment|related( posts| articles)?|share( this)?|评论|留言|相关文章)\W*$").unwrap()
});
static JOBS_SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bjobs?\b|\bcareers?\b|\bhiring\b|招聘|职位|工作机会)").unwrap()
});
static JOB_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)/(jobs?|careers?)/[^/?#]+").unwrap());
static REDIRECT_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^/(link|links|r|redirect|click|out|go|track)/").unwrap());
const JOB_HOSTS: &[&str] = &[
    "weworkremotely.com",
    "remoteok.com",
    "remoteok.io",
    "indeed.com",
    "greenhouse.io",
    "lever.co",
    "workable.com",
    "ashbyhq.com",
    "wellfound.com",
    "pythonjobs.github.io",
    "djangojobs.net",
];
const SHARE_HOSTS: &[&str] = &[
    "twitter.com",
    "x.com",
    "facebook.com",
    "linkedin.com",
    "reddit.com",
    "news.ycombinator.com",
    "t.me",
    "wa.me",
];

/// What the splitter knows about the issue it splits.
#[derive(Debug, Default)]
pub(crate) struct IssueCtx {
    /// The issue entry's id (parent of every story).
    pub(crate) issue_id: String,
    /// The issue's own URL (links to it are skipped).
    pub(crate) issue_url: Option<String>,
    /// Base for relative links.
    pub(crate) base: Option<Url>,
    /// Hosts of the newsletter's own site (without `www.`).
    pub(crate) own_hosts: Vec<String>,
    /// The issue's title (a heading repeating it is not a section).
    pub(crate) issue_title: Option<String>,
    /// The issue's publication time, copied to every story.
    pub(crate) published: Option<DateTime<Utc>>,
}

/// Host without `www.`, lower-case.
pub(crate) fn bare_host(u: &Url) -> Option<String> {
    let h = u.host_str()?.to_ascii_lowercase();
    Some(h.strip_prefix("www.").unwrap_or(&h).to_string())
}

/// A link resolved and judged.
struct Resolved {
    url: String,
    canonical: String,
    job_url: bool,
}

impl IssueCtx {
    fn resolve(&self, link: &RawLink) -> Option<Resolved> {
        let href = link.href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let url = absolutize(href, self.base.as_ref())?;
        if url.scheme() == "file" {
            return None;
        }
        let canonical = canonical_url(url.as_str())?;
        let host = bare_host(&url)?;
        let path = url.path();
        // Back to the issue itself.
        if let Some(issue) = &self.issue_url
            && story_key(issue) == story_key(&canonical)
        {
            return None;
        }
        // Share / social buttons.
        if SHARE_HOSTS
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
        {
            let p = path.to_ascii_lowercase();
            if p.contains("share")
                || p.contains("intent")
                || p.contains("submit")
                || p == "/"
                || p.is_empty()
            {
                return None;
            }
        }
        let lower = url.as_str().to_ascii_lowercase();
        if lower.contains("unsubscribe")
            || lower.contains("list-manage.com/profile")
            || lower.contains("/preferences?")
        {
            return None;
        }
        let job_url = JOB_PATH.is_match(path)
            || host.starts_with("jobs.")
            || JOB_HOSTS
                .iter()
                .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        // The newsletter's own site: archives, home page, about… but keep its job ads and
        // click-tracking redirects to the stories.
        if self.own_hosts.contains(&host) && !job_url && !REDIRECT_PATH.is_match(path) {
            return None;
        }
        Some(Resolved {
            url: url.to_string(),
            canonical,
            job_url,
        })
    }
}

/// Splits one issue's HTML into story entries.
pub(crate) fn split_issue(html: &str, ctx: &IssueCtx) -> Vec<Entry> {
    let doc = Html::parse_fragment(html);
    let blocks = collect_blocks(&doc, doc.tree.root().id());
    split_blocks(&blocks, ctx)
}

/// Splits flattened blocks into story entries (see the module rules).
pub(crate) fn split_blocks(blocks: &[Block], ctx: &IssueCtx) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut section: Option<String> = None;
    let mut nav_section = false;
    let issue_title = ctx.issue_title.as_deref().map(crate::text::collapse_ws);
    for (i, block) in blocks.iter().enumerate() {
        let text = block.text();
        if block.heading.is_some() {
            // A heading that is one story link is a story; otherwise it names a section.
            let story = (!nav_section)
                .then(|| single_story_link(block, &text))
                .flatten()
                .and_then(|l| ctx.resolve(l).map(|r| (l, r)));
            if let Some((link, resolved)) = story {
                if seen.insert(resolved.canonical.clone()) {
                    let blurb = next_blurb(blocks, i, &resolved, ctx);
                    out.push(make_entry(
                        ctx,
                        link,
                        &resolved,
                        &section,
                        blurb,
                        &context_text(blocks, i),
                    ));
                }
                continue;
            }
            let self_link =
                !block.links.is_empty() && block.links.iter().all(|l| ctx.resolve(l).is_none());
            if !text.is_empty() && Some(&text) != issue_title.as_ref() && !self_link {
                section = Some(text.trim_end_matches([':', '：']).trim().to_string());
                nav_section = NAV_SECTION.is_match(&text);
            }
            continue;
        }
        if nav_section {
            continue;
        }
        for link in &block.links {
            let title = &link.text;
            if title.is_empty()
                || !title.chars().any(char::is_alphanumeric)
                || NAV_TEXT.is_match(title)
            {
                continue;
            }
            let Some(resolved) = ctx.resolve(link) else {
                continue;
            };
            if seen.contains(&resolved.canonical) {
                continue;
            }
            let rest = block.text_without(link);
            let leads = block
                .text_before(link)
                .chars()
                .filter(|c| c.is_alphanumeric())
                .count()
                == 0;
            let blurb = if leads {
                if rest.chars().count() >= MIN_INLINE_BLURB && !is_marker(&rest) {
                    Some(rest.clone())
                } else {
                    next_blurb(blocks, i, &resolved, ctx)
                        .or_else(|| (!rest.is_empty() && !is_marker(&rest)).then(|| rest.clone()))
                }
            } else if rest.chars().count() >= MIN_PROSE_BLURB {
                Some(rest.clone())
            } else {
                continue;
            };
            seen.insert(resolved.canonical.clone());
            out.push(make_entry(
                ctx,
                link,
                &resolved,
                &section,
                blurb,
                &context_text(blocks, i),
            ));
        }
    }
    out
}

/// The text of block `i` and of the blocks nested in it (author lines, tags, "sponsored" notes).
fn context_text(blocks: &[Block], i: usize) -> String {
    let mut s = blocks[i].text();
    for (j, b) in blocks.iter().enumerate().skip(i + 1).take(8) {
        if !is_inside(blocks, j, i) {
            break;
        }
        s.push(' ');
        s.push_str(&b.text());
    }
    s
}

/// A short marker such as "SPONSOR" or "(Video)" that is not a description.
fn is_marker(s: &str) -> bool {
    let t = s.trim_matches(|c: char| !c.is_alphanumeric());
    t.is_empty() || SPONSOR_STRONG.is_match(s) && s.chars().count() < MIN_INLINE_BLURB * 2
}

/// The link a heading consists of, if the heading is mostly that link.
fn single_story_link<'a>(block: &'a Block, text: &str) -> Option<&'a RawLink> {
    let link = block.links.first()?;
    if link.text.is_empty() || NAV_TEXT.is_match(&link.text) {
        return None;
    }
    let rest = block.text_without(link);
    (rest.chars().count() < MIN_INLINE_BLURB
        && link.text.chars().count() * 2 >= text.chars().count())
    .then_some(link)
}

/// The paragraph after block `i` that describes its link: the first following block, outside
/// block `i` itself, with enough text and no other story link; stops at headings.
fn next_blurb(blocks: &[Block], i: usize, resolved: &Resolved, ctx: &IssueCtx) -> Option<String> {
    for (j, b) in blocks.iter().enumerate().skip(i + 1).take(8) {
        if b.heading.is_some() {
            return None;
        }
        let foreign = b.links.iter().any(|l| {
            ctx.resolve(l)
                .is_some_and(|r| r.canonical != resolved.canonical)
                && !l.text.is_empty()
                && !NAV_TEXT.is_match(&l.text)
        });
        if foreign {
            return None;
        }
        if is_inside(blocks, j, i) || b.pre {
            continue;
        }
        // A line that is only links ("More Python Jobs >>>") describes nothing.
        let link_chars: usize = b
            .links
            .iter()
            .map(|l| l.text.chars().filter(|c| c.is_alphanumeric()).count())
            .sum();
        let t = b.text();
        if !b.links.is_empty() && link_chars >= t.chars().filter(|c| c.is_alphanumeric()).count() {
            return None;
        }
        if t.chars().count() >= MIN_NEXT_BLURB {
            return Some(t);
        }
    }
    None
}

/// PyCoder's-style credit lines ("GITHUB.COM/USER", "October 16, 2025 MEETUP.COM"): the
/// upper-case domain at the end says where the link goes, which the URL already does.
static DOMAIN_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*\b[A-Z0-9-]+(?:\.[A-Z0-9-]+)+(?:/[A-Z0-9._~-]*)*\s*$").unwrap()
});

fn strip_domain_credit(blurb: &str) -> String {
    DOMAIN_CREDIT.replace(blurb, "").trim().to_string()
}

fn make_entry(
    ctx: &IssueCtx,
    link: &RawLink,
    resolved: &Resolved,
    section: &Option<String>,
    blurb: Option<String>,
    block_text: &str,
) -> Entry {
    let title = crate::text::collapse_ws(&link.text);
    let section_text = section.as_deref().unwrap_or("");
    let lower_url = resolved.url.to_ascii_lowercase();
    let sponsored = SPONSOR_STRONG.is_match(block_text)
        || SPONSOR_STRONG.is_match(section_text)
        || blurb.as_deref().is_some_and(|b| SPONSOR_STRONG.is_match(b))
        || SPONSOR_HOUSE.is_match(block_text)
        || SPONSOR_HOUSE.is_match(section_text)
        || lower_url.contains("sponsor");
    let job = JOBS_SECTION.is_match(section_text) || resolved.job_url;
    let summary = blurb
        .map(|b| strip_domain_credit(&b))
        .map(|b| crate::text::truncate_words(&b, 1000))
        .filter(|b| !b.is_empty());
    Entry {
        id: format!("{}#{}", ctx.issue_id, resolved.canonical),
        title: Some(title),
        url: Some(resolved.url.clone()),
        canonical_url: Some(resolved.canonical.clone()),
        published: ctx.published,
        summary,
        kind: if job { EntryKind::Job } else { EntryKind::Link },
        section: section.clone(),
        sponsored,
        parent_id: Some(ctx.issue_id.clone()),
        ..Entry::default()
    }
}

#[cfg(test)]
mod credit_tests {
    use super::strip_domain_credit;

    #[test]
    fn domain_credits_are_not_blurbs() {
        assert_eq!(strip_domain_credit("GITHUB.COM/PYDIGEST-EXAMPLES"), "");
        assert_eq!(
            strip_domain_credit("October 16, 2025 MEETUP.COM"),
            "October 16, 2025"
        );
        assert_eq!(
            strip_domain_credit("Uses pandas.DataFrame internally"),
            "Uses pandas.DataFrame internally"
        );
    }
}
