//! One HTML parse per body: the fragment is parsed once by html5ever into an arena tree, then
//! that tree is both serialised through a sanitising filter and walked for its plain text.
//!
//! The filter applies ammonia 4.2's rules with pydigest's settings (default tag and attribute
//! allow-lists, `script`/`style` dropped with their content, comments stripped, URL schemes
//! http/https/mailto, `rel="noopener noreferrer nofollow"` on links, relative URLs made
//! absolute against the base or passed through) and its namespace check against mutation XSS,
//! so its output is byte-for-byte what `ammonia::Builder::clean` gave; a differential test
//! against ammonia keeps it that way. Doing it here rather than in ammonia saves ammonia's
//! second parse of the same string for the text, its reference-counted DOM, its id map pass and
//! a per-call `Builder` (together most of the parse path's time).

use ego_tree::{NodeId, NodeRef, Tree, iter::Edge};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName, local_name, ns};
use std::borrow::Cow;
use std::cell::{Ref, RefCell};
use url::Url;

mod fast;

/// A node of the parsed fragment.
#[derive(Debug)]
enum Node {
    /// The document root (the fragment parser puts an `html` element under it).
    Root,
    /// An element with its attributes in source order.
    Element(Element),
    /// Character data.
    Text(StrTendril),
    /// Comments, processing instructions, doctypes and template contents: never output.
    Hidden,
}

/// An element as the tree builder made it.
#[derive(Debug)]
struct Element {
    name: QualName,
    attrs: Vec<Attribute>,
    /// A MathML `annotation-xml` that holds HTML (the tree builder asks).
    integration_point: bool,
}

/// Builds the arena tree (html5ever's `TreeSink`), with ammonia's RcDom semantics: adjacent
/// text merged, template contents kept out of the children.
struct Sink {
    tree: RefCell<Tree<Node>>,
}

impl Sink {
    /// Merges `text` into `node` when it is a text node.
    fn merge_text(tree: &mut Tree<Node>, node: Option<NodeId>, text: &StrTendril) -> bool {
        let Some(mut n) = node.and_then(|id| tree.get_mut(id)) else {
            return false;
        };
        match n.value() {
            Node::Text(t) => {
                t.push_tendril(text);
                true
            }
            _ => false,
        }
    }
}

