//! `digest --mail`: the digest as one `multipart/alternative` message (the markdown as
//! text/plain, the HTML page as text/html) sent over SMTP as the `[mail]` table says.
//!
//! The password comes only from the environment variable `password_env` names; it is handed
//! to the SMTP client and never written, logged or printed (error texts come from the SMTP
//! exchange, which does not echo it).

use crate::config::MailConfig;
use crate::digest::Digest;
use crate::text::for_terminal;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport as _};
use std::time::Duration;

/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The subject: the template with `{title}`, `{week}`, `{start}` and `{end}` replaced, else
/// the digest's title; on one line.
pub(crate) fn subject(cfg: &MailConfig, d: &Digest) -> String {
    let s = match &cfg.subject {
        None => d.title.clone(),
        Some(t) => t
            .replace("{title}", &d.title)
            .replace("{week}", &d.range.week_label().unwrap_or_default())
            .replace("{start}", &d.range.start.format("%Y-%m-%d").to_string())
            .replace("{end}", &d.range.end.format("%Y-%m-%d").to_string()),
    };
    for_terminal(&s, false).replace(['\r', '\n'], " ")
}

/// Builds the message.
fn message(
    cfg: &MailConfig,
    d: &Digest,
    markdown: String,
    html: String,
) -> Result<Message, String> {
    let parse = |a: &str| {
        a.parse::<Mailbox>()
            .map_err(|e| format!("bad address {a:?}: {e}"))
    };
    let mut b = Message::builder()
        .from(parse(&cfg.from)?)
        .subject(subject(cfg, d))
        .date_now()
        .message_id(None);
    for to in &cfg.to {
        b = b.to(parse(to)?);
    }
    b.multipart(MultiPart::alternative_plain_html(markdown, html))
        .map_err(|e| e.to_string())
}

/// The SMTP client for `smtp_url`, with the password from the environment when it names one.
fn transport(cfg: &MailConfig) -> Result<SmtpTransport, String> {
    let builder = SmtpTransport::from_url(cfg.smtp_url.as_str())
        .map_err(|e| format!("smtp_url: {e}"))?
        .timeout(Some(SMTP_TIMEOUT));
    let builder = match &cfg.password_env {
        None => builder,
        Some(var) => {
            let password = std::env::var(var)
                .map_err(|_| format!("the environment variable {var} (password_env) is not set"))?;
            let user = percent_decode(cfg.smtp_url.username());
            builder.credentials(Credentials::new(user, password))
        }
    };
    Ok(builder.build())
}

/// `%XX` escapes of a URL's user name decoded (`me%40example.org` → `me@example.org`).
fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("u={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Sends the digest; the error is one line saying why it was not delivered.
pub(crate) fn send(
    cfg: &MailConfig,
    d: &Digest,
    markdown: String,
    html: String,
) -> Result<(), String> {
    let msg = message(cfg, d, markdown, html)?;
    let smtp = transport(cfg)?;
    smtp.send(&msg)
        .map(|_| ())
        .map_err(|e| for_terminal(&e.to_string(), false).replace(['\r', '\n'], " "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_names_are_decoded() {
        assert_eq!(super::percent_decode("me%40example.org"), "me@example.org");
        assert_eq!(super::percent_decode("a+b"), "a+b");
    }
}
