//! cURL in and out: a curl command from an API's docs becomes a profile (and the certificate
//! files it names, to import), and a prepared request becomes a curl command that really works.

use std::path::PathBuf;

use indexmap::IndexMap;

use crate::interop::curl_options::{read_option, takes_value};
use crate::interop::not_a_command::NotACommand;
use crate::interop::shell_words::plain;
use crate::net::route::HttpVersion;
use crate::request::profile::{Body, BodyType, HeaderValues, Part, Profile};

/// What a curl command says: the profile, the files to import, and the flags not taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub profile: Profile,
    pub cert: Option<CertFiles>,
    pub cacert: Option<PathBuf>,
    /// Flags certbench does not map: listed, never dropped silently.
    pub unknown: Vec<String>,
    /// Flags about curl's own output (`-s`, `-v`, `-i`, ...), with nothing to map.
    pub ignored: Vec<String>,
    /// Environment variables the profile reads (`$TOKEN` in the command, `-u`'s password):
    /// their values are never stored, so they must be set when it is sent.
    pub env: Vec<String>,
}

/// The variable that `-u user:password`'s password is read from when the profile is sent.
pub const PASSWORD_VAR: &str = "CERTBENCH_PASSWORD";

/// The variable that a proxy URL's password is read from when the profile is sent.
pub const PROXY_PASSWORD_VAR: &str = "CERTBENCH_PROXY_PASSWORD";

/// `url` with the password of its user info (`scheme://user:pass@host`) replaced by a
/// reference to `var`; None when it carries no password (or already a reference).
fn password_from_env(url: &str, var: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (userinfo, host) = rest
        .get(..authority_end)
        .unwrap_or_default()
        .rsplit_once('@')?;
    let (user, password) = userinfo.split_once(':')?;
    if password.is_empty() || password.contains("${") {
        return None;
    }
    Some(format!(
        "{scheme}://{user}:${{env:{var}}}@{host}{}",
        rest.get(authority_end..).unwrap_or_default()
    ))
}

/// The URL with `user` and a password read from [`PASSWORD_VAR`] as its user info.
fn with_user(url: &str, user: &str) -> Result<String, NotACommand> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| NotACommand::UserWithoutScheme(url.to_string()))?;
    let user: String =
        percent_encoding::utf8_percent_encode(user, percent_encoding::NON_ALPHANUMERIC).collect();
    Ok(format!("{scheme}://{user}:${{env:{PASSWORD_VAR}}}@{rest}"))
}

/// Options that only change what curl prints or where it writes, with nothing to map.
const OUTPUT_ONLY: [&str; 19] = [
    "--silent",
    "--show-error",
    "--verbose",
    "--include",
    "--fail",
    "--fail-with-body",
    "--no-progress-meter",
    "--progress-bar",
    "--output",
    "--output-dir",
    "--create-dirs",
    "--remote-name",
    "--remote-header-name",
    "--write-out",
    "--dump-header",
    "--trace",
    "--trace-ascii",
    "--stderr",
    "--styled-output",
];