impl TreeSink for Sink {
    type Output = Tree<Node>;
    type Handle = NodeId;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Tree<Node> {
        self.tree.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> NodeId {
        self.tree.borrow().root().id()
    }

    fn elem_name<'a>(&'a self, target: &NodeId) -> Ref<'a, QualName> {
        Ref::map(self.tree.borrow(), |t| {
            match t.get(*target).map(|n| n.value()) {
                Some(Node::Element(e)) => &e.name,
                _ => unreachable!("the tree builder asks names of elements only"),
            }
        })
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        let mut tree = self.tree.borrow_mut();
        let mut node = tree.orphan(Node::Element(Element {
            name,
            attrs,
            integration_point: flags.mathml_annotation_xml_integration_point,
        }));
        if flags.template {
            // Template contents live in a hidden child: never serialised, never read as text,
            // as in ammonia, whose DOM keeps them outside the children.
            node.append(Node::Hidden);
        }
        node.id()
    }

    fn create_comment(&self, _text: StrTendril) -> NodeId {
        self.tree.borrow_mut().orphan(Node::Hidden).id()
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> NodeId {
        self.tree.borrow_mut().orphan(Node::Hidden).id()
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        let mut tree = self.tree.borrow_mut();
        match child {
            NodeOrText::AppendNode(id) => {
                if let Some(mut p) = tree.get_mut(*parent) {
                    p.append_id(id);
                }
            }
            NodeOrText::AppendText(text) => {
                let last = tree
                    .get(*parent)
                    .and_then(|p| p.last_child())
                    .map(|c| c.id());
                if !Self::merge_text(&mut tree, last, &text)
                    && let Some(mut p) = tree.get_mut(*parent)
                {
                    p.append(Node::Text(text));
                }
            }
        }
    }

    fn append_before_sibling(&self, sibling: &NodeId, child: NodeOrText<NodeId>) {
        let mut tree = self.tree.borrow_mut();
        if tree.get(*sibling).and_then(|s| s.parent()).is_none() {
            return;
        }
        match child {
            NodeOrText::AppendNode(id) => {
                if let Some(mut n) = tree.get_mut(id) {
                    n.detach();
                }
                if let Some(mut s) = tree.get_mut(*sibling) {
                    s.insert_id_before(id);
                }
            }
            NodeOrText::AppendText(text) => {
                let prev = tree
                    .get(*sibling)
                    .and_then(|s| s.prev_sibling())
                    .map(|p| p.id());
                if !Self::merge_text(&mut tree, prev, &text)
                    && let Some(mut s) = tree.get_mut(*sibling)
                {
                    s.insert_before(Node::Text(text));
                }
            }
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        let has_parent = self
            .tree
            .borrow()
            .get(*element)
            .and_then(|e| e.parent())
            .is_some();
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {
        self.tree.borrow_mut().root_mut().append(Node::Hidden);
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        let tree = self.tree.borrow();
        let node = tree.get(*target).expect("a template element");
        node.first_child()
            .filter(|c| matches!(c.value(), Node::Hidden))
            .map_or(*target, |c| c.id())
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        let mut tree = self.tree.borrow_mut();
        if let Some(mut n) = tree.get_mut(*target)
            && let Node::Element(e) = n.value()
        {
            for a in attrs {
                if !e.attrs.iter().any(|x| x.name == a.name) {
                    e.attrs.push(a);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &NodeId) {
        if let Some(mut n) = self.tree.borrow_mut().get_mut(*target) {
            n.detach();
        }
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        if let Some(mut p) = self.tree.borrow_mut().get_mut(*new_parent) {
            p.reparent_from_id_append(*node);
        }
    }

    fn is_mathml_annotation_xml_integration_point(&self, target: &NodeId) -> bool {
        matches!(
            self.tree.borrow().get(*target).map(|n| n.value()),
            Some(Node::Element(e)) if e.integration_point
        )
    }
}

/// Parses an HTML fragment the way ammonia does: in the context of a `div`, scripting on.
fn parse_fragment(html: &str) -> Tree<Node> {
    let sink = Sink {
        tree: RefCell::new(Tree::with_capacity(Node::Root, 64)),
    };
    html5ever::parse_fragment(
        sink,
        html5ever::ParseOpts::default(),
        QualName::new(None, ns!(html), local_name!("div")),
        Vec::new(),
        false,
    )
    .one(html)
}

/// The fragment's tree: from the linear scan when it can prove html5ever's result, else from
/// html5ever.
fn parse_body(html: &str) -> Tree<Node> {
    fast::parse_simple(html).unwrap_or_else(|| parse_fragment(html))
}

/// The fragment's `html` element: the parent of everything that was in the input.
fn fragment_root(tree: &Tree<Node>) -> Option<NodeRef<'_, Node>> {
    tree.root()
        .children()
        .find(|c| matches!(c.value(), Node::Element(_)))
}

/// A sanitised body and its plain text, from one parse.
#[derive(Debug, Default)]
pub(crate) struct CleanBody {
    /// Safe HTML (see [`sanitize_html`]).
    pub(crate) html: String,
    /// Plain text: paragraphs separated by blank lines (see [`crate::text::html_to_text`]).
    pub(crate) text: String,
}

/// Sanitises an untrusted HTML body and extracts its plain text from the same parse.
pub(crate) fn clean_body(html: &str, base: Option<&Url>) -> CleanBody {
    if !html
        .bytes()
        .any(|c| matches!(c, b'<' | b'&' | b'\r' | b'\0'))
    {
        // Plain text: the tree is one text node, so its HTML is the escaped input.
        let mut out = String::with_capacity(html.len() + html.len() / 16);
        escape_into(&mut out, html, false);
        return CleanBody {
            html: out,
            text: crate::text::plain_paragraphs(html),
        };
    }
    let tree = parse_body(html);
    let Some(root) = fragment_root(&tree) else {
        return CleanBody::default();
    };
    let text = if html.contains(['<', '&']) {
        crate::text::tidy_paragraphs(&tree_text(root, html.len()))
    } else {
        // What `html_to_text` does without markup (no newline normalisation by the tokenizer).
        crate::text::plain_paragraphs(html)
    };
    CleanBody {
        html: sanitized(root, base, html.len()),
        text,
    }
}

/// Sanitizes untrusted HTML for storage and export: no scripts, styles, event handlers or
/// non-web URLs; relative links made absolute against `base`.
pub(crate) fn sanitize_html(html: &str, base: Option<&Url>) -> String {
    let tree = parse_body(html);
    fragment_root(&tree).map_or_else(String::new, |root| sanitized(root, base, html.len()))
}

/// ammonia's default allowed tags.
fn allowed_tag(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "acronym"
            | "area"
            | "article"
            | "aside"
            | "b"
            | "bdi"
            | "bdo"
            | "blockquote"
            | "br"
            | "caption"
            | "center"
            | "cite"
            | "code"
            | "col"
            | "colgroup"
            | "data"
            | "dd"
            | "del"
            | "details"
            | "dfn"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "figcaption"
            | "figure"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "i"
            | "img"
            | "ins"
            | "kbd"
            | "li"
            | "map"
            | "mark"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "q"
            | "rp"
            | "rt"
            | "rtc"
            | "ruby"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "summary"
            | "sup"
            | "table"
            | "tbody"
            | "td"
            | "th"
            | "thead"
            | "time"
            | "tr"
            | "tt"
            | "u"
            | "ul"
            | "var"
            | "wbr"
    )
}

/// ammonia's default attribute allow-list: generic attributes, then per tag.
fn allowed_attr(tag: &str, attr: &str) -> bool {
    if matches!(attr, "lang" | "title") {
        return true;
    }
    match tag {
        "a" => matches!(attr, "href" | "hreflang"),
        "bdo" => attr == "dir",
        "blockquote" | "q" => attr == "cite",
        "col" | "colgroup" => matches!(attr, "align" | "char" | "charoff" | "span"),
        "del" | "ins" => matches!(attr, "cite" | "datetime"),
        "hr" => matches!(attr, "align" | "size" | "width"),
        "img" => matches!(attr, "align" | "alt" | "height" | "src" | "width"),
        "ol" => attr == "start",
        "table" => matches!(attr, "align" | "char" | "charoff" | "summary"),
        "tbody" | "thead" | "tr" => matches!(attr, "align" | "char" | "charoff"),
        "td" => matches!(
            attr,
            "align" | "char" | "charoff" | "colspan" | "headers" | "rowspan"
        ),
        "th" => matches!(
            attr,
            "align" | "char" | "charoff" | "colspan" | "headers" | "rowspan" | "scope"
        ),
        _ => false,
    }
}

/// Attributes that hold a URL, for the allowed tags (ammonia's `is_url_attr`).
fn is_url_attr(tag: &str, attr: &str) -> bool {
    matches!(attr, "href" | "xlink:href" | "src") || (tag == "a" && attr == "ping")
}

/// Elements serialised without children or an end tag.
fn is_void(tag: &str) -> bool {
    matches!(tag, "area" | "br" | "col" | "hr" | "img" | "wbr")
}

/// The value of `rel` that every kept link gets (the feed's own `rel` is dropped).
const LINK_REL: &str = "noopener noreferrer nofollow";

/// The kept attributes of an allowed element, in ammonia's order and with its URL rules.
fn kept_attrs<'a>(e: &'a Element, tag: &str, base: Option<&Url>) -> Vec<(&'a str, Cow<'a, str>)> {
    let mut attrs: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(e.attrs.len() + 1);
    // Whether each kept URL attribute is relative: ammonia rewrites those after adding `rel`.
    let mut relative: Vec<usize> = Vec::new();
    for a in &e.attrs {
        let name: &str = &a.name.local;
        let value: &str = &a.value;
        if !allowed_attr(tag, name) {
            continue;
        }
        if is_url_attr(tag, name) {
            match Url::parse(value) {
                Ok(u) if matches!(u.scheme(), "http" | "https" | "mailto") => {}
                Err(url::ParseError::RelativeUrlWithoutBase) => relative.push(attrs.len()),
                _ => continue,
            }
        }
        attrs.push((name, Cow::Borrowed(value)));
    }
    if tag == "a" {
        attrs.push(("rel", Cow::Borrowed(LINK_REL)));
    }
    if let Some(base) = base {
        let mut dropped = Vec::new();
        for i in relative {
            match base.join(&attrs[i].1) {
                Ok(u) => attrs[i].1 = Cow::Owned(u.into()),
                Err(_) => dropped.push(i),
            }
        }
        // ammonia drops with `swap_remove`, last first: the same order, byte for byte.
        for i in dropped.into_iter().rev() {
            attrs.swap_remove(i);
        }
    }
    attrs
}

/// Serialises the sanitised children of `root` (html5ever's serialiser rules); `cap` is the
/// source's length, about the output's.
fn sanitized(root: NodeRef<'_, Node>, base: Option<&Url>, cap: usize) -> String {
    let mut out = String::with_capacity(cap);
    // The element whose subtree is being dropped, if any.
    let mut skip: Option<NodeId> = None;
    // For each open element: whether it was kept (its end tag is written).
    let mut open: Vec<bool> = Vec::new();
    // Kept elements, innermost last: the parent the namespace check sees.
    let mut kept: Vec<&Element> = Vec::new();
    let Node::Element(root_el) = root.value() else {
        return out;
    };
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) if n.id() == root.id() => {}
            Edge::Close(n) if n.id() == root.id() => {}
            Edge::Open(_) if skip.is_some() => {}
            Edge::Close(n) if skip.is_some() => {
                if skip == Some(n.id()) {
                    skip = None;
                }
            }
            Edge::Open(n) => match n.value() {
                Node::Text(t) => escape_into(&mut out, t, false),
                Node::Element(e) => {
                    let tag: &str = &e.name.local;
                    let parent = kept.last().copied().unwrap_or(root_el);
                    if matches!(tag, "script" | "style") || !expected_namespace(parent, e) {
                        skip = Some(n.id());
                    } else if allowed_tag(tag) {
                        out.push('<');
                        out.push_str(tag);
                        for (name, value) in kept_attrs(e, tag, base) {
                            out.push(' ');
                            out.push_str(name);
                            out.push_str("=\"");
                            escape_into(&mut out, &value, true);
                            out.push('"');
                        }
                        out.push('>');
                        if is_void(tag) {
                            skip = Some(n.id());
                        } else {
                            open.push(true);
                            kept.push(e);
                        }
                    } else {
                        open.push(false);
                    }
                }
                Node::Root | Node::Hidden => skip = Some(n.id()),
            },
            Edge::Close(n) => {
                if let Node::Element(e) = n.value()
                    && open.pop() == Some(true)
                {
                    kept.pop();
                    out.push_str("</");
                    out.push_str(&e.name.local);
                    out.push('>');
                }
            }
        }
    }
    out
}

