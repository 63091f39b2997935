//! Extractive summaries, offline: strip feed boilerplate, prefer a newsletter's own blurb, else
//! pick the one or two sentences that best represent the text. Never cuts a word in half and
//! never exceeds [`MAX_SUMMARY`] characters.

use crate::model::{EntryKind, Story};
use crate::text::{collapse_ws, truncate_words};
use regex::Regex;
use std::sync::LazyLock;

/// Longest summary, in characters.
pub(crate) const MAX_SUMMARY: usize = 300;

/// Sentences shorter than this are headings, bylines or "Read more" stubs.
const MIN_SENTENCE: usize = 25;

/// A blurb shorter than this ("GITHUB.COM/FOO") is not worth showing.
const MIN_BLURB: usize = 40;

static BOILERPLATE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Real Python's footer: "[ Improve Your Python With 🐍 Python Tricks 💌 – … ]".
        r"(?i)\[\s*improve your python with[^\]]*\]",
        r"(?i)read the full article at\s+\S+(\s*»)?",
        r"(?i)the post\s.{0,300}?\sappeared first on\s[^.\n]{0,200}\.?",
        r"(?i)continue reading(\s+(on|at)\s+\S+)?\s*(»|→|\.\.\.|…)?",
        r"(?i)\bread more\b\s*(»|→|\.\.\.|…)?",
        r"(?i)happy pythoning!?",
        r"(?i)\bview in browser\s*»?",
        r"(?i)\bshare (this|on)\b[^.\n]{0,80}\b(twitter|facebook|linkedin|reddit|mastodon|bluesky|email)\b[^.\n]{0,40}",
        r"(?i)\bclick here to [^.\n]{0,80}",
        r"\[(…|\.\.\.|&hellip;)\]",
        // A podcast's sponsor line: "Sponsored by DataDog -- pythonbytes.fm/datadog", up to and
        // including the sponsor's link when one follows.
        r"(?i)\b(this episode is |today's episode is )?(sponsored|brought to you) by\b([^\n]{0,80}?[a-z0-9-]+\.(fm|com|io|co|org|net)(/\S*)?|[^\n.!]{0,60}[.!]?)",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("boilerplate patterns are valid"))
    .collect()
});

/// Removes feed boilerplate and normalises whitespace (paragraph breaks kept as "\n\n").
pub(crate) fn strip_boilerplate(text: &str) -> String {
    let mut s = text.to_string();
    for re in BOILERPLATE.iter() {
        s = re.replace_all(&s, " ").into_owned();
    }
    s.split("\n\n")
        .map(collapse_ws)
        .filter(|p| !p.is_empty() && p.chars().any(char::is_alphanumeric))
        .collect::<Vec<_>>()
        .join("\n\n")
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "vs", "e.g", "i.e", "etc", "inc", "jr", "sr", "prof", "no",
    "approx", "fig",
];

/// Splits plain text into sentences: at paragraph breaks, and after `.`, `!`, `?` followed by a
/// space and an upper-case letter, digit or quote (not after common abbreviations).
pub(crate) fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        let words: Vec<&str> = para.split_whitespace().collect();
        let mut current: Vec<&str> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            current.push(w);
            let ends = w.ends_with(['.', '!', '?'])
                || w.ends_with(".)")
                || w.ends_with(".”")
                || w.ends_with(".\"");
            let next_starts = words
                .get(i + 1)
                .and_then(|n| n.chars().next())
                .is_some_and(|c| {
                    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '(' | '\'')
                });
            let stem = w
                .trim_end_matches(['.', '!', '?', ')', '"', '”'])
                .to_lowercase();
            if ends && next_starts && !ABBREVIATIONS.contains(&stem.as_str()) {
                out.push(current.join(" "));
                current.clear();
            }
        }
        if !current.is_empty() {
            out.push(current.join(" "));
        }
    }
    out
}

fn title_words(title: &str) -> Vec<String> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect()
}

