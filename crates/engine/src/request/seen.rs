//! The request as it was (or would be) sent, secrets masked: what an interface shows of it.

use crate::history::StoredRequest;
use crate::history::redact::Redactor;
use crate::request::options::Options;
use crate::request::prepare::{KeySource, PreparedBody, PreparedRequest};

/// How much of a body is shown: the history keeps as much.
const SHOWN_BODY: usize = 64 * 1024;

/// One request as it leaves (or would leave) certbench, redacted as the history stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSeen {
    /// Method, resolved URL, the request's own headers and body.
    pub request: StoredRequest,
    /// Headers the HTTP client adds on the wire when the request has none of that name
    /// (`Host`, `Accept`, `Content-Length`); empty for a request read back from the history.
    pub added: Vec<(String, String)>,
    /// The key presented (None: no key is presented).
    pub key: Option<String>,
    /// What chose the key, the trust and the route; None for a request read back from the
    /// history, which keeps only the request.
    pub setup: Option<Setup>,
    /// Whether this is what a send used, or what one would use now.
    pub when: Seen,
}

/// How a request was set up: what chose its key, what it trusts, how it is routed.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    pub key_source: KeySource,
    /// Trusted certificates named for this request (the system's roots are trusted too).
    pub trust: Vec<String>,
    /// Overrides, pins and limits, as the request uses them.
    pub options: Options,
    /// The proxy this URL goes through (its password hidden) and where that choice came from
    /// (the profile or flag, or an environment variable); None: a direct connection.
    pub proxy: Option<(String, String)>,
}

/// Whether the request went out or is a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Sent,
    WouldSend,
}

impl RequestSeen {
    /// From a prepared request, with the headers the client adds.
    pub fn of(req: &PreparedRequest, when: Seen) -> RequestSeen {
        let red = Redactor::for_request(req);
        let request = StoredRequest::of(req, &red, SHOWN_BODY);
        let url = req.parsed_url();
        let mut added = Vec::new();
        let has = |name: &str| crate::headers::has(&req.headers, name);
        if let Some(host) = url.host_str() {
            let host = match url.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.to_string(),
            };
            added.push(("Host".to_string(), host));
        }
        if !has("accept") {
            added.push(("Accept".to_string(), "*/*".to_string()));
        }
        match &req.body {
            PreparedBody::Bytes { data, .. } if !has("content-length") => {
                added.push(("Content-Length".to_string(), data.len().to_string()));
            }
            PreparedBody::Multipart { .. } if !has("content-type") => {
                added.push((
                    "Content-Type".to_string(),
                    "multipart/form-data; boundary=(chosen when sent)".to_string(),
                ));
            }
            _ => {}
        }
        RequestSeen {
            request,
            added,
            key: req.credential.clone().filter(|_| req.mutual_tls),
            setup: Some(Setup {
                key_source: req.key_source.clone(),
                trust: req.trust.clone(),
                options: req.options.clone(),
                proxy: proxy_of(req),
            }),
            when,
        }
    }

    /// From the history: what it stored, and the key it recorded.
    pub fn stored(request: StoredRequest, key: Option<String>) -> RequestSeen {
        RequestSeen {
            request,
            added: Vec::new(),
            key,
            setup: None,
            when: Seen::Sent,
        }
    }
}

/// The proxy the request's URL would go through, chosen as a send chooses it.
fn proxy_of(req: &PreparedRequest) -> Option<(String, String)> {
    use crate::net::route::{ProxyChoice, redacted};
    let choice = ProxyChoice::choose(req.proxy.as_deref(), |k| std::env::var(k).ok()).ok()?;
    let url = choice.for_url(&req.parsed_url())?;
    Some((redacted(url.as_str()), choice.source.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::prepare::prepare;
    use crate::request::profile::Profile;
    use crate::request::vars::Vars;

    #[test]
    fn secrets_are_masked_and_the_clients_own_headers_listed() {
        let mut p: Profile = toml::from_str(
            r#"
            name = "p"
            method = "POST"
            url = "https://api.example:8443/orders?token=${t}"
            redact = ["token"]
            headers = { Authorization = "Bearer ${t}" }
            [body]
            type = "raw"
            content_type = "application/json"
            text = '{"secret":"${t}"}'
            "#,
        )
        .unwrap();
        p.credential = Some("client".into());
        let mut vars = Vars::new();
        vars.set("t", "s3cr3t-value");
        let req = prepare(&p, &vars).unwrap();
        let seen = RequestSeen::of(&req, Seen::WouldSend);
        let all = format!("{seen:?}");
        assert!(!all.contains("s3cr3t-value"), "{all}");
        assert_eq!(seen.request.method, "POST");
        assert!(
            seen.request
                .url
                .starts_with("https://api.example:8443/orders")
        );
        assert!(
            seen.added
                .contains(&("Host".into(), "api.example:8443".into()))
        );
        assert!(seen.added.contains(&("Accept".into(), "*/*".into())));
        assert!(
            seen.added
                .iter()
                .any(|(k, v)| k == "Content-Length" && v == &req_len(&req))
        );
        assert_eq!(seen.key.as_deref(), Some("client"));
        assert_eq!(seen.setup.map(|s| s.key_source), Some(KeySource::Named));
    }

    fn req_len(req: &PreparedRequest) -> String {
        match &req.body {
            PreparedBody::Bytes { data, .. } => data.len().to_string(),
            _ => String::new(),
        }
    }
}