/// html5ever's escaping: `&`, `<`, `>` and no-break space, plus `"` in attribute values.
fn escape_into(out: &mut String, s: &str, attr: bool) {
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        // Eight bytes at a time while none of them can need escaping (most of any text).
        if let Some(chunk) = bytes
            .get(i..i + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            && !may_need_escaping(u64::from_le_bytes(chunk))
        {
            i += 8;
            continue;
        }
        let (entity, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' if attr => ("&quot;", 1),
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => ("&nbsp;", 2),
            _ => {
                i += 1;
                continue;
            }
        };
        // `i` is an ASCII byte or the lead byte of U+00A0: a char boundary.
        out.push_str(&s[start..i]);
        out.push_str(entity);
        i += len;
        start = i;
    }
    out.push_str(&s[start..]);
}

/// Whether any of the eight bytes in `w` is `&`, `<`, `>`, `"` or 0xC2 (the lead byte of a
/// no-break space): the classic "has zero byte" test on `w` xor each of them.
fn may_need_escaping(w: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has = |b: u8| {
        let x = w ^ (LO * u64::from(b));
        x.wrapping_sub(LO) & !x & HI
    };
    (has(b'&') | has(b'<') | has(b'>') | has(b'"') | has(0xC2)) != 0
}

/// ammonia's check for unexpected namespace changes (mutation XSS through `<svg>`/`<math>`):
/// an element whose namespace could not follow its kept parent's is dropped with its content.
fn expected_namespace(parent: &Element, child: &Element) -> bool {
    let (p, c) = (&parent.name, &child.name);
    if p.ns == ns!(html) && c.ns == ns!(svg) {
        c.local == local_name!("svg")
    } else if p.ns == ns!(html) && c.ns == ns!(mathml) {
        c.local == local_name!("math")
    } else if p.ns == ns!(mathml) && c.ns != ns!(mathml) {
        if &*p.local == "annotation-xml" {
            let encodings = || {
                parent
                    .attrs
                    .iter()
                    .filter(|a| a.name.local == local_name!("encoding"))
            };
            if c.ns == ns!(html)
                && encodings()
                    .all(|a| &*a.value == "text/html" || &*a.value == "application/xhtml+xml")
            {
                is_html_tag(&c.local) && encodings().count() == 1
            } else {
                c.local == local_name!("svg") && c.ns == ns!(svg)
            }
        } else {
            matches!(&*p.local, "mi" | "mo" | "mn" | "ms" | "mtext")
                && (c.ns != ns!(html) || is_html_tag(&c.local))
        }
    } else if p.ns == ns!(svg) && c.ns != ns!(svg) {
        &*p.local == "foreignObject" && (c.ns != ns!(html) || is_html_tag(&c.local))
    } else if c.ns == ns!(svg) {
        is_svg_tag(&c.local)
    } else if c.ns == ns!(mathml) {
        is_mathml_tag(&c.local)
    } else if c.ns == ns!(html) {
        is_html_tag(&c.local)
    } else {
        p.ns == c.ns
    }
}

