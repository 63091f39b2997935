//! A linear scan that builds, for the simple markup most feed bodies carry, the very tree
//! html5ever's fragment parser builds (context `div`, in body), without its tokenizer and tree
//! builder (most of the parse path's time). It accepts only input on which the HTML parsing
//! algorithm takes no error-recovery or implied-tag path: a short list of tags, properly nested,
//! closed by the current node's own end tag; simply written attributes; character references
//! with their semicolon. Anything else (comments, doctypes, other tags, mis-nesting, a block
//! inside an open `p`, an entity written without its `;`, CR or NUL) declines with `None` and
//! the caller parses with html5ever. A differential test holds the two trees equal.

use super::{Element, Node};
use ego_tree::{NodeId, Tree};
use html5ever::tendril::StrTendril;
use html5ever::{Attribute, LocalName, QualName, local_name, ns};

/// How the "in body" insertion mode treats an accepted start tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Closes an open `p` first (declined when one is open); special.
    Block,
    /// `div`: a block that the `li` loop walks past.
    Div,
    /// `p`: a block that the `li` loop walks past.
    P,
    /// `h1`–`h6`: also closes an open heading (declined).
    Heading,
    /// `pre`: a block whose first newline is dropped.
    Pre,
    /// `li`: closes an open `li` (declined) and an open `p` (declined).
    Li,
    /// `dd`, `dt`: close an open `dd` or `dt` (declined) and an open `p` (declined).
    DdDt,
    /// `hr`: a void block.
    Hr,
    /// `a`: a formatting element that closes an open `a` (declined).
    Anchor,
    /// Formatting and ordinary phrasing elements, inserted as they come.
    Inline,
    /// `br`, `img`, `wbr`: inserted and popped at once.
    Void,
    /// `table`: closes an open `p` (declined); its own content model below.
    Table,
    /// `tbody`, `thead`, `tfoot` (also the `tbody` a `tr` directly in a `table` implies).
    TBody,
    /// `tr`, only in a table body.
    Tr,
    /// `td`, `th`, only in a row; inside, the "in body" rules again.
    Cell,
}

impl Kind {
    /// A table, table body or row: the only text allowed as its child is whitespace, and only
    /// its own structure tags (anything else would be foster-parented).
    fn is_table_context(self) -> bool {
        matches!(self, Kind::Table | Kind::TBody | Kind::Tr)
    }
}

/// The accepted tags.
fn kind(tag: &str) -> Option<Kind> {
    Some(match tag {
        "blockquote" | "ul" | "ol" | "dl" | "section" | "article" | "aside" | "header"
        | "footer" | "nav" | "figure" | "figcaption" | "center" | "details" | "summary"
        | "main" | "hgroup" => Kind::Block,
        "div" => Kind::Div,
        "p" => Kind::P,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Heading,
        "pre" => Kind::Pre,
        "li" => Kind::Li,
        "dd" | "dt" => Kind::DdDt,
        "hr" => Kind::Hr,
        "a" => Kind::Anchor,
        "b" | "i" | "em" | "strong" | "code" | "s" | "small" | "u" | "tt" | "strike" | "big"
        | "font" | "span" | "sub" | "sup" | "abbr" | "acronym" | "cite" | "q" | "kbd" | "samp"
        | "var" | "mark" | "del" | "ins" | "time" | "dfn" | "bdi" | "bdo" => Kind::Inline,
        "br" | "img" | "wbr" => Kind::Void,
        "table" => Kind::Table,
        "tbody" | "thead" | "tfoot" => Kind::TBody,
        "tr" => Kind::Tr,
        "td" | "th" => Kind::Cell,
        _ => return None,
    })
}

/// HTML's whitespace inside tags (CR included: the input stream turns it into LF).
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

