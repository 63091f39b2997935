//! The weekly digest, pure: stories from the store + the configuration + a date range → a
//! [`Digest`] (top stories, one section per topic, podcasts, trending terms). No I/O and no
//! clock: the caller passes the range (and `now` when it needs one).

pub(crate) mod ads;
pub(crate) mod summary;
pub(crate) mod topics;

use crate::calendar::{DigestRange, date_span, local_midnight};
use crate::config::Config;
use crate::model::{EntryKind, SourceKind, Story};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use topics::{Classification, Classifier, OTHER, StoryText};

/// Name of the section that holds podcast episodes.
pub(crate) const PODCASTS: &str = "Podcasts & episodes";

/// How many top stories are listed.
pub(crate) const TOP_STORIES: usize = 5;

/// How many weeks before the digest's range are the baseline for trending terms.
pub(crate) const TREND_WEEKS: i64 = 4;

/// How many trending terms are listed.
pub(crate) const MAX_TRENDS: usize = 8;

/// The baseline window for trending terms: the [`TREND_WEEKS`] weeks before a week, the period
/// of equal length before any other range.
pub(crate) fn trend_baseline(range: &DigestRange) -> (DateTime<Utc>, DateTime<Utc>) {
    let days = if range.week.is_some() {
        7 * TREND_WEEKS
    } else {
        range.days_long()
    };
    (
        local_midnight(range.start - Duration::days(days), range.tz),
        range.since,
    )
}

/// The [`TREND_WEEKS`] weeks before a week's range, latest first, each `[since, until)`:
/// together exactly its [`trend_baseline`].
pub(crate) fn trend_weeks(range: &DigestRange) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    (1..=TREND_WEEKS)
        .map(|k| {
            let since = local_midnight(range.start - Duration::days(7 * k), range.tz);
            let until = if k == 1 {
                range.since
            } else {
                local_midnight(range.start - Duration::days(7 * (k - 1)), range.tz)
            };
            (since, until)
        })
        .collect()
}

/// The digest title for a range.
pub(crate) fn title_for(range: &DigestRange) -> String {
    if range.week.is_some() {
        format!("Python: Weekly Summary ({})", range.label())
    } else {
        format!("Python: Summary ({})", range.label())
    }
}

/// "week" or "period": what a digest over `range` calls its span.
fn span_word(range: &DigestRange) -> &'static str {
    if range.week.is_some() {
        "week"
    } else {
        "period"
    }
}

/// Choices that change what goes into the digest.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DigestOptions {
    /// Keep sponsored items and job ads.
    pub include_sponsored: bool,
}

/// One story as the digest shows it.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Story id.
    pub id: i64,
    /// Title (plain text, untrusted).
    pub title: String,
    /// Link (untrusted; rendered only when http(s)).
    pub url: Option<String>,
    /// Author(s) of the main sighting.
    pub author: Option<String>,
    /// Display name of the main sighting's source.
    pub source: String,
    /// Id of that source.
    pub source_id: String,
    /// Earliest publication time.
    pub published: Option<DateTime<Utc>>,
    /// Local date for display ("Tue 14 Oct").
    pub date: String,
    /// Extractive summary, ≤ 300 chars.
    pub summary: String,
    /// Names of the other sources that carried it.
    pub also_in: Vec<String>,
    /// How many distinct sources carried it.
    pub sources: usize,
    /// Summed weight of those sources.
    pub weight: f64,
    /// Why it is filed where it is.
    pub classification: Classification,
    /// No source gave a date: `published` is when it was first seen (shown as such).
    pub date_estimated: bool,
    /// Beyond its section's `max_per_topic` / `max_per_source`: counted in the section's
    /// [`Section::more_line`], not listed (JSON keeps it, marked).
    pub collapsed: bool,
}

/// A heading and its stories.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    /// Topic name, [`PODCASTS`] or [`OTHER`].
    pub name: String,
    /// Stories, most-seen first.
    pub items: Vec<Item>,
}

