//! `digest --llm`: a narrative digest written by a language model, kept honest. The prompt
//! ([`prompt`]) holds only the week's best-ranked stories under labels `[S<n>]`; the answer is
//! grounded ([`ground`]) so only those labels become links, to URLs we chose; answers are
//! cached in the store keyed by a hash of model and prompt. Nothing here runs unless `--llm`
//! is given: the default digest never touches the network.

pub(crate) mod client;
pub(crate) mod ground;
pub(crate) mod prompt;

use crate::config::{LlmConfig, Settings};
use crate::digest::Digest;
use crate::render::digest_json;
use crate::render::markdown::escape_paragraph;
use crate::store::Store;
use prompt::{Labelled, Message};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

/// Why no narrative was produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LlmError {
    /// The configuration cannot work (an unreadable `prompt_file`): exit code 2.
    #[error("{0}")]
    Config(String),
    /// The model could not be used this time: the plain digest is printed, exit code 3.
    #[error("{0}")]
    Failed(String),
}

/// A grounded narrative.
#[derive(Debug, Clone)]
pub(crate) struct Narrative {
    /// Safe markdown, starting with a `# ` title.
    pub markdown: String,
}

/// Choices for one narrative.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NarrateOptions {
    /// Ask the model even when the store has its answer.
    pub no_cache: bool,
}

/// The cache key: model, temperature and every message, hashed.
pub(crate) fn cache_key(cfg: &LlmConfig, messages: &[Message]) -> String {
    let canonical = serde_json::json!({
        "model": cfg.model,
        "temperature": cfg.temperature,
        "messages": messages,
    });
    let hash = Sha256::digest(canonical.to_string().as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sends prompts, or answers them from the store.
struct Asker<'a> {
    cfg: &'a LlmConfig,
    settings: &'a Settings,
    store: &'a Store,
    opts: NarrateOptions,
    client: Option<client::Client>,
    requests: usize,
}

/// One answer and where it came from.
struct Answer {
    text: String,
    key: String,
    cached: bool,
}

impl Asker<'_> {
    fn ask(&mut self, messages: &[Message]) -> Result<Answer, String> {
        let key = cache_key(self.cfg, messages);
        if !self.opts.no_cache
            && let Some(text) = self
                .store
                .llm_cached(&key)
                .map_err(|e| format!("reading the answer cache: {e}"))?
        {
            tracing::info!("narrative: answered from the cache");
            return Ok(Answer {
                text,
                key,
                cached: true,
            });
        }
        if self.client.is_none() {
            self.client = Some(client::Client::new(self.cfg, self.settings)?);
        }
        let client = self.client.as_ref().expect("built above");
        self.requests += 1;
        let text = client.complete(messages)?;
        Ok(Answer {
            text,
            key,
            cached: false,
        })
    }

    /// Keeps an answer that proved usable.
    fn keep(&self, a: &Answer) -> Result<(), String> {
        if a.cached {
            return Ok(());
        }
        self.store
            .llm_cache_put(&a.key, &self.cfg.model, &a.text, chrono::Utc::now())
            .map_err(|e| format!("writing the answer cache: {e}"))
    }
}

/// The editorial instructions: `prompt_file` when set, else [`prompt::EDITORIAL`].
pub(crate) fn instructions(cfg: &LlmConfig) -> Result<String, LlmError> {
    match &cfg.prompt_file {
        None => Ok(prompt::EDITORIAL.to_string()),
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| {
                LlmError::Config(format!(
                    "cannot read prompt_file {} of [llm]: {e}",
                    p.display()
                ))
            })
            .and_then(|t| {
                if t.trim().is_empty() {
                    Err(LlmError::Config(format!(
                        "prompt_file {} of [llm] is empty",
                        p.display()
                    )))
                } else {
                    Ok(t)
                }
            }),
    }
}

