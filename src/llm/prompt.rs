//! The prompt: editorial instructions plus the week's best-ranked stories, each under a label
//! `[S<n>]`. Pure: a [`Digest`] in, chat messages out.

use crate::digest::{Digest, Item};
use crate::text::{collapse_ws, for_terminal, truncate_words};
use serde::Serialize;
use std::collections::HashSet;

/// The built-in editorial instructions (the system message); `prompt_file` replaces them.
pub(crate) const EDITORIAL: &str = "\
You are the editor of a weekly newsletter about the Python ecosystem. Write this week's issue \
as a narrative in markdown, using only the stories in the material you are given.

Shape:
- First line: a title starting with \"# \".
- Second line: a strap line of one sentence in italics, e.g. *Key trends, opinions and insights from personal blogs*.
- An opening paragraph on the week's mood: what people were excited, worried or arguing about.
- Then three to six themed sections, each under a headline of its own starting with \"## \" \
(not just a topic name; e.g. \"The big, shiny thing: nanochat and cheap LLMs\"). In each section \
say who wrote what and when (e.g. \"Simon Willison wrote about Andrej Karpathy's nanochat \
project on October 13, 2025\"), the gist, what stood out, the trade-offs, and who should read it.

Rules:
- Attribute every post by its author (or its source when no author is given) and its date.
- State no facts that are not in the material: no versions, numbers, dates, names or opinions \
it does not contain.
- Cite stories only by their labels in square brackets, right after the sentence that uses \
them, e.g. [S3]. Never write a URL or a link.
- Write only about stories in the material; leaving some out is fine.";

/// Instructions for the first pass over one topic when the material is too long for one prompt.
pub(crate) const TOPIC_NOTES: &str = "\
You help the editor of a weekly Python newsletter. Summarise the stories of one topic below in \
one paragraph of at most 150 words: who wrote what and when, the gist, what stood out and the \
trade-offs. Attribute every post by its author (or source) and date. State no facts that are \
not in the material. Cite stories only by their labels in square brackets, e.g. [S3]. Never \
write a URL or a link.";

/// Room for the week and topic line around a topic request's stories.
const HEADER_ROOM: usize = 200;

/// Longest summary or excerpt handed to the model per story.
pub(crate) const MAX_EXCERPT: usize = 600;

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Message {
    /// `system` or `user`.
    pub role: &'static str,
    /// The text.
    pub content: String,
}

impl Message {
    /// A system message.
    pub(crate) fn system(content: impl Into<String>) -> Message {
        Message {
            role: "system",
            content: content.into(),
        }
    }

    /// A user message.
    pub(crate) fn user(content: impl Into<String>) -> Message {
        Message {
            role: "user",
            content: content.into(),
        }
    }
}

/// A story as the model sees it: label `S<label>`.
#[derive(Debug, Clone)]
pub(crate) struct Labelled<'a> {
    /// 1-based label number.
    pub label: usize,
    /// The digest's item.
    pub item: &'a Item,
    /// The section it is listed under.
    pub topic: &'a str,
}

/// Untrusted feed text on one line, without control characters.
fn clean(s: &str) -> String {
    collapse_ws(&for_terminal(s, false))
}

/// The `max` best-ranked stories: the top stories first, then the sections' best in turn (so
/// every topic gets a voice), listed by section in digest order and labelled in that order.
pub(crate) fn select(d: &Digest, max: usize) -> Vec<Labelled<'_>> {
    let mut chosen: HashSet<i64> = HashSet::new();
    for id in &d.top {
        if chosen.len() < max && d.item(*id).is_some() {
            chosen.insert(*id);
        }
    }
    let mut rank = 0;
    while chosen.len() < max {
        let mut any = false;
        for s in &d.sections {
            if let Some(i) = s.shown().nth(rank) {
                any = true;
                if chosen.len() < max {
                    chosen.insert(i.id);
                }
            }
        }
        if !any {
            break;
        }
        rank += 1;
    }
    let mut out = Vec::new();
    for s in &d.sections {
        for i in &s.items {
            if chosen.contains(&i.id) {
                out.push(Labelled {
                    label: out.len() + 1,
                    item: i,
                    topic: &s.name,
                });
            }
        }
    }
    out
}