/// Parses a curl command line (as pasted: `curl` first, shell quoting, `\` line breaks).
pub fn parse(command: &str) -> Result<Imported, NotACommand> {
    // Words as a shell reads them, already templates: `$TOKEN` outside single quotes is
    // `${env:TOKEN}`, any other `$` a literal `$$`.
    let (words, env_read) = crate::interop::shell_words::command_args(command, "curl")?;
    let mut args = words.into_iter();
    let mut p = Profile::default();
    // curl asks for compressed bodies only with --compressed.
    p.options.compressed = false;
    let mut method: Option<String> = None;
    let mut url: Option<String> = None;
    let mut data: Vec<(String, String)> = Vec::new();
    let mut urlencoded: Vec<String> = Vec::new();
    let mut parts: Vec<Part> = Vec::new();
    let mut get = false;
    let mut cert: Option<CertFiles> = None;
    let mut key: Option<PathBuf> = None;
    let mut p12 = false;
    let mut cacert = None;
    let mut unknown = Vec::new();
    let mut ignored = Vec::new();
    let mut headers: IndexMap<String, HeaderValues> = IndexMap::new();
    let mut location = false;
    let mut user_info: Option<String> = None;
    let mut head = false;
    let mut content_type_removed = false;
    while let Some(arg) = args.next() {
        if !arg.starts_with('-') || arg == "-" {
            match url {
                None => url = Some(arg),
                Some(_) => unknown.push(format!("{arg} (a second URL: certbench keeps the first)")),
            }
            continue;
        }
        // `--flag=value` is not curl's syntax, but people type it: taken for value options.
        let options = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") && takes_value(f) => {
                vec![(f.to_string(), Some(v.to_string()))]
            }
            _ => read_option(&arg, &mut || args.next()),
        };
        for (flag, given) in options {
            let value = |what: &str| -> Result<String, NotACommand> {
                given
                    .clone()
                    .ok_or_else(|| NotACommand::NeedsValue(what.to_string()))
            };
            match flag.as_str() {
                "--request" => method = Some(plain(&value(&flag)?)?.to_ascii_uppercase()),
                "--head" => head = true,
                "--header" | "--user-agent" | "--referer" => {
                    let h = match flag.as_str() {
                        "--user-agent" => format!("User-Agent: {}", value(&flag)?),
                        "--referer" => format!("Referer: {}", value(&flag)?),
                        _ => value(&flag)?,
                    };
                    // `Name;` is curl's way to send a header with an empty value.
                    if let Some(name) = h.strip_suffix(';').filter(|n| !n.contains(':')) {
                        headers.insert(plain(name.trim())?, HeaderValues::One(String::new()));
                        continue;
                    }
                    let (k, v) = h.split_once(':').ok_or_else(|| NotACommand::Header {
                        option: "-H",
                        header: h.to_string(),
                    })?;
                    let (k, v) = (plain(k.trim())?, v.trim().to_string());
                    // `-H 'Name:'` removes a header curl would add; certbench adds none of
                    // those but Content-Type, which then stays unset.
                    if v.is_empty() {
                        content_type_removed |= k.eq_ignore_ascii_case("content-type");
                        continue;
                    }
                    match headers.get_mut(&k) {
                        Some(HeaderValues::One(first)) => {
                            let first = std::mem::take(first);
                            headers.insert(k, HeaderValues::Many(vec![first, v]));
                        }
                        Some(HeaderValues::Many(all)) => all.push(v),
                        None => {
                            headers.insert(k, HeaderValues::One(v));
                        }
                    }
                }
                "--data" | "--data-raw" | "--data-binary" | "--data-ascii" | "--json" => {
                    let d = value(&flag)?;
                    if d.starts_with('@') && flag != "--data-raw" {
                        unknown.push(format!(
                            "{flag} {d} (a body read from a file: put it in body.text)"
                        ));
                    } else {
                        data.push((flag.clone(), d));
                    }
                }
                "--data-urlencode" => urlencoded.push(value(&flag)?),
                "--form" => parts.push(form_part(&value(&flag)?)?),
                "--form-string" => parts.push(form_string(&value(&flag)?)?),
                // The user name goes into the URL; the password is never stored: the URL
                // reads it from the environment when the profile is sent.
                "--user" => {
                    let cred = value(&flag)?;
                    let user = cred.split_once(':').map_or(cred.as_str(), |(u, _)| u);
                    user_info = Some(plain(user)?);
                }
                "--get" => get = true,
                "--location" => location = true,
                "--insecure" => p.options.verify_tls = false,
                "--compressed" => p.options.compressed = true,
                // certbench never globs and never rewrites a path: what these ask is its way.
                "--globoff" | "--path-as-is" => {}
                "--max-redirs" => {
                    let n = plain(&value(&flag)?)?;
                    if n != "10" {
                        unknown.push(format!("--max-redirs {n} (certbench follows at most 10)"));
                    }
                }
                "--max-time" => {
                    let t = plain(&value(&flag)?)?;
                    let secs: f64 = t.parse().map_err(|_| NotACommand::NotANumber {
                        option: "--max-time",
                        value: t.clone(),
                        unit: "seconds",
                    })?;
                    p.options.timeout_secs = (secs.ceil() as u32).clamp(1, 300);
                }
                "--proxy" => p.options.proxy = Some(value(&flag)?),
                "--noproxy" => {
                    let hosts = plain(&value(&flag)?)?;
                    if hosts == "*" {
                        p.options.proxy = Some(crate::net::route::NO_PROXY_SETTING.into());
                    } else {
                        unknown.push(format!("--noproxy {hosts} (set NO_PROXY instead)"));
                    }
                }
                "--cacert" => cacert = Some(PathBuf::from(plain(&value(&flag)?)?)),
                "--pinnedpubkey" => p.options.pin = Some(plain(&value(&flag)?)?),
                "--cert" => {
                    let v = plain(&value(&flag)?)?;
                    // FILE:PASS, where a Windows drive or escaped colon is not a separator.
                    let (file, pass) = match v.rsplit_once(':') {
                        Some((f, pw)) if !f.is_empty() && !f.ends_with('\\') => {
                            (f.to_string(), Some(pw.to_string()))
                        }
                        _ => (v.clone(), None),
                    };
                    cert = Some(CertFiles {
                        cert: PathBuf::from(file),
                        key: None,
                        password: pass,
                        p12: false,
                    });
                }
                "--key" => key = Some(PathBuf::from(plain(&value(&flag)?)?)),
                "--cert-type" => {
                    let t = plain(&value(&flag)?)?;
                    match t.to_ascii_uppercase().as_str() {
                        "P12" => p12 = true,
                        "PEM" | "DER" => {}
                        _ => unknown.push(format!("--cert-type {t}")),
                    }
                }
                "--http1.1" => p.options.http_version = HttpVersion::Http1,
                "--http2" | "--http2-prior-knowledge" => {
                    p.options.http_version = HttpVersion::Http2
                }
                "--resolve" => p.options.resolve.push(plain(&value(&flag)?)?),
                "--connect-to" => p.options.connect_to.push(plain(&value(&flag)?)?),
                "--url" => match url {
                    None => url = Some(value(&flag)?),
                    Some(_) => unknown.push(format!(
                        "--url {} (a second URL: certbench keeps the first)",
                        value(&flag)?
                    )),
                },
                f if OUTPUT_ONLY.contains(&f) => match &given {
                    Some(v) => ignored.push(format!("{f} {v}")),
                    None => ignored.push(f.to_string()),
                },
                _ => match &given {
                    Some(v) => unknown.push(format!("{flag} {v}")),
                    None => unknown.push(flag.clone()),
                },
            }
        }
    }
    let url = url.ok_or(NotACommand::NoUrl)?;
    if let Some(c) = &mut cert {
        c.key = key;
        c.p12 = p12 || c.cert.extension().is_some_and(|e| e == "p12" || e == "pfx");
    } else if key.is_some() {
        unknown.push("--key without --cert".into());
    }
    let has_body = !data.is_empty() || !urlencoded.is_empty() || !parts.is_empty();
    if get && has_body {
        // -G: the data goes into the query.
        for (_, d) in data.drain(..) {
            for pair in d.split('&') {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                p.query.push((k.to_string(), v.to_string()));
            }
        }
        for u in urlencoded.drain(..) {
            let (k, v) = u.split_once('=').unwrap_or(("", &u));
            p.query.push((k.to_string(), v.to_string()));
        }
    }
    p.body = if !parts.is_empty() {
        Body {
            kind: BodyType::Multipart,
            parts,
            ..Body::default()
        }
    } else if !urlencoded.is_empty() && data.is_empty() {
        Body {
            kind: BodyType::Form,
            fields: urlencoded
                .iter()
                .map(|u| {
                    let (k, v) = u.split_once('=').unwrap_or(("", u));
                    (k.to_string(), v.to_string())
                })
                .collect(),
            ..Body::default()
        }
    } else if !data.is_empty() {
        let json = data.iter().any(|(f, _)| f == "--json");
        let text: Vec<String> = data.into_iter().map(|(_, d)| d).collect();
        // The body's content type is not a template: its `$$` is a `$` again.
        let content_type = header_value(&headers, "content-type")
            .map(|v| plain(&v))
            .transpose()?;
        let content_type = content_type.or_else(|| {
            Some(if json {
                "application/json".into()
            } else {
                "application/x-www-form-urlencoded".into()
            })
        });
        headers.shift_remove("Content-Type");
        headers.shift_remove("content-type");
        Body {
            kind: BodyType::Raw,
            content_type,
            text: Some(text.join("&")),
            ..Body::default()
        }
    } else {
        Body::default()
    };
    if content_type_removed && p.body.kind == BodyType::Raw {
        p.body.content_type = None;
    }
    p.method = method.unwrap_or_else(|| {
        if head {
            "HEAD".into()
        } else if p.body.kind != BodyType::None {
            "POST".into()
        } else {
            "GET".into()
        }
    });
    // curl follows only with -L, any method (POST becomes GET on 301/302/303, as certbench's
    // follow_all_redirects does); for GET and HEAD that is follow_redirects.
    let safe = matches!(p.method.as_str(), "GET" | "HEAD");
    match (location, safe) {
        (true, true) => p.options.follow_redirects = true,
        (true, false) => p.options.follow_all_redirects = true,
        (false, true) => p.options.follow_redirects = false,
        (false, false) => {}
    }
    // What certbench sends by itself is not part of the profile: its own User-Agent, and the
    // Accept-Encoding that --compressed asks for.
    headers.retain(|k, v| {
        let own_agent = k.eq_ignore_ascii_case("user-agent")
            && v.values().iter().all(|v| v.starts_with("certbench/"));
        let compressed = k.eq_ignore_ascii_case("accept-encoding") && p.options.compressed;
        !(own_agent || compressed)
    });
    p.headers = headers;
    p.url = url;
    let mut env = env_read;
    if let Some(user) = user_info {
        p.url = with_user(&p.url, &user)?;
        env.push(PASSWORD_VAR.to_string());
    } else if let Some(url) = password_from_env(&p.url, PASSWORD_VAR) {
        p.url = url;
        env.push(PASSWORD_VAR.to_string());
    }
    if let Some(proxy) = p
        .options
        .proxy
        .as_deref()
        .and_then(|x| password_from_env(x, PROXY_PASSWORD_VAR))
    {
        p.options.proxy = Some(proxy);
        env.push(PROXY_PASSWORD_VAR.to_string());
    }
    // curl sends a query as written: a key given twice stays twice, never `key[0]`, `key[1]`.
    // (Read from the text: the URL may hold `${...}` and not parse yet.)
    let query = p.url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let mut keys: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    keys.extend(p.query.iter().map(|(k, _)| k.clone()));
    let count = keys.len();
    keys.sort();
    keys.dedup();
    if keys.len() < count {
        p.options.query_arrays = false;
    }
    p.name = name_from_url(&p.url);
    // Only the variables the profile reads (a `$HOME` in a file path was read at import).
    let text = p.to_toml();
    env.retain(|n| text.contains(&format!("${{env:{n}}}")));
    Ok(Imported {
        profile: p,
        cert,
        cacert,
        unknown,
        ignored,
        env,
    })
}

