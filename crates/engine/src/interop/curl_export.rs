//! A prepared request as a curl command that sends what certbench sends and nothing else: every word quoted, literal bodies, no globbing, the same redirect rule, and secrets never printed.

use std::path::Path;

use crate::history::redact::Redactor;
use crate::net::route::HttpVersion;
use crate::request::prepare::{PreparedBody, PreparedPart, PreparedRequest};
use crate::request::profile::{HeaderValues, Profile};

/// The files curl needs for a request's key and trust, from the keystore.
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub cert: Option<std::path::PathBuf>,
    pub key: Option<std::path::PathBuf>,
    pub cacert: Option<std::path::PathBuf>,
}

/// The command, and what it does not carry (each said to the user).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exported {
    pub command: String,
    /// Secret values left out (a `<redacted>` placeholder stands in the command).
    pub withheld: Vec<String>,
    /// Environment variables the command reads when run (`"$TOKEN"`), as the profile does.
    pub env: Vec<String>,
}

/// A shell word: always single-quoted, so nothing in it is expanded or split.
pub fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

const PLACEHOLDER: &str = "<redacted>";

/// The curl command for `req`, prepared from `profile` (whose unexpanded values say which
/// secrets come from the environment and can be printed as `"$NAME"`).
pub fn export(req: &PreparedRequest, profile: Option<&Profile>, files: &Files) -> Exported {
    let o = &req.options;
    let mut out = Exported::default();
    let mut w: Vec<String> = vec!["curl".into(), "--globoff".into(), "--path-as-is".into()];
    let has_body = !matches!(req.body, PreparedBody::None);
    match (req.method.as_str(), has_body) {
        ("GET", false) | ("POST", true) => {}
        ("HEAD", false) => w.push("--head".into()),
        (m, _) => w.extend(["--request".into(), q(m)]),
    }
    w.push(q(&url_without_secrets(req, &mut out)));
    let redactor = Redactor::for_request(req);
    let named = |name: &str| {
        req.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    for (k, v) in &req.headers {
        w.push("--header".into());
        if redactor.is_secret(k) {
            w.push(secret_header(k, v, profile, &mut out));
        } else if v.is_empty() {
            // `Name:` would remove the header; `Name;` sends it empty.
            w.push(q(&format!("{k};")));
        } else {
            w.push(q(&format!("{k}: {v}")));
        }
    }
    // curl adds headers certbench does not send: remove them, so the server sees the same.
    if !named("accept") {
        w.extend(["--header".into(), q("Accept:")]);
    }
    match &req.body {
        PreparedBody::None => {}
        PreparedBody::Bytes { content_type, data } => {
            if !named("content-type") {
                let ct = content_type.as_deref().unwrap_or("");
                w.extend(["--header".into(), q(&format!("Content-Type: {ct}"))]);
            }
            let shown = redactor.text(data);
            if shown != data.as_str() {
                out.withheld
                    .push("the body's secret values (replace <redacted> in --data-raw)".into());
            }
            w.extend(["--data-raw".into(), q(&shown)]);
        }
        PreparedBody::Multipart { parts } => {
            for part in parts {
                match part {
                    PreparedPart::Text { name, text } => {
                        let text = if redactor.is_secret(name) {
                            out.withheld.push(format!("the part {name}"));
                            PLACEHOLDER
                        } else {
                            text.as_str()
                        };
                        w.extend(["--form-string".into(), q(&format!("{name}={text}"))]);
                    }
                    PreparedPart::File {
                        name,
                        path,
                        filename,
                        content_type,
                        ..
                    } => {
                        let mut spec = format!(
                            "{name}=@{};filename={}",
                            form_quoted(&path.display().to_string()),
                            form_quoted(filename)
                        );
                        if let Some(t) = content_type {
                            spec.push_str(&format!(";type={t}"));
                        }
                        w.extend(["--form".into(), q(&spec)]);
                    }
                }
            }
        }
    }
    if req.mutual_tls
        && let (Some(c), Some(k)) = (&files.cert, &files.key)
    {
        w.extend(["--cert".into(), path_word(c), "--key".into(), path_word(k)]);
    }
    if let Some(ca) = &files.cacert {
        w.extend(["--cacert".into(), path_word(ca)]);
    }
    if !o.verify_tls {
        w.push("--insecure".into());
    }
    // certbench follows GET and HEAD with follow_redirects, every method with
    // follow_all_redirects (301/302/303 become GET, as curl's -L does).
    let follows = o.follow_all_redirects
        || (o.follow_redirects && matches!(req.method.as_str(), "GET" | "HEAD"));
    if follows {
        w.extend(["--location".into(), "--max-redirs".into(), "10".into()]);
    }
    if o.compressed {
        w.push("--compressed".into());
    }
    w.extend(["--max-time".into(), o.timeout_secs.to_string()]);
    match req.proxy.as_deref() {
        Some(crate::net::route::NO_PROXY_SETTING) => w.extend(["--noproxy".into(), q("*")]),
        Some(p) => w.extend(["--proxy".into(), q(&proxy_without_password(p, &mut out))]),
        None => {}
    }
    if let Some(pin) = &o.pin {
        w.extend(["--pinnedpubkey".into(), q(pin)]);
    }
    match o.http_version {
        HttpVersion::Auto => {}
        HttpVersion::Http1 => w.push("--http1.1".into()),
        HttpVersion::Http2 => w.push("--http2".into()),
    }
    for r in &o.resolve {
        w.extend(["--resolve".into(), q(r)]);
    }
    for c in &o.connect_to {
        w.extend(["--connect-to".into(), q(c)]);
    }
    out.command = w.join(" ");
    out
}

fn path_word(p: &Path) -> String {
    q(&p.display().to_string())
}

/// A file name inside curl's `--form` syntax, double-quoted so `;` and `,` stay in it.
fn form_quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A secret header: from the environment in the profile, it reads the same variable when the
/// command runs (`'Authorization: Bearer '"$TOKEN"`); otherwise a placeholder, said aloud.
fn secret_header(name: &str, value: &str, profile: Option<&Profile>, out: &mut Exported) -> String {
    let template = profile.and_then(|p| {
        p.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| match v {
                HeaderValues::One(t) => Some(t.clone()),
                HeaderValues::Many(_) => None,
            })
    });
    if let Some(word) = template.and_then(|t| env_word(&format!("{name}: {t}"), out)) {
        return word;
    }
    let _ = value;
    out.withheld.push(format!("the {name} header"));
    q(&format!("{name}: {PLACEHOLDER}"))
}

