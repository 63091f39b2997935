//! RSS / Atom / RDF / JSON Feed documents to normalised entries, via feed-rs, with the repairs
//! wild feeds need first: charset transcoding, a missing `version`, RSS 0.90's namespace, HTML
//! entities that XML does not define, and truncated documents.

use super::atom::atom03_as_atom10;
use super::extras::ItemExtras;
use super::{CleanBody, ParseError, ParseOptions, clean_body, decode::Decoded};
use crate::canon;
use crate::model::{DocFormat, DocMeta, Enclosure, Entry, EntryKind, ParsedDoc, SourceKind};
use crate::text::{collapse_ws, html_to_text, plain_line};
use feed_rs::model::{Feed, FeedType, Text};
use regex::Regex;
use sha2::{Digest, Sha256};
use std::sync::{Arc, LazyLock, Mutex};
use url::Url;

static XML_DECL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*<\?xml[^>]*\?>").unwrap());
static ROOT_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([A-Za-z][A-Za-z0-9_:.-]*)[\s/>]").unwrap());
static NAMED_ENTITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"&([A-Za-z][A-Za-z0-9]{1,31});").unwrap());
static BARE_AMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"&([^A-Za-z#]|#[^0-9xX]|[A-Za-z0-9]*[^A-Za-z0-9;])").unwrap());
/// An item or entry start tag, in any namespace prefix.
static ITEM_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]").unwrap());
static AUTHOR_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([^:]{2,60}?):\s+(.+)$").unwrap());
static EMAIL_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\S+@\S+\s*\((.+)\)$").unwrap());

/// A text-level fix for one kind of broken feed; `None` when it does not apply.
type Repair = fn(&str) -> Option<String>;

/// Parses a decoded XML or JSON feed.
pub(super) fn parse_feed(
    decoded: Decoded,
    opts: &ParseOptions<'_>,
) -> Result<ParsedDoc, ParseError> {
    let mut warnings = decoded.warnings;
    // Atom 0.3 is read as Atom 1.0, also after a repair made a broken 0.3 document readable.
    let text = atom03_as_atom10(prepare(&decoded.text));
    let bad_dates = Arc::new(Mutex::new(Vec::<String>::new()));

    let mut attempt = text.clone();
    let mut feed = try_parse(&attempt, opts, &bad_dates);
    // Each repair runs only when the previous form failed, and says what it did.
    let repairs: [(&str, Repair); 5] = [
        (
            "read Atom text constructs with a MIME type or a base64 body",
            normalise_atom_text,
        ),
        ("added the missing RSS version", add_rss_version),
        (
            "replaced HTML entities that XML does not define",
            fix_entities,
        ),
        (
            "document was truncated: parsed up to the last complete element",
            close_truncated,
        ),
        ("read RSS 0.90 as RSS 1.0", rss090_namespace),
    ];
    let mut first_error = None;
    for (what, repair) in repairs {
        let needs_repair = match &feed {
            Err(e) => {
                first_error.get_or_insert_with(|| e.to_string());
                true
            }
            Ok(f) => f.entries.is_empty() && what.starts_with("read RSS 0.90"),
        };
        if !needs_repair {
            continue;
        }
        if let Some(fixed) = repair(&attempt).map(atom03_as_atom10) {
            let next = try_parse(&fixed, opts, &bad_dates);
            if next.is_ok() {
                warnings.push(match &first_error {
                    Some(e) => format!("recovered XML error ({e}): {what}"),
                    None => what.to_string(),
                });
                attempt = fixed;
                feed = next;
            } else if feed.is_err() {
                attempt = fixed;
                feed = next;
            }
        }
    }
    let feed = feed.map_err(|_| {
        ParseError::Invalid(first_error.unwrap_or_else(|| "unreadable feed".into()))
    })?;
    for d in bad_dates.lock().map(|v| v.clone()).unwrap_or_default() {
        warnings.push(format!(
            "unparseable date {:?}",
            crate::text::for_terminal(&d, false)
        ));
    }
    if feed.entries.is_empty()
        && let Some(n) = Some(ITEM_START.find_iter(&attempt).count()).filter(|n| *n > 0)
    {
        warnings.push(format!(
            "no entries read, although the document has {n} item/entry element{} (root <{}>)",
            if n == 1 { "" } else { "s" },
            root_name(&attempt).unwrap_or_default()
        ));
    }
    let extras = super::extras::item_extras(&attempt, opts.base_url);
    Ok(convert(feed, decoded.encoding, warnings, extras, opts))
}