/// Pushes the newline a CR or CR LF at `b[i] == '\r'` becomes; the index after it.
fn push_cr(b: &[u8], i: usize, out: &mut String) -> usize {
    out.push('\n');
    if b.get(i + 1) == Some(&b'\n') {
        i + 2
    } else {
        i + 1
    }
}

/// Bytes that end a run of plain text.
fn is_text_stop(c: u8) -> bool {
    matches!(c, b'<' | b'&' | b'\r' | b'\0')
}

/// An open element: its node, kind and name.
struct Open {
    id: NodeId,
    kind: Kind,
    name: LocalName,
}

/// The tree html5ever's fragment parser would build for `html`, when the scan can prove it.
pub(super) fn parse_simple(html: &str) -> Option<Tree<Node>> {
    let b = html.as_bytes();
    let mut tree = Tree::with_capacity(Node::Root, 64);
    let root = tree
        .root_mut()
        .append(Node::Element(Element {
            name: QualName::new(None, ns!(html), local_name!("html")),
            attrs: Vec::new(),
            integration_point: false,
        }))
        .id();
    let mut stack: Vec<Open> = Vec::new();
    let mut text = String::new();
    let (mut p_open, mut a_open, mut h_open) = (0u32, 0u32, 0u32);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'<' => match b.get(i + 1) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let (tag, next) = start_tag(html, i + 1)?;
                    let kind = tag.kind;
                    let context = stack.last().map(|o| o.kind);
                    let declined = match (context, kind) {
                        (Some(Kind::Table), Kind::TBody | Kind::Tr)
                        | (Some(Kind::TBody), Kind::Tr)
                        | (Some(Kind::Tr), Kind::Cell) => false,
                        // Anything else in a table's own context is foster-parented or implies
                        // other structure; table structure outside one is ignored.
                        (Some(c), _) if c.is_table_context() => true,
                        (_, Kind::TBody | Kind::Tr | Kind::Cell) => true,
                        (_, Kind::Table) => p_open > 0,
                        (_, Kind::Block | Kind::Div | Kind::P | Kind::Pre | Kind::Hr) => p_open > 0,
                        (_, Kind::Heading) => p_open > 0 || h_open > 0,
                        (_, Kind::Li) => p_open > 0 || list_item_would_close(&stack, Kind::Li),
                        (_, Kind::DdDt) => p_open > 0 || list_item_would_close(&stack, Kind::DdDt),
                        (_, Kind::Anchor) => a_open > 0,
                        (_, Kind::Inline | Kind::Void) => false,
                    };
                    if declined || (tag.self_closing && !matches!(kind, Kind::Void | Kind::Hr)) {
                        return None;
                    }
                    let mut parent = stack.last().map_or(root, |o| o.id);
                    flush(&mut tree, parent, context, &mut text)?;
                    if context == Some(Kind::Table) && kind == Kind::Tr {
                        // A row directly in a table gets a `tbody` with no attributes.
                        let name = local_name!("tbody");
                        parent = tree
                            .get_mut(parent)?
                            .append(Node::Element(Element {
                                name: QualName::new(None, ns!(html), name.clone()),
                                attrs: Vec::new(),
                                integration_point: false,
                            }))
                            .id();
                        stack.push(Open {
                            id: parent,
                            kind: Kind::TBody,
                            name,
                        });
                    }
                    let name = LocalName::from(tag.name);
                    let id = tree
                        .get_mut(parent)?
                        .append(Node::Element(Element {
                            name: QualName::new(None, ns!(html), name.clone()),
                            attrs: tag.attrs,
                            integration_point: false,
                        }))
                        .id();
                    i = next;
                    if !matches!(kind, Kind::Void | Kind::Hr) {
                        match kind {
                            Kind::P => p_open += 1,
                            Kind::Anchor => a_open += 1,
                            Kind::Heading => h_open += 1,
                            // The tree builder drops a newline right after `<pre>`.
                            Kind::Pre => match b.get(i) {
                                Some(b'\n') => i += 1,
                                Some(b'\r') => i = push_cr(b, i, &mut String::new()),
                                _ => {}
                            },
                            _ => {}
                        }
                        stack.push(Open { id, kind, name });
                    }
                }
                Some(b'/') => {
                    let (name, next) = end_tag(html, i + 2)?;
                    if matches!(name, "img" | "wbr" | "hr") {
                        // No such element is ever open, and none of these is special as an
                        // end tag (`</br>` is): "any other end tag" ignores it.
                        i = next;
                        continue;
                    }
                    // Only the current node's own end tag: every other end tag takes a
                    // recovery path (implied ends, the adoption agency, an ignored tag).
                    let mut open = stack.pop()?;
                    flush(&mut tree, open.id, Some(open.kind), &mut text)?;
                    if open.kind == Kind::TBody && name == "table" {
                        // `</table>` in a table body closes the body, then the table.
                        open = stack.pop()?;
                    }
                    if &*open.name != name {
                        return None;
                    }
                    match open.kind {
                        Kind::P => p_open -= 1,
                        Kind::Anchor => a_open -= 1,
                        Kind::Heading => h_open -= 1,
                        _ => {}
                    }
                    i = next;
                }
                Some(b'!') => {
                    let next = comment(html, i)?;
                    let parent = stack.last().map_or(root, |o| o.id);
                    flush(&mut tree, parent, stack.last().map(|o| o.kind), &mut text)?;
                    tree.get_mut(parent)?.append(Node::Hidden);
                    i = next;
                }
                Some(b'?') => return None,
                // Not a tag: the tokenizer emits the `<` as text.
                _ => {
                    text.push('<');
                    i += 1;
                }
            },
            b'&' => i = char_ref(html, i, &mut text, false)?,
            b'\r' => i = push_cr(b, i, &mut text),
            b'\0' => return None,
            _ => {
                let start = i;
                while i < b.len() && !is_text_stop(b[i]) {
                    i += 1;
                }
                text.push_str(&html[start..i]);
            }
        }
    }
    let parent = stack.last().map_or(root, |o| o.id);
    flush(&mut tree, parent, stack.last().map(|o| o.kind), &mut text)?;
    Some(tree)
}

