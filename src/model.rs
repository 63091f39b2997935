//! Domain types shared by parse, store, digest and render: the normalised shape every source becomes.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What kind of document a source publishes, as declared in feeds.toml (and `inspect --kind`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, Serialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// An RSS/Atom/JSON feed of posts.
    #[value(help = "RSS/Atom/JSON feed")]
    Feed,
    /// A newsletter: each entry is an issue that links to many stories.
    #[value(help = "Newsletter: issues split into their links")]
    Newsletter,
    /// A podcast feed: entries are episodes with enclosures.
    #[value(help = "Podcast feed")]
    Podcast,
    /// An HTML page without a feed, scraped with CSS selectors.
    #[value(help = "HTML page scraped for links")]
    Page,
}

impl SourceKind {
    /// The lowercase name used in feeds.toml and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Newsletter => "newsletter",
            SourceKind::Podcast => "podcast",
            SourceKind::Page => "page",
        }
    }

    /// Parses the lowercase name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "feed" => SourceKind::Feed,
            "newsletter" => SourceKind::Newsletter,
            "podcast" => SourceKind::Podcast,
            "page" => SourceKind::Page,
            _ => return None,
        })
    }
}

/// What an entry is: a post, a newsletter issue, a story linked from an issue, a job ad, an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// An ordinary article or post.
    #[default]
    Post,
    /// A whole newsletter issue (kept so nothing is lost when it is split).
    Issue,
    /// One story linked from a newsletter issue or an index page.
    Link,
    /// A job listing.
    Job,
    /// A podcast episode.
    Episode,
}

impl EntryKind {
    /// The lowercase name stored in the database and printed in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Post => "post",
            EntryKind::Issue => "issue",
            EntryKind::Link => "link",
            EntryKind::Job => "job",
            EntryKind::Episode => "episode",
        }
    }

    /// Parses the stored name, defaulting to `Post`.
    pub fn parse(s: &str) -> Self {
        match s {
            "issue" => EntryKind::Issue,
            "link" => EntryKind::Link,
            "job" => EntryKind::Job,
            "episode" => EntryKind::Episode,
            _ => EntryKind::Post,
        }
    }
}

/// A media attachment (podcast audio, video).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Enclosure {
    /// Absolute URL of the media file.
    pub url: String,
    /// MIME type, when the feed gives one.
    pub mime: Option<String>,
    /// Length in bytes, when the feed gives one.
    pub length: Option<u64>,
}

impl Enclosure {
    /// Audio: an `audio/*` (or old `x-audio/*`) type, or no type and a file name that audio players use.
    pub fn is_audio(&self) -> bool {
        match &self.mime {
            Some(m) => {
                let m = m.trim().to_ascii_lowercase();
                m.starts_with("audio/") || m.starts_with("x-audio/")
            }
            None => {
                let path = self.url.split(['?', '#']).next().unwrap_or("");
                let lower = path.to_ascii_lowercase();
                [
                    ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".aac", ".wav", ".flac",
                ]
                .iter()
                .any(|ext| lower.ends_with(ext))
            }
        }
    }
}

/// One normalised entry, as parsed from a document (no I/O, no database ids).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Entry {
    /// The document's own guid / atom:id verbatim, else the link, else a content hash.
    pub id: String,
    /// Plain-text title: entities decoded, whitespace collapsed.
    pub title: Option<String>,
    /// Absolute URL of the entry.
    pub url: Option<String>,
    /// Normalised URL used to recognise the same story elsewhere.
    pub canonical_url: Option<String>,
    /// Author names.
    pub authors: Vec<String>,
    /// Publication time in UTC.
    pub published: Option<DateTime<Utc>>,
    /// Last update time in UTC.
    pub updated: Option<DateTime<Utc>>,
    /// Plain-text summary.
    pub summary: Option<String>,
    /// Plain-text body.
    pub content_text: Option<String>,
    /// Sanitized HTML body with absolute links.
    pub content_html: Option<String>,
    /// Categories / tags.
    pub tags: Vec<String>,
    /// Attached media.
    pub enclosures: Vec<Enclosure>,
    /// What the entry is.
    pub kind: EntryKind,
    /// Newsletter section heading the story sits under.
    pub section: Option<String>,
    /// Sponsored content or a house ad.
    pub sponsored: bool,
    /// For a story split out of an issue: the issue entry's `id`.
    pub parent_id: Option<String>,
    /// URL of the comments page (RSS `comments`).
    pub comments: Option<String>,
    /// Episode length in seconds (iTunes / Podcasting 2.0 `duration`).
    pub duration: Option<u64>,
    /// Episode or entry image (iTunes `image`, Media RSS thumbnail).
    pub image: Option<String>,
}

