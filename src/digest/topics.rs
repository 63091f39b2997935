//! Offline, deterministic topic classifier: every story is scored against each [[topic]] of
//! the taxonomy by case-insensitive whole-word matching of its terms, and of the Python project
//! names of the built-in lexicon ([`LEXICON`]), in the text the reader sees (title, newsletter
//! section, shown summary) and, weighing little, in the text they do not (the rest of the
//! summary and the body).
//!
//! Matchers are built once per run ([`Classifier::new`]); classifying a story does no
//! allocation-heavy work beyond lower-casing its text.

use crate::config::{Config, Topic};

/// The topic name used when nothing scores high enough.
pub(crate) const OTHER: &str = "Other";

/// Below this score a story is filed under [`OTHER`]. One title mention of a weak (weight 1)
/// term, or two summary mentions of a weight-1 term, is enough.
pub(crate) const MIN_SCORE: f64 = 3.0;

/// Python project names and the topic each belongs to (`name<TAB>topic<TAB>origin`), made by
/// `scripts/gen_lexicon.py`; see `data/README.md`.
pub(crate) const LEXICON: &str = include_str!("../../data/lexicon.tsv");

/// Weight of a hand-curated lexicon name: the projects Python news names most are as telling as
/// a strong taxonomy term.
pub(crate) const CURATED_WEIGHT: f64 = 3.0;

/// Weight of a generated lexicon name: the PyPI summary rules are right most of the time, but
/// the name may also be an ordinary word, so it counts like a weak term.
pub(crate) const GENERATED_WEIGHT: f64 = 1.0;

/// The most hidden text adds to a topic: less than a third of [`MIN_SCORE`], so it never
/// decides between a topic and [`OTHER`] on its own, only between close topics.
pub(crate) const MAX_HIDDEN: f64 = 0.75;

/// How many times one term counts per field.
const MAX_COUNT_PER_FIELD: usize = 3;

/// How much of the hidden text is read, in bytes (cut on a char boundary).
const CONTENT_PREFIX: usize = 2000;

/// More tags than this is a keyword list for podcast directories (Talk Python stamps the same
/// twenty "web development, data science, online course" keywords on every episode), not the
/// author filing this one story: such a list is read as hidden text.
const MAX_FILING_TAGS: usize = 8;

/// Where a term was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Field {
    /// The story title (×3); an untitled story's shown text stands in for it.
    Title,
    /// The newsletter section heading the story was listed under (×2): the editor's own filing.
    Section,
    /// Feed categories / tags (×1.5).
    Tags,
    /// The summary the digest shows (×1.5).
    Summary,
    /// The story's link, host and path (×1): the site and the slug name the subject when a
    /// newsletter link's text was cut short, and the host alone files a project's own site
    /// (`code.djangoproject.com`).
    Link,
    /// Text the reader never sees: the rest of the summary, other blurbs and the start of the
    /// body (×0.25), so a word deep in show notes cannot outweigh the title.
    Content,
}

impl Field {
    /// The multiplier applied to a term's weight.
    pub(crate) fn weight(self) -> f64 {
        match self {
            Field::Title => 3.0,
            Field::Section => 2.0,
            Field::Tags => 1.5,
            Field::Summary => 1.5,
            Field::Link => 1.0,
            Field::Content => 0.25,
        }
    }

    /// Lowercase name for `--why` and `explain`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Section => "section",
            Field::Tags => "tags",
            Field::Summary => "summary",
            Field::Link => "link",
            Field::Content => "hidden text",
        }
    }
}

/// One matched term and what it contributed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reason {
    /// Topic name.
    pub topic: String,
    /// The matched term (lowercase).
    pub term: String,
    /// Where it matched.
    pub field: Field,
    /// Weight × field weight × count.
    pub score: f64,
}

/// The outcome of classifying one story.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classification {
    /// Best topic, or [`OTHER`].
    pub primary: String,
    /// Other topics scoring at least half the primary's score.
    pub secondary: Vec<String>,
    /// Every matched term, highest score first (ties: taxonomy order, then term).
    pub reasons: Vec<Reason>,
    /// Total per topic, in taxonomy order (zero when nothing matched).
    pub scores: Vec<(String, f64)>,
}

