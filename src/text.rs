//! Text helpers: HTML to plain text, whitespace, and making untrusted text safe for a terminal
//! or a markdown file. Everything a stranger's server sends passes through here before output.

/// Collapses every run of whitespace to one space and trims the ends.
pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Decodes HTML entities (`&amp;`, `&#8217;`, `&hellip;`…).
pub(crate) fn decode_entities(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

/// True when the string looks like it carries HTML markup rather than plain text.
pub(crate) fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// A one-line plain-text version of a title or name that may hold HTML or entities.
pub(crate) fn plain_line(s: &str) -> String {
    if looks_like_html(s) {
        collapse_ws(&html_to_text(s))
    } else {
        collapse_ws(&decode_entities(s))
    }
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "hr",
    "dd",
    "dt",
    "dl",
    "figure",
    "figcaption",
];

/// Converts an HTML fragment to plain text: paragraphs separated by blank lines, scripts and
/// styles dropped, entities decoded, runs of spaces collapsed.
///
/// Uses html5ever's tokenizer without building a tree: text extraction needs only the stream of
/// tags and characters, and tree building was most of the parse path's time.
pub(crate) fn html_to_text(html: &str) -> String {
    if !html.contains(['<', '&']) {
        // Nothing to parse: the common case for titles and plain summaries.
        return plain_paragraphs(html);
    }
    let mut out = String::with_capacity(html.len() / 2);
    html_text_into(&mut out, html);
    tidy_paragraphs(&out)
}

/// Appends the characters of `html` to `out`, with a line break around block elements and
/// without the content of scripts and styles (untidied: [`html_to_text`] tidies).
pub(crate) fn html_text_into(out: &mut String, html: &str) {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};
    let sink = TextSink {
        out: std::cell::RefCell::new(std::mem::take(out)),
        skip: std::cell::Cell::new(0),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    *out = tokenizer.sink.out.take();
}

/// Elements that break the text into lines (a paragraph each once tidied).
pub(crate) fn is_block_tag(name: &str) -> bool {
    BLOCK_TAGS.contains(&name)
}

/// Collects character tokens, with a line break around block elements.
struct TextSink {
    out: std::cell::RefCell<String>,
    /// Depth inside elements whose text is never shown (script, style…).
    skip: std::cell::Cell<u32>,
}

impl html5ever::tokenizer::TokenSink for TextSink {
    type Handle = ();

    fn process_token(
        &self,
        token: html5ever::tokenizer::Token,
        _line: u64,
    ) -> html5ever::tokenizer::TokenSinkResult<()> {
        use html5ever::tokenizer::states::RawKind;
        use html5ever::tokenizer::{TagKind, Token, TokenSinkResult};
        match token {
            Token::CharacterTokens(t) if self.skip.get() == 0 => self.out.borrow_mut().push_str(&t),
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let hidden = matches!(
                    name,
                    "script" | "style" | "noscript" | "template" | "iframe" | "head" | "title"
                );
                match tag.kind {
                    TagKind::StartTag if hidden && !tag.self_closing => {
                        self.skip.set(self.skip.get() + 1);
                        return match name {
                            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                            "style" | "noscript" | "iframe" => {
                                TokenSinkResult::RawData(RawKind::Rawtext)
                            }
                            "title" => TokenSinkResult::RawData(RawKind::Rcdata),
                            _ => TokenSinkResult::Continue,
                        };
                    }
                    TagKind::EndTag if hidden => self.skip.set(self.skip.get().saturating_sub(1)),
                    // A void element has no end tag: it breaks on both sides at once.
                    _ if matches!(name, "br" | "hr") => self.out.borrow_mut().push_str("\n\n"),
                    _ if BLOCK_TAGS.contains(&name) => self.out.borrow_mut().push('\n'),
                    TagKind::StartTag if name == "img" && self.skip.get() == 0 => {
                        if let Some(alt) = tag.attrs.iter().find(|a| &*a.name.local == "alt") {
                            self.out.borrow_mut().push_str(&alt.value);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Plain text with its lines joined into paragraphs: spaces collapsed, one blank line between
/// paragraphs (what [`html_to_text`] returns for markup-free input).
pub(crate) fn plain_paragraphs(s: &str) -> String {
    tidy_paragraphs(s)
}

/// Collapses spaces inside lines and keeps at most one blank line between paragraphs.
pub(crate) fn tidy_paragraphs(s: &str) -> String {
    // One pass over the bytes, ASCII without decoding: this runs on every body's text. Words
    // are runs of non-whitespace (`char::is_whitespace`); two words are in one paragraph unless
    // a line without words lies between them, i.e. unless two or more `\n` separate them.
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut newlines = 0usize;
    let mut i = 0;
    while i < b.len() {
        let (space, len) = whitespace_at(s, i);
        if space {
            newlines += usize::from(b[i] == b'\n');
            i += len;
            continue;
        }
        let start = i;
        i += len;
        while i < b.len() {
            // Printable ASCII, the bulk of any word, without the general check.
            if b[i] > b' ' && b[i] < 0x80 {
                i += 1;
                continue;
            }
            let (space, len) = whitespace_at(s, i);
            if space {
                break;
            }
            i += len;
        }
        if !out.is_empty() {
            out.push_str(if newlines >= 2 { "\n\n" } else { " " });
        }
        out.push_str(&s[start..i]);
        newlines = 0;
    }
    out
}

/// Whether the char at byte `i` of `s` (a char boundary) is whitespace, and its length.
fn whitespace_at(s: &str, i: usize) -> (bool, usize) {
    let c = s.as_bytes()[i];
    if c.is_ascii() {
        return (matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '), 1);
    }
    let ch = s[i..].chars().next().unwrap_or_default();
    (ch.is_whitespace(), ch.len_utf8().max(1))
}

/// Removes what could make a terminal do something: ANSI/OSC escape sequences, C0/C1 control
/// characters (tabs and newlines become spaces unless `keep_newlines`), bidi controls and
/// zero-width characters.
pub(crate) fn for_terminal(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi_body(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\t' | '\r' => out.push(' '),
            c if is_dangerous(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
        // Zero-width characters hide text and make look-alike titles and URLs.
        || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi_body(chars),
        // OSC, DCS, SOS, PM, APC: run until BEL or ST (ESC \).
        Some(']' | 'P' | 'X' | '^' | '_') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        _ => {}
    }
}

fn skip_csi_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// Where escaped text goes, which decides the quotes [`escape_xml`] escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    /// XML element content: `&`, `<`, `>`.
    Text,
    /// A double-quoted XML attribute value: `"` too.
    Attribute,
    /// HTML content or an attribute in either quote style: `"` and `'` too.
    Html,
}

/// The one XML/HTML escaper: `&`, `<`, `>` (and quotes, per `markup`) become entities, and what
/// XML cannot hold is dropped (control characters other than tab, newline and CR; U+FFFE and
/// U+FFFF).
pub(crate) fn escape_xml(s: &str, markup: Markup) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if markup != Markup::Text => out.push_str("&quot;"),
            '\'' if markup == Markup::Html => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for inline markdown so it renders as literal text, never as a link, image,
/// emphasis or raw HTML. Control characters and bidi overrides are removed first.
pub(crate) fn escape_markdown(s: &str) -> String {
    let clean = for_terminal(s, false);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|'
            | '~' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// True for the only link schemes pydigest ever renders as links.
pub(crate) fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A markdown link `[text](url)` when the URL is http(s), else the escaped text alone.
pub(crate) fn markdown_link(text: &str, url: Option<&str>) -> String {
    let label = escape_markdown(text);
    match url {
        Some(u) if is_web_url(u) => {
            let safe: String = u
                .chars()
                .filter(|c| !c.is_control() && !c.is_whitespace())
                .map(|c| c.to_string())
                .collect::<String>()
                .replace('(', "%28")
                .replace(')', "%29")
                .replace('<', "%3C")
                .replace('>', "%3E");
            format!("[{label}]({safe})")
        }
        _ => label,
    }
}

/// Cuts `s` to at most `max` characters at a word boundary, adding an ellipsis when cut.
pub(crate) fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for word in s.split_whitespace() {
        let needed = out.chars().count() + word.chars().count() + usize::from(!out.is_empty());
        if needed + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // One giant word: cut on a char boundary rather than return nothing.
        out = s.chars().take(max.saturating_sub(1)).collect();
    }
    let trimmed = out.trim_end_matches([',', ';', ':', '-', ' ']).to_string();
    format!("{trimmed}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn one_escaper_for_xml_text_attributes_and_html() {
        let s = "a<b>&\"c'\u{0}\u{ffff}\n";
        assert_eq!(escape_xml(s, Markup::Text), "a&lt;b&gt;&amp;\"c'\n");
        assert_eq!(
            escape_xml(s, Markup::Attribute),
            "a&lt;b&gt;&amp;&quot;c'\n"
        );
        assert_eq!(escape_xml(s, Markup::Html), "a&lt;b&gt;&amp;&quot;c&#39;\n");
    }

    #[rstest]
    #[case("Fish &amp; Chips", "Fish & Chips")]
    #[case("  a\n\t b  ", "a b")]
    #[case("It&#8217;s <b>bold</b>", "It’s bold")]
    #[case("&lt;script&gt; is text", "<script> is text")]
    #[case("Caf&eacute; &hellip;", "Café …")]
    fn plain_line_decodes(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(plain_line(input), expected);
    }

    #[test]
    fn html_to_text_keeps_paragraphs_and_drops_scripts() {
        let t = html_to_text("<p>One &amp; two</p><script>evil()</script><p>Three<br>four</p>");
        assert_eq!(t, "One & two\n\nThree\n\nfour");
    }

    #[rstest]
    #[case(
        "<p>a</p><script>if (a<b) { document.write(\"</p><p>x\") }</script><p>b</p>",
        "a\n\nb"
    )]
    #[case("<style>p > a { color: red }</style>Text", "Text")]
    #[case("<p>x<img src=\"i.png\" alt=\"diagram\">y</p>", "xdiagramy")]
    #[case("<ul><li>one</li><li>two &amp; three</li></ul>", "one\n\ntwo & three")]
    #[case("plain\n\ntext", "plain\n\ntext")]
    fn html_to_text_cases(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(html_to_text(input), expected);
    }

    #[rstest]
    #[case("\n\n  a  b \n c\n\n\n\nd\n", "a b c\n\nd")]
    #[case("x\r\ny\r\n\r\nz", "x y\n\nz")]
    #[case("p\n\u{a0}\nq\u{a0}r", "p\n\nq r")]
    #[case(" \n\t\n", "")]
    #[case("one", "one")]
    fn tidy_paragraphs_joins_lines_and_keeps_one_blank_line(
        #[case] input: &str,
        #[case] expected: &str,
    ) {
        assert_eq!(tidy_paragraphs(input), expected);
    }

    /// The per-line formulation `tidy_paragraphs` had: the byte scan must agree with it.
    fn tidy_paragraphs_by_lines(s: &str) -> String {
        let mut out = String::new();
        let mut in_paragraph = false;
        for line in s.lines() {
            let mut words = line.split_whitespace();
            let Some(first) = words.next() else {
                in_paragraph = false;
                continue;
            };
            if in_paragraph {
                out.push(' ');
            } else if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(first);
            for w in words {
                out.push(' ');
                out.push_str(w);
            }
            in_paragraph = true;
        }
        out
    }

    #[test]
    fn tidy_paragraphs_agrees_with_the_per_line_formulation() {
        const PIECES: &[&str] = &[
            "a", "bc", " ", "\n", "\r\n", "\r", "\t", "\x0B", "\x0C", "\u{a0}", "\u{85}",
            "\u{2028}", "\u{3000}", "é", "\u{1c}", "x\n \ny",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            }
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            assert_eq!(tidy_paragraphs(&s), tidy_paragraphs_by_lines(&s), "{s:?}");
        }
    }

    #[rstest]
    #[case("red\u{1b}[31mtext\u{1b}[0m", "redtext")]
    #[case("title\u{1b}]0;pwned\u{7}x", "titlex")]
    #[case("a\u{202e}b\u{0}c\u{7}", "abc")]
    #[case("line\nbreak", "line break")]
    #[case("zero\u{200b}wi\u{200d}dth\u{2060}\u{feff}", "zerowidth")]
    #[case("a\u{2067}b\u{200f}c\u{061c}", "abc")]
    fn terminal_text_is_inert(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(for_terminal(input, false), expected);
    }

    #[test]
    fn markdown_injection_renders_as_text() {
        let md = escape_markdown("x](javascript:alert(1))");
        assert_eq!(md, "x\\]\\(javascript:alert\\(1\\)\\)");
        assert_eq!(markdown_link("t", Some("javascript:alert(1)")), "t");
        assert_eq!(
            markdown_link("t", Some("https://a.org/x_(y)")),
            "[t](https://a.org/x_%28y%29)"
        );
    }

    #[test]
    fn truncation_never_cuts_words() {
        let t = truncate_words("alpha beta gamma delta", 12);
        assert_eq!(t, "alpha beta…");
    }
}