/// Appends the pending text to `parent` (of kind `kind`, `None` for the root) as one text
/// node (the sink merges adjacent text); declines text other than whitespace in a table's own
/// context, which would be foster-parented.
fn flush(
    tree: &mut Tree<Node>,
    parent: NodeId,
    kind: Option<Kind>,
    text: &mut String,
) -> Option<()> {
    if text.is_empty() {
        return Some(());
    }
    if kind.is_some_and(Kind::is_table_context)
        && !text
            .bytes()
            .all(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0C'))
    {
        return None;
    }
    if let Some(mut p) = tree.get_mut(parent) {
        p.append(Node::Text(StrTendril::from_slice(text)));
    }
    text.clear();
    Some(())
}

/// Whether an `li` (or `dd`/`dt`) start tag would close an open one (the "in body" loop):
/// one of `same` reached before any special element other than `address`, `div` and `p`.
fn list_item_would_close(stack: &[Open], same: Kind) -> bool {
    for o in stack.iter().rev() {
        match o.kind {
            k if k == same => return true,
            Kind::Div | Kind::P | Kind::Inline | Kind::Anchor => {}
            Kind::Block
            | Kind::Heading
            | Kind::Pre
            | Kind::Li
            | Kind::DdDt
            | Kind::Hr
            | Kind::Void
            | Kind::Table
            | Kind::TBody
            | Kind::Tr
            | Kind::Cell => return false,
        }
    }
    // The `html` root is special.
    false
}

/// A scanned start tag.
struct StartTag<'a> {
    name: &'a str,
    kind: Kind,
    attrs: Vec<Attribute>,
    self_closing: bool,
}

