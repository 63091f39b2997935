//! Output formats for a [`Digest`]: markdown and HTML pages for people, JSON for programs.

pub(crate) mod export;
pub(crate) mod html;
pub(crate) mod markdown;
pub(crate) mod page;

pub(crate) use markdown::{RenderOptions, render_markdown};

use crate::calendar::rfc3339;
use crate::digest::{Digest, Item};
use crate::model::{EntryKind, ParsedDoc, Sighting, Story};
use crate::store::SourceHealth;
use serde::Serialize;

/// The JSON document: `{"title", "start", "end", "topics": [{"name", "items": [...]}]}`.
#[derive(Debug, Serialize)]
pub(crate) struct DigestJson<'a> {
    /// Digest title.
    pub title: &'a str,
    /// First day, YYYY-MM-DD (local).
    pub start: String,
    /// Last day, YYYY-MM-DD (local, inclusive).
    pub end: String,
    /// "Watch: NAME" sections (absent when no watch matched); their stories are also in
    /// `topics`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub watches: Vec<TopicJson<'a>>,
    /// Sections in digest order; podcasts are the topic "Podcasts & episodes".
    pub topics: Vec<TopicJson<'a>>,
}

/// One section.
#[derive(Debug, Serialize)]
pub(crate) struct TopicJson<'a> {
    /// Topic name.
    pub name: &'a str,
    /// Its stories.
    pub items: Vec<ItemJson<'a>>,
}

/// One story.
#[derive(Debug, Serialize)]
pub(crate) struct ItemJson<'a> {
    /// Story id, as a string.
    pub id: String,
    /// Link, or null.
    pub url: Option<&'a str>,
    /// Title.
    pub title: &'a str,
    /// Display name of the main source.
    pub source: &'a str,
    /// RFC 3339 UTC, or null.
    pub published: Option<String>,
    /// Summary, or null when there is none.
    pub summary: Option<&'a str>,
    /// Names of the other sources.
    pub also_in: &'a [String],
    /// The source gave no date: `published` is when it was first seen (only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub date_estimated: bool,
    /// Summarised in the section's "… and N more" line rather than listed (only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub collapsed: bool,
}

impl<'a> From<&'a Item> for ItemJson<'a> {
    fn from(i: &'a Item) -> Self {
        ItemJson {
            id: i.id.to_string(),
            url: i.url.as_deref(),
            title: &i.title,
            source: &i.source,
            published: i.published.map(rfc3339),
            summary: Some(i.summary.as_str()).filter(|s| !s.is_empty()),
            also_in: &i.also_in,
            date_estimated: i.date_estimated,
            collapsed: i.collapsed,
        }
    }
}

/// The JSON view of a digest.
pub(crate) fn digest_json(d: &Digest) -> DigestJson<'_> {
    DigestJson {
        title: &d.title,
        start: d.range.start.format("%Y-%m-%d").to_string(),
        end: d.range.end.format("%Y-%m-%d").to_string(),
        watches: d
            .watches
            .iter()
            .map(|s| TopicJson {
                name: &s.name,
                items: s.items.iter().map(ItemJson::from).collect(),
            })
            .collect(),
        topics: d
            .sections
            .iter()
            .map(|s| TopicJson {
                name: &s.name,
                items: s.items.iter().map(ItemJson::from).collect(),
            })
            .collect(),
    }
}

/// Pretty-printed JSON with a trailing newline.
pub(crate) fn render_json(d: &Digest) -> String {
    let mut s = serde_json::to_string_pretty(&digest_json(d)).expect("digest JSON serialises");
    s.push('\n');
    s
}

/// "Author · *Source* · date": the author only when it is not the source's own name; `esc`
/// makes untrusted text safe for the format and `emphasis` marks the source.
pub(crate) fn byline(
    i: &Item,
    esc: impl Fn(&str) -> String,
    emphasis: impl Fn(String) -> String,
) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &i.author
        && !a.eq_ignore_ascii_case(&i.source)
    {
        parts.push(esc(a));
    }
    parts.push(emphasis(esc(&i.source)));
    if !i.date.is_empty() {
        parts.push(esc(&i.date));
    }
    parts.join(" · ")
}

/// `pydigest stories --json`: one story with the sightings that carried it, its date (and
/// whether that is only when pydigest first saw it), the digest's topic and summary.
#[derive(Debug, Serialize)]
pub(crate) struct StoryJson<'a> {
    id: i64,
    title: Option<&'a str>,
    url: Option<&'a str>,
    canonical_url: Option<&'a str>,
    published: Option<String>,
    date_estimated: bool,
    topic: String,
    summary: String,
    sightings: Vec<SightingJson<'a>>,
}