/// Strips what precedes the first `<` (whitespace, stray bytes) and marks the text as UTF-8,
/// since it has been transcoded already.
fn prepare(text: &str) -> String {
    let start = text.find(['<', '{']).unwrap_or(0);
    let body = &text[start..];
    let (head, rest) = match XML_DECL.find(body) {
        Some(m) => (
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            &body[m.end()..],
        ),
        None => ("", body),
    };
    // A second XML declaration (concatenated documents, a pasted fragment) is illegal XML, and
    // one naming another encoding makes quick-xml panic mid-document: drop them all.
    // One left unterminated (a pasted `<?xml version="…` inside a link) is renamed, so quick-xml
    // reads it as an ordinary processing instruction and reports the broken document instead.
    let rest = LATER_XML_DECL.replace_all(rest, "");
    format!(
        "{head}{}",
        STRAY_XML_DECL.replace_all(&rest, "<?pydigest-stray-xml")
    )
}

static LATER_XML_DECL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<\?xml\s[^>]*\?>").unwrap());
static STRAY_XML_DECL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)<\?xml").unwrap());

static HEAD_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"<link>\s*(https?://[^<\s]+)\s*</link>|<link[^>]*\shref=["'](https?://[^"']+)["']"#,
    )
    .unwrap()
});

/// The document's own site link, read from its header, as a base when the caller has none
/// (a local file): relative links and enclosures then still resolve.
fn header_link(text: &str) -> Option<String> {
    let end = ["<item", "<entry"]
        .iter()
        .filter_map(|t| text.find(t))
        .min()
        .unwrap_or(text.len().min(8192));
    let c = HEAD_LINK.captures(&text[..end])?;
    c.get(1)
        .or_else(|| c.get(2))
        .map(|m| m.as_str().to_string())
}

fn try_parse(
    text: &str,
    opts: &ParseOptions<'_>,
    bad_dates: &Arc<Mutex<Vec<String>>>,
) -> Result<Feed, String> {
    let bad = Arc::clone(bad_dates);
    let base = opts
        .base_url
        .map(str::to_string)
        .or_else(|| header_link(text));
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base.as_deref())
        .sanitize_content(false)
        .timestamp_parser(move |s| {
            let parsed = super::dates::parse_date(s);
            if parsed.is_none()
                && !s.trim().is_empty()
                && let Ok(mut v) = bad.lock()
                && v.len() < 5
                && !v.iter().any(|x| x == s)
            {
                v.push(s.to_string());
            }
            parsed
        })
        // Left empty so `convert` can fall back to the resolved link, then a hash of the content
        // (feed-rs would hash the title alone, which collides for title-less RSS 0.9x items).
        .id_generator(|_, _, _| String::new())
        .build();
    // feed-rs and quick-xml are not ours to fix: a panic on some hostile input must cost only
    // this document, never the whole fetch.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parser.parse(text.as_bytes())
    }))
    .map_err(|_| "the XML parser gave up on this document".to_string())?
    .map_err(|e| e.to_string())
}

fn root_name(text: &str) -> Option<String> {
    let mut rest = text;
    // Skip the prolog: declarations, processing instructions, comments, doctype.
    loop {
        let t = rest.trim_start();
        if let Some(r) = t.strip_prefix("<?") {
            rest = r.split_once("?>")?.1;
        } else if let Some(r) = t.strip_prefix("<!--") {
            rest = r.split_once("-->")?.1;
        } else if let Some(r) = t.strip_prefix("<!") {
            rest = r.split_once('>')?.1;
        } else {
            return ROOT_TAG.captures(t).map(|c| c[1].to_string());
        }
    }
}

