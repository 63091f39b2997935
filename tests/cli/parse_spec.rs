//! What the specifications say a feed parser reads, checked through `inspect --json`: XML 1.0
//! Appendix F and RFC 7303 (encodings), the Atom 0.3 draft, RFC 4287 (text constructs,
//! xml:base, enclosures, categories), RSS 2.0 and the RSS 1.0 modules (guid, comments, Dublin
//! Core, content:encoded), the iTunes podcast tags and Media RSS. Every fixture is written here.

use crate::util::{Reply, Server, TestEnv};
use rstest::rstest;
use serde_json::{Value, json};

/// Runs `inspect --json` on the bytes saved as a local file.
fn inspect_file(doc: &[u8]) -> Value {
    let env = TestEnv::new();
    env.config("");
    let path = env.path("doc.xml");
    std::fs::write(&path, doc).unwrap();
    let run = env.run(&["inspect", "--json", path.to_str().unwrap()]);
    run.expect_code(0);
    run.json()
}

/// Runs `inspect --json` on the bytes served over HTTP with this Content-Type, at `path` after
/// a redirect from `/start`.
fn inspect_http(doc: &[u8], content_type: &str, path: &'static str) -> Value {
    let body = doc.to_vec();
    let ct = content_type.to_string();
    let server = Server::start(move |r| {
        if r.path == "/start" {
            Reply::with_headers(301, &[("Location", path)])
        } else {
            Reply::ok(body.clone(), &ct)
        }
    });
    let env = TestEnv::new();
    env.config("");
    let run = env.run(&["inspect", "--json", &server.url("/start")]);
    run.expect_code(0);
    run.json()
}