/// A tag name an HTML element may have after a namespace check (ammonia's `is_html_tag`).
fn is_html_tag(element: &str) -> bool {
    (!is_svg_tag(element) && !is_mathml_tag(element))
        || matches!(
            element,
            "title" | "style" | "font" | "a" | "script" | "span"
        )
}

/// Elements whose text a reader never sees.
fn hidden_element(tag: &str) -> bool {
    matches!(
        tag,
        "script" | "style" | "noscript" | "template" | "iframe" | "head" | "title"
    )
}

/// Raw-text elements whose content the old tokenizer-only extraction read as markup: read the
/// same way here, so markup (a `<script>` in a `<plaintext>`) never becomes text.
fn markup_as_text(tag: &str) -> bool {
    matches!(
        tag,
        "textarea" | "xmp" | "plaintext" | "noembed" | "noframes"
    )
}

/// The text of the parsed fragment, with the line breaks [`crate::text::html_to_text`] puts
/// around blocks (before tidying); `cap` is the source's length, more than the text's.
fn tree_text(root: NodeRef<'_, Node>, cap: usize) -> String {
    let mut out = String::with_capacity(cap);
    let mut skip: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(_) if skip.is_some() => {}
            Edge::Close(n) if skip.is_some() => {
                if skip == Some(n.id()) {
                    skip = None;
                }
            }
            Edge::Open(n) => match n.value() {
                Node::Text(t) => {
                    let raw = n.parent().is_some_and(
                        |p| matches!(p.value(), Node::Element(e) if markup_as_text(&e.name.local)),
                    );
                    if raw {
                        crate::text::html_text_into(&mut out, t);
                    } else {
                        out.push_str(t);
                    }
                }
                Node::Element(e) => {
                    let tag: &str = &e.name.local;
                    if hidden_element(tag) {
                        skip = Some(n.id());
                    } else if matches!(tag, "br" | "hr") {
                        out.push_str("\n\n");
                    } else if crate::text::is_block_tag(tag) {
                        out.push('\n');
                    } else if tag == "img"
                        && let Some(alt) = e.attrs.iter().find(|a| &*a.name.local == "alt")
                    {
                        out.push_str(&alt.value);
                    }
                }
                Node::Root => {}
                Node::Hidden => skip = Some(n.id()),
            },
            Edge::Close(n) => {
                if let Node::Element(e) = n.value()
                    && !matches!(&*e.name.local, "br" | "hr")
                    && crate::text::is_block_tag(&e.name.local)
                {
                    out.push('\n');
                }
            }
        }
    }
    out
}