fn normalise_atom_text(text: &str) -> Option<String> {
    if !text.contains("http://www.w3.org/2005/Atom") {
        return None;
    }
    super::atom::normalise(text, false).filter(|t| t != text)
}

fn add_rss_version(text: &str) -> Option<String> {
    let re = Regex::new(r"<rss(\s[^>]*)?>").ok()?;
    let m = re.find(text)?;
    if m.as_str().contains("version=\"2.0\"") {
        return None;
    }
    let cleaned = Regex::new(r#"\sversion\s*=\s*["'][^"']*["']"#)
        .ok()?
        .replace(m.as_str(), "");
    let tag = cleaned.replacen("<rss", "<rss version=\"2.0\"", 1);
    Some(format!("{}{}{}", &text[..m.start()], tag, &text[m.end()..]))
}

fn fix_entities(text: &str) -> Option<String> {
    let named = NAMED_ENTITY.replace_all(text, |c: &regex::Captures<'_>| {
        let name = &c[1];
        if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
            return c[0].to_string();
        }
        let decoded = html_escape::decode_html_entities(&c[0]);
        match decoded.chars().next() {
            Some(ch) if decoded != c[0] => format!("&#{};", ch as u32),
            _ => format!("&amp;{name};"),
        }
    });
    let fixed = BARE_AMP
        .replace_all(&named, |c: &regex::Captures<'_>| format!("&amp;{}", &c[1]))
        .into_owned();
    (fixed != text).then_some(fixed)
}

fn close_truncated(text: &str) -> Option<String> {
    let root = root_name(text)?;
    let closing = match root.as_str() {
        "rss" => "</channel></rss>".to_string(),
        other => format!("</{other}>"),
    };
    if text.trim_end().ends_with(&closing) {
        return None;
    }
    let cut = ["</item>", "</entry>"]
        .iter()
        .filter_map(|t| text.rfind(t).map(|i| i + t.len()))
        .max()
        .or_else(|| {
            // No complete item: keep the header up to the last closed element.
            let i = text.rfind("</")?;
            Some(i + text[i..].find('>')? + 1)
        })?;
    Some(format!("{}{}", &text[..cut], closing))
}

fn rss090_namespace(text: &str) -> Option<String> {
    let re = Regex::new(r"https?://(?:my|channel)\.netscape\.com/rdf/simple/0\.9/").ok()?;
    re.is_match(text).then(|| {
        re.replace_all(text, "http://purl.org/rss/1.0/")
            .into_owned()
    })
}

/// A stable hash id for entries that have neither a guid nor a link.
pub(crate) fn content_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Plain text of a feed-level or entry-level text construct. Atom says what each one is
/// (RFC 4287 §3.1): text stays text, brackets included; RSS does not, so markup is guessed.
fn text_to_plain(t: &Text, typed: bool) -> String {
    match text_type(t, typed) {
        TextType::Plain => crate::text::plain_paragraphs(&without_active_elements(&t.content)),
        TextType::Markup => html_to_text(&t.content),
    }
}

/// A one-line plain title from a text construct (see [`text_to_plain`]).
fn text_to_line(t: &Text, typed: bool) -> String {
    match text_type(t, typed) {
        // feed-rs leaves HTML entities XML does not define as they were: decoded here.
        TextType::Plain => collapse_ws(&crate::text::decode_entities(&without_active_elements(
            &t.content,
        ))),
        TextType::Markup => plain_line(&t.content),
    }
}

static ACTIVE_ELEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<script\b[^>]*>.*?</script\s*>|<style\b[^>]*>.*?</style\s*>|</?(?:script|style)\b[^>]*>")
        .unwrap()
});