/// Reads the start tag whose name begins at `i`; declines uppercase names (rare, and the
/// lowercase copy is not worth it) and anything not plainly written.
fn start_tag(html: &str, i: usize) -> Option<(StartTag<'_>, usize)> {
    let b = html.as_bytes();
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_lowercase() || b[j].is_ascii_digit()) {
        j += 1;
    }
    let name = &html[i..j];
    let kind = kind(name)?;
    let mut attrs: Vec<Attribute> = Vec::new();
    let mut self_closing = false;
    // One buffer for every value: each becomes a tendril copy, so a String apiece is waste.
    let mut value = String::new();
    loop {
        let c = *b.get(j)?;
        if is_space(c) {
            j += 1;
            continue;
        }
        match c {
            b'>' => {
                j += 1;
                break;
            }
            b'/' if b.get(j + 1) == Some(&b'>') => {
                self_closing = true;
                j += 2;
                break;
            }
            c if is_attr_name_byte(c) && j > i && is_space(b[j - 1]) => {
                let start = j;
                while j < b.len() && is_attr_name_byte(b[j]) {
                    j += 1;
                }
                let attr_name = &html[start..j];
                while b.get(j).is_some_and(|c| is_space(*c)) {
                    j += 1;
                }
                value.clear();
                if b.get(j) == Some(&b'=') {
                    j += 1;
                    while b.get(j).is_some_and(|c| is_space(*c)) {
                        j += 1;
                    }
                    j = attr_value(html, j, &mut value)?;
                } else {
                    // A name alone must end where the tokenizer ends it.
                    let c = *b.get(j)?;
                    if !(is_space(b[j - 1]) || c == b'>' || c == b'/') {
                        return None;
                    }
                }
                let local = LocalName::from(attr_name);
                if !attrs.iter().any(|a| a.name.local == local) {
                    attrs.push(Attribute {
                        name: QualName::new(None, ns!(), local),
                        value: StrTendril::from_slice(&value),
                    });
                }
            }
            _ => return None,
        }
    }
    Some((
        StartTag {
            name,
            kind,
            attrs,
            self_closing,
        },
        j,
    ))
}

/// Bytes accepted in an attribute name (lowercase: the tokenizer would fold uppercase).
fn is_attr_name_byte(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b':' | b'.')
}

/// Reads an attribute value starting at `j` (after `=` and spaces) into `value`; the index
/// after it, which must end the attribute as the tokenizer would.
fn attr_value(html: &str, mut j: usize, value: &mut String) -> Option<usize> {
    let b = html.as_bytes();
    match *b.get(j)? {
        q @ (b'"' | b'\'') => {
            j += 1;
            loop {
                let start = j;
                while j < b.len() && b[j] != q && !is_text_stop(b[j]) {
                    j += 1;
                }
                value.push_str(&html[start..j]);
                match *b.get(j)? {
                    c if c == q => break,
                    b'&' => j = char_ref(html, j, value, true)?,
                    b'\r' => j = push_cr(b, j, value),
                    // `<` is an ordinary character in a quoted value.
                    b'<' => {
                        value.push('<');
                        j += 1;
                    }
                    _ => return None,
                }
            }
            j += 1;
            // After a quoted value the tokenizer wants a space, `/` or `>`.
            let c = *b.get(j)?;
            (is_space(c) || c == b'/' || c == b'>').then_some(j)
        }
        _ => {
            let start = j;
            while j < b.len() && !is_space(b[j]) && b[j] != b'>' {
                if matches!(b[j], b'"' | b'\'' | b'<' | b'=' | b'`' | b'&' | b'\0') {
                    return None;
                }
                j += 1;
            }
            if j == start || j == b.len() {
                return None;
            }
            value.push_str(&html[start..j]);
            Some(j)
        }
    }
}