/// Format of a parsed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocFormat {
    /// RSS 0.9x / 2.0.
    Rss,
    /// Atom 1.0.
    Atom,
    /// RSS 1.0 / RDF (and RSS 0.90).
    Rdf,
    /// JSON Feed.
    Json,
    /// An HTML page.
    Html,
}

/// Document-level metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocMeta {
    /// Title of the feed or page.
    pub title: Option<String>,
    /// The site the document belongs to.
    pub site_url: Option<String>,
    /// Feed description / tagline, plain text.
    pub description: Option<String>,
    /// Declared language.
    pub language: Option<String>,
    /// Charset actually used to decode the bytes.
    pub encoding: Option<String>,
    /// The document's format.
    pub format: DocFormat,
}

/// One sighting of a story: an entry as stored, from one source.
#[derive(Debug, Clone)]
pub struct Sighting {
    /// Source id.
    pub source: String,
    /// The entry's id in its document.
    pub entry_id: String,
    /// When pydigest first saw it.
    pub seen_at: DateTime<Utc>,
    /// Newsletter section, if any.
    pub section: Option<String>,
    /// Sponsored / house ad.
    pub sponsored: bool,
    /// Entry kind.
    pub kind: EntryKind,
    /// Title as this source gave it.
    pub title: Option<String>,
    /// URL as this source gave it.
    pub url: Option<String>,
    /// Authors, comma-separated.
    pub authors: String,
    /// Publication time.
    pub published: Option<DateTime<Utc>>,
    /// Plain-text summary.
    pub summary: Option<String>,
    /// Plain-text body.
    pub content_text: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Date was the first-seen time, not the feed's.
    pub date_is_first_seen: bool,
    /// Database row id of the entry.
    pub rowid: i64,
    /// Canonical URL of this sighting.
    pub canonical_url: Option<String>,
    /// Carries an audio enclosure (an episode, whatever kind of source published it).
    pub audio: bool,
    /// Undated and from its source's first fetch: stored and searchable, never in a digest.
    pub backlog: bool,
}

/// A story with all its sightings; title/url come from the best sighting.
#[derive(Debug, Clone)]
pub struct Story {
    /// Story id.
    pub id: i64,
    /// Title of the representative sighting.
    pub title: Option<String>,
    /// URL of the representative sighting.
    pub url: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Earliest publication time over the sightings.
    pub published: Option<DateTime<Utc>>,
    /// Every sighting, representative first.
    pub sightings: Vec<Sighting>,
}

impl Story {
    /// The sighting the story is shown as.
    pub fn main(&self) -> &Sighting {
        &self.sightings[0]
    }

    /// True when no sighting had a date of its own: `published` is when pydigest first saw it.
    pub fn date_estimated(&self) -> bool {
        self.sightings.iter().all(|s| s.date_is_first_seen)
    }
}

/// The result of parsing one document: metadata, what was wrong but survived, and the entries.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDoc {
    /// Document-level metadata.
    pub meta: DocMeta,
    /// Problems that were recovered from.
    pub warnings: Vec<String>,
    /// Normalised entries, in document order.
    pub entries: Vec<Entry>,
}