/// Text keeps its brackets (`<blink>` is what the author wrote), but a script or style
/// element is dropped even from text: the project's rule for hostile markup is that none of it
/// reaches a reader, whatever a renderer's escaping.
fn without_active_elements(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('<') {
        return s.into();
    }
    ACTIVE_ELEMENT.replace_all(s, " ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextType {
    Plain,
    Markup,
}

fn text_type(t: &Text, typed: bool) -> TextType {
    let sub = t.content_type.subty();
    if sub == "html" || sub == "xhtml" {
        TextType::Markup
    } else if typed || !crate::text::looks_like_html(&t.content) {
        TextType::Plain
    } else {
        TextType::Markup
    }
}

/// What the whole document contributes to each of its entries.
struct DocContext<'a> {
    opts: &'a ParseOptions<'a>,
    /// The site link resolved, else the document's URL: the base of last resort.
    doc_base: Option<Url>,
    /// Planet-style titles: "Author: Title".
    aggregator: bool,
    feed_authors: Vec<String>,
    /// Atom: text constructs carry their type and it is trusted.
    typed: bool,
    extras: Vec<ItemExtras>,
}

fn convert(
    feed: Feed,
    encoding: &str,
    warnings: Vec<String>,
    extras: Vec<ItemExtras>,
    opts: &ParseOptions<'_>,
) -> ParsedDoc {
    let format = match feed.feed_type {
        FeedType::Atom => DocFormat::Atom,
        FeedType::JSON => DocFormat::Json,
        FeedType::RSS1 => DocFormat::Rdf,
        FeedType::RSS0 | FeedType::RSS2 => DocFormat::Rss,
    };
    let typed = feed.feed_type == FeedType::Atom;
    let site_url = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone());
    let doc_base = site_url
        .as_deref()
        .and_then(|s| canon::absolutize(s, opts.base_url.and_then(|b| Url::parse(b).ok()).as_ref()))
        .or_else(|| opts.base_url.and_then(|b| Url::parse(b).ok()));
    let feed_title = feed
        .title
        .as_ref()
        .map(|t| text_to_line(t, typed))
        .filter(|t| !t.is_empty());
    let aggregator = opts.aggregator
        || feed_title
            .as_deref()
            .is_some_and(|t| t.starts_with("Planet ") || t.starts_with("Planeta "));
    let feed_authors: Vec<String> = feed
        .authors
        .iter()
        .filter_map(|p| person_name(p.name.as_deref()))
        .collect();
    let cx = DocContext {
        opts,
        doc_base,
        aggregator,
        feed_authors,
        typed,
        extras,
    };
    let entries = feed
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| convert_entry(i, &e, &cx))
        .collect();

    ParsedDoc {
        meta: DocMeta {
            title: feed_title,
            site_url: cx.doc_base.map(|u| u.to_string()).or(site_url),
            description: feed
                .description
                .as_ref()
                .map(|t| text_to_plain(t, typed))
                .filter(|d| !d.is_empty()),
            language: feed.language.clone(),
            encoding: Some(encoding.to_string()),
            format,
        },
        warnings,
        entries,
    }
}