// Tag lists below are ammonia 4.2's (MIT OR Apache-2.0), so the namespace check matches it exactly.

/// Given an element name, check if it's SVG
fn is_svg_tag(element: &str) -> bool {
    // https://svgwg.org/svg2-draft/eltindex.html
    matches!(
        element,
        "a" | "animate"
            | "animateColor" // https://www.w3.org/TR/SVG11/animate.html#AnimateColorElement
            | "animateMotion"
            | "animateTransform"
            | "circle"
            | "clipPath"
            | "defs"
            | "desc"
            | "discard"
            | "ellipse"
            | "feBlend"
            | "feColorMatrix"
            | "feComponentTransfer"
            | "feComposite"
            | "feConvolveMatrix"
            | "feDiffuseLighting"
            | "feDisplacementMap"
            | "feDistantLight"
            | "feDropShadow"
            | "feFlood"
            | "feFuncA"
            | "feFuncB"
            | "feFuncG"
            | "feFuncR"
            | "feGaussianBlur"
            | "feImage"
            | "feMerge"
            | "feMergeNode"
            | "feMorphology"
            | "feOffset"
            | "fePointLight"
            | "feSpecularLighting"
            | "feSpotLight"
            | "feTile"
            | "feTurbulence"
            | "filter"
            | "foreignObject"
            | "g"
            | "image"
            | "line"
            | "linearGradient"
            | "marker"
            | "mask"
            | "metadata"
            | "mpath"
            | "path"
            | "pattern"
            | "polygon"
            | "polyline"
            | "radialGradient"
            | "rect"
            | "script"
            | "set"
            | "stop"
            | "style"
            | "svg"
            | "switch"
            | "symbol"
            | "text"
            | "textPath"
            | "title"
            | "tspan"
            | "use"
            | "view"
    )
}