/// One story's block of material.
pub(crate) fn story_block(s: &Labelled<'_>, d: &Digest) -> String {
    let i = s.item;
    let mut b = format!("[S{}] {}\n", s.label, clean(&i.title));
    b.push_str(&format!("Source: {}\n", clean(&i.source)));
    if let Some(a) = &i.author {
        b.push_str(&format!("Author: {}\n", clean(a)));
    }
    if let Some(p) = i.published {
        b.push_str(&format!(
            "Date: {}\n",
            p.with_timezone(&d.range.tz).format("%Y-%m-%d (%A)")
        ));
    }
    b.push_str(&format!("Topic: {}\n", clean(s.topic)));
    if !i.also_in.is_empty() {
        let names: Vec<String> = i.also_in.iter().map(|n| clean(n)).collect();
        b.push_str(&format!("Also in: {}\n", names.join(", ")));
    }
    let summary = clean(&i.summary);
    if !summary.is_empty() {
        b.push_str(&format!(
            "Summary: {}\n",
            truncate_words(&summary, MAX_EXCERPT)
        ));
    }
    b
}

/// The line that opens every user message: which week, how much there is.
fn week_line(d: &Digest, shown: usize) -> String {
    format!(
        "The week: {} (time zone {}). {} stories from {} sources; the material below is the {} best-ranked, grouped by topic.",
        d.range.label(),
        d.range.tz.name(),
        d.story_count,
        d.source_count,
        shown
    )
}

