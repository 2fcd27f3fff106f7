//! Profile -> PreparedRequest: variables expanded, query rule applied, body encoded, everything checked.

use serde::Serialize;
use url::Url;

use crate::request::grpc::{PrepareGrpcError, PreparedGrpc, SchemaSource, is_grpc};
use crate::request::websocket::{PrepareWsError, PreparedWebSocket, is_websocket};

use crate::keys::bindings::Bindings;
use crate::net::route::{self, Overrides, ProxyChoice};
use crate::request::environment::Environment;
use crate::request::prepare_body::prepare_body;
pub use crate::request::prepare_body::{
    PART_FILE_LIMIT, PreparedBody, PreparedPart, check_content_type,
};
pub use crate::request::prepare_error::PrepareError;
use crate::request::profile::{Options, Profile, check_header_name, check_method};
pub use crate::request::query::apply_query;
use crate::request::vars::Vars;

pub const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// A request ready to send: nothing left to expand or check.
#[derive(Debug, Clone, Serialize)]
pub struct PreparedRequest {
    pub profile: String,
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: PreparedBody,
    pub credential: Option<String>,
    pub mutual_tls: bool,
    pub trust: Vec<String>,
    pub options: Options,
    pub redact: Vec<String>,
    pub history: bool,
    /// Stream the final body into this file instead of memory (`--output`).
    #[serde(skip)]
    pub save_to: Option<std::path::PathBuf>,
    /// The proxy setting with its variables expanded (never stored; `options.proxy` is).
    #[serde(skip)]
    pub proxy: Option<String>,
    /// Write the TLS secrets here in NSS key-log form (`--keylog`; else SSLKEYLOGFILE).
    #[serde(skip)]
    pub keylog: Option<std::path::PathBuf>,
    /// Which rule chose `credential`.
    #[serde(skip)]
    pub key_source: KeySource,
    /// Values to redact wherever the request is stored or printed (captured secrets).
    #[serde(skip)]
    pub secrets: Vec<String>,
    /// Where the events of a `text/event-stream` answer go as they arrive (None: the body is
    /// read whole, as any other).
    #[serde(skip)]
    pub events: Option<crate::body::events::EventTap>,
    /// A `ws://` or `wss://` URL: the conversation's subprotocols and first messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket: Option<PreparedWebSocket>,
    /// A `grpcs://` or `grpc://` URL: the call, its schema's source and its messages (the URL
    /// is then the call's `https://` or `http://` one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<PreparedGrpc>,
}

impl PreparedRequest {
    /// The Host part used to match TLS facts and cookies.
    pub fn parsed_url(&self) -> Url {
        Url::parse(&self.url).expect("prepared URLs are valid")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        crate::headers::get(&self.headers, name)
    }
}

/// What a send adds to its profile: variables, an environment's defaults, keys bound to hosts,
/// and secret values (captured ones) to keep out of history and `-v`.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub vars: &'a Vars,
    pub environment: Option<&'a Environment>,
    pub bindings: Option<&'a Bindings>,
    pub secrets: &'a [String],
}