/// One feed-rs entry to a normalised [`Entry`]: each format concern in its own function.
fn convert_entry(i: usize, e: &feed_rs::model::Entry, cx: &DocContext<'_>) -> Entry {
    let extras = cx.extras.get(i);
    let base = entry_base(e, extras, cx);
    let url = entry_url(e, extras, base.as_ref());
    let url_str = url.as_ref().map(|u| u.to_string());
    let canonical_url = url_str
        .as_deref()
        .filter(|u| !canon::is_feedburner_wrapper(u))
        .and_then(canon::canonical_url)
        .or_else(|| url_str.as_deref().and_then(canon::canonical_url));
    let (title, authors) = title_and_authors(e, extras, cx);
    let body = entry_body(e, extras, base.as_ref(), cx.typed);
    let tags = entry_tags(e, extras);
    let enclosures = entry_enclosures(e, base.as_ref());
    let published = e.published.or(e.updated);
    let id = entry_id(
        e,
        url_str.as_deref(),
        title.as_deref(),
        body.text.as_deref(),
    );
    let kind = entry_kind(&enclosures, cx.opts.kind);
    let media = e.media.iter();
    Entry {
        id,
        title,
        url: url_str,
        canonical_url,
        authors,
        published,
        updated: extras.and_then(|x| x.modified).or(e.updated),
        summary: body.summary,
        content_text: body.text,
        content_html: body.html,
        tags,
        enclosures,
        kind,
        section: None,
        sponsored: false,
        parent_id: None,
        comments: e
            .links
            .iter()
            .find(|l| l.target == Some(feed_rs::model::LinkTarget::Comments))
            .and_then(|l| canon::absolutize(&l.href, base.as_ref()))
            .map(|u| u.to_string()),
        duration: media
            .clone()
            .find_map(|m| m.duration)
            .map(|d| d.as_secs())
            .or_else(|| extras.and_then(|x| x.duration)),
        image: media
            .flat_map(|m| m.thumbnails.iter())
            .map(|t| t.image.uri.as_str())
            .chain(extras.and_then(|x| x.image.as_deref()))
            .find_map(|u| canon::absolutize(u, base.as_ref()))
            .map(|u| u.to_string()),
    }
}

/// The entry's base for relative links: its own xml:base chain (RFC 4287 §2, XML Base),
/// else the document's.
fn entry_base(
    e: &feed_rs::model::Entry,
    extras: Option<&ItemExtras>,
    cx: &DocContext<'_>,
) -> Option<Url> {
    extras
        .and_then(|x| x.base.entry.clone())
        .or_else(|| {
            e.base
                .as_deref()
                .and_then(|b| canon::absolutize(b, cx.doc_base.as_ref()))
        })
        .or_else(|| cx.doc_base.clone())
}

/// feedburner:origLink, else the alternate link, else a permalink guid or a URL-shaped atom:id.
fn entry_url(
    e: &feed_rs::model::Entry,
    extras: Option<&ItemExtras>,
    base: Option<&Url>,
) -> Option<Url> {
    let link = e
        .links
        .iter()
        .filter(|l| l.target.is_none() && l.rel.as_deref().is_none_or(|r| r != "enclosure"))
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| e.links.iter().find(|l| l.target.is_none()))
        .and_then(|l| canon::absolutize(&l.href, base));
    let orig = extras
        .and_then(|x| x.orig_link.as_deref())
        .and_then(|u| canon::absolutize(u, None));
    // RSS 2.0: a guid is a permalink unless isPermaLink="false".
    let id_url = || {
        Some(e.id.as_str())
            .filter(|_| !extras.is_some_and(|x| x.guid_not_permalink))
            .filter(|i| crate::text::is_web_url(i))
            .and_then(|i| canon::absolutize(i, None))
    };
    orig.or(link).or_else(id_url)
}

fn title_and_authors(
    e: &feed_rs::model::Entry,
    extras: Option<&ItemExtras>,
    cx: &DocContext<'_>,
) -> (Option<String>, Vec<String>) {
    let mut title = e
        .title
        .as_ref()
        .map(|t| text_to_line(t, cx.typed))
        .filter(|t| !t.is_empty());
    let mut authors: Vec<String> = e
        .authors
        .iter()
        .filter_map(|p| person_name(p.name.as_deref()))
        .collect();
    // iTunes episode authors arrive as media credits, Podcasting 2.0 `podcast:person` as people.
    if authors.is_empty() {
        let names = e
            .media
            .iter()
            .flat_map(|m| {
                m.credits
                    .iter()
                    .map(|c| c.entity.as_str())
                    .chain(m.people.iter().map(|p| p.name.as_str()))
            })
            .chain(
                extras
                    .iter()
                    .flat_map(|x| x.people.iter().map(String::as_str)),
            );
        for n in names.filter_map(|n| person_name(Some(n))) {
            if !authors.contains(&n) {
                authors.push(n);
            }
        }
    }
    if cx.aggregator
        && authors.is_empty()
        && let Some(c) = title.as_deref().and_then(|t| AUTHOR_PREFIX.captures(t))
    {
        authors.push(c[1].trim().to_string());
        title = Some(c[2].trim().to_string());
    }
    if authors.is_empty() && !cx.aggregator {
        authors.clone_from(&cx.feed_authors);
    }
    (title, authors)
}