fn at<'a>(v: &'a Value, pointer: &str) -> &'a Value {
    v.pointer(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in {v:#}"))
}

fn warnings(v: &Value) -> String {
    v["warnings"].to_string()
}

// ---------------------------------------------------------------- encodings (Appendix F, RFC 7303)

fn rss(decl: &str, title: &str) -> String {
    format!(
        "{decl}<rss version=\"2.0\"><channel><title>Feed</title><link>http://example.org/</link>\
         <item><title>{title}</title><link>http://example.org/1</link></item></channel></rss>"
    )
}

fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend(if big_endian {
            [0xFE, 0xFF]
        } else {
            [0xFF, 0xFE]
        });
    }
    for u in s.encode_utf16() {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

fn utf32(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut push = |c: u32| {
        out.extend(if big_endian {
            c.to_be_bytes()
        } else {
            c.to_le_bytes()
        })
    };
    if bom {
        push(0xFEFF);
    }
    for c in s.chars() {
        push(c as u32);
    }
    out
}

fn legacy(label: &str, s: &str) -> Vec<u8> {
    let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
    let (bytes, _, errors) = enc.encode(s);
    assert!(!errors, "{label} cannot encode {s}");
    bytes.into_owned()
}

const DECL16: &str = "<?xml version=\"1.0\" encoding=\"utf-16\"?>";

#[rstest]
#[case::utf8_bom([&[0xEF, 0xBB, 0xBF][..], rss("", "café").as_bytes()].concat(), "UTF-8", "café")]
#[case::utf16le_bom(utf16(&rss(DECL16, "Grüße"), false, true), "UTF-16LE", "Grüße")]
#[case::utf16be_bom(utf16(&rss(DECL16, "Grüße"), true, true), "UTF-16BE", "Grüße")]
#[case::utf16le_declared_without_bom(utf16(&rss(DECL16, "中文"), false, false), "UTF-16LE", "中文")]
#[case::utf16be_without_bom_or_declaration(utf16(&rss("", "中文"), true, false), "UTF-16BE", "中文")]
#[case::utf32be_bom(utf32(&rss("", "Ελλάδα"), true, true), "UTF-32BE", "Ελλάδα")]
#[case::utf32le_without_bom(utf32(&rss("<?xml version=\"1.0\" encoding=\"UTF-32\"?>", "Ελλάδα"), false, false), "UTF-32LE", "Ελλάδα")]
#[case::big5(legacy("big5", &rss("<?xml version=\"1.0\" encoding=\"big5\"?>", "中文新聞")), "Big5", "中文新聞")]
#[case::euc_kr(legacy("euc-kr", &rss("<?xml version=\"1.0\" encoding=\"euc-kr\"?>", "한국어")), "EUC-KR", "한국어")]
#[case::shift_jis(legacy("shift_jis", &rss("<?xml version='1.0' encoding='Shift_JIS'?>", "日本語")), "Shift_JIS", "日本語")]
#[case::iso_8859_2(legacy("iso-8859-2", &rss("<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?>", "Łódź")), "ISO-8859-2", "Łódź")]
#[case::koi8_r(legacy("koi8-r", &rss("<?xml version=\"1.0\" encoding=\"KOI8-R\"?>", "Привет")), "KOI8-R", "Привет")]
#[case::windows_1251(legacy("windows-1251", &rss("<?xml version=\"1.0\" encoding=\"windows-1251\"?>", "Привет")), "windows-1251", "Привет")]
#[case::gb18030(legacy("gb18030", &rss("<?xml version=\"1.0\" encoding=\"GB18030\"?>", "中文")), "gb18030", "中文")]
fn encodings_from_the_bytes(#[case] doc: Vec<u8>, #[case] encoding: &str, #[case] title: &str) {
    let v = inspect_file(&doc);
    assert_eq!(at(&v, "/source/encoding"), encoding, "{v:#}");
    assert_eq!(at(&v, "/entries/0/title"), title);
}

/// A wrong declaration falls back with a warning and never loses the document.
#[rstest]
#[case::utf16_declared_on_8_bit_bytes(rss(DECL16, "café").into_bytes(), "UTF-8", "café", "utf-16")]
#[case::unknown_label(rss("<?xml version=\"1.0\" encoding=\"x-no-such\"?>", "café").into_bytes(), "UTF-8", "café", "x-no-such")]
#[case::utf8_declared_on_latin1(legacy("windows-1252", &rss("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "café")), "UTF-8", "caf\u{fffd}", "utf-8")]
#[case::replacement_label(rss("<?xml version=\"1.0\" encoding=\"iso-2022-kr\"?>", "café").into_bytes(), "UTF-8", "café", "iso-2022-kr")]
fn wrong_declarations_fall_back(
    #[case] doc: Vec<u8>,
    #[case] encoding: &str,
    #[case] title: &str,
    #[case] warned: &str,
) {
    let v = inspect_file(&doc);
    assert_eq!(at(&v, "/source/encoding"), encoding, "{v:#}");
    assert_eq!(at(&v, "/entries/0/title"), title);
    assert!(warnings(&v).contains(warned), "{v:#}");
}

/// RFC 7303 §3: for text/* and application/*+xml the charset parameter overrides the
/// declaration; a byte-order mark overrides both; other media types' charset says nothing.
#[rstest]
#[case::text_xml_charset_beats_declaration(
    legacy("iso-8859-2", &rss("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "Łódź")),
    "text/xml; charset=iso-8859-2", "ISO-8859-2", "Łódź"
)]
#[case::atom_xml_charset_beats_declaration(
    legacy("koi8-r", &rss("<?xml version=\"1.0\" encoding=\"windows-1252\"?>", "Привет")),
    "application/rss+xml; charset=\"KOI8-R\"", "KOI8-R", "Привет"
)]
#[case::bom_beats_charset(
    [&[0xEF, 0xBB, 0xBF][..], rss("", "Łódź").as_bytes()].concat(),
    "text/xml; charset=iso-8859-2", "UTF-8", "Łódź"
)]
#[case::octet_stream_charset_ignored(
    legacy("koi8-r", &rss("<?xml version=\"1.0\" encoding=\"KOI8-R\"?>", "Привет")),
    "application/octet-stream; charset=iso-8859-1", "KOI8-R", "Привет"
)]
#[case::utf16_without_bom_and_charset(
    utf16(&rss(DECL16, "中文"), false, false),
    "application/xml; charset=utf-16", "UTF-16LE", "中文"
)]
fn http_charset_per_rfc7303(
    #[case] doc: Vec<u8>,
    #[case] content_type: &str,
    #[case] encoding: &str,
    #[case] title: &str,
) {
    let v = inspect_http(&doc, content_type, "/feed.xml");
    assert_eq!(at(&v, "/source/encoding"), encoding, "{v:#}");
    assert_eq!(at(&v, "/entries/0/title"), title);
}