impl Section {
    /// The stories listed one by one, best first.
    pub(crate) fn shown(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| !i.collapsed)
    }

    /// "… and 171 more from Django Trac" for the collapsed stories, naming the sources that
    /// carried most of them; `None` when nothing is collapsed.
    pub(crate) fn more_line(&self) -> Option<String> {
        let mut by_source: Vec<(&str, usize)> = Vec::new();
        for i in self.items.iter().filter(|i| i.collapsed) {
            match by_source.iter_mut().find(|(s, _)| *s == i.source) {
                Some((_, n)) => *n += 1,
                None => by_source.push((&i.source, 1)),
            }
        }
        let total: usize = by_source.iter().map(|(_, n)| n).sum();
        if total == 0 {
            return None;
        }
        // Stable: first-seen (best-ranked) order among equal counts.
        by_source.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let from = match by_source.as_slice() {
            [(name, _)] => name.to_string(),
            few if few.len() <= 3 => join_and(
                &few.iter()
                    .map(|(s, n)| format!("{s} ({n})"))
                    .collect::<Vec<_>>(),
            ),
            many => {
                let mut parts: Vec<String> = many[..2]
                    .iter()
                    .map(|(s, n)| format!("{s} ({n})"))
                    .collect();
                parts.push(format!("{} other sources", many.len() - 2));
                join_and(&parts)
            }
        };
        Some(format!("… and {total} more from {from}"))
    }
}

/// Marks the stories beyond `max_per_topic` in a section, and beyond `max_per_source` from one
/// source, as collapsed; `items` must be ranked best first.
fn collapse(items: &mut [Item], max_per_topic: usize, max_per_source: usize) {
    let mut shown = 0;
    let mut per_source: HashMap<String, usize> = HashMap::new();
    for i in items {
        let n = per_source.entry(i.source_id.clone()).or_default();
        i.collapsed = shown >= max_per_topic || *n >= max_per_source;
        if !i.collapsed {
            shown += 1;
            *n += 1;
        }
    }
}

/// A title term that is clearly more frequent this week than over the previous weeks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Trend {
    /// Word or two-word phrase (lowercase).
    pub term: String,
    /// Stories this week whose title has it.
    pub count: usize,
    /// Average per week over the previous [`TREND_WEEKS`] weeks.
    pub baseline: f64,
}

/// The whole digest.
#[derive(Debug, Clone)]
pub(crate) struct Digest {
    /// "Python: Weekly Summary (October 13–19, 2025)".
    pub title: String,
    /// The days covered.
    pub range: DigestRange,
    /// One-paragraph overview.
    pub overview: String,
    /// Ids of the top stories, best first (each also appears in its section).
    pub top: Vec<i64>,
    /// Topic sections (largest first, taxonomy order on ties), then podcasts, then Other.
    pub sections: Vec<Section>,
    /// Trending title terms.
    pub trending: Vec<Trend>,
    /// "Watch: NAME" sections, one per `[[watch]]` that matched a story, shown first; each
    /// story also appears in its topic section.
    pub watches: Vec<Section>,
    /// Stories in the digest.
    pub story_count: usize,
    /// Sources the shown stories were seen in.
    pub source_count: usize,
}

impl Digest {
    /// The item with this story id.
    pub(crate) fn item(&self, id: i64) -> Option<&Item> {
        self.sections
            .iter()
            .flat_map(|s| &s.items)
            .find(|i| i.id == id)
    }

    /// "week" for an ISO week's digest, "period" for any other range.
    pub(crate) fn span_word(&self) -> &'static str {
        span_word(&self.range)
    }

    /// True when no story fell in the range.
    pub(crate) fn is_empty(&self) -> bool {
        self.story_count == 0
    }
}