/// One sighting in [`StoryJson`].
#[derive(Debug, Serialize)]
pub(crate) struct SightingJson<'a> {
    source: &'a str,
    entry_id: &'a str,
    seen_at: String,
    section: Option<&'a str>,
    sponsored: bool,
    /// Undated: `published` of this sighting is when it was first seen.
    date_estimated: bool,
    /// Undated and from the source's first fetch: never in a digest.
    backlog: bool,
}

fn sighting_json(s: &Sighting) -> SightingJson<'_> {
    SightingJson {
        source: &s.source,
        entry_id: &s.entry_id,
        seen_at: rfc3339(s.seen_at),
        section: s.section.as_deref(),
        sponsored: s.sponsored,
        date_estimated: s.date_is_first_seen,
        backlog: s.backlog,
    }
}

/// The JSON shape of `stories`; `topic_and_summary` gives the digest's view of each story.
pub(crate) fn stories_json<'a>(
    stories: &'a [Story],
    topic_and_summary: impl Fn(&Story) -> (String, String),
) -> Vec<StoryJson<'a>> {
    stories
        .iter()
        .map(|s| {
            let (topic, summary) = topic_and_summary(s);
            StoryJson {
                id: s.id,
                title: s.title.as_deref(),
                url: s.url.as_deref(),
                canonical_url: s.canonical_url.as_deref(),
                published: s.published.map(rfc3339),
                date_estimated: !s
                    .sightings
                    .iter()
                    .any(|x| !x.date_is_first_seen && x.published.is_some()),
                topic,
                summary,
                sightings: s.sightings.iter().map(sighting_json).collect(),
            }
        })
        .collect()
}

/// `pydigest sources --json`: one source's health.
#[derive(Debug, Serialize)]
pub(crate) struct SourceJson<'a> {
    id: &'a str,
    name: &'a str,
    url: &'a str,
    kind: &'static str,
    /// What the table shows (`stale` included).
    status: &'static str,
    /// What the last fetch left, for scripts that watch fetching.
    fetch_status: &'static str,
    entries: i64,
    last_error: Option<&'a str>,
    not_modified_count: i64,
    last_success: Option<String>,
    failing_since: Option<String>,
    last_new_entry: Option<String>,
}

/// The JSON shape of `sources`.
pub(crate) fn sources_json(
    health: &[SourceHealth],
    shown_status: impl Fn(&SourceHealth) -> &'static str,
) -> Vec<SourceJson<'_>> {
    health
        .iter()
        .map(|h| SourceJson {
            id: &h.id,
            name: &h.name,
            url: &h.url,
            kind: h.kind.as_str(),
            status: shown_status(h),
            fetch_status: h.status.as_str(),
            entries: h.entries,
            last_error: h.last_error.as_deref(),
            not_modified_count: h.not_modified_count,
            last_success: h.last_success.map(rfc3339),
            failing_since: h.failing_since.map(rfc3339),
            last_new_entry: h.last_new_entry.map(rfc3339),
        })
        .collect()
}

/// The `inspect --json` shape: document metadata, warnings and entries, dates RFC 3339 UTC.
/// Split newsletter/page items also carry `kind`, `section` and `sponsored`.
pub(crate) fn inspect_json(doc: &ParsedDoc) -> serde_json::Value {
    use serde_json::json;
    let time = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(rfc3339);
    let entries: Vec<serde_json::Value> = doc
        .entries
        .iter()
        .map(|e| {
            let mut v = json!({
                "id": e.id,
                "title": e.title,
                "url": e.url,
                "authors": e.authors,
                "published": time(e.published),
                "updated": time(e.updated),
                "summary": e.summary,
                "content_text": e.content_text,
                "content_html": e.content_html,
                "tags": e.tags,
                "enclosures": e.enclosures,
            });
            // Only when present, so documents without them keep the documented shape.
            for (key, value) in [
                ("comments", e.comments.clone().map(Into::into)),
                ("duration", e.duration.map(Into::into)),
                ("image", e.image.clone().map(Into::into)),
            ] {
                if let Some(value) = value {
                    v[key] = value;
                }
            }
            if matches!(e.kind, EntryKind::Link | EntryKind::Job) || e.parent_id.is_some() {
                v["kind"] = e.kind.as_str().into();
                v["section"] = e.section.clone().into();
                v["sponsored"] = e.sponsored.into();
            }
            v
        })
        .collect();
    json!({
        "source": doc.meta,
        "warnings": doc.warnings,
        "entries": entries,
    })
}
