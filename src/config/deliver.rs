//! The delivery tables of feeds.toml: `[mail]` (where `digest --mail` sends the digest) and
//! `[[watch]]` (saved searches the digest opens with and `pydigest watch` reports).

use super::{ConfigError, ConfigText};
use serde::Deserialize;
use toml::Spanned;
use url::Url;

/// The `[mail]` table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MailConfig {
    /// `smtp://[user@]host[:port][?tls=required]` or `smtps://…`; never holds a password.
    pub smtp_url: Url,
    /// Name of the environment variable holding the SMTP password (never the password).
    pub password_env: Option<String>,
    /// The From mailbox, e.g. `Digest <digest@example.org>`.
    pub from: String,
    /// Recipients (at least one).
    pub to: Vec<String>,
    /// Subject template: `{title}`, `{week}`, `{start}` and `{end}` are replaced.
    pub subject: Option<String>,
}

/// One `[[watch]]` table: a saved search.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Watch {
    /// Shown as "Watch: NAME".
    pub name: String,
    /// A query in the search language of `pydigest search`.
    pub query: String,
    /// The query as an FTS5 expression.
    pub fts: String,
}

/// `[mail]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMail {
    smtp_url: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<Vec<String>>>,
    subject: Option<Spanned<String>>,
}

/// `[[watch]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWatch {
    name: Option<Spanned<String>>,
    query: Option<Spanned<String>>,
}

/// True for a plausible mailbox: `a@b` or `Name <a@b>` on one line.
fn is_mailbox(s: &str) -> bool {
    let addr = match (s.rfind('<'), s.ends_with('>')) {
        (Some(i), true) => &s[i + 1..s.len() - 1],
        _ => s,
    };
    !s.chars().any(char::is_control)
        && addr
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !addr.contains(' '))
}

/// Checks the `[mail]` table.
pub(super) fn validate_mail(
    ctx: &ConfigText<'_>,
    raw: Spanned<RawMail>,
) -> Result<MailConfig, ConfigError> {
    let table = raw.span();
    let raw = raw.into_inner();
    let Some(url) = &raw.smtp_url else {
        return ctx.err(
            table,
            "smtp_url",
            "[mail] needs smtp_url",
            Some("e.g. smtp_url = \"smtps://me@smtp.example.org\""),
        );
    };
    let smtp_url = match Url::parse(url.get_ref().trim()) {
        Ok(u) if matches!(u.scheme(), "smtp" | "smtps") && u.host_str().is_some() => u,
        // Never echo the value: it may hold a password.
        _ => {
            return ctx.err(
                url.span(),
                "smtp_url",
                "not an smtp:// or smtps:// URL with a host",
                Some("e.g. \"smtp://localhost:25\" or \"smtp://me@smtp.example.org:587?tls=required\""),
            );
        }
    };
    if smtp_url.password().is_some() {
        return ctx.err(
            url.span(),
            "smtp_url",
            "holds a password; feeds.toml must not",
            Some("put it in an environment variable and name it: password_env = \"SMTP_PASSWORD\""),
        );
    }
    let password_env = super::secret_env_name(
        ctx,
        &raw.password_env,
        "password_env",
        "password",
        "SMTP_PASSWORD",
    )?;
    let from = match &raw.from {
        Some(f) if is_mailbox(f.get_ref().trim()) => f.get_ref().trim().to_string(),
        Some(f) => {
            return ctx.err(
                f.span(),
                "from",
                format!("not an e-mail address: {:?}", f.get_ref()),
                None,
            );
        }
        None => return ctx.err(table, "from", "[mail] needs from", None),
    };
    let to = match &raw.to {
        Some(t) if t.get_ref().is_empty() => {
            return ctx.err(
                t.span(),
                "to",
                "to is empty: give at least one address",
                None,
            );
        }
        Some(t) => {
            if let Some(bad) = t.get_ref().iter().find(|a| !is_mailbox(a.trim())) {
                return ctx.err(
                    t.span(),
                    "to",
                    format!("not an e-mail address: {bad:?}"),
                    None,
                );
            }
            t.get_ref().iter().map(|a| a.trim().to_string()).collect()
        }
        None => {
            return ctx.err(
                table,
                "to",
                "[mail] needs to",
                Some("e.g. to = [\"me@example.org\"]"),
            );
        }
    };
    let subject = raw.subject.map(Spanned::into_inner);
    Ok(MailConfig {
        smtp_url,
        password_env,
        from,
        to,
        subject,
    })
}

/// Checks the `[[watch]]` tables: a name each (unique) and a query that has words.
pub(super) fn validate_watches(
    ctx: &ConfigText<'_>,
    raw: Vec<Spanned<RawWatch>>,
) -> Result<Vec<Watch>, ConfigError> {
    let mut out: Vec<Watch> = Vec::new();
    for w in raw {
        let table = w.span();
        let w = w.into_inner();
        let name = match &w.name {
            Some(n) if !n.get_ref().trim().is_empty() => n.get_ref().trim().to_string(),
            Some(n) => return ctx.err(n.span(), "name", "name is empty", None),
            None => return ctx.err(table, "name", "[[watch]] needs name", None),
        };
        if out.iter().any(|o| o.name == name) {
            let span = w.name.as_ref().map_or(table, Spanned::span);
            return ctx.err(span, "name", format!("two watches named {name:?}"), None);
        }
        let Some(query) = &w.query else {
            return ctx.err(
                table,
                "query",
                "[[watch]] needs query",
                Some("e.g. query = \"CVE\" (the language of `pydigest search`)"),
            );
        };
        let Some(fts) = crate::store::plain_to_fts(query.get_ref()) else {
            return ctx.err(
                query.span(),
                "query",
                "the query has no words to search for",
                None,
            );
        };
        out.push(Watch {
            name,
            query: query.get_ref().trim().to_string(),
            fts,
        });
    }
    Ok(out)
}
