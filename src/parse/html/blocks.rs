//! Flattens an HTML tree into blocks (paragraphs, list items, headings, cells) in document
//! order, each with its own inline text and the links inside it. Iterative, so deeply nested
//! pages cannot overflow the stack.

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

/// Elements whose content is never text of the page.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "svg", "head", "nav", "form", "button",
    "select", "title",
];

/// Elements that start a new block.
const BLOCKS: &[&str] = &[
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "dd",
    "dt",
    "div",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "main",
    "figcaption",
    "figure",
    "ul",
    "ol",
    "table",
    "tr",
    "body",
    "dl",
];

/// A link inside a block.
#[derive(Debug, Clone)]
pub(crate) struct RawLink {
    /// The `href` attribute, verbatim.
    pub(crate) href: String,
    /// The link text, collapsed.
    pub(crate) text: String,
    /// The link wraps an image.
    pub(crate) has_img: bool,
    /// Byte range of the link text inside the block's raw text.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// One block of the page.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// The element the block is.
    pub(crate) node: NodeId,
    /// The enclosing block, if any.
    pub(crate) parent: Option<usize>,
    /// 1–6 for `h1`–`h6`, 7 for a paragraph that is only a `<strong>`/`<b>`, `None` otherwise.
    pub(crate) heading: Option<u8>,
    /// Raw inline text (not collapsed; see [`Block::text`]).
    pub(crate) raw: String,
    /// Links directly inside the block (not inside nested blocks).
    pub(crate) links: Vec<RawLink>,
    /// A `<pre>` block (code or ASCII art, never a description).
    pub(crate) pre: bool,
}

impl Block {
    /// The block's text, collapsed.
    pub(crate) fn text(&self) -> String {
        crate::text::collapse_ws(&self.raw)
    }

    /// The block's text without the given link's text, collapsed.
    pub(crate) fn text_without(&self, link: &RawLink) -> String {
        let mut s = String::with_capacity(self.raw.len());
        s.push_str(&self.raw[..link.start]);
        s.push(' ');
        s.push_str(&self.raw[link.end..]);
        crate::text::collapse_ws(&s)
    }

    /// The text before the link, collapsed.
    pub(crate) fn text_before(&self, link: &RawLink) -> String {
        crate::text::collapse_ws(&self.raw[..link.start])
    }
}

/// Flattens the subtree under `root` into blocks in document order. Blocks with neither text nor
/// links are dropped.
pub(crate) fn collect_blocks(doc: &Html, root: NodeId) -> Vec<Block> {
    let Some(root) = doc.tree.get(root) else {
        return Vec::new();
    };
    let mut blocks: Vec<Block> = vec![Block {
        node: root.id(),
        parent: None,
        heading: None,
        raw: String::new(),
        links: Vec::new(),
        pre: false,
    }];
    let mut stack: Vec<usize> = vec![0];
    let mut link: Option<(usize, usize)> = None;
    let mut skipping: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => {
                        let b = *stack.last().unwrap_or(&0);
                        blocks[b].raw.push_str(t);
                        if let Some((lb, li)) = link
                            && lb == b
                        {
                            blocks[lb].links[li].end = blocks[lb].raw.len();
                        }
                    }
                    Node::Element(e) => {
                        let name = e.name();
                        if SKIPPED.contains(&name) {
                            skipping = Some(node.id());
                            continue;
                        }
                        if node.id() != root.id() && BLOCKS.contains(&name) {
                            let heading = match name.as_bytes() {
                                [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
                                _ => None,
                            };
                            blocks.push(Block {
                                node: node.id(),
                                parent: stack.last().copied(),
                                heading,
                                raw: String::new(),
                                links: Vec::new(),
                                pre: name == "pre",
                            });
                            stack.push(blocks.len() - 1);
                        } else if name == "a" {
                            if let Some(href) = e.attr("href") {
                                let b = *stack.last().unwrap_or(&0);
                                let start = blocks[b].raw.len();
                                blocks[b].links.push(RawLink {
                                    href: href.to_string(),
                                    text: String::new(),
                                    has_img: false,
                                    start,
                                    end: start,
                                });
                                link = Some((b, blocks[b].links.len() - 1));
                            }
                        } else if name == "img" {
                            if let Some((lb, li)) = link {
                                blocks[lb].links[li].has_img = true;
                            }
                        } else if name == "br" {
                            let b = *stack.last().unwrap_or(&0);
                            blocks[b].raw.push('\n');
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(s) = skipping {
                    if s == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(e) = node.value() {
                    let name = e.name();
                    if node.id() != root.id() && BLOCKS.contains(&name) {
                        if let Some(b) = stack.pop()
                            && name == "p"
                            && is_strong_only(node)
                        {
                            blocks[b].heading = Some(7);
                        }
                        // A link never spans blocks: an unclosed `<a>` ends with its block.
                        if link.is_some_and(|(lb, _)| !stack.contains(&lb)) {
                            link = None;
                        }
                    } else if name == "a"
                        && e.attr("href").is_some()
                        && let Some((lb, li)) = link.take()
                    {
                        let b = &mut blocks[lb];
                        let (start, end) = (b.links[li].start, b.links[li].end);
                        b.links[li].text = crate::text::collapse_ws(&b.raw[start..end]);
                    }
                }
            }
        }
    }
    // Links left open (malformed markup) still get their text.
    for b in &mut blocks {
        for l in &mut b.links {
            if l.text.is_empty() && l.end > l.start {
                l.text = crate::text::collapse_ws(&b.raw[l.start..l.end]);
            }
        }
    }
    // Drop empty blocks, re-pointing parents to the nearest kept ancestor.
    let keep: Vec<bool> = blocks
        .iter()
        .map(|b| !b.links.is_empty() || !b.raw.trim().is_empty())
        .collect();
    // `effective[i]`: the new index of block `i`, or of its nearest kept ancestor.
    let mut effective: Vec<Option<usize>> = vec![None; blocks.len()];
    let mut out = Vec::with_capacity(blocks.len());
    for (i, mut b) in blocks.into_iter().enumerate() {
        // Parents precede children, so their effective index is known.
        let parent = b.parent.and_then(|p| effective[p]);
        if !keep[i] {
            effective[i] = parent;
            continue;
        }
        b.parent = parent;
        effective[i] = Some(out.len());
        out.push(b);
    }
    out
}

/// A paragraph whose only content is one `<strong>`/`<b>` element, used as a section heading.
fn is_strong_only(node: ego_tree::NodeRef<'_, Node>) -> bool {
    let mut strong = None;
    for child in node.children() {
        match child.value() {
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Element(e) if matches!(e.name(), "strong" | "b") && strong.is_none() => {
                strong = Some(child)
            }
            Node::Comment(_) => {}
            _ => return false,
        }
    }
    let Some(strong) = strong.and_then(ElementRef::wrap) else {
        return false;
    };
    let text: String = strong.text().collect();
    let text = text.trim();
    !text.is_empty() && text.chars().count() <= 120 && strong.select(&A_SELECTOR).next().is_none()
}

static A_SELECTOR: std::sync::LazyLock<scraper::Selector> =
    std::sync::LazyLock::new(|| scraper::Selector::parse("a[href]").expect("static selector"));

/// True when block `b` sits inside block `ancestor`.
pub(crate) fn is_inside(blocks: &[Block], mut b: usize, ancestor: usize) -> bool {
    while let Some(p) = blocks[b].parent {
        if p == ancestor {
            return true;
        }
        b = p;
    }
    false
}