/// Drops what the digest never shows: backlog sightings ([`crate::model::Sighting::backlog`]),
/// whole newsletter issues, and (unless asked) stories
/// with an ad sighting ([`ads::is_ad`]) and job-ad sightings. Returns `None` when nothing is
/// left.
pub(crate) fn prepare_story(mut story: Story, opts: DigestOptions) -> Option<Story> {
    story.sightings.retain(|s| !s.backlog);
    if story.sightings.iter().all(|s| s.kind == EntryKind::Issue) {
        return None;
    }
    if !opts.include_sponsored {
        if ads::is_ad(&story) {
            return None;
        }
        story
            .sightings
            .retain(|s| !s.sponsored && s.kind != EntryKind::Job);
    }
    let main = story.sightings.first()?;
    story.title = main.title.clone().or(story.title);
    story.url = main.url.clone().or(story.url);
    story.published = story
        .sightings
        .iter()
        .filter(|s| !s.date_is_first_seen)
        .filter_map(|s| s.published)
        .min()
        .or(main.published);
    Some(story)
}

/// Distinct source ids of a story, in sighting order.
pub(crate) fn story_sources(story: &Story) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in &story.sightings {
        if !out.contains(&s.source.as_str()) {
            out.push(&s.source);
        }
    }
    out
}

