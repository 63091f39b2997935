//! OPML in and out. What OPML cannot say (kind, id, weight, tags, topic, page selectors) travels
//! in attributes of our own namespace, so a list exported by pydigest comes back identical,
//! while OPML from other readers (plain `xmlUrl` outlines) still reads.

use crate::config::{Config, Selectors, Source};
use crate::model::SourceKind;

/// The namespace of pydigest's own outline attributes.
pub(super) const NAMESPACE: &str = "urn:pydigest:opml:1";

/// A source found in an import file; everything but the name and URL only when the file says.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Imported {
    /// Display name.
    pub name: String,
    /// Feed (or page) URL.
    pub url: String,
    /// `pydigest:id`.
    pub id: Option<String>,
    /// `pydigest:kind`.
    pub kind: Option<SourceKind>,
    /// `pydigest:weight`.
    pub weight: Option<f64>,
    /// `pydigest:tags`.
    pub tags: Vec<String>,
    /// `pydigest:topic`.
    pub topic: Option<String>,
    /// `pydigest:selector-*`.
    pub selectors: Option<Selectors>,
}

/// Selector names, as written after `pydigest:selector-`, with their field.
fn selector_fields(s: &mut Selectors) -> [(&'static str, &mut Option<String>); 7] {
    [
        ("item", &mut s.item),
        ("title", &mut s.title),
        ("link", &mut s.link),
        ("summary", &mut s.summary),
        ("date", &mut s.date),
        ("section", &mut s.section),
        ("follow", &mut s.follow),
    ]
}

fn xml_attr(s: &str) -> String {
    crate::text::escape_xml(
        &crate::text::for_terminal(s, false),
        crate::text::Markup::Attribute,
    )
}

/// The sources as an OPML 2.0 document.
pub(super) fn write(config: &Config) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\" xmlns:pydigest=\"{NAMESPACE}\">\n  <head>\n    <title>pydigest sources</title>\n  </head>\n  <body>\n"
    );
    for s in &config.sources {
        out.push_str(&outline(s));
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn outline(s: &Source) -> String {
    // A page is not a feed: other readers must not poll it as one, hence `link` + `url`.
    let (kind, attr) = if s.kind == SourceKind::Page {
        ("link", "url")
    } else {
        ("rss", "xmlUrl")
    };
    let mut line = format!(
        "    <outline type=\"{kind}\" text=\"{name}\" title=\"{name}\" {attr}=\"{}\" category=\"{}\" pydigest:id=\"{}\" pydigest:kind=\"{}\"",
        xml_attr(&s.url),
        xml_attr(&s.tags.join(",")),
        xml_attr(&s.id),
        s.kind.as_str(),
        name = xml_attr(&s.name),
    );
    if s.weight != 1.0 {
        line.push_str(&format!(" pydigest:weight=\"{}\"", s.weight));
    }
    if !s.tags.is_empty() {
        line.push_str(&format!(
            " pydigest:tags=\"{}\"",
            xml_attr(&s.tags.join(","))
        ));
    }
    if let Some(t) = &s.topic {
        line.push_str(&format!(" pydigest:topic=\"{}\"", xml_attr(t)));
    }
    if let Some(sel) = &s.selectors {
        let mut sel = sel.clone();
        for (name, value) in selector_fields(&mut sel) {
            if let Some(v) = value {
                line.push_str(&format!(" pydigest:selector-{name}=\"{}\"", xml_attr(v)));
            }
        }
        if let Some(n) = sel.max_follow {
            line.push_str(&format!(" pydigest:max-follow=\"{n}\""));
        }
    }
    line.push_str("/>\n");
    line
}

/// Every outline with a feed URL, or a page URL that pydigest itself marked with its kind.
pub(super) fn read(text: &str) -> Vec<Imported> {
    // The HTML parser lower-cases attribute names and keeps prefixed ones whole
    // (`pydigest:kind`), which is all a flat outline list needs.
    let doc = scraper::Html::parse_document(text);
    let Ok(sel) = scraper::Selector::parse("outline") else {
        return Vec::new();
    };
    doc.select(&sel)
        .filter_map(|o| {
            let v = o.value();
            let ours = |name: &str| {
                v.attr(&format!("pydigest:{name}"))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let kind = ours("kind").and_then(SourceKind::parse);
            let url = v
                .attr("xmlurl")
                .or_else(|| kind.and(v.attr("url")))?
                .trim()
                .to_string();
            if url.is_empty() {
                return None;
            }
            let name = v
                .attr("title")
                .or(v.attr("text"))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(&url)
                .to_string();
            let mut selectors = Selectors::default();
            let mut any = false;
            for (field, value) in selector_fields(&mut selectors) {
                if let Some(s) = ours(&format!("selector-{field}")) {
                    *value = Some(s.to_string());
                    any = true;
                }
            }
            if let Some(n) = ours("max-follow").and_then(|n| n.parse().ok()) {
                selectors.max_follow = Some(n);
                any = true;
            }
            Some(Imported {
                name,
                url,
                id: ours("id").map(str::to_string),
                kind,
                weight: ours("weight").and_then(|w| w.parse().ok()),
                tags: ours("tags")
                    .map(|t| {
                        t.split(',')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                topic: ours("topic").map(str::to_string),
                selectors: any.then_some(selectors),
            })
        })
        .collect()
}

/// An id from a display name: transliterated to ASCII (`Éric Araujo` → `eric-araujo`), lowercase
/// words joined by `-`, at most 40 characters.
pub(super) fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in deunicode::deunicode(name).to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').chars().take(40).collect::<String>();
    if s.is_empty() {
        "source".into()
    } else {
        s.trim_end_matches('-').to_string()
    }
}

/// True when `id` is usable as a source id as it is.
pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A `[[source]]` table for feeds.toml.
pub(super) fn source_table(id: &str, f: &Imported) -> String {
    let mut out = format!(
        "\n[[source]]\nid = {}\nname = {}\nurl = {}\nkind = \"{}\"\n",
        toml_str(id),
        toml_str(&f.name),
        toml_str(&f.url),
        f.kind.unwrap_or(SourceKind::Feed).as_str()
    );
    if let Some(w) = f.weight {
        out.push_str(&format!("weight = {}\n", toml::Value::Float(w)));
    }
    if !f.tags.is_empty() {
        let tags: Vec<String> = f.tags.iter().map(|t| toml_str(t)).collect();
        out.push_str(&format!("tags = [{}]\n", tags.join(", ")));
    }
    if let Some(t) = &f.topic {
        out.push_str(&format!("topic = {}\n", toml_str(t)));
    }
    if let Some(sel) = &f.selectors {
        out.push_str("[source.selectors]\n");
        let mut sel = sel.clone();
        for (name, value) in selector_fields(&mut sel) {
            if let Some(v) = value {
                out.push_str(&format!("{name} = {}\n", toml_str(v)));
            }
        }
        if let Some(n) = sel.max_follow {
            out.push_str(&format!("max_follow = {n}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_round_trips() {
        let config = Config::builtin();
        let back = read(&write(&config));
        assert_eq!(back.len(), config.sources.len());
        for (s, b) in config.sources.iter().zip(&back) {
            assert_eq!(b.id.as_deref(), Some(s.id.as_str()));
            assert_eq!(b.kind, Some(s.kind));
            assert_eq!(b.url, s.url);
            assert_eq!(b.selectors, s.selectors);
        }
    }

    #[test]
    fn names_are_transliterated() {
        assert_eq!(slug("Éric Araujo"), "eric-araujo");
        assert_eq!(slug("Mike Müller"), "mike-muller");
        assert_eq!(slug("A. Jesse Jiryu Davis"), "a-jesse-jiryu-davis");
        assert_eq!(slug("日本"), "ri-ben");
    }
}