/// Given an element name, check if it's Math
fn is_mathml_tag(element: &str) -> bool {
    // https://svgwg.org/svg2-draft/eltindex.html
    matches!(
        element,
        "abs"
            | "and"
            | "annotation"
            | "annotation-xml"
            | "apply"
            | "approx"
            | "arccos"
            | "arccosh"
            | "arccot"
            | "arccoth"
            | "arccsc"
            | "arccsch"
            | "arcsec"
            | "arcsech"
            | "arcsin"
            | "arcsinh"
            | "arctan"
            | "arctanh"
            | "arg"
            | "bind"
            | "bvar"
            | "card"
            | "cartesianproduct"
            | "cbytes"
            | "ceiling"
            | "cerror"
            | "ci"
            | "cn"
            | "codomain"
            | "complexes"
            | "compose"
            | "condition"
            | "conjugate"
            | "cos"
            | "cosh"
            | "cot"
            | "coth"
            | "cs"
            | "csc"
            | "csch"
            | "csymbol"
            | "curl"
            | "declare"
            | "degree"
            | "determinant"
            | "diff"
            | "divergence"
            | "divide"
            | "domain"
            | "domainofapplication"
            | "emptyset"
            | "eq"
            | "equivalent"
            | "eulergamma"
            | "exists"
            | "exp"
            | "exponentiale"
            | "factorial"
            | "factorof"
            | "false"
            | "floor"
            | "fn"
            | "forall"
            | "gcd"
            | "geq"
            | "grad"
            | "gt"
            | "ident"
            | "image"
            | "imaginary"
            | "imaginaryi"
            | "implies"
            | "in"
            | "infinity"
            | "int"
            | "integers"
            | "intersect"
            | "interval"
            | "inverse"
            | "lambda"
            | "laplacian"
            | "lcm"
            | "leq"
            | "limit"
            | "list"
            | "ln"
            | "log"
            | "logbase"
            | "lowlimit"
            | "lt"
            | "maction"
            | "maligngroup"
            | "malignmark"
            | "math"
            | "matrix"
            | "matrixrow"
            | "max"
            | "mean"
            | "median"
            | "menclose"
            | "merror"
            | "mfenced"
            | "mfrac"
            | "mglyph"
            | "mi"
            | "min"
            | "minus"
            | "mlabeledtr"
            | "mlongdiv"
            | "mmultiscripts"
            | "mn"
            | "mo"
            | "mode"
            | "moment"
            | "momentabout"
            | "mover"
            | "mpadded"
            | "mphantom"
            | "mprescripts"
            | "mroot"
            | "mrow"
            | "ms"
            | "mscarries"
            | "mscarry"
            | "msgroup"
            | "msline"
            | "mspace"
            | "msqrt"
            | "msrow"
            | "mstack"
            | "mstyle"
            | "msub"
            | "msubsup"
            | "msup"
            | "mtable"
            | "mtd"
            | "mtext"
            | "mtr"
            | "munder"
            | "munderover"
            | "naturalnumbers"
            | "neq"
            | "none"
            | "not"
            | "notanumber"
            | "notin"
            | "notprsubset"
            | "notsubset"
            | "or"
            | "otherwise"
            | "outerproduct"
            | "partialdiff"
            | "pi"
            | "piece"
            | "piecewise"
            | "plus"
            | "power"
            | "primes"
            | "product"
            | "prsubset"
            | "quotient"
            | "rationals"
            | "real"
            | "reals"
            | "reln"
            | "rem"
            | "root"
            | "scalarproduct"
            | "sdev"
            | "sec"
            | "sech"
            | "selector"
            | "semantics"
            | "sep"
            | "set"
            | "setdiff"
            | "share"
            | "sin"
            | "sinh"
            | "span"
            | "subset"
            | "sum"
            | "tan"
            | "tanh"
            | "tendsto"
            | "times"
            | "transpose"
            | "true"
            | "union"
            | "uplimit"
            | "variance"
            | "vector"
            | "vectorproduct"
            | "xor"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The content and summary bodies of the corpus feeds, with the file each came from, at
    /// most `per_feed` entries of each feed, as feed-rs hands them over (unsanitised).
    pub(super) fn corpus_feed_bodies(
        dir: &std::path::Path,
        per_feed: usize,
    ) -> Vec<(std::path::PathBuf, String)> {
        let mut bodies = Vec::new();
        for f in std::fs::read_dir(dir.join("feeds"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(bytes) = std::fs::read(f.path()) else {
                continue;
            };
            let Ok(feed) = feed_rs::parser::Builder::new()
                .sanitize_content(false)
                .build()
                .parse(&bytes[..])
            else {
                continue;
            };
            for e in feed.entries.iter().take(per_feed) {
                let texts = e
                    .content
                    .iter()
                    .filter_map(|c| c.body.clone())
                    .chain(e.summary.iter().map(|s| s.content.clone()));
                bodies.extend(texts.map(|t| (f.path(), t)));
            }
        }
        bodies
    }

    /// What `sanitize_html` was before it had its own parse: ammonia with pydigest's settings.
    fn ammonia_clean(html: &str, base: Option<&Url>) -> String {
        let mut b = ammonia::Builder::default();
        b.url_schemes(["http", "https", "mailto"].into_iter().collect());
        b.link_rel(Some(LINK_REL));
        b.url_relative(match base {
            Some(base) => ammonia::UrlRelative::RewriteWithBase(base.clone()),
            None => ammonia::UrlRelative::PassThrough,
        });
        b.clean(html).to_string()
    }

    fn assert_same_as_ammonia(html: &str) {
        let base = Url::parse("https://blog.example/posts/2025/x.html").ok();
        for b in [None, base.as_ref()] {
            assert_eq!(
                sanitize_html(html, b),
                ammonia_clean(html, b),
                "input {html:?}, base {b:?}"
            );
            assert_eq!(clean_body(html, b).html, sanitize_html(html, b));
        }
    }

    /// Hostile and malformed markup: the sanitiser's output is ammonia's, byte for byte.
    #[test]
    fn hostile_markup_cleans_exactly_as_ammonia() {
        let cases = [
            "<p onclick=\"evil()\">hi <a href=\"javascript:alert(1)\">x</a></p>",
            "<script>alert(1)</script><style>p{}</style><p>ok</p>",
            "<img src=x onerror=alert(1)><img src=\"/i.png\" alt=\"a&quot;b\" width=3>",
            "<a href=\"rel/path?a=1&b=2\" rel=\"me\" target=_blank title=\"t\">l</a>",
            "<a href=\"http://[::1\">bad</a><a href=\"//cdn.example/x\">proto</a>",
            "<a href=\"mailto:a@b.example\">m</a><a href=\"ftp://x.example/\">f</a>",
            "<svg><iframe><a title=\"</iframe><img src onerror=alert(1)>\">test",
            "<math><mi><b>x</b></mi><annotation-xml encoding=\"text/html\"><p>y</p></annotation-xml></math>",
            "<svg><foreignObject><p>z</p></foreignObject><circle/></svg><circle>t</circle>",
            "<table><tr><td>a<td>b</table>text<table>foster<tr><td>c",
            "<p>one<p>two<li>three<div><b><i>mis</b>nested</i></div>",
            "<!-- comment --><![CDATA[x]]><?pi x?><!doctype html>after",
            "<template><p>t</p></template><noscript><p>n</p></noscript><iframe><p>f</p></iframe>",
            "<textarea><b>x</b></textarea><xmp><i>y</i></xmp><title>z</title>",
            "<select><option>o<selectedcontent>s</selectedcontent></select>",
            "<plaintext><script>alert(1)</script>",
            "a\u{a0}b & c < d > e \"q\" 'r'\r\nline\0nul",
            "<ol start=3 type=a><li>x</ol><bdo dir=rtl>y</bdo><q cite=\"/c\">q</q>",
            "<p lang=en title=\"&lt;t&gt;\" style=\"x\" class=c id=i>p</p>",
            "<a href=\" https://x.example/ \">spaced</a><img src=\"data:image/png;base64,AA\">",
            "<a href=\"https://x.example/\" href=\"javascript:1\">dup</a>",
            "<form action=\"/f\"><input formaction=x><button>b</button></form>",
            "<video poster=/p.png src=/v.mp4></video><object data=/o></object>",
            "<body onload=x><head><title>t</title></head><html lang=x>h</html>",
            "<b>unclosed <i>nest",
            "</p>stray</div></br>",
            "<h1>A</h1><section>S</section><hr><pre>\npre</pre>",
        ];
        for c in cases {
            assert_same_as_ammonia(c);
        }
        assert_same_as_ammonia(&"<b>".repeat(5000));
    }

    /// Every content and summary body of the real-world corpus cleans exactly as with ammonia.
    #[test]
    fn corpus_bodies_clean_exactly_as_ammonia() {
        let Some(dir) = crate::test_corpus::corpus_dir() else {
            return;
        };
        let mut n = 0;
        for f in std::fs::read_dir(dir.join("pages"))
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(bytes) = std::fs::read(f.path()) {
                assert_same_as_ammonia(&String::from_utf8_lossy(&bytes));
                n += 1;
            }
        }
        // A sample of each feed keeps the test quick in debug builds.
        for (_, body) in corpus_feed_bodies(&dir, 25) {
            assert_same_as_ammonia(&body);
            n += 1;
        }
        assert!(n > 100, "only {n} bodies in the corpus");
    }

    #[test]
    fn the_eight_byte_escape_test_finds_every_special_byte() {
        for special in [b'&', b'<', b'>', b'"', 0xC2] {
            for at in 0..8 {
                for fill in [b'a', 0x00, 0x7F, 0x80, 0xA0, 0xFF] {
                    let mut chunk = [fill; 8];
                    chunk[at] = special;
                    assert!(may_need_escaping(u64::from_le_bytes(chunk)));
                }
            }
        }
        for fill in 0..=255u8 {
            let plain = !matches!(fill, b'&' | b'<' | b'>' | b'"' | 0xC2);
            assert_eq!(may_need_escaping(u64::from_le_bytes([fill; 8])), !plain);
        }
        let mut out = String::new();
        escape_into(
            &mut out,
            "0123456789 a&b<c>d\"e\u{a0}f plain text again",
            true,
        );
        assert_eq!(
            out,
            "0123456789 a&amp;b&lt;c&gt;d&quot;e&nbsp;f plain text again"
        );
    }

    #[test]
    fn text_comes_from_the_same_parse() {
        let b = clean_body(
            "<p>One &amp; two</p><script>evil()</script><p>Three<br>four</p>",
            None,
        );
        assert_eq!(b.text, "One & two\n\nThree\n\nfour");
        assert_eq!(b.html, "<p>One &amp; two</p><p>Three<br>four</p>");
        // Implied end tags now close their paragraph, as a browser shows it.
        assert_eq!(clean_body("<p>a<p>b", None).text, "a\n\nb");
        // Raw-text elements read as markup, as before: no script text.
        assert_eq!(
            clean_body("<plaintext><script>x()</script>ok", None).text,
            "ok"
        );
        assert_eq!(clean_body("plain\n\ntext", None).text, "plain\n\ntext");
    }

    /// How the text of corpus bodies differs from the tokenizer-only extraction (a report for
    /// reviewers, not a check): `cargo test --lib text_differences -- --ignored --nocapture`.
    #[test]
    #[ignore = "prints a report"]
    fn text_differences_from_the_tokenizer_extraction() {
        let Some(dir) = crate::test_corpus::corpus_dir() else {
            return;
        };
        let (mut n, mut differ) = (0, 0);
        for (path, body) in corpus_feed_bodies(&dir, usize::MAX) {
            n += 1;
            let old = crate::text::html_to_text(&body);
            let new = clean_body(&body, None).text;
            if old != new {
                differ += 1;
                if differ <= 8 {
                    let at = old
                        .char_indices()
                        .zip(new.chars())
                        .find(|((_, a), b)| a != b)
                        .map_or(old.len().min(new.len()), |((i, _), _)| i);
                    let from = old.floor_char_boundary(at.saturating_sub(60));
                    let to_old = old.ceil_char_boundary((at + 60).min(old.len()));
                    let to_new = new.ceil_char_boundary((at + 60).min(new.len()));
                    eprintln!(
                        "{}:\n  old {:?}\n  new {:?}",
                        path.display(),
                        &old[from..to_old],
                        new.get(from..to_new).unwrap_or("")
                    );
                }
            }
        }
        eprintln!("{differ} of {n} bodies have different text");
    }
}