/// Classifies a story: what the reader sees (main title, the shown summary, newsletter
/// sections) weighs most; tags, the full summary, other blurbs and the body little.
pub(crate) fn classify_story(classifier: &Classifier, story: &Story) -> Classification {
    let main = story.main();
    let mut hidden = main.summary.clone().unwrap_or_default();
    for s in story.sightings.iter().skip(1) {
        if s.kind == EntryKind::Link
            && let Some(b) = &s.summary
            && !hidden.contains(b.as_str())
        {
            hidden.push_str("\n\n");
            hidden.push_str(b);
        }
    }
    hidden.push_str("\n\n");
    hidden.push_str(main.content_text.as_deref().unwrap_or(""));
    let mut tags: Vec<String> = Vec::new();
    let mut sections: Vec<&str> = Vec::new();
    for s in &story.sightings {
        for t in &s.tags {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        if let Some(sec) = s.section.as_deref()
            && !sections.contains(&sec)
        {
            sections.push(sec);
        }
    }
    let shown = summary::summarize(story);
    let text = StoryText {
        title: story.title.as_deref().unwrap_or(""),
        summary: &shown,
        section: &sections.join(" , "),
        tags: &tags,
        url: story.url.as_deref().unwrap_or(""),
        content: &hidden,
    };
    classifier.classify(&text, &story_sources(story))
}

fn source_name(config: &Config, id: &str) -> String {
    config
        .source(id)
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

fn rank_key(
    i: &Item,
) -> (
    std::cmp::Reverse<usize>,
    std::cmp::Reverse<i64>,
    Option<DateTime<Utc>>,
    i64,
) {
    (
        std::cmp::Reverse(i.sources),
        std::cmp::Reverse((i.weight * 1000.0).round() as i64),
        i.published,
        i.id,
    )
}

fn in_range(story: &Story, since: DateTime<Utc>, until: DateTime<Utc>) -> bool {
    story.published.is_some_and(|p| p >= since && p < until)
}

/// Bump when what [`prepare`] stores changes meaning (a field added, summaries or filing
/// computed differently), so cached [`Prepared`] stories are recomputed.
pub(crate) const PREPARED_VERSION: u32 = 1;

/// What the digest needs of one story once it is prepared, classified and summarised: enough
/// to make its [`Item`] without the story's text, so a store can keep it between runs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    /// Story id.
    pub id: i64,
    /// Title of the main sighting (or the story's).
    pub title: Option<String>,
    /// Link of the main sighting (or the story's).
    pub url: Option<String>,
    /// Authors of the main sighting, as stored.
    pub authors: String,
    /// Distinct source ids in sighting order; the first is the main sighting's.
    pub sources: Vec<String>,
    /// The main sighting is a podcast episode.
    pub episode: bool,
    /// Some sighting carries audio.
    pub audio: bool,
    /// Earliest publication time.
    pub published: Option<DateTime<Utc>>,
    /// No sighting had a date of its own.
    pub date_estimated: bool,
    /// The summary shown.
    pub summary: String,
    /// Its filing.
    pub classification: Classification,
}

/// Prepares ([`prepare_story`]), classifies and summarises one story; `None` when the digest
/// never shows it.
pub(crate) fn prepare(
    story: Story,
    classifier: &Classifier,
    opts: DigestOptions,
) -> Option<Prepared> {
    let story = prepare_story(story, opts)?;
    let classification = classify_story(classifier, &story);
    let main = story.main();
    Some(Prepared {
        id: story.id,
        authors: main.authors.clone(),
        sources: story_sources(&story)
            .into_iter()
            .map(str::to_string)
            .collect(),
        episode: main.kind == EntryKind::Episode,
        audio: story.sightings.iter().any(|s| s.audio),
        published: story.published,
        date_estimated: story.date_estimated(),
        summary: summary::summarize(&story),
        classification,
        title: story.title,
        url: story.url,
    })
}

/// Title-term counts of a period's stories: each story's terms once, for the stories whose
/// prepared publication time falls in `[since, until)` (the trend baseline of one week).
pub(crate) fn title_term_counts(
    stories: Vec<Story>,
    opts: DigestOptions,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for title in stories
        .into_iter()
        .filter_map(|s| prepare_story(s, opts))
        .filter(|s| in_range(s, since, until))
        .filter_map(|s| s.title)
    {
        for term in title_terms(&title) {
            *counts.entry(term).or_default() += 1;
        }
    }
    counts
}

/// Builds the digest. `stories` are the range's stories (as `Store::stories_between` returns
/// them); `history` the stories of the [`TREND_WEEKS`] weeks before it, for trending terms.
pub(crate) fn build_digest(
    stories: Vec<Story>,
    history: &[Story],
    config: &Config,
    range: &DigestRange,
    opts: DigestOptions,
) -> Digest {
    let classifier = Classifier::from_config(config);
    let prepared: Vec<Prepared> = stories
        .into_iter()
        .filter_map(|s| prepare(s, &classifier, opts))
        .collect();
    let (h_since, h_until) = trend_baseline(range);
    let before = title_term_counts(history.to_vec(), opts, h_since, h_until);
    let order: Vec<&str> = classifier.topic_names().collect();
    let terms = prepared_title_terms(&prepared);
    digest_of_prepared(prepared, terms, &before, &order, config, range)
}

/// The title terms each story's item trends with (its title, or what an untitled item shows),
/// aligned with `prepared`: computed once for both the baseline's cut and trending itself.
pub(crate) fn prepared_title_terms(prepared: &[Prepared]) -> Vec<BTreeSet<String>> {
    prepared
        .iter()
        .map(|p| {
            title_terms(
                p.title
                    .as_deref()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or(UNTITLED),
            )
        })
        .collect()
}

/// What an item without a title shows.
const UNTITLED: &str = "(untitled)";

/// Builds the digest from the range's prepared stories and the title-term counts of the
/// trend baseline ([`title_term_counts`] over [`trend_baseline`]); `order` is the taxonomy's
/// topic order ([`Classifier::topic_names`]: the configured topics, in order); `terms` are
/// [`prepared_title_terms`] of `prepared`.
pub(crate) fn digest_of_prepared(
    prepared: Vec<Prepared>,
    terms: Vec<BTreeSet<String>>,
    before: &BTreeMap<String, usize>,
    order: &[&str],
    config: &Config,
    range: &DigestRange,
) -> Digest {
    let tz = range.tz;
    let mut items_by_topic: HashMap<String, Vec<Item>> = HashMap::new();
    let mut podcasts = Vec::new();
    let mut all_sources: BTreeSet<String> = BTreeSet::new();
    let mut titles = Vec::new();
    debug_assert_eq!(prepared.len(), terms.len());
    for (story, story_terms) in prepared.into_iter().zip(terms) {
        if !story
            .published
            .is_some_and(|p| p >= range.since && p < range.until)
        {
            continue;
        }
        all_sources.extend(story.sources.iter().cloned());
        let main_source = story.sources.first().cloned().unwrap_or_default();
        let item = Item {
            id: story.id,
            title: story
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| UNTITLED.into()),
            url: story.url.clone(),
            author: Some(story.authors.trim().to_string()).filter(|a| !a.is_empty()),
            source: source_name(config, &main_source),
            published: story.published,
            date: story
                .published
                .map(|p| {
                    let day = p.with_timezone(&tz).format("%a %-d %b");
                    if story.date_estimated {
                        format!("first seen {day} (undated)")
                    } else {
                        day.to_string()
                    }
                })
                .unwrap_or_default(),
            date_estimated: story.date_estimated,
            summary: story.summary,
            also_in: story
                .sources
                .iter()
                .skip(1)
                .map(|s| source_name(config, s))
                .collect(),
            sources: story.sources.len(),
            weight: story
                .sources
                .iter()
                .map(|s| config.source(s).map_or(1.0, |x| x.weight))
                .sum(),
            classification: story.classification,
            collapsed: false,
            source_id: main_source,
        };
        titles.push((story_terms, item.source_id.clone()));
        let podcast = story.episode
            || story.audio
            || config
                .source(&item.source_id)
                .is_some_and(|s| s.kind == SourceKind::Podcast);
        if podcast {
            podcasts.push(item);
        } else {
            items_by_topic
                .entry(item.classification.primary.clone())
                .or_default()
                .push(item);
        }
    }

    let mut sections: Vec<Section> = order
        .iter()
        .filter_map(|name| {
            items_by_topic.remove(*name).map(|items| Section {
                name: name.to_string(),
                items,
            })
        })
        .collect();
    // A stable sort keeps taxonomy order among equal sizes.
    sections.sort_by_key(|s| std::cmp::Reverse(s.items.len()));
    if !podcasts.is_empty() {
        sections.push(Section {
            name: PODCASTS.into(),
            items: podcasts,
        });
    }
    if let Some(items) = items_by_topic.remove(OTHER) {
        sections.push(Section {
            name: OTHER.into(),
            items,
        });
    }
    for s in &mut sections {
        s.items.sort_by_key(rank_key);
        collapse(
            &mut s.items,
            config.settings.max_per_topic,
            config.settings.max_per_source,
        );
    }

    let top = top_stories(&sections);

    let story_count = sections.iter().map(|s| s.items.len()).sum();
    // Over more than four weeks "trending" says little; a period is compared with one
    // preceding period of its length, a week with the average of the weeks before it.
    let trending = if range.days_long() > 7 * TREND_WEEKS {
        Vec::new()
    } else if range.week.is_some() {
        trending_from_counts(titles, before, TREND_WEEKS as f64)
    } else {
        trending_from_counts(titles, before, 1.0)
    };
    let overview = overview(story_count, all_sources.len(), &sections, range);
    Digest {
        title: title_for(range),
        range: range.clone(),
        overview,
        top,
        sections,
        trending,
        watches: Vec::new(),
        story_count,
        source_count: all_sources.len(),
    }
}