// ---------------------------------------------------------------- Atom 0.3

const ATOM03: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="en">
  <title>Dive into mark</title>
  <tagline mode="escaped" type="text/html">A &lt;em&gt;lot&lt;/em&gt; of effort</tagline>
  <link rel="alternate" type="text/html" href="http://diveintomark.org/"/>
  <copyright>Copyright (c) 2003, Mark Pilgrim</copyright>
  <info type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">Not shown</div></info>
  <modified>2003-12-13T18:30:02Z</modified>
  <author><name>Mark Pilgrim</name><url>http://diveintomark.org/</url></author>
  <entry>
    <title>Atom 0.3 snapshot</title>
    <link rel="alternate" type="text/html" href="http://diveintomark.org/2003/12/13/atom03"/>
    <id>tag:diveintomark.org,2003:3.2397</id>
    <issued>2003-12-13T08:29:29-04:00</issued>
    <modified>2003-12-13T18:30:02Z</modified>
    <created>2003-12-13T18:00:00Z</created>
    <summary type="text/plain">The &lt;snapshot&gt; is out</summary>
    <content type="application/xhtml+xml" xml:lang="en-us"><div xmlns="http://www.w3.org/1999/xhtml"><p><i>[Update: The Atom draft is finished.]</i></p></div></content>
  </entry>
  <entry>
    <title mode="base64" type="text/plain">QmFzZTY0IHRpdGxl</title>
    <link rel="alternate" href="http://diveintomark.org/2"/>
    <id>tag:diveintomark.org,2003:2</id>
    <created>2003-12-10T10:00:00Z</created>
    <contributor><name>Joe</name></contributor>
    <author><name>Sam Ruby</name></author>
    <content type="text/html" mode="escaped">&lt;p&gt;Escaped &lt;b&gt;html&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Third</title>
    <link rel="alternate" href="http://diveintomark.org/3"/>
    <id>tag:diveintomark.org,2003:3</id>
    <issued>2003-12-09</issued>
    <content type="text/html" mode="base64">PHA+QmFzZTY0IDxiPmJvZHk8L2I+PC9wPg==</content>
  </entry>
</feed>"#;

#[rstest]
#[case::format("/source/format", json!("atom"))]
#[case::feed_title("/source/title", json!("Dive into mark"))]
#[case::tagline_as_description("/source/description", json!("A lot of effort"))]
#[case::site_link("/source/site_url", json!("http://diveintomark.org/"))]
#[case::language("/source/language", json!("en"))]
#[case::entry_count("/entries/2/id", json!("tag:diveintomark.org,2003:3"))]
#[case::entry_title("/entries/0/title", json!("Atom 0.3 snapshot"))]
#[case::entry_link("/entries/0/url", json!("http://diveintomark.org/2003/12/13/atom03"))]
#[case::issued_is_published("/entries/0/published", json!("2003-12-13T12:29:29Z"))]
#[case::modified_is_updated("/entries/0/updated", json!("2003-12-13T18:30:02Z"))]
#[case::created_without_issued("/entries/1/published", json!("2003-12-10T10:00:00Z"))]
#[case::date_only_issued("/entries/2/published", json!("2003-12-09T00:00:00Z"))]
#[case::feed_author_inherited("/entries/0/authors", json!(["Mark Pilgrim"]))]
#[case::entry_author("/entries/1/authors", json!(["Sam Ruby"]))]
#[case::text_plain_summary_keeps_brackets("/entries/0/summary", json!("The <snapshot> is out"))]
#[case::xml_mode_content("/entries/0/content_html", json!("<p><i>[Update: The Atom draft is finished.]</i></p>"))]
#[case::base64_title("/entries/1/title", json!("Base64 title"))]
#[case::escaped_content_sanitised("/entries/1/content_html", json!("<p>Escaped <b>html</b></p>"))]
#[case::base64_content("/entries/2/content_html", json!("<p>Base64 <b>body</b></p>"))]
fn atom03_is_read_as_atom(#[case] pointer: &str, #[case] expected: Value) {
    let v = inspect_file(ATOM03.as_bytes());
    assert_eq!(at(&v, pointer), &expected, "{v:#}");
    assert_eq!(v["warnings"], json!([]));
    assert_eq!(v["entries"].as_array().unwrap().len(), 3);
}