/// The best one or two sentences of `text` (in their original order), at most `max` chars.
pub(crate) fn extract(text: &str, title: &str, max: usize) -> String {
    let text = strip_boilerplate(text);
    if text.is_empty() {
        return String::new();
    }
    let flat = collapse_ws(&text);
    let all = sentences(&text);
    if flat.chars().count() <= max && all.len() <= 2 {
        return flat;
    }
    let keywords = title_words(title);
    let mut scored: Vec<(usize, f64)> = all
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            let n = s.chars().count();
            (MIN_SENTENCE..=max).contains(&n)
        })
        .map(|(i, s)| {
            let lower = s.to_lowercase();
            let overlap = keywords
                .iter()
                .filter(|k| lower.contains(k.as_str()))
                .count() as f64;
            let position = 2.0 / (1.0 + i as f64);
            let length = if s.chars().count() >= 60 { 0.5 } else { 0.0 };
            (i, position + 0.6 * overlap + length)
        })
        .collect();
    if scored.is_empty() {
        return truncate_words(&flat, max);
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let first = scored[0].0;
    let len = all[first].chars().count();
    let mut chosen = vec![first];
    if let Some((i, _)) = scored
        .iter()
        .skip(1)
        .find(|(i, _)| len + 1 + all[*i].chars().count() <= max)
    {
        chosen.push(*i);
    }
    chosen.sort_unstable();
    let joined = chosen
        .iter()
        .map(|i| all[*i].as_str())
        .collect::<Vec<_>>()
        .join(" ");
    truncate_words(&joined, max)
}

/// Words that make up a date line ("Posted on Thursday, October 16, 2025 at 10:00 UTC").
const DATE_WORDS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "at",
    "on",
    "am",
    "pm",
    "utc",
    "gmt",
    "posted",
    "published",
    "updated",
    "st",
    "nd",
    "rd",
    "th",
];

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// False for a summary that tells the reader nothing: only a date, or the title again.
pub(crate) fn worth_showing(summary: &str, title: &str) -> bool {
    let w = words(summary);
    if w.is_empty() {
        return false;
    }
    let only_date = w.iter().all(|x| {
        DATE_WORDS.contains(&x.as_str())
            || x.starts_with(|c: char| c.is_ascii_digit())
                && x.trim_end_matches(|c: char| c.is_ascii_alphabetic())
                    .chars()
                    .all(|c| c.is_ascii_digit())
    });
    let t = words(title);
    let copy = !t.is_empty() && t.windows(w.len()).any(|win| win == w.as_slice());
    !only_date && !copy
}

/// The summary shown for a story: a newsletter blurb when one exists, else extracted from the
/// main sighting's summary (when it is substantial) or its body; empty when that would only be a
/// date or the title again.
pub(crate) fn summarize(story: &Story) -> String {
    let title = story.title.as_deref().unwrap_or("");
    Some(summarize_text(story))
        .filter(|s| worth_showing(s, title))
        .unwrap_or_default()
}