/// Top stories once the digest has [`TOP_STORIES`] or more: most sources, then source weight,
/// one per topic before any topic gets a second; never podcast episodes (they have their own
/// section).
fn top_stories(sections: &[Section]) -> Vec<i64> {
    let mut ranked: Vec<(&str, &Item)> = sections
        .iter()
        .filter(|s| s.name != PODCASTS)
        .flat_map(|s| s.shown().map(move |i| (s.name.as_str(), i)))
        .collect();
    let all: usize = sections.iter().map(|s| s.items.len()).sum();
    if all < TOP_STORIES {
        return Vec::new();
    }
    ranked.sort_by_key(|(_, i)| rank_key(i));
    let mut top: Vec<i64> = Vec::new();
    let mut topics: Vec<&str> = Vec::new();
    for (topic, i) in &ranked {
        if top.len() < TOP_STORIES && !topics.contains(topic) {
            topics.push(topic);
            top.push(i.id);
        }
    }
    for (_, i) in &ranked {
        if top.len() < TOP_STORIES && !top.contains(&i.id) {
            top.push(i.id);
        }
    }
    top
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn overview(stories: usize, sources: usize, sections: &[Section], range: &DigestRange) -> String {
    if stories == 0 {
        return format!(
            "No stories were published between {} and {} ({}).",
            date_span(range.start, range.start),
            date_span(range.end, range.end),
            range.tz.name()
        );
    }
    // Each story counted once, podcast episodes among them.
    let episodes = sections
        .iter()
        .find(|x| x.name == PODCASTS)
        .map_or(0, |p| p.items.len());
    let of_them = match episodes {
        0 => String::new(),
        1 => ", 1 of them a podcast episode,".to_string(),
        n => format!(", {n} of them podcast episodes,"),
    };
    let mut s = format!(
        "{}{of_them} from {} this {}.",
        plural(stories, "story", "stories"),
        plural(sources, "source", "sources"),
        span_word(range)
    );
    let busiest: Vec<String> = sections
        .iter()
        .filter(|x| x.name != OTHER && x.name != PODCASTS)
        .take(3)
        .map(|x| format!("{} ({})", x.name, x.items.len()))
        .collect();
    if !busiest.is_empty() {
        s.push_str(&format!(" Busiest topics: {}.", join_and(&busiest)));
    }
    s
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "an", "and", "any", "are", "as", "at", "be", "before", "between",
    "but", "by", "can", "do", "does", "don't", "for", "from", "get", "getting", "has", "have",
    "how", "i", "if", "in", "into", "is", "it", "it's", "its", "just", "make", "me", "more", "my",
    "no", "not", "of", "on", "one", "or", "our", "out", "over", "so", "some", "than", "that",
    "the", "their", "them", "this", "to", "up", "us", "use", "using", "vs", "was", "we", "what",
    "when", "where", "which", "who", "why", "will", "with", "without", "you", "your", "you're",
    "&", "–", "-", "—",
];

/// Words too common in a Python digest to trend alone (they may in a two-word phrase).
const WEAK: &[&str] = &[
    "python", "new", "part", "episode", "podcast", "real", "weekly", "quiz", "released", "first",
    "look", "2025", "2026",
];

/// [`STOPWORDS`] and [`WEAK`] as sets: `title_terms` looks up every word of every title of a
/// week and of its trend baseline, and a scan of the lists compared each word with each entry.
static WORD_SETS: std::sync::LazyLock<(HashSet<&'static str>, HashSet<&'static str>)> =
    std::sync::LazyLock::new(|| {
        (
            STOPWORDS.iter().copied().collect(),
            WEAK.iter().copied().collect(),
        )
    });

/// Lower-cased words of a title, in runs split at punctuation that ends a phrase.
fn segments(title: &str) -> Vec<Vec<String>> {
    title
        .split(|c: char| {
            matches!(
                c,
                ':' | ';'
                    | ','
                    | '!'
                    | '?'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '|'
                    | '–'
                    | '—'
                    | '"'
                    | '“'
                    | '”'
            )
        })
        .map(|seg| {
            seg.split(|c: char| {
                !(c.is_alphanumeric() || matches!(c, '.' | '-' | '+' | '_' | '\'' | '’'))
            })
            .map(|w| {
                w.trim_matches(|c: char| matches!(c, '.' | '-' | '\'' | '’'))
                    .to_lowercase()
                    .replace('’', "'")
            })
            .filter(|w| !w.is_empty())
            .collect()
        })
        .collect()
}

fn title_terms(title: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let (stopwords, weak) = &*WORD_SETS;
    let useful = |w: &str| !stopwords.contains(w) && w.chars().any(char::is_alphanumeric);
    for toks in segments(title) {
        for w in &toks {
            let has_letter = w.chars().any(char::is_alphabetic);
            let is_version = w.contains('.') && w.chars().all(|c| c.is_ascii_digit() || c == '.');
            if useful(w)
                && !weak.contains(w.as_str())
                && w.chars().count() >= 2
                && (has_letter || is_version)
            {
                out.insert(w.clone());
            }
        }
        for pair in toks.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if useful(a)
                && useful(b)
                && !(weak.contains(a.as_str()) && weak.contains(b.as_str()))
                && a.chars().chain(b.chars()).any(char::is_alphabetic)
            {
                out.insert(format!("{a} {b}"));
            }
        }
    }
    out
}