// ---------------------------------------------------------------- text constructs (RFC 4287 §3.1)

fn atom10(feed_children: &str, entry_children: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Feed</title><id>urn:f</id>
<updated>2025-10-14T10:00:00Z</updated>{feed_children}
<entry><id>urn:e1</id><updated>2025-10-14T10:00:00Z</updated><link href="http://example.org/e1"/>{entry_children}</entry>
</feed>"#
    )
}

#[rstest]
#[case::html_entity_in_text_title(
    atom10("", r#"<title type="text">Wait&hellip; &lt;b&gt;</title>"#), "/entries/0/title", json!("Wait… <b>"))]
#[case::text_title_keeps_literal_markup(
    atom10("", r#"<title type="text">Don't use &lt;blink&gt; &amp; co</title>"#),
    "/entries/0/title", json!("Don't use <blink> & co"))]
#[case::untyped_title_is_text(
    atom10("", "<title>a &lt;b&gt; b</title>"), "/entries/0/title", json!("a <b> b"))]
#[case::html_title_is_markup(
    atom10("", r#"<title type="html">&lt;b&gt;Bold&lt;/b&gt; move</title>"#),
    "/entries/0/title", json!("Bold move"))]
#[case::xhtml_title_unwrapped(
    atom10("", r#"<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Less: <em>&lt;</em></div></title>"#),
    "/entries/0/title", json!("Less: <"))]
#[case::text_summary_keeps_brackets(
    atom10("", r#"<summary type="text">Use &lt;blink&gt; sparingly</summary>"#),
    "/entries/0/summary", json!("Use <blink> sparingly"))]
#[case::text_content_is_escaped_html(
    atom10("", r#"<content type="text">&lt;blink&gt;hi&lt;/blink&gt;</content>"#),
    "/entries/0/content_html", json!("<p>&lt;blink&gt;hi&lt;/blink&gt;</p>"))]
#[case::html_content_sanitised(
    atom10("", r#"<content type="html">&lt;p onclick="x()"&gt;ok&lt;script&gt;bad()&lt;/script&gt;&lt;/p&gt;</content>"#),
    "/entries/0/content_html", json!("<p>ok</p>"))]
#[case::xhtml_content_div_unwrapped(
    atom10("", r#"<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One <b>two</b></p></div></content>"#),
    "/entries/0/content_html", json!("<p>One <b>two</b></p>"))]
#[case::xhtml_escaped_markup_stays_text(
    atom10("", r#"<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">&lt;b&gt;not bold&lt;/b&gt;</div></content>"#),
    "/entries/0/content_text", json!("<b>not bold</b>"))]
#[case::base64_content_of_another_media_type(
    atom10("", r#"<content type="application/octet-stream">SGVsbG8sIHdvcmxk</content>"#),
    "/entries/0/content_text", json!("Hello, world"))]
#[case::mime_typed_title(
    atom10("", r#"<title type="text/plain">Plain &lt;title&gt;</title>"#),
    "/entries/0/title", json!("Plain <title>"))]
#[case::xhtml_media_type_content(
    atom10("", r#"<content type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>inline</p></div></content>"#),
    "/entries/0/content_html", json!("<p>inline</p>"))]
#[case::feed_text_title(
    atom10(r#"<subtitle type="text">Tags like &lt;blink&gt;</subtitle>"#, ""),
    "/source/description", json!("Tags like <blink>"))]
#[case::feed_xhtml_subtitle(
    atom10(r#"<subtitle type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <b>xhtml</b> subtitle</div></subtitle>"#, ""),
    "/source/description", json!("An xhtml subtitle"))]
#[case::feed_html_subtitle(
    atom10(r#"<subtitle type="html">An &lt;i&gt;html&lt;/i&gt; one</subtitle>"#, ""),
    "/source/description", json!("An html one"))]
fn atom_text_constructs(#[case] doc: String, #[case] pointer: &str, #[case] expected: Value) {
    let v = inspect_file(doc.as_bytes());
    assert_eq!(at(&v, pointer), &expected, "{v:#}");
}

