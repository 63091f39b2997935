//! Parsing: bytes + what we know of the source → a [`ParsedDoc`]. Pure: no I/O, no clock
//! (the caller passes `now`), no database.

mod dates;
mod decode;
mod feed;
pub mod html;

pub use dates::{parse_date, parse_human_date};
pub use decode::{Decoded, charset_from_content_type, decode};
pub use feed::content_hash;

use crate::config::Selectors;
use crate::model::{DocFormat, ParsedDoc, SourceKind};
use chrono::{DateTime, Utc};
use url::Url;

/// Largest document the parser accepts; fetch caps bodies earlier, this guards `inspect`.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// What the parser knows about the document besides its bytes.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions<'a> {
    /// URL the document was fetched from: the base for relative links.
    pub base_url: Option<&'a str>,
    /// Charset from the HTTP Content-Type header.
    pub http_charset: Option<&'a str>,
    /// The kind declared for the source; `None` means detect.
    pub kind: Option<SourceKind>,
    /// The source re-publishes other blogs (Planet): titles carry "Author: Title".
    pub aggregator: bool,
    /// CSS selectors for `page` sources.
    pub selectors: Option<&'a Selectors>,
    /// The current time, for dates without a year.
    pub now: Option<DateTime<Utc>>,
}

/// Why a document could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Zero bytes.
    #[error("empty document")]
    Empty,
    /// Larger than [`MAX_DOCUMENT_BYTES`].
    #[error("document too large ({0} bytes)")]
    TooLarge(usize),
    /// An HTML page where a feed was expected.
    #[error("got an HTML page, not a feed (set kind = \"page\" or \"newsletter\" to scrape it)")]
    HtmlNotFeed,
    /// Neither XML, JSON nor HTML.
    #[error("not a feed or web page (starts with {0:?})")]
    Unrecognised(String),
    /// A feed that stayed broken after every repair.
    #[error("invalid feed: {0}")]
    Invalid(String),
    /// An HTML page from which nothing could be extracted.
    #[error("{0}")]
    Page(String),
}

/// What a document looks like from its first bytes.
pub fn sniff(text: &str) -> Option<DocFormat> {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.starts_with('{') {
        return Some(DocFormat::Json);
    }
    if !t.starts_with('<') {
        return None;
    }
    let head: String = t
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html")
        || head.contains("<html")
        || head.starts_with("<head")
        || head.starts_with("<body")
    {
        return Some(DocFormat::Html);
    }
    if head.contains("<feed") {
        Some(DocFormat::Atom)
    } else if head.contains("<rdf:rdf") || head.contains("<rdf ") {
        Some(DocFormat::Rdf)
    } else if head.contains("<rss") {
        Some(DocFormat::Rss)
    } else if head.contains("<html") || head.contains("<div") || head.contains("<p>") {
        Some(DocFormat::Html)
    } else {
        Some(DocFormat::Rss)
    }
}

/// Parses one document into normalised entries.
pub fn parse_document(bytes: &[u8], opts: &ParseOptions<'_>) -> Result<ParsedDoc, ParseError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ParseError::TooLarge(bytes.len()));
    }
    let decoded = decode(bytes, opts.http_charset);
    match sniff(&decoded.text) {
        Some(DocFormat::Html) => match opts.kind {
            Some(SourceKind::Feed | SourceKind::Podcast) => Err(ParseError::HtmlNotFeed),
            _ => html::parse_page(decoded, opts),
        },
        Some(_) => {
            let mut doc = feed::parse_feed(decoded, opts)?;
            if opts.kind == Some(SourceKind::Newsletter) {
                html::split_newsletter_entries(&mut doc, opts);
            }
            Ok(doc)
        }
        None => {
            let start: String = decoded.text.trim_start().chars().take(20).collect();
            Err(ParseError::Unrecognised(crate::text::for_terminal(
                &start, false,
            )))
        }
    }
}

/// Sanitizes untrusted HTML for storage and export: no scripts, styles, event handlers or
/// non-web URLs; relative links made absolute against `base`.
pub fn sanitize_html(html: &str, base: Option<&Url>) -> String {
    let mut b = ammonia::Builder::default();
    b.url_schemes(["http", "https", "mailto"].into_iter().collect());
    b.link_rel(Some("noopener noreferrer nofollow"));
    match base {
        Some(base) => {
            b.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()));
        }
        None => {
            b.url_relative(ammonia::UrlRelative::PassThrough);
        }
    }
    b.clean(html).to_string()
}