fn header_value(headers: &IndexMap<String, HeaderValues>, name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.values().into_iter().next().map(str::to_string))
}

/// `-F name=value`, `-F name=@file;type=...;filename=...`.
fn form_part(spec: &str) -> Result<Part, NotACommand> {
    let (name, rest) = spec
        .split_once('=')
        .ok_or_else(|| NotACommand::FormPart(spec.to_string()))?;
    let mut part = Part {
        name: name.to_string(),
        text: None,
        file: None,
        filename: None,
        content_type: None,
    };
    let (first, mut rest) = form_word(rest);
    match first.strip_prefix('@') {
        Some(file) => part.file = Some(form_word(file).0),
        None => part.text = Some(first),
    }
    // `;type=...;filename=...`, each value plain or double-quoted as curl writes them.
    while let Some(after) = rest.strip_prefix(';') {
        let (key, value) = after.split_once('=').unwrap_or((after, ""));
        let (value, tail) = form_word(value);
        // Neither is a template: `$$` is a `$` again.
        match key.trim() {
            "type" => part.content_type = Some(plain(&value)?),
            "filename" => part.filename = Some(plain(&value)?),
            _ => {}
        }
        rest = tail;
    }
    Ok(part)
}

/// One value of curl's `-F` syntax: `"quoted"` (with `\"` and `\\` escapes) or plain up to
/// the next `;`; returns it and what follows.
fn form_word(text: &str) -> (String, &str) {
    let Some(quoted) = text.strip_prefix('"') else {
        let end = text.find(';').unwrap_or(text.len());
        return (
            text.get(..end).unwrap_or_default().to_string(),
            text.get(end..).unwrap_or_default(),
        );
    };
    let mut out = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
            }
            '"' => return (out, quoted.get(i + 1..).unwrap_or_default()),
            c => out.push(c),
        }
    }
    (out, "")
}