// ---------------------------------------------------------------- xml:base (RFC 4287 §2, XML Base)

const XML_BASE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/blog/">
  <title>Feed</title><id>urn:f</id><updated>2025-10-14T10:00:00Z</updated>
  <entry xml:base="2025/">
    <id>urn:e1</id><updated>2025-10-14T10:00:00Z</updated>
    <link href="post.html"/>
    <summary type="html">See &lt;a href="notes.html"&gt;notes&lt;/a&gt;</summary>
    <content type="html" xml:base="/media/">&lt;img src="pic.png"&gt;&lt;a href="x.html"&gt;x&lt;/a&gt;</content>
  </entry>
  <entry>
    <id>urn:e2</id><updated>2025-10-14T10:00:00Z</updated>
    <link xml:base="http://other.example/dir/" href="page"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><a href="rel">r</a></div></content>
  </entry>
</feed>"#;

#[rstest]
#[case::entry_base_relative_to_feed_base(
    "/entries/0/url",
    "http://example.org/blog/2025/post.html"
)]
#[case::content_base_resolves_content_links(
    "/entries/0/content_html",
    "http://example.org/media/x.html"
)]
#[case::content_base_resolves_images("/entries/0/content_html", "http://example.org/media/pic.png")]
#[case::link_level_base("/entries/1/url", "http://other.example/dir/page")]
#[case::feed_base_for_xhtml_content("/entries/1/content_html", "http://example.org/blog/rel")]
fn xml_base_at_every_level(#[case] pointer: &str, #[case] expected: &str) {
    let v = inspect_file(XML_BASE.as_bytes());
    let got = at(&v, pointer).as_str().unwrap();
    assert!(got.contains(expected), "{pointer}: {got}");
}

const RELATIVE_RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>R</title>
<item><title>One</title><link>posts/one</link><guid isPermaLink="false">one</guid>
<description>&lt;a href="about.html"&gt;about&lt;/a&gt;</description></item>
<item><title>Two</title><link>posts/two</link><guid isPermaLink="false">two</guid>
<content:encoded>&lt;a href="../up.html"&gt;up&lt;/a&gt;</content:encoded></item>
</channel></rss>"#;

/// Without xml:base or a site link, relative links resolve against the URL the document was
/// finally fetched from (after redirects).
#[rstest]
#[case::item_link("/entries/0/url", "/feeds/posts/one")]
#[case::summary_link("/entries/0/content_html", "/feeds/about.html\"")]
#[case::content_encoded_link("/entries/1/content_html", "/up.html\"")]
fn relative_links_against_the_final_url(#[case] pointer: &str, #[case] expected: &str) {
    let v = inspect_http(
        RELATIVE_RSS.as_bytes(),
        "application/rss+xml",
        "/feeds/rss.xml",
    );
    let got = at(&v, pointer).as_str().unwrap();
    assert!(
        got.starts_with("http://127.0.0.1") || got.contains("href=\"http://127.0.0.1"),
        "{pointer}: {got}"
    );
    assert!(got.contains(expected), "{pointer}: {got}");
}

// ---------------------------------------------------------------- fields

const ATOM_FIELDS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Casts</title><id>urn:f</id><updated>2025-10-14T10:00:00Z</updated>
<link href="http://example.org/"/>
<entry><id>urn:e1</id><title>Episode</title><updated>2025-10-14T10:00:00Z</updated>
<link rel="alternate" href="http://example.org/ep1"/>
<link rel="enclosure" type="audio/mpeg" length="1337" href="http://example.org/ep1.mp3"/>
<category term="python" label="Python"/><category term="web" scheme="http://example.org/tags"/>
</entry></feed>"#;

const RSS_FIELDS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/"
 xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Talk</title><link>http://example.org/</link>
