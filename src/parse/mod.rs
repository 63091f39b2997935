//! Parsing: bytes + what we know of the source → a [`ParsedDoc`]. Pure: no I/O, no clock
//! (the caller passes `now`), no database.

mod atom;
mod clean;
mod dates;
mod decode;
mod extras;
mod feed;
pub(crate) mod html;

pub(crate) use clean::{CleanBody, clean_body, sanitize_html};
pub(crate) use dates::{parse_date, parse_human_date};
pub(crate) use decode::{Decoded, charset_from_content_type, decode};
pub(crate) use feed::content_hash;

use crate::config::Selectors;
use crate::model::{DocFormat, ParsedDoc, SourceKind};
use chrono::{DateTime, Utc};

/// Largest document the parser accepts; fetch caps bodies earlier, this guards `inspect`.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

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
    /// Larger than the parser accepts (64 MiB; fetch caps bodies earlier).
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

/// Elements that start an HTML document or fragment, never a feed.
const HTML_ROOTS: &[&str] = &[
    "html", "head", "body", "div", "p", "table", "ul", "ol", "section", "article", "main",
    "header", "nav", "a", "span", "h1", "h2", "h3", "h4", "h5", "h6", "meta", "link", "title",
    "script", "style", "form", "img", "br",
];

/// Name of the first element, after any declarations, comments and processing instructions.
fn first_element(head: &str) -> Option<&str> {
    let mut rest = head;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>")?.1;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->")?.1;
        } else if let Some(r) = rest.strip_prefix("<!") {
            rest = r.split_once('>')?.1;
        } else {
            let r = rest.strip_prefix('<')?;
            let end =
                r.find(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '-' || c == '_'))?;
            return Some(&r[..end]);
        }
    }
}

/// What a document looks like from its first bytes.
pub(crate) fn sniff(text: &str) -> Option<DocFormat> {
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
    } else if first_element(&head).is_some_and(|name| HTML_ROOTS.contains(&name)) {
        // A bare HTML fragment (a saved `<table>` of links, a `<div>`), not XML.
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("<?xml version=\"1.0\"?><rss version=\"2.0\">", Some(DocFormat::Rss))]
    #[case("<feed xmlns=\"http://www.w3.org/2005/Atom\">", Some(DocFormat::Atom))]
    #[case(
        "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"x\">",
        Some(DocFormat::Rdf)
    )]
    #[case(
        "{\"version\": \"https://jsonfeed.org/version/1.1\"}",
        Some(DocFormat::Json)
    )]
    #[case("<!DOCTYPE html><html><body>", Some(DocFormat::Html))]
    #[case(
        "\n<table>\n<tr><td><a href='x'>305</a></td></tr>",
        Some(DocFormat::Html)
    )]
    #[case("<!-- saved --><div class=\"post\">", Some(DocFormat::Html))]
    #[case("<channel><title>t</title>", Some(DocFormat::Rss))]
    #[case("hello", None)]
    fn sniffs_formats(#[case] text: &str, #[case] expected: Option<DocFormat>) {
        assert_eq!(sniff(text), expected);
    }
}
