//! URL canonicalisation: the same article reached through tracking links, FeedBurner wrappers,
//! `www.`, AMP pages or `http://` must map to one key so that sightings merge into one story.

use url::Url;

/// Query parameters that only track a click and never change the page.
const TRACKING_PARAMS: &[&str] = &[
    "ref", "ref_src", "ref_url", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid",
    "igshid", "_hsenc", "_hsmi", "yclid", "spm", "source", "src", "cmpid", "mkt_tok",
];

fn is_tracking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_") || k.starts_with("__s") || TRACKING_PARAMS.contains(&k.as_str())
}

/// Resolves `href` against `base` (when given) and returns an absolute http(s) URL, or `None`
/// when the result is not a web URL.
pub(crate) fn absolutize(href: &str, base: Option<&Url>) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https" | "file").then_some(url)
}

/// The canonical form of an article URL: lower-case host, no fragment, no tracking parameters,
/// no default port. Returns `None` for URLs that are not http(s).
pub(crate) fn canonical_url(url: &str) -> Option<String> {
    let mut u = Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    // `Url` already lower-cases the host and drops a default port.
    Some(u.to_string())
}

/// True for FeedBurner/feedproxy wrapper links that hide the real article URL.
pub(crate) fn is_feedburner_wrapper(url: &str) -> bool {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|h| {
            h == "feedproxy.google.com"
                || h == "feeds.feedburner.com"
                || h.ends_with(".feedburner.com")
        })
}

/// The key a story is merged on: the canonical URL without scheme, `www.`/`amp.`/`m.` host
/// prefixes, AMP path or query markers, `index.html`, or a trailing slash.
pub(crate) fn story_key(canonical: &str) -> Option<String> {
    let u = Url::parse(canonical).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("amp."))
        .unwrap_or(&host)
        .to_string();
    let mut path = u.path().to_string();
    for suffix in ["/index.html", "/index.htm", "/index.php", "/amp", "/amp/"] {
        if path.ends_with(suffix) {
            path.truncate(path.len() - suffix.len() + 1);
        }
    }
    if let Some(rest) = path.strip_prefix("/amp/") {
        path = format!("/{rest}");
    }
    while path.ends_with('/') {
        path.pop();
    }
    let query: Vec<String> = u
        .query_pairs()
        .filter(|(k, v)| {
            !(k == "amp" && (v.is_empty() || v == "1" || v == "true")) && k != "outputType"
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut key = format!("{host}{path}");
    if !query.is_empty() {
        key.push('?');
        key.push_str(&query.join("&"));
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "HTTPS://RealPython.COM/python-uv/#intro",
        "https://realpython.com/python-uv/"
    )]
    #[case(
        "https://a.org/p?utm_source=rss&utm_medium=feed&id=3",
        "https://a.org/p?id=3"
    )]
    #[case("https://a.org/p?ref=pycoders", "https://a.org/p")]
    #[case("http://a.org:80/p", "http://a.org/p")]
    #[case(
        "https://a.org/p?fbclid=x&q=free+threading",
        "https://a.org/p?q=free+threading"
    )]
    fn canonical(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(canonical_url(input).as_deref(), Some(expected));
    }

    #[rstest]
    #[case("javascript:alert(1)")]
    #[case("mailto:a@b.c")]
    #[case("not a url")]
    fn canonical_rejects_non_web(#[case] input: &str) {
        assert_eq!(canonical_url(input), None);
    }

    #[rstest]
    #[case("http://www.example.com/post/", "https://example.com/post")]
    #[case("https://example.com/post/index.html", "https://example.com/post")]
    #[case("https://example.com/post/amp/", "https://example.com/post")]
    #[case("https://amp.example.com/post", "https://example.com/post")]
    #[case("https://example.com/amp/post", "https://example.com/post")]
    #[case("https://example.com/post?amp=1", "https://example.com/post")]
    fn story_keys_merge_variants(#[case] a: &str, #[case] b: &str) {
        assert_eq!(story_key(a), story_key(b));
    }

    #[test]
    fn story_keys_keep_distinct_pages_apart() {
        assert_ne!(
            story_key("https://example.com/post-1"),
            story_key("https://example.com/post-2")
        );
        assert_ne!(
            story_key("https://example.com/p?id=1"),
            story_key("https://example.com/p?id=2")
        );
    }

    #[test]
    fn relative_links_resolve() {
        let base = Url::parse("https://example.com/blog/").unwrap();
        assert_eq!(
            absolutize("../about", Some(&base)).unwrap().as_str(),
            "https://example.com/about"
        );
        assert!(absolutize("javascript:void(0)", Some(&base)).is_none());
    }
}