/// `--form-string name=text`: a text part taken literally (no `@file` or `<file`).
fn form_string(spec: &str) -> Result<Part, NotACommand> {
    let (name, text) = spec
        .split_once('=')
        .ok_or_else(|| NotACommand::FormString(spec.to_string()))?;
    Ok(Part {
        name: name.to_string(),
        text: Some(text.to_string()),
        file: None,
        filename: None,
        content_type: None,
    })
}

/// A profile name from the URL's last path segment ("orders"), or its host.
pub fn name_from_url(url: &str) -> String {
    let parsed = url::Url::parse(url).ok();
    let segment = parsed
        .as_ref()
        .and_then(|u| {
            u.path_segments()?
                .rev()
                .find(|s| !s.is_empty())
                .map(str::to_string)
        })
        .or_else(|| {
            parsed
                .as_ref()
                .and_then(|u| u.host_str().map(str::to_string))
        })
        .unwrap_or_else(|| "imported".into());
    let clean: String = segment
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_matches('-').to_string();
    if clean.is_empty() {
        "imported".into()
    } else {
        clean
    }
}

pub use crate::interop::curl_export::{Exported, Files, export};
pub use crate::interop::curl_files::{CertFiles, import_key, import_trust, stem};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curl_command_from_api_docs_becomes_a_profile() {
        let i = parse(
            "curl -X POST 'https://api.bank.test/v1/payments?x=1' \\\n  -H 'Content-Type: application/json' -H \"X-Req: a\" -H 'X-Req: b' \\\n  --data-raw '{\"amount\": 10}' --cert client.p12:s3cret --cert-type P12 \\\n  --cacert ca.pem -k --compressed --max-time 7.5 -s --frobnicate -L",
        )
        .unwrap();
        let p = &i.profile;
        assert_eq!(p.method, "POST");
        assert_eq!(p.url, "https://api.bank.test/v1/payments?x=1");
        assert_eq!(p.name, "payments");
        assert_eq!(p.body.kind, BodyType::Raw);
        assert_eq!(p.body.text.as_deref(), Some("{\"amount\": 10}"));
        assert_eq!(p.body.content_type.as_deref(), Some("application/json"));
        assert_eq!(
            p.headers["X-Req"],
            HeaderValues::Many(vec!["a".into(), "b".into()])
        );
        assert!(!p.options.verify_tls && p.options.compressed && p.options.follow_all_redirects);
        assert_eq!(p.options.timeout_secs, 8);
        let c = i.cert.unwrap();
        assert_eq!(c.cert, PathBuf::from("client.p12"));
        assert_eq!(c.password.as_deref(), Some("s3cret"));
        assert!(c.p12);
        assert_eq!(i.cacert, Some(PathBuf::from("ca.pem")));
        assert_eq!(i.unknown, vec!["--frobnicate".to_string()]);
        assert_eq!(i.ignored, vec!["--silent".to_string()]);

        let g = parse("curl -G https://x.test/search -d q=tls -d page=2 -u me:pw").unwrap();
        assert_eq!(g.profile.method, "GET");
        assert_eq!(
            g.profile.query,
            vec![("q".into(), "tls".into()), ("page".into(), "2".into())]
        );
        // -u: the user in the URL, the password read from the environment, never stored.
        assert!(g.profile.headers.get("Authorization").is_none());
        assert_eq!(
            g.profile.url,
            "https://me:${env:CERTBENCH_PASSWORD}@x.test/search"
        );
        assert_eq!(g.env, vec![PASSWORD_VAR.to_string()]);
        assert!(!g.profile.to_toml().contains("pw"));
        let f = parse("curl https://x.test/up -F 'doc=@a.pdf;type=application/pdf' -F note=hi")
            .unwrap();
        assert_eq!(f.profile.body.kind, BodyType::Multipart);
        assert_eq!(f.profile.body.parts[0].file.as_deref(), Some("a.pdf"));
        assert_eq!(
            f.profile.body.parts[0].content_type.as_deref(),
            Some("application/pdf")
        );
        assert!(parse("wget https://x").is_err());
        assert!(parse("curl -H 'unclosed").is_err());
        assert!(parse("curl -s").is_err());
    }
}