impl Classification {
    /// The reasons that support one topic.
    pub(crate) fn reasons_for<'a>(
        &'a self,
        topic: &'a str,
    ) -> impl Iterator<Item = &'a Reason> + 'a {
        self.reasons.iter().filter(move |r| r.topic == topic)
    }

    /// Total score of the primary topic (0 for [`OTHER`]).
    pub(crate) fn primary_score(&self) -> f64 {
        self.scores
            .iter()
            .find(|(n, _)| *n == self.primary)
            .map_or(0.0, |(_, s)| *s)
    }
}

/// The text of a story that is scored.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoryText<'a> {
    /// Title (empty for an untitled newsletter blurb: its summary is then scored as the title).
    pub title: &'a str,
    /// The summary the reader sees.
    pub summary: &'a str,
    /// Newsletter section headings.
    pub section: &'a str,
    /// Tags / categories.
    pub tags: &'a [String],
    /// The story's URL (empty when it has none).
    pub url: &'a str,
    /// Text the reader does not see: full summary, other blurbs, body (only the start is read).
    pub content: &'a str,
}

struct Term {
    text: String,
    weight: f64,
    /// Index of the text among the matcher's patterns (terms shared by topics share one).
    pattern: usize,
}

struct CompiledTopic {
    name: String,
    terms: Vec<Term>,
    sources: Vec<String>,
}

/// The taxonomy, compiled once per run.
pub(crate) struct Classifier {
    topics: Vec<CompiledTopic>,
    /// Source id → topic named by the source's own `topic` key.
    source_topics: Vec<(String, String)>,
    /// Every distinct term, found in one pass over a field (a `find` per term and field was
    /// two thirds of a digest's time at a million entries).
    matcher: aho_corasick::AhoCorasick,
    patterns: usize,
}