/// Reads the end tag whose name begins at `i`: a plain lowercase name, optional spaces, `>`.
fn end_tag(html: &str, i: usize) -> Option<(&str, usize)> {
    let b = html.as_bytes();
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_lowercase() || b[j].is_ascii_digit()) {
        j += 1;
    }
    if j == i || !b[i].is_ascii_lowercase() {
        return None;
    }
    let name = &html[i..j];
    while b.get(j).is_some_and(|c| is_space(*c)) {
        j += 1;
    }
    (b.get(j) == Some(&b'>')).then_some((name, j + 1))
}

/// Reads a comment starting at `html[i..]` (`<!`): the index after its `-->`. Declines other
/// `<!` markup and comments the tokenizer ends early (`<!-->`, `<!--->`, `--!>`).
fn comment(html: &str, i: usize) -> Option<usize> {
    let rest = html[i..].strip_prefix("<!--")?;
    if rest.starts_with(['-', '>']) {
        return None;
    }
    let end = rest.find("-->")?;
    if rest[..end + 3].contains("--!>") {
        return None;
    }
    Some(i + 4 + end + 3)
}

/// Decodes the character reference at `html[i] == '&'` into `out` exactly as html5ever's
/// tokenizer does (`in_attr`: inside an attribute value); the index after what was read.
/// Declines where html5ever reports an error: a named reference decoded without its
/// semicolon, numeric ones without it or naming controls, C1, surrogates or noncharacters.
fn char_ref(html: &str, i: usize, out: &mut String, in_attr: bool) -> Option<usize> {
    let b = html.as_bytes();
    let mut j = i + 1;
    match b.get(j) {
        Some(b'#') => {
            j += 1;
            let radix = if matches!(b.get(j), Some(b'x' | b'X')) {
                j += 1;
                16
            } else {
                10
            };
            let start = j;
            let mut n: u32 = 0;
            while let Some(d) = b.get(j).and_then(|c| char::from(*c).to_digit(radix)) {
                if j - start >= 7 {
                    return None;
                }
                n = n * radix + d;
                j += 1;
            }
            if j == start || b.get(j) != Some(&b';') {
                return None;
            }
            let plain = matches!(n, 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFDCF | 0xFDF0..=0x10FFFF)
                && n & 0xFFFE != 0xFFFE;
            out.push(char::from_u32(n).filter(|_| plain)?);
            Some(j + 1)
        }
        Some(c) if c.is_ascii_alphanumeric() => {
            let start = j;
            while b.get(j).is_some_and(u8::is_ascii_alphanumeric) {
                j += 1;
            }
            let entities = &html5ever::data::NAMED_ENTITIES;
            if b.get(j) == Some(&b';')
                && let Some(&(c1, c2)) = entities.get(&html[start..=j])
                && c1 != 0
            {
                out.push(char::from_u32(c1)?);
                if c2 != 0 {
                    out.push(char::from_u32(c2)?);
                }
                return Some(j + 1);
            }
            // No `name;`: the `&` is literal unless a prefix of the name is an entity that may
            // be written without its semicolon. In text that one is decoded (declined here); in
            // an attribute it stays literal when a letter, digit or `=` follows it.
            if matches!(b.get(j), Some(b'\r') | None) {
                return None;
            }
            let name = &html[start..j];
            let mut longest = 0;
            for k in 1..=name.len() {
                match entities.get(&name[..k]) {
                    None => break,
                    Some(&(c1, _)) if c1 != 0 => longest = k,
                    Some(_) => {}
                }
            }
            if longest > 0 && !(in_attr && (longest < name.len() || b.get(j) == Some(&b'='))) {
                return None;
            }
            out.push('&');
            Some(i + 1)
        }
        // `&` before anything else is literal.
        _ => {
            out.push('&');
            Some(i + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_body, parse_fragment};
    use super::*;
    use ego_tree::iter::Edge;
    use rstest::rstest;
    use std::fmt::Write;

    /// The tree from the document root down, with what the sanitiser and the text reader see
    /// (tendril storage left out: a copied and a shared tendril hold the same text).
    fn dump(tree: &Tree<Node>) -> String {
        let mut s = String::new();
        for edge in tree.root().traverse() {
            match edge {
                Edge::Open(n) => match n.value() {
                    Node::Root => s.push_str("[root"),
                    Node::Hidden => s.push_str("[hidden"),
                    Node::Text(t) => {
                        let _ = write!(s, "[{:?}", &**t);
                    }
                    Node::Element(e) => {
                        let _ = write!(s, "[{:?} {}", e.name, e.integration_point);
                        for a in &e.attrs {
                            let _ = write!(s, " {:?}={:?}", a.name, &*a.value);
                        }
                    }
                },
                Edge::Close(_) => s.push(']'),
            }
        }
        s
    }

    /// When the scan accepts `html`, its tree is html5ever's; whether it accepted.
    fn check(html: &str) -> bool {
        let Some(fast) = parse_simple(html) else {
            return false;
        };
        assert_eq!(dump(&fast), dump(&parse_fragment(html)), "input {html:?}");
        true
    }

    #[rstest]
    #[case("<p>a &amp; b &lt;c&gt; &hellip; &#8217; &#x41;</p>")]
    #[case("<ul><li>a</li><li><em>b</em></li></ul><ol><li>c</li></ol>")]
    #[case("x < y, a <= b, 1 <3 and a trailing <")]
    #[case("<pre>\ncode\n</pre><pre><code>\nx</code></pre>")]
    #[case("<a href=\"?a=1&b=2&c\" title='t' rel=me>q</a><img src=x alt=\"y\"/><br/>")]
    #[case("<p>unclosed <b>bold")]
    #[case("<div><p>a</p><blockquote><p>b</p></blockquote></div><hr><h2>t</h2>")]
    #[case("<p class=\"x\" class=\"y\" data-n=\"1\">dup</p>")]
    #[case("<li><div><p>x</p></div></li>")]
    #[case("<p>a\r\nb\rc</p><pre>\r\nx</pre><a\r\nhref='u\r\nv'>w</a>")]
    #[case("<img src=\"i.jpg?w=1&quality=60&h=2&amp;x&copy=3\"></img>")]
    #[case("<!-- a -- b --><p>x<!-- y -->z</p>")]
    #[case("<dl><dt>t</dt><dd><tt>d</tt></dd></dl><strike>s</strike>")]
    #[case("<table class=t>\n<tr>\n<td>a</td> <th><p>b</p></th>\n</tr>\n</table>after")]
    #[case(
        "<table><tbody><tr><td>a</td></tr></tbody></table><table><thead><tr></tr></thead></table>"
    )]
    #[case("<li><table><tr><td><li>x</li></td></tr></table></li>")]
    fn simple_markup_takes_the_scan_and_gets_html5evers_tree(#[case] html: &str) {
        assert!(check(html), "declined {html:?}");
    }

    #[rstest]
    #[case("<p>a<p>b")]
    #[case("<p><div>x</div></p>")]
    #[case("<b><i>x</b></i>")]
    #[case("<table><tr><td>x</table>")]
    #[case("<table>text<tr><td>x</td></tr></table>")]
    #[case("<table><td>x</td></table>")]
    #[case("<table><tr><td>x</td></tr>&nbsp;</table>")]
    #[case("<td>x</td>")]
    #[case("<p><table></table>")]
    #[case("<table><b>x</b></table>")]
    #[case("&copy 2025")]
    #[case("&notit;")]
    #[case("x\0<b>y</b>")]
    #[case("<a href=x><a href=y>z</a></a>")]
    #[case("<ul><li>a<li>b</ul>")]
    #[case("<li><em><li>x")]
    #[case("<h1><h2>x</h2></h1>")]
    #[case("<br>text</br>")]
    #[case("<P>upper</P>")]
    #[case("<p/>self-closing")]
    #[case("&#0; &#128;")]
    #[case("&#65")]
    #[case("<a href=\"x\"title=y>z</a>")]
    #[case("<script>x</script>")]
    #[case("<img src=x")]
    #[case("</p>stray")]
    #[case("<span>x</div>")]
    #[case("<svg><circle/></svg>")]
    #[case("<a href=x?a=1&b=2>unquoted ampersand</a>")]
    #[case("<a href=\"?x=1&quot\">legacy entity before the quote</a>")]
    #[case("<!-->x")]
    #[case("<!--x--!>y")]
    #[case("<!doctype html>")]
    #[case("<dl><dt>a<dt>b</dl>")]
    #[case("AT&T")]
    fn doubtful_markup_falls_back_to_html5ever(#[case] html: &str) {
        assert!(parse_simple(html).is_none(), "accepted {html:?}");
        // And the body still parses (through html5ever).
        assert!(!dump(&parse_body(html)).is_empty());
    }

    /// Random sequences of the markup the scan accepts and of near misses: whatever it
    /// accepts, it builds html5ever's tree.
    #[test]
    fn random_markup_gets_html5evers_tree_or_falls_back() {
        const PIECES: &[&str] = &[
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<a href=\"x?a=1&b=2\">",
            "</a>",
            "<ul>",
            "</ul>",
            "<ol>",
            "</ol>",
            "<li>",
            "</li>",
            "<pre>",
            "</pre>",
            "\n",
            "<h1>",
            "</h1>",
            "<h2>",
            "</h2>",
            "<br>",
            "<br/>",
            "<hr>",
            "<img src=x alt='a&amp;b'>",
            "text",
            " ",
            "&amp;",
            "&copy",
            "&notit;",
            "&hellip;",
            "<",
            "&#128;",
            "&#65;",
            "&#x41;",
            "&",
            "&;",
            "<div>",
            "</div>",
            "<em>",
            "</em>",
            "<i>",
            "</i>",
            "<code>",
            "</code>",
            "<span class=c>",
            "</span>",
            "<blockquote>",
            "</blockquote>",
            "<P>",
            "<b/>",
            "<q cite=\"/c\">",
            "</q>",
            "<p >",
            "</p >",
            "<a title=t href=\"y\" title=z>",
            "\u{a0}",
            "é",
            "<strong>",
            "</strong>",
            "<figure>",
            "</figure>",
            "<section>",
            "</section>",
            "<!--x-->",
            "\r\n",
            "\r",
            "<img src=\"?a&quality=1&copy&amp=\">",
            "</img>",
            "<dl>",
            "<dt>",
            "</dt>",
            "<dd>",
            "</dd>",
            "&quot",
            "<!-->",
            "<tt>",
            "</tt>",
            "<table>",
            "</table>",
            "<tr>",
            "</tr>",
            "<td>",
            "</td>",
            "<th>",
            "</th>",
            "<tbody>",
            "</tbody>",
            "<thead>",
            "</thead>",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut accepted = 0;
        for _ in 0..20_000 {
            let len = 1 + next() % 14;
            let html: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            accepted += usize::from(check(&html));
        }
        assert!(accepted > 1_000, "only {accepted} accepted");
    }

    /// Every body of the real-world corpus: where the scan accepts, html5ever's tree.
    #[test]
    fn corpus_bodies_get_html5evers_tree_or_fall_back() {
        let Some(dir) = crate::test_corpus::corpus_dir() else {
            return;
        };
        let (mut n, mut accepted, mut bytes, mut accepted_bytes) = (0, 0, 0, 0);
        for (_, body) in super::super::tests::corpus_feed_bodies(&dir, usize::MAX) {
            n += 1;
            bytes += body.len();
            if check(&body) {
                accepted += 1;
                accepted_bytes += body.len();
            }
        }
        eprintln!("scan accepted {accepted} of {n} bodies, {accepted_bytes} of {bytes} bytes");
        assert!(n > 100, "only {n} bodies in the corpus");
    }
}