/// Summary, plain body and sanitized HTML body.
struct Body {
    summary: Option<String>,
    text: Option<String>,
    html: Option<String>,
}

/// The body is the content, else the summary, else (podcasts) the media description; relative
/// links are resolved against the xml:base in scope where each one was written.
fn entry_body(
    e: &feed_rs::model::Entry,
    extras: Option<&ItemExtras>,
    base: Option<&Url>,
    typed: bool,
) -> Body {
    let media_description = || {
        e.media
            .iter()
            .find_map(|m| m.description.as_ref())
            .filter(|d| !d.content.trim().is_empty())
    };
    let summary_src = e.summary.as_ref().or_else(media_description);
    let content = e.content.as_ref().and_then(content_as_html);
    let has_content = content.is_some();
    let content_base = extras.and_then(|x| x.base.content.as_ref()).or(base);
    let summary_base = extras.and_then(|x| x.base.summary.as_ref()).or(base);
    let (body_html, body_base) = match content {
        Some(c) => (Some(c), content_base),
        None => (summary_src.map(|t| summary_as_html(t, typed)), summary_base),
    };
    // One parse gives both the sanitised HTML and the text.
    let (html, text) = match body_html.as_deref().map(|h| clean_body(h, body_base)) {
        Some(CleanBody { html, text }) => (
            Some(html).filter(|h| !h.trim().is_empty()),
            Some(text).filter(|t| !t.is_empty()),
        ),
        None => (None, None),
    };
    // RSS items often carry one description that is both summary and body: parse it once
    // (HTML parsing is most of the parse path's time).
    let summary = if has_content {
        summary_src
            .map(|t| text_to_plain(t, typed))
            .filter(|s| !s.is_empty())
    } else {
        summary_src.and(text.clone())
    };
    Body {
        summary,
        text,
        html,
    }
}

/// The content element as HTML: markup as is, text escaped, and an Atom base64 body of
/// another media type (RFC 4287 §4.1.3.3) decoded when it is text.
fn content_as_html(c: &feed_rs::model::Content) -> Option<String> {
    let body = c.body.as_deref().filter(|b| !b.trim().is_empty())?;
    let ty = c.content_type.ty();
    let sub = c.content_type.subty();
    let suffix = c.content_type.suffix();
    if sub == "html" || sub == "xhtml" || sub == "xml" || suffix.is_some_and(|s| s == "xml") {
        Some(body.to_string())
    } else if ty == "text" {
        Some(plain_as_html(body))
    } else {
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        (!text.trim().is_empty()).then(|| plain_as_html(&text))
    }
}

fn plain_as_html(s: &str) -> String {
    format!(
        "<p>{}</p>",
        crate::text::escape_xml(&without_active_elements(s), crate::text::Markup::Text)
    )
}

/// Categories (Atom term, else label; RSS text), then iTunes keywords.
fn entry_tags(e: &feed_rs::model::Entry, extras: Option<&ItemExtras>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let keywords = extras.map(|x| x.keywords.as_slice()).unwrap_or_default();
    let terms = e
        .categories
        .iter()
        .map(|c| {
            if c.term.trim().is_empty() {
                c.label.as_deref().unwrap_or("")
            } else {
                c.term.as_str()
            }
        })
        .chain(keywords.iter().map(String::as_str));
    for t in terms {
        let t = collapse_ws(t);
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    tags
}

/// RSS enclosures, Media RSS content and Atom `link rel="enclosure"`, each URL once.
fn entry_enclosures(e: &feed_rs::model::Entry, base: Option<&Url>) -> Vec<Enclosure> {
    let mut enclosures: Vec<Enclosure> = Vec::new();
    let mut push = |u: Url, mime: Option<String>, length: Option<u64>| {
        if !enclosures.iter().any(|x| x.url == u.as_str()) {
            enclosures.push(Enclosure {
                url: u.to_string(),
                mime,
                length: length.filter(|s| *s > 0),
            });
        }
    };
    for m in &e.media {
        for c in &m.content {
            if let Some(u) = c
                .url
                .as_ref()
                .and_then(|u| canon::absolutize(u.as_str(), base))
            {
                push(u, c.content_type.as_ref().map(|m| m.to_string()), c.size);
            }
        }
    }
    for l in e
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("enclosure"))
    {
        if let Some(u) = canon::absolutize(&l.href, base) {
            push(u, l.media_type.clone(), l.length);
        }
    }
    enclosures
}