<item><title>Guid only</title><guid>http://example.org/permalink/1</guid></item>
<item><title>Not a permalink</title><guid isPermaLink="false">http://example.org/not-a-page</guid></item>
<item><title>Dublin Core</title><link>http://example.org/dc</link>
<dc:creator>Guido van Rossum</dc:creator><dc:date>2025-10-13T09:00:00Z</dc:date>
<dcterms:modified>2025-10-15T11:30:00Z</dcterms:modified>
<comments>http://example.org/dc#comments</comments>
<category domain="http://example.org/cats">Releases</category>
<description>Short</description><content:encoded>&lt;p&gt;The &lt;b&gt;full&lt;/b&gt; body&lt;/p&gt;</content:encoded></item>
<item><title>Episode 12</title><link>http://example.org/ep12</link>
<enclosure url="http://example.org/ep12.mp3" length="2048" type="audio/mpeg"/>
<itunes:author>Michael Kennedy</itunes:author><itunes:summary>All about packaging.</itunes:summary>
<itunes:duration>1:02:03</itunes:duration><itunes:image href="http://example.org/ep12.jpg"/>
<itunes:keywords>python, packaging ,uv</itunes:keywords></item>
<item><title>Episode 13</title><link>http://example.org/ep13</link><enclosure url="http://example.org/ep13.mp3" type="audio/mpeg"/>
<podcast:person role="host">Brian Okken</podcast:person><itunes:duration>3600</itunes:duration></item>
<item><title>Video</title><link>http://example.org/v</link>
<media:group><media:content url="http://example.org/v.mp4" type="video/mp4"/>
<media:description>From Media RSS</media:description></media:group></item>
</channel></rss>"#;

#[rstest]
#[case::atom_enclosure(ATOM_FIELDS, "/entries/0/enclosures", json!([{"url": "http://example.org/ep1.mp3", "mime": "audio/mpeg", "length": 1337}]))]
#[case::atom_enclosure_is_not_the_link(ATOM_FIELDS, "/entries/0/url", json!("http://example.org/ep1"))]
#[case::atom_category_term(ATOM_FIELDS, "/entries/0/tags", json!(["python", "web"]))]
#[case::permalink_guid_is_the_url(RSS_FIELDS, "/entries/0/url", json!("http://example.org/permalink/1"))]
#[case::guid_is_the_id(RSS_FIELDS, "/entries/1/id", json!("http://example.org/not-a-page"))]
#[case::non_permalink_guid_is_not_a_url(RSS_FIELDS, "/entries/1/url", json!(null))]
#[case::dc_creator(RSS_FIELDS, "/entries/2/authors", json!(["Guido van Rossum"]))]
#[case::dc_date(RSS_FIELDS, "/entries/2/published", json!("2025-10-13T09:00:00Z"))]
#[case::dcterms_modified(RSS_FIELDS, "/entries/2/updated", json!("2025-10-15T11:30:00Z"))]
#[case::comments(RSS_FIELDS, "/entries/2/comments", json!("http://example.org/dc#comments"))]
#[case::category_with_domain(RSS_FIELDS, "/entries/2/tags", json!(["Releases"]))]
#[case::content_encoded(RSS_FIELDS, "/entries/2/content_html", json!("<p>The <b>full</b> body</p>"))]
#[case::description_stays_summary(RSS_FIELDS, "/entries/2/summary", json!("Short"))]
#[case::itunes_author(RSS_FIELDS, "/entries/3/authors", json!(["Michael Kennedy"]))]
#[case::itunes_summary(RSS_FIELDS, "/entries/3/summary", json!("All about packaging."))]
#[case::itunes_duration(RSS_FIELDS, "/entries/3/duration", json!(3723))]
#[case::itunes_image(RSS_FIELDS, "/entries/3/image", json!("http://example.org/ep12.jpg"))]
#[case::itunes_keywords(RSS_FIELDS, "/entries/3/tags", json!(["python", "packaging", "uv"]))]
#[case::rss_enclosure(RSS_FIELDS, "/entries/3/enclosures/0/length", json!(2048))]
#[case::podcast_person(RSS_FIELDS, "/entries/4/authors", json!(["Brian Okken"]))]
#[case::itunes_duration_in_seconds(RSS_FIELDS, "/entries/4/duration", json!(3600))]
#[case::media_description_summary(RSS_FIELDS, "/entries/5/summary", json!("From Media RSS"))]
fn fields(#[case] doc: &str, #[case] pointer: &str, #[case] expected: Value) {
    let v = inspect_file(doc.as_bytes());
    assert_eq!(at(&v, pointer), &expected, "{v:#}");
}