impl<'a> Context<'a> {
    pub fn with_vars(vars: &'a Vars) -> Context<'a> {
        Context {
            vars,
            environment: None,
            bindings: None,
            secrets: &[],
        }
    }
}

/// Which rule chose the key a request presents (`-v` says it; the form shows it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "from", content = "detail", rename_all = "snake_case")]
pub enum KeySource {
    /// No key: the request presents none.
    #[default]
    None,
    /// `--credential` or the profile's `credential`.
    Named,
    /// The environment's `credential` (its name).
    Environment(String),
    /// A host binding (its pattern).
    Bound(String),
}

pub fn prepare(profile: &Profile, vars: &Vars) -> Result<PreparedRequest, PrepareError> {
    prepare_in(profile, &Context::with_vars(vars))
}

/// Prepares `profile` in `ctx`: the environment's defaults where the profile names none, the
/// variables expanded (in the key and trust names too), and a bound key when none is named.
pub fn prepare_in(profile: &Profile, ctx: &Context<'_>) -> Result<PreparedRequest, PrepareError> {
    profile.validate()?;
    let vars = ctx.vars;
    let mut key_source = match (&profile.credential, ctx.environment) {
        (Some(_), _) => KeySource::Named,
        (None, Some(env)) if env.credential.is_some() => KeySource::Environment(env.name.clone()),
        _ => KeySource::None,
    };
    let mut with_defaults;
    let profile = match ctx.environment {
        Some(env) => {
            with_defaults = profile.clone();
            env.apply_defaults(&mut with_defaults);
            &with_defaults
        }
        None => profile,
    };
    let ex = |field: &str, text: &str| {
        vars.expand(text).map_err(|source| PrepareError::Var {
            field: field.into(),
            source,
        })
    };
    let mut method = profile.method.trim().to_ascii_uppercase();
    check_method(&method)?;
    let mut url = parse_url(&ex("url", &profile.url)?)?;
    let grpc = if is_grpc(url.scheme()) {
        let (g, http_url) = prepare_grpc(profile, &url, &ex)?;
        url = http_url;
        // Every call is a POST over HTTP/2.
        method = "POST".into();
        Some(g)
    } else {
        None
    };
    // `https://user:pass@host`: the credential becomes a Basic Authorization header (redacted
    // like any other) and leaves the URL, so no stored or printed URL carries it.
    let userinfo = (!url.username().is_empty() || url.password().is_some()).then(|| {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let pair = format!(
            "{}:{}",
            decode(url.username()),
            decode(url.password().unwrap_or(""))
        );
        let _ = url.set_username("");
        let _ = url.set_password(None);
        use base64::Engine;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    });
    let mut extra = Vec::with_capacity(profile.query.len());
    for (k, v) in &profile.query {
        extra.push((ex("query", k)?, ex("query", v)?));
    }
    apply_query(&mut url, &extra, profile.options.query_arrays);

    let mut headers = Vec::new();
    for (name, values) in &profile.headers {
        check_header_name(name)?;
        for v in values.values() {
            let value = ex(&format!("header {name}"), v)?;
            reqwest::header::HeaderValue::from_str(&value).map_err(|_| {
                PrepareError::Invalid(format!(
                    "header {name}: value has characters a header cannot carry (newline or control)"
                ))
            })?;
            headers.push((name.clone(), value));
        }
    }
    use crate::headers::has;
    if let Some(basic) = userinfo
        && !has(&headers, "authorization")
    {
        headers.push(("Authorization".into(), basic));
    }
    let websocket = if is_websocket(url.scheme()) {
        if method != "GET" {
            return Err(PrepareError::Invalid(format!(
                "a WebSocket opens with GET, not {method}: set the method to GET"
            )));
        }
        let ws = PreparedWebSocket::prepare(&profile.websocket, |m| ex("websocket message", m))
            .map_err(|e| match e {
                PrepareWsError::Var(e) => e,
                PrepareWsError::Subprotocol(p) => PrepareError::Invalid(format!(
                    "websocket subprotocol {p:?} is not a token (letters, digits and !#$%&'*+-.^_`|~)"
                )),
            })?;
        Some(ws)
    } else {
        None
    };
    // A WebSocket's or gRPC call's messages are not HTTP bodies: no compression is asked for.
    if profile.options.compressed
        && websocket.is_none()
        && grpc.is_none()
        && !has(&headers, "accept-encoding")
    {
        headers.push(("Accept-Encoding".into(), ACCEPT_ENCODING.into()));
    }
    if !has(&headers, "user-agent") {
        headers.push((
            "User-Agent".into(),
            concat!("certbench/", env!("CARGO_PKG_VERSION")).into(),
        ));
    }
    let mut options = profile.options.clone();
    if let Some(g) = &grpc {
        // h2c needs prior knowledge; over TLS, ALPN offers h2 (gRPC's) and http/1.1, so a
        // server that speaks only HTTP/1.1 answers and is told apart instead of hanging.
        options.http_version = match g.plaintext {
            true => crate::net::route::HttpVersion::Http2,
            false => crate::net::route::HttpVersion::Auto,
        };
        // A call whose status the profile expects is judged by that expectation alone.
        if profile.expect.grpc_status.is_some() {
            options.errors_on_status = false;
        }
    }
    // The proxy as written stays in the request (a password in it hidden); the expanded one is
    // used to connect and never stored.
    let proxy = options
        .proxy
        .as_deref()
        .map(|p| ex("proxy", p))
        .transpose()?;
    if proxy.is_some() {
        ProxyChoice::choose(proxy.as_deref(), |_| None)?;
    }
    options.proxy = options.proxy.map(|p| route::redacted(&p));
    let overrides = Overrides::parse(&options.resolve, &options.connect_to)?;
    overrides.for_url(&url).check_port(&url)?;
    if let Some(pin) = &options.pin {
        route::parse_pins(pin)?;
    }
    let mut credential = profile
        .credential
        .as_deref()
        .map(|c| ex("credential", c))
        .transpose()?;
    if credential.is_none()
        && profile.options.mutual_tls != Some(false)
        && let Some(bound) = ctx.bindings.and_then(|b| b.for_url(&url))
    {
        credential = Some(bound.key);
        key_source = KeySource::Bound(bound.pattern);
    }
    let trust = profile
        .trust
        .iter()
        .map(|t| ex("trust", t))
        .collect::<Result<Vec<_>, _>>()?;
    // A call's messages are framed when it is made; its HTTP body is not the profile's.
    let body = match grpc {
        Some(_) => PreparedBody::None,
        None => prepare_body(profile, &ex)?,
    };
    if let PreparedBody::Bytes {
        content_type: Some(ct),
        ..
    } = &body
        && !has(&headers, "content-type")
    {
        headers.push(("Content-Type".into(), ct.clone()));
    }
    Ok(PreparedRequest {
        profile: profile.name.clone(),
        method,
        url: url.to_string(),
        headers,
        body,
        mutual_tls: profile.options.mutual_tls.unwrap_or(credential.is_some()),
        credential,
        trust,
        key_source,
        secrets: ctx.secrets.to_vec(),
        events: None,
        websocket,
        grpc,
        options,
        redact: profile.redact.clone(),
        history: profile.history,
        save_to: None,
        proxy,
        keylog: None,
    })
}

/// The gRPC call a `grpcs://` or `grpc://` URL names, and the HTTP URL it goes to.
fn prepare_grpc(
    profile: &Profile,
    url: &Url,
    ex: &dyn Fn(&str, &str) -> Result<String, PrepareError>,
) -> Result<(PreparedGrpc, Url), PrepareError> {
    let body = profile.body.text.as_deref();
    let mut g = PreparedGrpc::prepare(&profile.grpc, url, body, |m| ex("grpc", m)).map_err(
        |e| match e {
            PrepareGrpcError::Var(e) => e,
            PrepareGrpcError::Path(p) => PrepareError::Invalid(format!(
                "a gRPC URL's path is /package.Service/Method, not {p:?} (the server's own list of methods names them so)"
            )),
            PrepareGrpcError::TwoSchemas => PrepareError::Invalid(
                "[grpc] names both proto files and a protoset: keep one".into(),
            ),
        },
    )?;
    // The schema's files are named from the profile's folder, wherever the command runs.
    let from_profile = |p: &mut std::path::PathBuf| *p = profile.file_path(&p.to_string_lossy());
    match &mut g.schema {
        SchemaSource::Protoset(p) => from_profile(p),
        SchemaSource::Protos {
            files,
            import_paths,
        } => files.iter_mut().chain(import_paths).for_each(from_profile),
        SchemaSource::Reflection => {}
    }
    let http_url = g.http_url(url).map_err(|reason| PrepareError::Url {
        url: url.to_string(),
        reason: reason.to_string(),
    })?;
    Ok((g, http_url))
}

/// http, https, ws, wss, grpcs or grpc; no scheme means https.
pub fn parse_url(text: &str) -> Result<Url, PrepareError> {
    let text = text.trim();
    let bad = |reason: &str| PrepareError::Url {
        url: text.into(),
        reason: reason.into(),
    };
    if text.is_empty() {
        return Err(bad("it is empty"));
    }
    // The URL standard drops tabs and newlines silently: a pasted line break would change the
    // request without a word, so it is an error here.
    if text.contains(['\r', '\n', '\t']) {
        return Err(bad(
            "it contains a line break or tab: remove it (a URL is one line)",
        ));
    }
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| bad(&format!("{e}")))?;
    match url.scheme() {
        "http" | "https" | "ws" | "wss" | "grpcs" | "grpc" => {}
        other => {
            return Err(bad(&format!(
                "scheme {other}: is not supported: use https://, http://, wss://, ws://, grpcs:// or grpc://"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::profile::BodyType;

    fn q(url: &str, extra: &[(&str, &str)], arrays: bool) -> String {
        let mut u = Url::parse(url).unwrap();
        let extra: Vec<(String, String)> = extra
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        apply_query(&mut u, &extra, arrays);
        u.query().unwrap_or("").to_string()
    }

    #[test]
    fn repeated_keys_become_indexed_arrays_with_encoded_brackets() {
        assert_eq!(
            q("https://h/p?foo=bar&foo=baz", &[], true),
            "foo%5B0%5D=bar&foo%5B1%5D=baz"
        );
    }

    #[test]
    fn url_query_and_pairs_count_together_in_order() {
        assert_eq!(
            q("https://h/p?s=open&x=1", &[("s", "paid")], true),
            "s%5B0%5D=open&x=1&s%5B1%5D=paid"
        );
    }

    #[test]
    fn single_key_is_unchanged() {
        assert_eq!(
            q("https://h/p", &[("a", "1"), ("b", "x y")], true),
            "a=1&b=x%20y"
        );
    }

    #[test]
    fn rule_off_keeps_repeated_keys() {
        assert_eq!(
            q("https://h/p?foo=bar", &[("foo", "baz")], false),
            "foo=bar&foo=baz"
        );
    }

    #[test]
    fn no_scheme_means_https_and_bad_urls_are_named() {
        assert_eq!(
            parse_url("example.com/x").unwrap().as_str(),
            "https://example.com/x"
        );
        assert!(
            parse_url("ftp://x")
                .unwrap_err()
                .to_string()
                .contains("not supported")
        );
        assert!(parse_url("https://").is_err());
    }

    #[test]
    fn form_body_is_encoded_and_typed() {
        let mut p = Profile {
            url: "https://h".into(),
            ..Profile::default()
        };
        p.body.kind = BodyType::Form;
        p.body.fields = vec![("a b".into(), "c&d".into())];
        let r = prepare(&p, &Vars::new()).unwrap();
        assert_eq!(
            r.body,
            PreparedBody::Bytes {
                content_type: Some("application/x-www-form-urlencoded".into()),
                data: "a+b=c%26d".into()
            }
        );
        assert_eq!(
            r.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(r.header("accept-encoding"), Some(ACCEPT_ENCODING));
    }

    #[test]
    fn missing_multipart_file_fails_before_sending() {
        let mut p = Profile {
            url: "https://h".into(),
            ..Profile::default()
        };
        p.body.kind = BodyType::Multipart;
        p.body.parts.push(crate::request::profile::Part {
            name: "f".into(),
            text: None,
            file: Some("/no/such/file".into()),
            filename: None,
            content_type: None,
        });
        let err = prepare(&p, &Vars::new()).unwrap_err();
        assert!(matches!(err, PrepareError::MissingFile { .. }), "{err}");
    }
}