fn summarize_text(story: &Story) -> String {
    let title = story.title.as_deref().unwrap_or("");
    for s in &story.sightings {
        if s.kind == EntryKind::Link
            && !s.sponsored
            && let Some(blurb) = s.summary.as_deref()
        {
            let clean = strip_boilerplate(blurb);
            if clean.chars().count() >= MIN_BLURB {
                return extract(&clean, title, MAX_SUMMARY);
            }
        }
    }
    let main = story.main();
    let summary = main
        .summary
        .as_deref()
        .map(strip_boilerplate)
        .unwrap_or_default();
    if summary.chars().count() >= MIN_BLURB {
        return extract(&summary, title, MAX_SUMMARY);
    }
    let content = main
        .content_text
        .as_deref()
        .map(strip_boilerplate)
        .unwrap_or_default();
    if !content.is_empty() {
        return extract(&content, title, MAX_SUMMARY);
    }
    truncate_words(&collapse_ws(&summary), MAX_SUMMARY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "Good text. [ Improve Your Python With 🐍 Python Tricks 💌 – Get a short & sweet Python Trick. >> Click here to learn more and see examples ]",
        "Good text."
    )]
    #[case(
        "Good text. Read the full article at https://realpython.com/x/ »",
        "Good text."
    )]
    #[case(
        "Good text.\n\nThe post Some Title appeared first on Example Blog.",
        "Good text."
    )]
    #[case("Good text. Continue reading →", "Good text.")]
    #[case("Good text. Read more »", "Good text.")]
    #[case("Good text. Happy Pythoning!", "Good text.")]
    #[case("Good text.\n\nShare this on Twitter, Facebook", "Good text.")]
    #[case("Good text. […]", "Good text.")]
    #[case(
        "Sponsored by DataDog -- pythonbytes.fm/datadog Good text.",
        "Good text."
    )]
    #[case(
        "Sponsored by Rollbar! Get the bootstrap plan at pythonbytes.fm/rollbar Good text.",
        "Good text."
    )]
    #[case(
        "Sponsored by Linode: https://pythonbytes.fm/linode Good text.",
        "Good text."
    )]
    #[case("Good text. This episode is sponsored by Example Corp.", "Good text.")]
    fn boilerplate_is_stripped(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(collapse_ws(&strip_boilerplate(input)), expected);
    }

    #[rstest]
    #[case("October 16, 2025", "Python 3.14 is out", false)]
    #[case("Posted on Thu 16 Oct 2025 at 10:00 UTC", "Python 3.14 is out", false)]
    #[case("2025-10-16", "Python 3.14 is out", false)]
    #[case("Python 3.14 is out", "Python 3.14 is out!", false)]
    #[case("python 3.14 IS OUT.", "Python 3.14 is out", false)]
    #[case("", "Python 3.14 is out", false)]
    #[case("On October 16 the release team shipped 3.14.", "Python 3.14", true)]
    #[case("Python 3.14 is out, with free threading.", "Python 3.14 is out", true)]
    fn summaries_that_say_nothing_are_not_shown(
        #[case] summary: &str,
        #[case] title: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(worth_showing(summary, title), expected);
    }

    #[test]
    fn sentences_split_on_sentence_ends_only() {
        let s = sentences(
            "Dr. Nadia Petrova joins us. We use e.g. pandas here! Version 3.14 is out.\n\nNew para",
        );
        assert_eq!(
            s,
            vec![
                "Dr. Nadia Petrova joins us.",
                "We use e.g. pandas here!",
                "Version 3.14 is out.",
                "New para"
            ]
        );
    }

    #[rstest]
    #[case(1)]
    #[case(40)]
    #[case(120)]
    fn summaries_are_short_and_whole_words(#[case] n: usize) {
        let text = "Supercalifragilistic expialidocious words keep going on and on. ".repeat(n);
        let out = extract(&text, "", MAX_SUMMARY);
        assert!(out.chars().count() <= MAX_SUMMARY, "{out}");
        let words: Vec<&str> = text.split_whitespace().collect();
        for w in out.trim_end_matches('…').split_whitespace() {
            assert!(words.contains(&w), "cut word {w:?} in {out:?}");
        }
    }

    #[test]
    fn long_single_sentence_is_truncated_at_a_word() {
        let text = format!("{} end.", "alpha beta gamma ".repeat(40));
        let out = extract(&text, "", MAX_SUMMARY);
        assert!(out.chars().count() <= MAX_SUMMARY);
        assert!(out.ends_with('…'));
        assert!(
            ["alpha", "beta", "gamma"]
                .iter()
                .any(|w| out.trim_end_matches('…').ends_with(w)),
            "{out}"
        );
    }

    #[test]
    fn title_words_pull_in_the_relevant_sentence() {
        let text = "Welcome back to the newsletter, friends and readers. It has been a long and busy week around here. \
                    Meanwhile the weather is nice and the coffee is strong today. \
                    Polars LazyFrames build an optimized query plan before reading any data at all. \
                    Streaming lets you aggregate datasets that are larger than memory. Thanks for reading.";
        let out = extract(text, "Getting Started With Polars LazyFrames", MAX_SUMMARY);
        assert!(out.contains("Polars LazyFrames build"), "{out}");
        assert!(out.chars().count() <= MAX_SUMMARY);
    }
}