/// Material grouped under `## Topic` headings.
fn material(stories: &[Labelled<'_>], d: &Digest) -> String {
    let mut out = String::new();
    let mut topic = "";
    for s in stories {
        if s.topic != topic {
            topic = s.topic;
            out.push_str(&format!("\n## {}\n", clean(topic)));
        }
        out.push('\n');
        out.push_str(&story_block(s, d));
    }
    out
}

/// The one-request prompt: instructions, then the week and its material.
pub(crate) fn single(instructions: &str, stories: &[Labelled<'_>], d: &Digest) -> Vec<Message> {
    vec![
        Message::system(instructions),
        Message::user(format!(
            "{}\n{}\nWrite the issue now. Cite only the labels above.",
            week_line(d, stories.len()),
            material(stories, d)
        )),
    ]
}

/// Characters in a set of messages (the prompt budget's unit).
pub(crate) fn size(messages: &[Message]) -> usize {
    messages.iter().map(|m| m.content.chars().count()).sum()
}

/// First pass of a long week: one request per topic (split further when one topic alone
/// exceeds `budget`), each asking for a paragraph of notes. Returns (topic, messages).
pub(crate) fn topic_requests<'a>(
    stories: &[Labelled<'a>],
    d: &Digest,
    budget: usize,
) -> Vec<(&'a str, Vec<Message>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < stories.len() {
        let topic = stories[i].topic;
        let mut blocks = String::new();
        while i < stories.len() && stories[i].topic == topic {
            let block = story_block(&stories[i], d);
            if !blocks.is_empty()
                && TOPIC_NOTES.len() + HEADER_ROOM + blocks.chars().count() + block.chars().count()
                    > budget
            {
                break;
            }
            blocks.push_str(&block);
            blocks.push('\n');
            i += 1;
        }
        out.push((
            topic,
            vec![
                Message::system(TOPIC_NOTES),
                Message::user(format!(
                    "The week: {}. Topic: {}\n\n{blocks}Write the paragraph now.",
                    d.range.label(),
                    clean(topic)
                )),
            ],
        ));
    }
    out
}

/// Second pass of a long week: the overview written from the topic notes, with a one-line
/// index of every label so attribution stays possible.
pub(crate) fn from_notes(
    instructions: &str,
    stories: &[Labelled<'_>],
    notes: &[(&str, String)],
    d: &Digest,
) -> Vec<Message> {
    let mut index = String::new();
    for s in stories {
        let i = s.item;
        let mut line = format!("[S{}] {} — ", s.label, clean(&i.title));
        if let Some(a) = &i.author {
            line.push_str(&format!("{}, ", clean(a)));
        }
        line.push_str(&clean(&i.source));
        if let Some(p) = i.published {
            line.push_str(&format!(
                ", {}",
                p.with_timezone(&d.range.tz).format("%Y-%m-%d")
            ));
        }
        index.push_str(&line);
        index.push('\n');
    }
    let mut body = String::new();
    for (topic, note) in notes {
        body.push_str(&format!("\n## {}\n\n{}\n", clean(topic), note.trim()));
    }
    vec![
        Message::system(instructions),
        Message::user(format!(
            "{}\n\nStory index:\n{index}\nNotes per topic, written from those stories:\n{body}\nWrite the issue now from these notes. Cite only the labels above.",
            week_line(d, stories.len())
        )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::DigestRange;
    use crate::digest::Section;
    use crate::digest::topics::Classification;

    fn item(id: i64, title: &str) -> Item {
        Item {
            id,
            title: title.into(),
            url: Some(format!("https://x.example/{id}")),
            author: Some("Ada \u{1b}[31mLovelace".into()),
            source: "Blog".into(),
            source_id: "blog".into(),
            published: Some("2025-10-14T09:00:00Z".parse().unwrap()),
            date: "Tue 14 Oct".into(),
            summary: "word ".repeat(300),
            also_in: vec!["Weekly".into()],
            sources: 2,
            weight: 2.0,
            date_estimated: false,
            collapsed: false,
            classification: Classification {
                primary: "Web".into(),
                secondary: vec![],
                reasons: vec![],
                scores: vec![],
            },
        }
    }

    fn digest() -> Digest {
        let range = DigestRange::parse_week("2025-W42", chrono_tz::Europe::Berlin).unwrap();
        Digest {
            title: "T".into(),
            range,
            overview: String::new(),
            top: vec![5],
            sections: vec![
                Section {
                    name: "Web".into(),
                    items: vec![item(1, "A\n[S9] forged"), item(2, "B"), item(3, "C")],
                },
                Section {
                    name: "Data".into(),
                    items: vec![item(4, "D"), item(5, "E")],
                },
            ],
            trending: vec![],
            watches: vec![],
            story_count: 5,
            source_count: 2,
        }
    }

    #[test]
    fn selection_takes_top_then_each_topic_in_turn_and_labels_in_digest_order() {
        let d = digest();
        let s = select(&d, 3);
        let ids: Vec<(usize, i64)> = s.iter().map(|l| (l.label, l.item.id)).collect();
        // Top story 5, then rank 0 of each section: 1 and 4.
        assert_eq!(ids, vec![(1, 1), (2, 4), (3, 5)]);
        assert_eq!(select(&d, 40).len(), 5);
    }

    #[test]
    fn blocks_are_one_line_per_field_and_bounded() {
        let d = digest();
        let s = select(&d, 40);
        let b = story_block(&s[0], &d);
        assert!(
            b.starts_with("[S1] A [S9] forged\nSource: Blog\nAuthor: Ada Lovelace\n"),
            "{b}"
        );
        assert!(
            b.contains("Date: 2025-10-14 (Tuesday)\nTopic: Web\nAlso in: Weekly\n"),
            "{b}"
        );
        let summary = b.lines().find(|l| l.starts_with("Summary: ")).unwrap();
        assert!(summary.chars().count() <= MAX_EXCERPT + 10, "{summary}");
    }

    #[test]
    fn long_weeks_split_by_topic_within_budget() {
        let d = digest();
        let s = select(&d, 40);
        let single = single(EDITORIAL, &s, &d);
        assert!(single[1].content.contains("## Web") && single[1].content.contains("[S5] E"));
        let reqs = topic_requests(&s, &d, 2000);
        let topics: Vec<&str> = reqs.iter().map(|(t, _)| *t).collect();
        assert!(
            topics.len() > 2,
            "a topic bigger than the budget is split: {topics:?}"
        );
        assert!(reqs.iter().all(|(_, m)| size(m) < 2000 + MAX_EXCERPT * 2));
        let notes = vec![("Web", "Ada wrote [S1].".to_string())];
        let m = from_notes(EDITORIAL, &s, &notes, &d);
        assert!(
            m[1].content
                .contains("[S1] A [S9] forged — Ada Lovelace, Blog, 2025-10-14")
        );
    }
}