/// A character that continues a word. Chinese and Japanese write without spaces, so an
/// ideograph or kana never glues a term to its neighbours ("使用uv管理" has "uv"), and a term
/// written in them matches inside a run of them.
fn is_word(c: char) -> bool {
    (c.is_alphanumeric() || c == '_') && !is_cjk(c)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Lower-cases and collapses whitespace so phrases match across line breaks.
fn normalise(s: &str) -> String {
    crate::text::collapse_ws(&s.to_lowercase())
}

fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The host and path of `url`, lower case, without scheme, `www.`, query or fragment; slug
/// separators become spaces so a slug reads like the title it was made from.
fn link_text(url: &str) -> String {
    let url = url.trim().to_lowercase();
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path: String = path
        .chars()
        .map(|c| if matches!(c, '-' | '_' | '+') { ' ' } else { c })
        .collect();
    format!("{host} / {path}")
}

/// The lexicon's `(name, topic, weight)` rows.
fn lexicon() -> impl Iterator<Item = (&'static str, &'static str, f64)> {
    LEXICON.lines().skip(1).filter_map(|line| {
        let mut f = line.split('\t');
        let (name, topic, origin) = (f.next()?, f.next()?, f.next()?);
        let weight = if origin == "curated" {
            CURATED_WEIGHT
        } else {
            GENERATED_WEIGHT
        };
        Some((name, topic, weight)).filter(|_| !name.is_empty())
    })
}

impl Classifier {
    /// Compiles the taxonomy of `config` (topics and source hints).
    pub(crate) fn from_config(config: &Config) -> Classifier {
        let mut c = Classifier::new(&config.topics);
        c.source_topics = config
            .sources
            .iter()
            .filter_map(|s| s.topic.clone().map(|t| (s.id.clone(), t)))
            .collect();
        c
    }

    /// Compiles a taxonomy without source-level hints (topic `sources` lists still apply). The
    /// lexicon's names join the topics of the same name; a name the taxonomy itself lists as
    /// a term (of any topic) keeps only the taxonomy's meaning.
    pub(crate) fn new(topics: &[Topic]) -> Classifier {
        let mut patterns: Vec<String> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut pattern_of = |text: String| {
            *index.entry(text.clone()).or_insert_with(|| {
                patterns.push(text);
                patterns.len() - 1
            })
        };
        let mut topics: Vec<CompiledTopic> = topics
            .iter()
            .map(|t| CompiledTopic {
                name: t.name.clone(),
                terms: t
                    .terms
                    .iter()
                    .map(|(text, weight)| {
                        let text = normalise(text);
                        Term {
                            pattern: pattern_of(text.clone()),
                            text,
                            weight: *weight,
                        }
                    })
                    .collect(),
                sources: t.sources.clone(),
            })
            .collect();
        let taxonomy_terms: std::collections::HashSet<String> = topics
            .iter()
            .flat_map(|t| t.terms.iter().map(|x| x.text.clone()))
            .collect();
        for (name, topic, weight) in lexicon() {
            if taxonomy_terms.contains(name) {
                continue;
            }
            let Some(t) = topics
                .iter_mut()
                .find(|t| t.name.eq_ignore_ascii_case(topic))
            else {
                continue;
            };
            // Prose writes "Advent of Code" and "Django REST framework" for the curated
            // `advent-of-code` and `django-rest-framework`.
            let spaced = (weight == CURATED_WEIGHT && name.contains('-'))
                .then(|| name.replace('-', " "))
                .filter(|s| !taxonomy_terms.contains(s));
            for text in std::iter::once(normalise(name)).chain(spaced) {
                t.terms.push(Term {
                    pattern: pattern_of(text.clone()),
                    text,
                    weight,
                });
            }
        }
        // feeds.toml validation rejects empty terms, so no pattern matches the empty string.
        let matcher = aho_corasick::AhoCorasick::new(&patterns).expect("term patterns compile");
        Classifier {
            topics,
            source_topics: Vec::new(),
            matcher,
            patterns: patterns.len(),
        }
    }

    /// Whole-word occurrences of every pattern in `hay`, each capped at `cap`. A match that is
    /// part of a longer matched compound is not counted: "pip-audit" is not also "pip".
    fn count_all(&self, hay: &str, cap: usize) -> Vec<usize> {
        let mut found: Vec<(usize, usize, usize)> = self
            .matcher
            .find_overlapping_iter(hay)
            .filter(|m| {
                let before_ok = hay[..m.start()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !is_word(c));
                before_ok && hay[m.end()..].chars().next().is_none_or(|c| !is_word(c))
            })
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        // Longest first at each start, so a contained match always follows its container.
        found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut counts = vec![0; self.patterns];
        // The match reaching furthest so far: the one a later match may sit inside.
        let mut outer = (0, 0);
        for &(start, end, pattern) in &found {
            let joined =
                |i: usize| matches!(hay.as_bytes().get(i), Some(b'-' | b'.' | b'_' | b'/'));
            // Only a compound joined by punctuation hides its parts: "security" still counts
            // inside "security releases".
            let inside = end <= outer.1
                && ((start > outer.0 && joined(start - 1)) || (end < outer.1 && joined(end)));
            if end > outer.1 {
                outer = (start, end);
            }
            if !inside && counts[pattern] < cap {
                counts[pattern] += 1;
            }
        }
        counts
    }

    /// Topic names in taxonomy order.
    pub(crate) fn topic_names(&self) -> impl Iterator<Item = &str> {
        self.topics.iter().map(|t| t.name.as_str())
    }

    fn hinted(&self, topic: &CompiledTopic, source_ids: &[&str]) -> bool {
        source_ids.iter().any(|id| {
            topic.sources.iter().any(|s| s == id)
                || self
                    .source_topics
                    .iter()
                    .any(|(s, t)| s == id && t.eq_ignore_ascii_case(&topic.name))
        })
    }

    /// Scores `text` against every topic; `source_ids` are the sources the story was seen in.
    /// A source hint only decides between topics with the same (non-zero) score.
    pub(crate) fn classify(&self, text: &StoryText<'_>, source_ids: &[&str]) -> Classification {
        let (title, summary) = if text.title.trim().is_empty() {
            (text.summary, "")
        } else {
            (text.title, text.summary)
        };
        let (tags, content) = if text.tags.len() > MAX_FILING_TAGS {
            (
                String::new(),
                format!(
                    "{}\n\n{}",
                    text.tags.join(" , "),
                    prefix(text.content, CONTENT_PREFIX)
                ),
            )
        } else {
            (
                text.tags.join(" , "),
                prefix(text.content, CONTENT_PREFIX).to_string(),
            )
        };
        let fields = [
            (Field::Title, normalise(title)),
            (Field::Section, normalise(text.section)),
            (Field::Tags, normalise(&tags)),
            (Field::Summary, normalise(summary)),
            (Field::Link, link_text(text.url)),
            (Field::Content, normalise(&content)),
        ];
        let counts: Vec<Vec<usize>> = fields
            .iter()
            .map(|(_, hay)| self.count_all(hay, MAX_COUNT_PER_FIELD))
            .collect();
        let mut reasons = Vec::new();
        let mut scores = Vec::with_capacity(self.topics.len());
        for topic in &self.topics {
            let (mut seen, mut hidden) = (0.0, 0.0);
            for term in &topic.terms {
                for ((field, _), field_counts) in fields.iter().zip(&counts) {
                    let n = field_counts[term.pattern];
                    if n > 0 {
                        let score = term.weight * field.weight() * n as f64;
                        if *field == Field::Content {
                            hidden += score;
                        } else {
                            seen += score;
                        }
                        reasons.push(Reason {
                            topic: topic.name.clone(),
                            term: term.text.clone(),
                            field: *field,
                            score,
                        });
                    }
                }
            }
            // Long show notes mention a dozen projects: hidden text only backs a topic the
            // reader can already see, and only a little.
            let total = if seen > 0.0 {
                seen + hidden.min(MAX_HIDDEN)
            } else {
                0.0
            };
            scores.push((topic.name.clone(), total));
        }
        let top = scores.iter().map(|s| s.1).fold(0.0, f64::max);
        // Among the best-scoring topics a hinted one wins, else the earliest in the taxonomy.
        let tied: Vec<_> = scores
            .iter()
            .zip(&self.topics)
            .filter(|((_, s), _)| *s == top)
            .collect();
        let best = tied
            .iter()
            .find(|(_, t)| self.hinted(t, source_ids))
            .or(tied.first())
            .map(|((name, score), _)| (name, *score));
        let (primary, primary_score) = match best {
            Some((name, score)) if score >= MIN_SCORE => (name.clone(), score),
            _ => (OTHER.to_string(), 0.0),
        };
        let secondary = if primary == OTHER {
            Vec::new()
        } else {
            scores
                .iter()
                .filter(|(n, s)| *n != primary && *s >= MIN_SCORE && *s >= primary_score * 0.5)
                .map(|(n, _)| n.clone())
                .collect()
        };
        let order = |name: &str| {
            self.topics
                .iter()
                .position(|t| t.name == name)
                .unwrap_or(usize::MAX)
        };
        reasons.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| order(&a.topic).cmp(&order(&b.topic)))
                .then_with(|| a.field.cmp(&b.field))
                .then_with(|| a.term.cmp(&b.term))
        });
        Classification {
            primary,
            secondary,
            reasons,
            scores,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn taxonomy() -> Vec<Topic> {
        let t = |name: &str, terms: &[(&str, f64)], sources: &[&str]| Topic {
            name: name.into(),
            terms: terms.iter().map(|(t, w)| (t.to_string(), *w)).collect(),
            sources: sources.iter().map(|s| s.to_string()).collect(),
        };
        vec![
            t(
                "Web",
                &[("django", 3.0), ("uvicorn", 3.0), ("api", 1.0)],
                &[],
            ),
            t(
                "Packaging & tooling",
                &[("uv", 3.0), ("pyproject.toml", 3.0), ("pip", 3.0)],
                &["astral"],
            ),
            t(
                "Core Python & CPython",
                &[("c api", 3.0), ("cpython", 3.0), ("release", 1.0)],
                &[],
            ),
            t(
                "Performance & concurrency",
                &[("free-threading", 3.0), ("gil", 3.0)],
                &[],
            ),
        ]
    }

    fn classify(title: &str, summary: &str, content: &str) -> Classification {
        Classifier::new(&taxonomy()).classify(
            &StoryText {
                title,
                summary,
                section: "",
                tags: &[],
                url: "",
                content,
            },
            &[],
        )
    }

    #[rstest]
    #[case("Serving FastAPI with Uvicorn", "Web")]
    #[case("uv 0.9 is out", "Packaging & tooling")]
    #[case("Changes to the C API in 3.14", "Core Python & CPython")]
    #[case("Moving to PYPROJECT.TOML", "Packaging & tooling")]
    #[case("My holiday photos", "Other")]
    #[case("Released: my notes", "Other")]
    #[case("A release", "Core Python & CPython")]
    // Chinese writes without spaces: an ideograph never glues a term to its neighbours, and a
    // term written in ideographs matches inside a run of them.
    #[case("使用uv管理项目", "Packaging & tooling")]
    #[case("Deploying with uvicorn", "Web")]
    fn primary_topic(#[case] title: &str, #[case] expected: &str) {
        assert_eq!(classify(title, "", "").primary, expected);
    }

    #[test]
    fn uvicorn_never_counts_for_packaging() {
        let c = classify(
            "Uvicorn tips",
            "Run uvicorn behind nginx; uvicorn workers",
            "uvicorn uvicorn",
        );
        assert_eq!(c.primary, "Web");
        assert!(
            c.reasons_for("Packaging & tooling").next().is_none(),
            "{:?}",
            c.reasons
        );
    }

    #[test]
    fn title_outweighs_hidden_text() {
        // One title mention (3×3 = 9) beats three hidden mentions (3×0.25×3 = 2.25).
        let c = classify("Django tips", "", "the gil and the gil and the gil");
        assert_eq!(c.primary, "Web");
        assert!(c.secondary.is_empty(), "{:?}", c.secondary);
        let r = &c.reasons[0];
        assert_eq!(
            (r.topic.as_str(), r.term.as_str(), r.field, r.score),
            ("Web", "django", Field::Title, 9.0)
        );
        let hidden = c.reasons_for("Performance & concurrency").next().unwrap();
        assert_eq!(hidden.field.as_str(), "hidden text");
    }

    #[test]
    fn hidden_text_alone_never_files_a_story() {
        assert_eq!(
            classify("Notes", "", "cpython cpython cpython").primary,
            OTHER
        );
    }

    #[test]
    fn counts_are_capped_per_field() {
        let c = classify("Notes", &"gil ".repeat(50), "");
        assert_eq!(c.primary_score(), 13.5);
    }

    #[test]
    fn an_untitled_blurb_is_classified_by_its_text_as_a_title() {
        let c = classify("", "Serving apps with uvicorn behind a proxy", "");
        assert_eq!(c.primary, "Web");
        assert_eq!(c.reasons[0].field, Field::Title);
    }

    #[test]
    fn lexicon_names_join_the_topics_of_the_same_name() {
        let cl = Classifier::new(&crate::config::Config::builtin().topics);
        let text = |title| StoryText {
            title,
            ..Default::default()
        };
        for (title, topic) in [
            ("The GUI phoenix rises with wxPython", OTHER),
            ("Unleash the py-spy!", "Performance & concurrency"),
            ("Getting started with devpi", "Packaging & tooling"),
            ("Contributing to typeshed", "Typing"),
            ("Airflow at scale", "Data science & analytics"),
        ] {
            assert_eq!(cl.classify(&text(title), &[]).primary, topic, "{title}");
        }
        assert!(LEXICON.lines().count() > 1500);
    }

    #[test]
    fn a_term_inside_a_longer_matched_compound_is_not_counted() {
        let mut topics = taxonomy();
        topics[3].terms.push(("uv-tool".into(), 3.0));
        let c = Classifier::new(&topics).classify(
            &StoryText {
                title: "the c api and uv-tool",
                ..Default::default()
            },
            &[],
        );
        let terms: Vec<&str> = c.reasons.iter().map(|r| r.term.as_str()).collect();
        assert!(
            terms.contains(&"c api") && terms.contains(&"uv-tool"),
            "{terms:?}"
        );
        assert!(!terms.contains(&"uv"), "{terms:?}");
        // A phrase's words still count on their own.
        assert!(terms.contains(&"api"), "{terms:?}");
    }

    #[test]
    fn a_taxonomy_term_keeps_its_own_topic_over_the_lexicon() {
        // "uvicorn" is a Web term here, and "uv" a packaging one; the lexicon adds nothing to
        // either.
        let c = classify("uvicorn", "", "");
        assert_eq!(c.reasons.len(), 1, "{:?}", c.reasons);
    }

    #[test]
    fn ties_go_to_the_earlier_topic() {
        let c = classify("django and uv", "", "");
        assert_eq!(c.primary, "Web");
        assert_eq!(c.secondary, vec!["Packaging & tooling".to_string()]);
    }

    #[test]
    fn source_hint_only_breaks_ties_and_never_classifies_alone() {
        let cl = Classifier::new(&taxonomy());
        let text = |title| StoryText {
            title,
            ..Default::default()
        };
        // Tied (9 each): the hinted topic wins, without the hint taxonomy order does.
        let tied = text("django and uv");
        assert_eq!(
            cl.classify(&tied, &["astral"]).primary,
            "Packaging & tooling"
        );
        assert_eq!(cl.classify(&tied, &[]).primary, "Web");
        // Not tied: the hint changes nothing.
        let web = text("django, django and uv");
        assert_eq!(cl.classify(&web, &["astral"]).primary, "Web");
        assert_eq!(
            cl.classify(&text("Company news"), &["astral"]).primary,
            OTHER
        );
    }

    #[test]
    fn the_link_host_and_slug_count_for_a_story_with_little_text() {
        let cl = Classifier::new(&crate::config::Config::builtin().topics);
        let c = cl.classify(
            &StoryText {
                title: "Changeset [e8171da]: Fixed #24146 -- Fixed a missing fields regression.",
                url: "https://code.djangoproject.com/changeset/e8171daf0cd7",
                ..Default::default()
            },
            &[],
        );
        assert_eq!(c.primary, "Web");
        assert_eq!(c.reasons[0].field, Field::Link);
        assert_eq!(c.reasons[0].field.as_str(), "link");
        // Slug words are separated like a title's.
        let slug = cl.classify(
            &StoryText {
                title: "Part 2",
                url: "https://example.com/2024/05/free-threading-in-practice/",
                ..Default::default()
            },
            &[],
        );
        assert_eq!(slug.primary, "Performance & concurrency");
        assert_eq!(
            link_text("HTTP://www.Example.com/a_b?x=1#y"),
            "example.com / a b"
        );
    }

    #[test]
    fn a_long_keyword_list_is_read_as_hidden_text() {
        let cl = Classifier::new(&taxonomy());
        let few = ["django".to_string(), "python".to_string()];
        let many: Vec<String> = ["django", "python", "software", "programming", "podcast"]
            .iter()
            .chain(&["developer", "ide", "course", "online"])
            .map(|t| t.to_string())
            .collect();
        let text = |tags| StoryText {
            title: "Episode 12",
            tags,
            ..Default::default()
        };
        assert_eq!(cl.classify(&text(&few), &[]).primary, "Web");
        let c = cl.classify(&text(&many), &[]);
        assert_eq!(c.primary, OTHER);
        assert_eq!(c.reasons[0].field, Field::Content);
    }

    #[test]
    fn content_is_read_only_at_the_start() {
        let content = format!("{} cpython", "word ".repeat(600));
        assert_eq!(classify("", "", &content).primary, OTHER);
    }
}