/// `text` with `${env:NAME}` turned into `"$NAME"` and the rest single-quoted; None when it
/// holds any other variable (whose value would have to be printed).
fn env_word(text: &str, out: &mut Exported) -> Option<String> {
    let mut word = String::new();
    let mut rest = text;
    let mut names = Vec::new();
    while let Some(i) = rest.find('$') {
        let after = rest.get(i + 1..).unwrap_or_default();
        if let Some(tail) = after.strip_prefix('$') {
            word.push_str(&q(&format!("{}$", rest.get(..i).unwrap_or_default())));
            rest = tail;
            continue;
        }
        let inner = after.strip_prefix('{')?;
        let end = inner.find('}')?;
        let name = inner
            .get(..end)
            .unwrap_or_default()
            .trim()
            .strip_prefix("env:")?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        word.push_str(&q(rest.get(..i).unwrap_or_default()));
        word.push_str(&format!("\"${name}\""));
        names.push(name.to_string());
        rest = inner.get(end + 1..).unwrap_or_default();
    }
    word.push_str(&q(rest));
    if names.is_empty() {
        return None;
    }
    for n in names {
        if !out.env.contains(&n) {
            out.env.push(n);
        }
    }
    Some(word)
}

/// The request's URL with redacted query values replaced by the placeholder.
fn url_without_secrets(req: &PreparedRequest, out: &mut Exported) -> String {
    let shown = Redactor::for_request(req).url(&req.url);
    if shown != req.url {
        out.withheld.push("the URL's secret query values".into());
    }
    // Left percent-encoded: `<` and `>` cannot stand in a request line.
    shown
}

/// A proxy URL with its password replaced by the placeholder.
fn proxy_without_password(proxy: &str, out: &mut Exported) -> String {
    match url::Url::parse(proxy) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("PASSWORD"));
            out.withheld
                .push("the proxy's password (replace PASSWORD)".into());
            u.to_string()
        }
        _ => proxy.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_quoted_and_env_secrets_stay_references() {
        assert_eq!(q("it's"), "'it'\\''s'");
        let mut out = Exported::default();
        assert_eq!(
            env_word("Authorization: Bearer ${env:TOKEN}", &mut out).as_deref(),
            Some("'Authorization: Bearer '\"$TOKEN\"''")
        );
        assert_eq!(out.env, ["TOKEN"]);
        assert_eq!(env_word("X: ${token}", &mut out), None);
        assert_eq!(env_word("X: plain", &mut out), None);
    }
}