/// The document's own id verbatim, else the link, else a hash of what the entry says.
fn entry_id(
    e: &feed_rs::model::Entry,
    url: Option<&str>,
    title: Option<&str>,
    text: Option<&str>,
) -> String {
    if !e.id.trim().is_empty() {
        return e.id.clone();
    }
    url.map(str::to_string).unwrap_or_else(|| {
        let published = e.published.map(|d| d.to_rfc3339()).unwrap_or_default();
        content_hash(&[title.unwrap_or(""), text.unwrap_or(""), &published])
    })
}

fn entry_kind(enclosures: &[Enclosure], declared: Option<SourceKind>) -> EntryKind {
    let has_audio = enclosures.iter().any(|x| {
        x.mime
            .as_deref()
            .is_some_and(|m| m.starts_with("audio/") || m.starts_with("video/"))
    });
    match declared {
        Some(SourceKind::Newsletter) => EntryKind::Issue,
        Some(SourceKind::Podcast) => EntryKind::Episode,
        _ if has_audio => EntryKind::Episode,
        _ => EntryKind::Post,
    }
}

fn summary_as_html(t: &Text, typed: bool) -> String {
    match text_type(t, typed) {
        TextType::Plain => plain_as_html(&t.content),
        TextType::Markup => t.content.clone(),
    }
}

/// "jane@example.org (Jane Doe)" → "Jane Doe"; other names are cleaned of markup and whitespace.
fn person_name(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let name = match EMAIL_NAME.captures(raw) {
        Some(c) => c[1].to_string(),
        None => raw.to_string(),
    };
    let name = plain_line(&name);
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use crate::parse::{ParseOptions, parse_document};

    /// Found by `fuzz/run.sh`: a second declaration naming another encoding made quick-xml
    /// panic ("set_encoding() called after prefix buffer was drained").
    #[test]
    fn r_fuzz_second_xml_declaration_with_another_encoding() {
        let doc = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title>\
            <item><title>a</title><link>https://a.example/1</link></item>\
            <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\
            <item><title>b</title><link>https://a.example/2</link></item></channel></rss>";
        let parsed = parse_document(doc, &ParseOptions::default()).expect("parses");
        assert_eq!(parsed.entries.len(), 2);
    }

    /// Found by `fuzz/run.sh` after the fix above: an unterminated `<?xml version="…` inside an
    /// element still reached quick-xml as a declaration.
    #[test]
    fn r_fuzz_unterminated_xml_declaration_inside_an_element() {
        // The stray declaration spans other markup and names another encoding at its end.
        let doc =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<rss version=\"0.91\"><channel>\
            <title>Dicas</title><link>http://<?xml version=\"www.dicas-l.com.br/index.xml</link>\
            <lastBuildDate>Thu, 13 Aug 2020 10:06:1.0\" encoding=\"KOI8-R\"?>\
            <item><title>a</title><link>https://a.example/1</link></item></channel></rss>";
        // Broken either way; what matters is a parse error, not a parser panic (which
        // `try_parse` would contain and report as "gave up").
        if let Err(e) = parse_document(doc, &ParseOptions::default()) {
            assert!(
                !e.to_string().contains("gave up"),
                "the parser panicked: {e}"
            );
        }
    }
}