// ---------------------------------------------------------------- never silently empty

#[rstest]
#[case::rss_items_in_a_foreign_namespace(
    r#"<rss version="2.0"><channel xmlns="http://example.org/not-rss"><title>T</title><item><title>a</title></item></channel></rss>"#)]
#[case::rdf_items_outside_rss10(
    r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://example.org/other/"><channel><title>T</title></channel><item><title>a</title></item></rdf:RDF>"#)]
fn a_recognised_root_without_entries_is_a_warning(#[case] doc: &str) {
    let v = inspect_file(doc.as_bytes());
    assert_eq!(v["entries"], json!([]), "{v:#}");
    assert!(warnings(&v).contains("item/entry element"), "{v:#}");
}

#[test]
fn silently_empty_documents_are_reported_by_fetch_and_sources() {
    let doc = r#"<rss version="2.0"><channel xmlns="http://example.org/not-rss"><title>T</title><item><title>a</title></item></channel></rss>"#;
    let server = Server::start(move |_| Reply::ok(doc, "application/rss+xml"));
    let env = TestEnv::new();
    env.config(&crate::util::source("odd", &server.url("/f.xml"), "feed"));
    let fetch = env.run(&["fetch"]);
    fetch.expect_code(0);
    assert!(fetch.stderr.contains("odd: no entries"), "{}", fetch.stderr);
    let sources = env.run(&["sources", "--json"]).json();
    let last = sources[0]["last_error"].as_str().unwrap_or_default();
    assert!(last.contains("item/entry element"), "{sources:#}");
    let table = env.run(&["sources"]);
    assert!(
        table.stdout.contains("item/entry element"),
        "{}",
        table.stdout
    );
}

/// No document of the shared corpus reads as zero entries without a word: each one either has
/// entries, carries a warning, or fails with an error.
#[test]
fn no_corpus_document_is_silently_empty() {
    let corpus = crate::corpus_or_skip!();
    let env = TestEnv::new();
    env.config("");
    let mut silent = Vec::new();
    for dir in ["feeds", "pages"] {
        let Ok(files) = std::fs::read_dir(corpus.join(dir)) else {
            continue;
        };
        for f in files.flatten() {
            let path = f.path();
            let run = env.run(&["inspect", "--json", path.to_str().unwrap()]);
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
            if run.code != 0 {
                continue;
            }
            let v = run.json();
            if v["entries"] == json!([]) && v["warnings"] == json!([]) {
                silent.push(path.display().to_string());
            }
        }
    }
    assert!(silent.is_empty(), "silently empty: {silent:#?}");
}

/// Text stays text, but hostile markup in it does not reach a reader (see `personal.xml`).
#[rstest]
#[case::script_in_a_text_title(
    atom10("", r#"<title type="text">A &lt;script&gt;alert(1)&lt;/script&gt; b &lt;blink&gt;</title>"#),
    "/entries/0/title", json!("A b <blink>"))]
#[case::style_in_a_text_summary(
    atom10("", r#"<summary>x &lt;style&gt;body{}&lt;/style&gt; y</summary>"#),
    "/entries/0/summary", json!("x y"))]
fn hostile_markup_in_text_is_dropped(
    #[case] doc: String,
    #[case] pointer: &str,
    #[case] expected: Value,
) {
    let v = inspect_file(doc.as_bytes());
    assert_eq!(at(&v, pointer), &expected, "{v:#}");
}

/// A broken Atom 0.3 document is repaired first, then still read as Atom.
#[rstest]
#[case::truncated(ATOM03.split("<entry>\n    <title>Third").next().unwrap().to_string(), 2, "truncated")]
#[case::cut_inside_an_element(ATOM03.split("PHA+QmFzZTY0").next().unwrap().to_string(), 2, "truncated")]
fn broken_atom03_is_repaired_then_read(
    #[case] doc: String,
    #[case] entries: usize,
    #[case] warned: &str,
) {
    let v = inspect_file(doc.as_bytes());
    assert_eq!(v["entries"].as_array().unwrap().len(), entries, "{v:#}");
    assert_eq!(at(&v, "/entries/0/title"), "Atom 0.3 snapshot");
    assert!(warnings(&v).contains(warned), "{v:#}");
}
