//! Offline, deterministic topic classifier: every story is scored against each `[[topic]]` of
//! the taxonomy by case-insensitive whole-word matching of its terms in the title, tags,
//! summary and the start of the content.
//!
//! Matchers are built once per run ([`Classifier::new`]); classifying a story does no
//! allocation-heavy work beyond lower-casing its text.

use crate::config::{Config, Topic};

/// The topic name used when nothing scores high enough.
pub(crate) const OTHER: &str = "Other";

/// Below this score a story is filed under [`OTHER`]. One title mention of a weak (weight 1)
/// term, or one mention of a strong (weight 3) term in the body, is enough.
pub(crate) const MIN_SCORE: f64 = 3.0;

/// Added to a topic that already matched at least one term when a sighting's source hints it
/// (`topic = ...` on the source, or the source listed in the topic's `sources`). A hint alone
/// never files a story: every classification can be explained by a matched term.
pub(crate) const SOURCE_BONUS: f64 = 3.0;

/// How many times one term counts per field.
const MAX_COUNT_PER_FIELD: usize = 3;

/// How much of the content is read, in bytes (cut on a char boundary).
const CONTENT_PREFIX: usize = 2000;

/// Where a term was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Field {
    /// The story title (×3).
    Title,
    /// Feed categories / tags (×2).
    Tags,
    /// Summary or newsletter blurb (×1.5).
    Summary,
    /// The first ~2000 characters of the body (×1).
    Content,
}

impl Field {
    /// The multiplier applied to a term's weight.
    pub(crate) fn weight(self) -> f64 {
        match self {
            Field::Title => 3.0,
            Field::Tags => 2.0,
            Field::Summary => 1.5,
            Field::Content => 1.0,
        }
    }

    /// Lowercase name for `--why` and `explain`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Tags => "tags",
            Field::Summary => "summary",
            Field::Content => "content",
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
    /// Title.
    pub title: &'a str,
    /// Summary or blurb(s).
    pub summary: &'a str,
    /// Tags / categories.
    pub tags: &'a [String],
    /// Plain-text body (only the start is read).
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

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
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

    /// Compiles a taxonomy without source-level hints (topic `sources` lists still apply).
    pub(crate) fn new(topics: &[Topic]) -> Classifier {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_of = |text: String| match patterns.iter().position(|p| *p == text) {
            Some(i) => i,
            None => {
                patterns.push(text);
                patterns.len() - 1
            }
        };
        let topics = topics
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
        // feeds.toml validation rejects empty terms, so no pattern matches the empty string.
        let matcher = aho_corasick::AhoCorasick::new(&patterns).expect("term patterns compile");
        Classifier {
            topics,
            source_topics: Vec::new(),
            matcher,
            patterns: patterns.len(),
        }
    }

    /// Whole-word occurrences of every pattern in `hay`, each capped at `cap`.
    fn count_all(&self, hay: &str, cap: usize) -> Vec<usize> {
        let mut counts = vec![0; self.patterns];
        for m in self.matcher.find_overlapping_iter(hay) {
            let before_ok = hay[..m.start()]
                .chars()
                .next_back()
                .is_none_or(|c| !is_word(c));
            let after_ok = hay[m.end()..].chars().next().is_none_or(|c| !is_word(c));
            let n = &mut counts[m.pattern().as_usize()];
            if before_ok && after_ok && *n < cap {
                *n += 1;
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
    pub(crate) fn classify(&self, text: &StoryText<'_>, source_ids: &[&str]) -> Classification {
        let fields = [
            (Field::Title, normalise(text.title)),
            (Field::Tags, normalise(&text.tags.join(" , "))),
            (Field::Summary, normalise(text.summary)),
            (
                Field::Content,
                normalise(prefix(text.content, CONTENT_PREFIX)),
            ),
        ];
        let counts: Vec<Vec<usize>> = fields
            .iter()
            .map(|(_, hay)| self.count_all(hay, MAX_COUNT_PER_FIELD))
            .collect();
        let mut reasons = Vec::new();
        let mut scores = Vec::with_capacity(self.topics.len());
        for topic in &self.topics {
            let mut total = 0.0;
            for term in &topic.terms {
                for ((field, _), field_counts) in fields.iter().zip(&counts) {
                    let n = field_counts[term.pattern];
                    if n > 0 {
                        let score = term.weight * field.weight() * n as f64;
                        total += score;
                        reasons.push(Reason {
                            topic: topic.name.clone(),
                            term: term.text.clone(),
                            field: *field,
                            score,
                        });
                    }
                }
            }
            if total > 0.0 && self.hinted(topic, source_ids) {
                total += SOURCE_BONUS;
            }
            scores.push((topic.name.clone(), total));
        }
        // Highest first; `max_by` would pick the last of equal scores, so fold keeping the first.
        let best = scores
            .iter()
            .fold(None::<&(String, f64)>, |best, s| match best {
                Some(b) if b.1 >= s.1 => Some(b),
                _ => Some(s),
            });
        let (primary, primary_score) = match best {
            Some((name, score)) if *score >= MIN_SCORE => (name.clone(), *score),
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
                tags: &[],
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
    fn title_outweighs_body() {
        // One title mention (3×3 = 9) beats two body mentions (2×3 = 6).
        let c = classify("Django tips", "", "the gil and the gil");
        assert_eq!(c.primary, "Web");
        assert_eq!(c.secondary, vec!["Performance & concurrency".to_string()]);
        let r = &c.reasons[0];
        assert_eq!(
            (r.topic.as_str(), r.term.as_str(), r.field, r.score),
            ("Web", "django", Field::Title, 9.0)
        );
    }

    #[test]
    fn counts_are_capped_per_field() {
        let c = classify("", "", &"gil ".repeat(50));
        assert_eq!(c.primary_score(), 9.0);
    }

    #[test]
    fn ties_go_to_the_earlier_topic() {
        let c = classify("django and uv", "", "");
        assert_eq!(c.primary, "Web");
        assert_eq!(c.secondary, vec!["Packaging & tooling".to_string()]);
    }

    #[test]
    fn source_hint_adds_a_bonus_but_never_classifies_alone() {
        let cl = Classifier::new(&taxonomy());
        let text = StoryText {
            title: "django and uv",
            ..Default::default()
        };
        assert_eq!(
            cl.classify(&text, &["astral"]).primary,
            "Packaging & tooling"
        );
        let nothing = StoryText {
            title: "Company news",
            ..Default::default()
        };
        assert_eq!(cl.classify(&nothing, &["astral"]).primary, OTHER);
    }

    #[test]
    fn content_is_read_only_at_the_start() {
        let content = format!("{} cpython", "word ".repeat(600));
        assert_eq!(classify("", "", &content).primary, OTHER);
    }
}