/// Terms in the titles of at least two stories from at least two different sources this week,
/// and at least twice as frequent as their weekly average over `history_weeks` weeks of
/// `history` titles. A word is dropped when a phrase containing it trends as strongly.
/// `titles` are (title, main source id) pairs.
#[cfg(test)]
pub(crate) fn trending_terms(
    titles: &[(String, String)],
    history: &[String],
    history_weeks: f64,
) -> Vec<Trend> {
    let mut before: BTreeMap<String, usize> = BTreeMap::new();
    for t in history {
        for term in title_terms(t) {
            *before.entry(term).or_default() += 1;
        }
    }
    let titles = titles
        .iter()
        .map(|(t, source)| (title_terms(t), source.clone()))
        .collect();
    trending_from_counts(titles, &before, history_weeks)
}

/// [`trending_terms`] with the history already counted: `before` holds, per term, how many
/// history titles have it; `titles` are each title's terms with its main source id.
pub(crate) fn trending_from_counts(
    titles: Vec<(BTreeSet<String>, String)>,
    before: &BTreeMap<String, usize>,
    history_weeks: f64,
) -> Vec<Trend> {
    // Hashed, not ordered: the sort below orders by term last, so the order met is moot.
    // Per term: stories, the first story's source, and whether another source had it (all
    // trending asks of the sources). Keys borrow `titles`: most terms occur once.
    let mut now: HashMap<&str, (usize, &str, bool)> = HashMap::new();
    for (terms, source) in &titles {
        for term in terms {
            let e = now
                .entry(term.as_str())
                .or_insert((0, source.as_str(), false));
            e.0 += 1;
            e.2 |= e.1 != source.as_str();
        }
    }
    let mut trends: Vec<Trend> = now
        .into_iter()
        .filter(|(_, (n, _, several))| *n >= 2 && *several)
        .filter_map(|(term, (n, _, _))| {
            let baseline = before.get(term).copied().unwrap_or(0) as f64 / history_weeks.max(1.0);
            (n as f64 >= 2.0 * baseline.max(0.5)).then(|| Trend {
                term: term.to_string(),
                count: n,
                baseline,
            })
        })
        .collect();
    // A word is dropped when a phrase containing it trends at least as strongly; index the
    // phrases by word once instead of scanning them for every word.
    let mut strongest_phrase: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    for p in trends.iter().filter(|t| t.term.contains(' ')) {
        for w in p.term.split(' ') {
            let best = strongest_phrase.entry(w.to_string()).or_default();
            *best = (*best).max(p.count);
        }
    }
    trends.retain(|t| {
        t.term.contains(' ') || strongest_phrase.get(&t.term).is_none_or(|&c| c < t.count)
    });
    trends.sort_by(|a, b| {
        (b.count as f64 - b.baseline)
            .total_cmp(&(a.count as f64 - a.baseline))
            .then(b.count.cmp(&a.count))
            .then(a.term.cmp(&b.term))
    });
    trends.truncate(MAX_TRENDS);
    trends
}

#[cfg(test)]
mod tests;
