//! HTML pages: newsletter issues split into their links, and blog index pages scraped with CSS
//! selectors. (Placeholder until the newsletter work lands: pages are reported, not parsed.)

use super::{Decoded, ParseError, ParseOptions};
use crate::model::ParsedDoc;

/// Parses an HTML page into entries.
pub(super) fn parse_page(
    _decoded: Decoded,
    _opts: &ParseOptions<'_>,
) -> Result<ParsedDoc, ParseError> {
    Err(ParseError::Page("HTML pages are not supported yet".into()))
}

/// Adds one entry per linked story to a newsletter feed's issue entries.
pub(super) fn split_newsletter_entries(_doc: &mut ParsedDoc, _opts: &ParseOptions<'_>) {}
