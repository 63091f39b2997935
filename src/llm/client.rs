//! The chat-completions client: one POST to `{base_url}/chat/completions` in the OpenAI wire
//! format, which Ollama, llama.cpp's server, vLLM, LM Studio and OpenAI all speak. Errors are
//! one-line reasons that never contain the API key.

use super::prompt::Message;
use crate::config::{LlmConfig, Settings};
use serde::Serialize;
use std::time::Duration;

/// Largest reply body read.
const MAX_REPLY: usize = 4 * 1024 * 1024;

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    messages: &'a [Message],
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    stream: bool,
}

/// A connection to the endpoint, with its own small runtime.
pub(crate) struct Client {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    url: String,
    model: String,
    temperature: Option<f64>,
    timeout: Duration,
    key: Option<String>,
}

impl Client {
    /// Builds the client; reads the key from the environment variable `api_key_env` names.
    pub(crate) fn new(cfg: &LlmConfig, settings: &Settings) -> Result<Client, String> {
        let key = match &cfg.api_key_env {
            None => None,
            Some(var) => match std::env::var(var) {
                Ok(k) if !k.trim().is_empty() => Some(k.trim().to_string()),
                _ => {
                    return Err(format!(
                        "environment variable {var} (api_key_env) is not set"
                    ));
                }
            },
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
        let http = {
            let _guard = runtime.enter();
            reqwest::Client::builder()
                .user_agent(settings.user_agent.clone())
                .connect_timeout(settings.connect_timeout.min(cfg.timeout))
                .timeout(cfg.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| format!("cannot build the HTTP client: {e}"))?
        };
        Ok(Client {
            runtime,
            http,
            url: format!(
                "{}/chat/completions",
                cfg.base_url.as_str().trim_end_matches('/')
            ),
            model: cfg.model.clone(),
            temperature: cfg.temperature,
            timeout: cfg.timeout,
            key,
        })
    }

    /// Sends the messages and returns the answer's text.
    pub(crate) fn complete(&self, messages: &[Message]) -> Result<String, String> {
        let body = serde_json::to_vec(&Request {
            model: &self.model,
            messages,
            temperature: self.temperature,
            stream: false,
        })
        .map_err(|e| e.to_string())?;
        tracing::info!(url = %self.url, model = %self.model, bytes = body.len(), "asking the model");
        let (status, bytes) = self
            .runtime
            .block_on(self.post(body))
            .map_err(|e| self.redact(&self.describe(&e)))?;
        if !status.is_success() {
            let detail = error_message(&bytes)
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            let reason = status
                .canonical_reason()
                .map(|r| format!(" {r}"))
                .unwrap_or_default();
            return Err(self.redact(&format!("HTTP {}{reason}{detail}", status.as_str())));
        }
        parse_reply(&bytes).map_err(|e| self.redact(&e))
    }

    async fn post(&self, body: Vec<u8>) -> Result<(reqwest::StatusCode, Vec<u8>), reqwest::Error> {
        let mut req = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body);
        if let Some(k) = &self.key {
            req = req.bearer_auth(k);
        }
        let mut resp = req.send().await?;
        let status = resp.status();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            if bytes.len() + chunk.len() > MAX_REPLY {
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((status, bytes))
    }

    fn describe(&self, e: &reqwest::Error) -> String {
        if e.is_timeout() {
            format!(
                "no answer within {}s (timeout_secs)",
                self.timeout.as_secs_f64()
            )
        } else if e.is_connect() {
            format!("cannot connect to {}", self.url)
        } else {
            format!("request to {} failed: {e}", self.url)
        }
    }

    /// The key never leaves in an error message, even when a server echoes it.
    fn redact(&self, s: &str) -> String {
        let s = crate::text::for_terminal(s, false);
        match &self.key {
            Some(k) if !k.is_empty() => s.replace(k.as_str(), "***"),
            _ => s,
        }
    }
}

/// `choices[0].message.content` of a chat-completions reply.
pub(crate) fn parse_reply(body: &[u8]) -> Result<String, String> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("malformed reply: not JSON ({e})"))?;
    v.get("choices")
        .and_then(|c| c.get(0))
        .and_then(|c| c.get("message"))
        .and_then(|m| m.get("content"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| "malformed reply: no choices[0].message.content".to_string())
}

/// The `error.message` of an OpenAI-style error body, shortened.
fn error_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let m = v
        .get("error")
        .and_then(|e| e.get("message").or(Some(e)))
        .and_then(serde_json::Value::as_str)?;
    Some(crate::text::truncate_words(
        &crate::text::collapse_ws(m),
        200,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_parsed_or_explained() {
        let ok = br#"{"choices":[{"index":0,"message":{"role":"assistant","content":"Hi [S1]"}}]}"#;
        assert_eq!(parse_reply(ok).unwrap(), "Hi [S1]");
        assert!(
            parse_reply(b"{\"choices\":[")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            parse_reply(b"{\"choices\":[]}")
                .unwrap_err()
                .contains("choices[0]")
        );
        assert_eq!(
            error_message(br#"{"error":{"message":"model not found"}}"#).as_deref(),
            Some("model not found")
        );
    }
}