/// The messages of a one-request narrative, or `None` when the material exceeds the budget.
pub(crate) fn single_prompt(
    cfg: &LlmConfig,
    instructions: &str,
    stories: &[Labelled<'_>],
    d: &Digest,
) -> Option<Vec<Message>> {
    let m = prompt::single(instructions, stories, d);
    (prompt::size(&m) <= cfg.max_prompt_chars).then_some(m)
}

/// Writes the narrative for a digest: one request, or when the material exceeds
/// `max_prompt_chars` one per topic and then the overview from their notes. `Ok(None)` for a
/// digest without stories (nothing to write about, nothing sent).
pub(crate) fn narrate(
    cfg: &LlmConfig,
    settings: &Settings,
    store: &Store,
    d: &Digest,
    opts: NarrateOptions,
) -> Result<Option<Narrative>, LlmError> {
    let instructions = instructions(cfg)?;
    if d.is_empty() {
        return Ok(None);
    }
    let stories = prompt::select(d, cfg.max_stories);
    let targets: Vec<ground::Target> = stories
        .iter()
        .map(|s| ground::Target {
            url: s.item.url.clone(),
        })
        .collect();
    let mut asker = Asker {
        cfg,
        settings,
        store,
        opts,
        client: None,
        requests: 0,
    };
    let failed = LlmError::Failed;
    let messages = match single_prompt(cfg, &instructions, &stories, d) {
        Some(m) => m,
        None => {
            let mut notes = Vec::new();
            for (topic, m) in prompt::topic_requests(&stories, d, cfg.max_prompt_chars) {
                let a = asker.ask(&m).map_err(failed)?;
                // A note is only material for the next request, but one citing nothing real
                // would poison it.
                ground::ground(&a.text, &targets)
                    .map_err(|e| failed(format!("notes on {topic}: {e}")))?;
                asker.keep(&a).map_err(failed)?;
                notes.push((topic, a.text));
            }
            prompt::from_notes(&instructions, &stories, &notes, d)
        }
    };
    let a = asker.ask(&messages).map_err(failed)?;
    let g = ground::ground(&a.text, &targets).map_err(failed)?;
    asker.keep(&a).map_err(failed)?;
    tracing::info!(
        labels = g.labels,
        resolved = g.resolved,
        urls_removed = g.urls_removed,
        requests = asker.requests,
        "narrative grounded"
    );
    let mut markdown = g.markdown;
    if !markdown.starts_with("# ") {
        markdown = format!("# {}\n\n{markdown}", escape_paragraph(&d.title));
    }
    Ok(Some(Narrative { markdown }))
}

/// The narrative, then the digest's markdown as the reference section (its title dropped,
/// its headings one level down).
pub(crate) fn render_markdown(narrative: &str, digest_markdown: &str) -> String {
    let mut out = String::from(narrative.trim_end());
    out.push_str("\n\n---\n\n## The week's stories\n\n");
    let body = digest_markdown
        .strip_prefix("# ")
        .and_then(|s| s.split_once('\n').map(|(_, rest)| rest))
        .unwrap_or(digest_markdown);
    for line in body.trim_start_matches('\n').lines() {
        // Only the renderer's own headings start a line with `#`: feed text is escaped.
        if line.starts_with("## ") {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct WithNarrative<'a> {
    #[serde(flatten)]
    digest: crate::render::DigestJson<'a>,
    narrative: Option<&'a str>,
}

/// Today's JSON document plus `"narrative": string|null`.
pub(crate) fn render_json(d: &Digest, narrative: Option<&str>) -> String {
    let mut s = serde_json::to_string_pretty(&WithNarrative {
        digest: digest_json(d),
        narrative,
    })
    .expect("digest JSON serialises");
    s.push('\n');
    s
}

/// `digest --llm`: the digest's text with the narrative added, or unchanged after a failure
/// (reported as one `failed: llm: reason` line on stderr). Returns the text and whether the
/// narrative failed.
pub(crate) fn with_narrative(
    cfg: &LlmConfig,
    settings: &Settings,
    store: &Store,
    d: &Digest,
    plain: String,
    json: bool,
    opts: NarrateOptions,
) -> Result<(String, bool), LlmError> {
    let (narrative, failed) = match narrate(cfg, settings, store, d, opts) {
        Ok(n) => (n, false),
        Err(LlmError::Failed(reason)) => {
            eprintln!("failed: llm: {}", crate::text::for_terminal(&reason, false));
            (None, true)
        }
        Err(e) => return Err(e),
    };
    let text = match (&narrative, json) {
        (_, true) => render_json(d, narrative.as_ref().map(|n| n.markdown.as_str())),
        (Some(n), false) => render_markdown(&n.markdown, &plain),
        (None, false) => plain,
    };
    Ok((text, failed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn llm(extra: &str, dir: &std::path::Path) -> LlmConfig {
        let text = format!("[llm]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"m\"\n{extra}");
        Config::parse(&text, "feeds.toml", dir)
            .unwrap()
            .llm
            .unwrap()
    }

    #[test]
    fn prompt_file_replaces_the_instructions_and_must_be_readable() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            instructions(&llm("", dir.path())).unwrap(),
            prompt::EDITORIAL
        );
        std::fs::write(dir.path().join("p.txt"), "Be brief. Cite [S1].").unwrap();
        let cfg = llm("prompt_file = \"p.txt\"\n", dir.path());
        assert_eq!(instructions(&cfg).unwrap(), "Be brief. Cite [S1].");
        let missing = llm("prompt_file = \"nope.txt\"\n", dir.path());
        assert!(
            matches!(instructions(&missing), Err(LlmError::Config(m)) if m.contains("nope.txt"))
        );
    }

    #[test]
    fn the_cache_key_covers_model_and_every_message() {
        let dir = tempfile::tempdir().unwrap();
        let a = llm("", dir.path());
        let m = vec![Message::system("s"), Message::user("u")];
        let k = cache_key(&a, &m);
        assert_eq!(k.len(), 64);
        assert_eq!(k, cache_key(&a, &m.clone()));
        assert_ne!(
            k,
            cache_key(&a, &[Message::system("s"), Message::user("u2")])
        );
        let mut b = a.clone();
        b.model = "other".into();
        assert_ne!(k, cache_key(&b, &m));
    }

    #[test]
    fn the_reference_section_demotes_the_digest() {
        let out = render_markdown(
            "# Week\n\nText [\\[S1\\]](https://a/)\n",
            "# Python: Weekly Summary\n\n3 stories.\n\n## Top stories\n\n1. x\n",
        );
        assert_eq!(
            out,
            "# Week\n\nText [\\[S1\\]](https://a/)\n\n---\n\n## The week's stories\n\n3 stories.\n\n### Top stories\n\n1. x\n"
        );
    }
}
