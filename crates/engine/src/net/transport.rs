//! PreparedRequest -> Exchange over rustls: client identity, trust, redirects, cookies, decoding, TLS facts.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use crate::diagnose::fix::Fix;
use crate::diagnose::kind::DiagnosisKind;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use reqwest::cookie::CookieStore;

use crate::net::cookies::CookieJar;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use rustls::ClientConfig;
use url::Url;

use crate::body::bodysink::{BodySink, Coding, SinkError};
use crate::budget::{Budget, Stopped};
use crate::diagnose::{self, failure::Failure};
use crate::exchange::{BodyView, Diagnosis, Exchange, Hop, build_view};
use crate::keys::certinfo::CertFacts;
use crate::keys::keystore::{KeyError, Keystore};
use crate::keys::token::{NoPins, PinSource};
use crate::net::connect::{ConnectTiming, RouteKey, RouteResolver, TimedBody};
use crate::net::handshake::{HandshakeLog, TlsSettings, client_config};
use crate::net::phases::SendMoments;
use crate::net::route::{self, HttpVersion, ProxyChoice};
use crate::request::prepare::{KeySource, PreparedBody, PreparedPart, PreparedRequest};
use crate::size::{ByteSize, human};

pub const MAX_REDIRECTS: usize = 10;

/// Bodies up to this size are indexed on the async worker itself.
const INLINE_VIEW_BYTES: usize = 64 * 1024;

/// Which client a request needs: one per credential, trust, verification and route.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClientKey {
    credential: Option<String>,
    trust: Vec<String>,
    verify: bool,
    route: RouteKey,
}

/// A reusable client and what its handshakes have shown.
pub struct ClientEntry {
    client: reqwest::Client,
    pub log: Arc<HandshakeLog>,
    pub config: Arc<ClientConfig>,
}

/// The stored facts of the selected credential key, for preflight and diagnosis.
#[derive(Debug, Clone)]
pub struct CredentialInfo {
    pub name: String,
    pub leaf: CertFacts,
    pub chain_len: usize,
    /// Subjects and issuers of the certificates after the leaf.
    pub chain_names: Vec<String>,
}

impl CredentialInfo {
    pub fn view(&self) -> diagnose::Credential<'_> {
        diagnose::Credential {
            name: &self.name,
            leaf: &self.leaf,
            chain_len: self.chain_len,
            chain_names: &self.chain_names,
        }
    }
}

/// Sends prepared requests; keeps clients (and their connections) and the shared cookie jar.
pub struct Transport {
    keystore: Keystore,
    clients: Mutex<HashMap<ClientKey, Arc<ClientEntry>>>,
    shared_jar: Arc<CookieJar>,
    /// Key facts read once, not once per send; `forget_keys` after the keystore changes.
    credentials: Mutex<HashMap<String, CredentialInfo>>,
    /// Where a token key's PIN comes from (none by default).
    pins: Arc<dyn PinSource>,
}

impl Transport {
    pub fn new(keystore: Keystore) -> Transport {
        Transport {
            keystore,
            clients: Mutex::new(HashMap::new()),
            shared_jar: Arc::new(CookieJar::default()),
            credentials: Mutex::new(HashMap::new()),
            pins: Arc::new(NoPins),
        }
    }

    /// The same transport, asking `pins` for the PIN of a key on a token.
    pub fn with_pins(mut self, pins: Arc<dyn PinSource>) -> Transport {
        self.pins = pins;
        self
    }

    /// A handshake probe of `req`'s key along its route (proxy, overrides) within `timeout`.
    pub async fn probe(
        &self,
        req: &PreparedRequest,
        config: &Arc<ClientConfig>,
        timeout: Duration,
    ) -> Result<crate::diagnose::failure::Probe, Failure> {
        let route = RouteKey::of(req)?;
        let url = req.parsed_url();
        let path = crate::net::probe::Path {
            proxy: route.proxy.for_url(&url),
            overrides: Some(&route.overrides),
        };
        Ok(crate::net::probe::probe_tls_via(
            config,
            &url,
            timeout,
            path,
            crate::net::probe::Ask::GetPath,
        )
        .await)
    }

    pub fn keystore(&self) -> &Keystore {
        &self.keystore
    }

    pub fn shared_jar(&self) -> Arc<CookieJar> {
        self.shared_jar.clone()
    }

    /// The client for this request, built on first use.
    pub fn client_for(&self, req: &PreparedRequest) -> Result<Arc<ClientEntry>, Failure> {
        self.client_on(req, RouteKey::of(req)?)
    }

    fn client_on(
        &self,
        req: &PreparedRequest,
        route: RouteKey,
    ) -> Result<Arc<ClientEntry>, Failure> {
        let key = ClientKey {
            credential: req.credential.clone().filter(|_| req.mutual_tls),
            trust: req.trust.clone(),
            verify: req.options.verify_tls,
            route,
        };
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = clients.get(&key) {
            return Ok(entry.clone());
        }
        let entry = Arc::new(self.build_client(&key)?);
        clients.insert(key, entry.clone());
        Ok(entry)
    }

    fn build_client(&self, key: &ClientKey) -> Result<ClientEntry, Failure> {
        let key_err = |e: KeyError| Failure::plain(diagnose::key_failure(&e));
        let identity = match &key.credential {
            Some(name) => Some(
                self.keystore
                    .load_certified_key_with(name, self.pins.as_ref())
                    .map_err(key_err)?,
            ),
            None => None,
        };
        let mut pinned = Vec::new();
        for name in &key.trust {
            pinned.extend(self.keystore.trusted(name).map_err(key_err)?);
        }
        let log = Arc::new(HandshakeLog::default());
        let route = &key.route;
        let tls = TlsSettings {
            verify: key.verify,
            pins: route.pins.clone(),
            keylog: route.keylog.clone(),
            http: route.http,
        };
        let config = Arc::new(client_config(identity, &pinned, &tls, log.clone())?);
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured((*config).clone())
            .redirect(reqwest::redirect::Policy::none())
            .http1_max_headers(crate::exchange::MAX_RESPONSE_HEADERS)
            .http2_max_header_list_size(crate::exchange::MAX_HEADER_LIST_BYTES)
            .no_proxy()
            .dns_resolver(Arc::new(RouteResolver {
                overrides: route.overrides.clone(),
                log: log.clone(),
            }))
            .connector_layer(ConnectTiming { log: log.clone() })
            .pool_idle_timeout(Duration::from_secs(90));
        if route.proxy != ProxyChoice::default() {
            let choice = route.proxy.clone();
            builder = builder.proxy(reqwest::Proxy::custom(move |url| {
                choice.for_url(url).cloned()
            }));
        }
        builder = match route.http {
            HttpVersion::Auto => builder,
            HttpVersion::Http1 => builder.http1_only(),
            HttpVersion::Http2 => builder.http2_prior_knowledge(),
        };
        let client = builder.build().map_err(|e| {
            Failure::plain(Diagnosis::new(
                DiagnosisKind::ClientBuild,
                format!("cannot build the HTTP client: {e}"),
                "report this as a bug",
            ))
        })?;
        Ok(ClientEntry {
            client,
            log,
            config,
        })
    }

    /// Sends `req` (following redirects as its options say) within its timeout.
    pub fn credential_info(&self, name: &str) -> Result<CredentialInfo, Failure> {
        let mut cache = self.credentials.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(info) = cache.get(name) {
            return Ok(info.clone());
        }
        let info = self
            .keystore
            .show(name)
            .map_err(|e| Failure::plain(diagnose::key_failure(&e)))?;
        let info = CredentialInfo {
            name: name.to_string(),
            chain_len: info.chain.len(),
            chain_names: info
                .chain
                .iter()
                .skip(1)
                .flat_map(|c| [c.subject.clone(), c.issuer.clone()])
                .collect(),
            leaf: info.leaf,
        };
        cache.insert(name.to_string(), info.clone());
        Ok(info)
    }

    /// Drops what was read from the keystore (key facts and the clients built on them), after
    /// a key was imported or deleted.
    pub fn forget_keys(&self) {
        self.credentials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    pub async fn send(&self, req: &PreparedRequest) -> Result<Exchange, Failure> {
        self.send_within(req, &Budget::unlimited()).await
    }

    /// Sends, stopping when the budget says so (a cancel) or the profile's timeout passes;
    /// the timeout covers reading, decoding and indexing the body too.
    pub async fn send_within(
        &self,
        req: &PreparedRequest,
        budget: &Budget,
    ) -> Result<Exchange, Failure> {
        // Where the body will go is settled before anything is sent.
        if let Some(path) = &req.save_to
            && let Err(e) = crate::destination::resolve(path)
        {
            return Err(output_failure(&e));
        }
        let cred_info = match &req.credential {
            Some(name) => Some(self.credential_info(name)?),
            None => None,
        };
        let cred = cred_info.as_ref().map(CredentialInfo::view);
        let preflight = diagnose::preflight(req, cred.as_ref());
        let route = RouteKey::of(req)?;
        let entry = self.client_on(req, route.clone())?;
        let jar = if req.options.share_cookies {
            self.shared_jar.clone()
        } else {
            Arc::new(CookieJar::default())
        };
        let timeout = Duration::from_secs(u64::from(req.options.timeout_secs));
        let started = Instant::now();
        let budget = budget.clone().until(started + timeout);
        let handshakes_before = entry.log.handshakes();
        let proxy_for = |url: &Url| {
            route
                .proxy
                .for_url(url)
                .map(|p| route::redacted(p.as_str()))
        };
        let lost_before = entry.log.keylog_lost();
        let keylog_warning = |lost: u64| {
            route.keylog.as_ref().map(|path| {
                let failed = if lost > 0 {
                    format!(", but {lost} of its lines could not be written (is the disk full?)")
                } else {
                    String::new()
                };
                Diagnosis::new(
                    DiagnosisKind::KeylogActive,
                    format!(
                        "TLS secrets are being written to {}{failed}: whoever has that file can decrypt these connections",
                        path.display()
                    ),
                    "delete the file when the capture is decrypted; unset SSLKEYLOGFILE to stop",
                )
            })
        };
        // A key bound to some hosts is never presented to another one a redirect leads to:
        // from there on the request goes on with a client that presents no key.
        let keyless = || {
            let mut bare = req.clone();
            bare.credential = None;
            bare.mutual_tls = false;
            self.client_on(&bare, route.clone())
        };
        let mut hops_went = Redirected::default();
        let outcome = tokio::time::timeout(
            timeout,
            send_with_redirects(
                &entry,
                req,
                &jar,
                started,
                &budget,
                &keyless,
                &mut hops_went,
            ),
        )
        .await;
        let served = hops_went.keyless.clone().unwrap_or_else(|| entry.clone());
        let keylog_warning = keylog_warning(entry.log.keylog_lost() - lost_before);
        let mut result = match outcome {
            Ok(r) => r,
            Err(_) => Err(Failure::plain(diagnose::timeout_diagnosis(req))),
        };
        let url = req.parsed_url();
        match &mut result {
            Ok(exchange) => {
                exchange.timing.new_connections =
                    entry.log.handshakes() - handshakes_before + hops_went.keyless_handshakes();
                let final_url = Url::parse(&exchange.url).unwrap_or(url);
                exchange.tls = served.log.facts_for(&final_url);
                if let Some(tls) = &mut exchange.tls {
                    tls.proxy = proxy_for(&final_url);
                    // ALPN decides the HTTP version over TLS; the response says which it was.
                    tls.alpn = Some(
                        if exchange.http_version == "HTTP/2.0" {
                            "h2"
                        } else {
                            "http/1.1"
                        }
                        .into(),
                    );
                }
                let mut warnings = preflight;
                warnings.extend(keylog_warning.clone());
                warnings.extend(hops_went.notes.clone());
                // With the key withheld, the last hop is judged as a request without a key.
                let judged = if hops_went.keyless.is_some() {
                    None
                } else {
                    cred.as_ref()
                };
                warnings.extend(diagnose::after_response(req, exchange, judged));
                warnings.append(&mut exchange.warnings);
                exchange.warnings = warnings;
            }
            Err(failure) => {
                // After a redirect, the hop that failed is the one to look at.
                let url = Url::parse(diagnose::failing_url(failure, req)).unwrap_or(url);
                failure.tls = served.log.facts_for(&url);
                failure.proxy = proxy_for(&url);
                if let Some(tls) = &mut failure.tls {
                    tls.proxy = failure.proxy.clone();
                }
                // The probe goes the way the send went: through the proxy, or to the override.
                if failure.needs_probe && url.scheme() == "https" {
                    failure.probe = Some(route.probe(&entry.config, &url).await);
                }
                failure.diagnosis = diagnose::explain(failure, req, cred.as_ref());
                failure.warnings = preflight;
                failure.warnings.extend(keylog_warning);
                failure.warnings.extend(hops_went.notes);
            }
        }
        result
    }
}

/// What following the redirects changed: the key withheld from a host (and the client used
/// from there on), and what the output must say about the key.
#[derive(Default)]
struct Redirected {
    keyless: Option<Arc<ClientEntry>>,
    keyless_before: u64,
    notes: Vec<Diagnosis>,
}

impl Redirected {
    fn keyless_handshakes(&self) -> u64 {
        self.keyless
            .as_ref()
            .map_or(0, |k| k.log.handshakes() - self.keyless_before)
    }

    /// Decides, for a hop from `from` to `to`, whether the key goes along.
    fn hop(
        &mut self,
        req: &PreparedRequest,
        from: &Url,
        to: &Url,
        keyless: &(dyn Fn() -> Result<Arc<ClientEntry>, Failure> + Sync),
    ) -> Result<(), Failure> {
        let same_host = from.host_str() == to.host_str()
            && from.port_or_known_default() == to.port_or_known_default();
        let presenting = req.mutual_tls && req.credential.is_some() && self.keyless.is_none();
        if same_host || !presenting {
            return Ok(());
        }
        let key = req.credential.as_deref().unwrap_or_default();
        let host = to.host_str().unwrap_or_default();
        match &req.key_source {
            KeySource::Bound(pattern)
                if !pattern
                    .parse::<crate::keys::bindings::Pattern>()
                    .is_ok_and(|p| p.matches(to)) =>
            {
                let client = keyless()?;
                self.keyless_before = client.log.handshakes();
                self.keyless = Some(client);
                self.notes.push(Diagnosis::new(
                    DiagnosisKind::KeyWithheldOnRedirect,
                    format!(
                        "a redirect led to {host}, which binding {pattern} does not cover: key {key} was not presented there, and the request went on without a key"
                    ),
                    "if it should go there",
                ).with_step(Fix::BindKey));
            }
            _ => self.notes.push(Diagnosis::new(
                DiagnosisKind::KeyFollowedRedirect,
                format!(
                    "a redirect led from {} to {host}: key {key} was presented there too (as curl does with a named key)",
                    from.host_str().unwrap_or_default()
                ),
                "turn off Follow redirects to stop at the first host",
            )),
        }
        Ok(())
    }
}

async fn send_with_redirects(
    entry: &ClientEntry,
    req: &PreparedRequest,
    jar: &Arc<CookieJar>,
    started: Instant,
    budget: &Budget,
    keyless: &(dyn Fn() -> Result<Arc<ClientEntry>, Failure> + Sync),
    went: &mut Redirected,
) -> Result<Exchange, Failure> {
    let mut method = req.method.clone();
    let mut url = req.parsed_url();
    let mut headers = req.headers.clone();
    let mut body = req.body.clone();
    let mut hops: Vec<Hop> = Vec::new();
    let origin = url.origin();
    loop {
        let hop_started = Instant::now();
        let body_sent = Arc::new(OnceLock::new());
        let outgoing = Outgoing {
            method: &method,
            url: &url,
            headers: &headers,
            body: &body,
            body_sent: &body_sent,
        };
        let client = went.keyless.as_deref().unwrap_or(entry);
        let resp = send_once(client, &outgoing, jar, &hops).await?;
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let follow =
            is_redirect(status) && location.is_some() && should_follow(&method, &req.options);
        if !follow {
            let at = Sent {
                started,
                final_hop: hop_started,
                body_sent: body_sent.get().copied(),
                log: &client.log,
            };
            return read_response(resp, req, &method, hops, at, budget).await;
        }
        let location = location.unwrap_or_default();
        let next = url.join(&location).map_err(|e| {
            Failure::plain(Diagnosis::new(
                DiagnosisKind::BadRedirect,
                format!("redirect {status} to an invalid Location {location:?}: {e}"),
                "the server sent a broken Location header",
            ))
        })?;
        if !matches!(next.scheme(), "http" | "https") {
            let mut f = Failure::plain(diagnose::redirect_not_http(status, &next));
            f.redirects = hops;
            return Err(f);
        }
        if hops.len() >= MAX_REDIRECTS {
            let mut f = Failure::plain(Diagnosis::new(
                DiagnosisKind::TooManyRedirects,
                format!("more than {MAX_REDIRECTS} redirects (last: {status} {url} -> {next})"),
                "this is probably a redirect loop: turn off Follow redirects to see the first answer",
            ));
            f.redirects = hops;
            return Err(f);
        }
        let cross_origin = next.origin() != url.origin();
        hops.push(Hop {
            status,
            method: method.clone(),
            url: url.to_string(),
            location: next.to_string(),
            cross_origin,
            downgrade: url.scheme() == "https" && next.scheme() == "http",
        });
        if cross_origin || next.origin() != origin {
            headers.retain(|(k, _)| !is_credential_header(k));
        }
        if matches!(status, 301..=303) && method != "HEAD" {
            method = "GET".into();
            body = PreparedBody::None;
            headers.retain(|(k, _)| {
                !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("content-length")
            });
        }
        went.hop(req, &url, &next, keyless).map_err(|mut f| {
            f.redirects = hops.clone();
            f
        })?;
        url = next;
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// GET and HEAD follow with "follow redirects"; every other method only with "follow all redirects".
pub fn should_follow(method: &str, options: &crate::request::profile::Options) -> bool {
    if method == "GET" || method == "HEAD" {
        options.follow_redirects || options.follow_all_redirects
    } else {
        options.follow_all_redirects
    }
}

fn is_credential_header(name: &str) -> bool {
    ["authorization", "cookie", "proxy-authorization"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
}

/// One request of a send (the first, or a redirect's), as it goes out.
struct Outgoing<'a> {
    method: &'a str,
    url: &'a Url,
    headers: &'a [(String, String)],
    body: &'a PreparedBody,
    /// Set when the connection has taken the body.
    body_sent: &'a Arc<OnceLock<Instant>>,
}

async fn send_once(
    entry: &ClientEntry,
    out: &Outgoing<'_>,
    jar: &Arc<CookieJar>,
    hops: &[Hop],
) -> Result<reqwest::Response, Failure> {
    let Outgoing {
        method,
        url,
        headers,
        body,
        body_sent,
    } = *out;
    // Preparation checked all of these; a request that still does not fit is refused, never
    // sent with a part silently replaced.
    let invalid = |what: String| {
        Failure::plain(Diagnosis::new(
            DiagnosisKind::InvalidRequest,
            what,
            "fix the profile or flags and send again",
        ))
    };
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| invalid(format!("invalid method {method:?}")))?;
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        let name = HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| invalid(format!("invalid header name {k:?}")))?;
        let value = HeaderValue::from_str(v).map_err(|_| {
            invalid(format!(
                "header {k}: the value cannot be sent (line break or control character)"
            ))
        })?;
        map.append(name, value);
    }
    let user_cookies = map.get(reqwest::header::COOKIE).is_some();
    if let Some(cookies) = jar.cookies(url).filter(|_| !user_cookies) {
        map.insert(reqwest::header::COOKIE, cookies);
    }
    let mut builder = entry.client.request(method, url.clone()).headers(map);
    builder = match body {
        PreparedBody::None => builder,
        PreparedBody::Bytes { data, .. } => builder.body(reqwest::Body::wrap(TimedBody {
            data: Some(bytes::Bytes::from(data.clone())),
            sent: body_sent.clone(),
        })),
        PreparedBody::Multipart { parts } => builder.multipart(multipart_form(parts).await?),
    };
    let resp = builder
        .send()
        .await
        .map_err(|e| Failure::from_reqwest(e, hops))?;
    let mut set_cookies = resp.headers().get_all(reqwest::header::SET_COOKIE).iter();
    jar.set_cookies(&mut set_cookies, url);
    Ok(resp)
}

/// Builds the multipart form, reading each file part whole (at most PART_FILE_LIMIT) before
/// anything is sent: a file that is gone, unreadable or changing is an error, never an empty or
/// truncated part. Reading it whole also sends `/proc`-style files, whose size says 0, complete.
async fn multipart_form(parts: &[PreparedPart]) -> Result<reqwest::multipart::Form, Failure> {
    let mut form = reqwest::multipart::Form::new();
    for part in parts {
        form = match part {
            PreparedPart::Text { name, text } => form.text(name.clone(), text.clone()),
            PreparedPart::File {
                name,
                path,
                filename,
                content_type,
                ..
            } => {
                let p = path.clone();
                let data = tokio::task::spawn_blocking(move || {
                    crate::home::read_bounded(&p, crate::request::prepare::PART_FILE_LIMIT)
                })
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())))
                .map_err(|e| {
                    Failure::plain(Diagnosis::new(
                        DiagnosisKind::PartFileUnreadable,
                        format!(
                            "multipart part {name:?}: cannot read {}: {e}; nothing was sent",
                            path.display()
                        ),
                        "check the file's path and permissions, then send again",
                    ))
                })?;
                let ct = content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream");
                let file_part = reqwest::multipart::Part::bytes(data)
                    .file_name(filename.clone())
                    .mime_str(ct)
                    .map_err(|_| {
                        Failure::plain(Diagnosis::new(
                            DiagnosisKind::InvalidRequest,
                            format!(
                                "multipart part {name:?}: content type {ct:?} is not a media type"
                            ),
                            "write e.g. application/json",
                        ))
                    })?;
                form.part(name.clone(), file_part)
            }
        };
    }
    Ok(form)
}

async fn read_response(
    mut resp: reqwest::Response,
    req: &PreparedRequest,
    method: &str,
    redirects: Vec<Hop>,
    sent: Sent<'_>,
    budget: &Budget,
) -> Result<Exchange, Failure> {
    let started = sent.started;
    let headers_instant = Instant::now();
    let status = resp.status();
    let url = resp.url().to_string();
    let http_version = format!("{:?}", resp.version());
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let header = |n: &str| crate::headers::get(&headers, n).map(str::to_string);
    let content_encoding =
        header("content-encoding").filter(|e| !e.trim().eq_ignore_ascii_case("identity"));
    let mut warnings = Vec::new();
    let codings = match content_encoding.as_deref().map(Coding::parse_list) {
        None => Vec::new(),
        Some(Ok(c)) => c,
        Some(Err(e)) => {
            warnings.push(not_decoded(&e, content_encoding.as_deref()));
            Vec::new()
        }
    };
    let limit = req.options.max_body().bytes();
    let with_redirects = |mut f: Failure, redirects: &[Hop]| {
        f.redirects = redirects.to_vec();
        f
    };
    let mut sink = match &req.save_to {
        Some(path) => BodySink::file(&codings, path)
            .map_err(|e| with_redirects(output_failure(&e), &redirects))?,
        None => BodySink::memory(&codings, limit, resp.content_length()),
    };
    // The body as received, kept while decoding in memory in case it turns out not to decode.
    let mut raw: Option<Vec<u8>> = (!codings.is_empty() && req.save_to.is_none()).then(Vec::new);
    let mut received: u64 = 0;
    let mut undecodable: Option<String> = None;
    let mut over_limit = false;
    loop {
        if let Err(stopped) = budget.check() {
            return Err(with_redirects(stopped_failure(stopped, req), &redirects));
        }
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                received += chunk.len() as u64;
                if req.save_to.is_none() && received > limit {
                    // Past the cap on the wire already.
                    over_limit = true;
                    break;
                }
                if let Some(r) = raw.as_mut() {
                    r.extend_from_slice(&chunk);
                }
                if undecodable.is_some() {
                    // Kept raw from here on.
                    continue;
                }
                match sink.write(&chunk) {
                    Ok(()) => {}
                    Err(SinkError::Full) => {
                        over_limit = true;
                        break;
                    }
                    Err(SinkError::Decode(e)) if raw.is_some() => undecodable = Some(e),
                    Err(SinkError::Decode(e)) | Err(SinkError::Io(e)) => {
                        return Err(with_redirects(
                            sink_failure(&e, req, content_encoding.as_deref()),
                            &redirects,
                        ));
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                let mut f = Failure::from_reqwest(e, &redirects);
                f.partial_body = Some(received as usize);
                if f.diagnosis.kind != DiagnosisKind::Timeout {
                    f.from_transport = false;
                    f.needs_probe = false;
                    f.diagnosis = Diagnosis::new(
                        DiagnosisKind::BodyIncomplete,
                        format!(
                            "the server closed the connection after {received} bytes of the body (status {status})"
                        ),
                        "the server or a proxy cut the response short: retry, or check the server's logs",
                    );
                }
                return Err(f);
            }
        }
    }
    drop(resp);
    let mut incomplete = None;
    let (body, decoded) = if over_limit {
        let kept = sink.into_kept();
        incomplete = Some(Diagnosis::new(
            DiagnosisKind::BodyTooLarge,
            format!(
                "the body is over the {} limit: stopped after {} received{}; what was read is kept",
                ByteSize(limit),
                human(received),
                if codings.is_empty() {
                    String::new()
                } else {
                    format!(" ({} after decoding)", human(kept.decoded))
                }
            ),
            "or ask for a smaller page",
        ).with_step(Fix::RaiseBodyLimit));
        (kept.body, kept.decoded)
    } else {
        // A coding that failed mid-stream or at its end: the body as received, said once.
        let finished = match undecodable {
            Some(e) => Err(SinkError::Decode(e)),
            None => sink.finish(),
        };
        match finished {
            Ok(got) => (got.body, got.decoded),
            Err(SinkError::Decode(e)) if raw.is_some() => {
                warnings.push(not_decoded(&e, content_encoding.as_deref()));
                let raw = raw.take().unwrap_or_default();
                let n = raw.len() as u64;
                (raw, n)
            }
            Err(SinkError::Decode(e)) | Err(SinkError::Io(e)) => {
                return Err(with_redirects(
                    sink_failure(&e, req, content_encoding.as_deref()),
                    &redirects,
                ));
            }
            Err(SinkError::Full) => unreachable!("a finished sink took every byte"),
        }
    };
    drop(raw);
    let body_read = Instant::now();
    let body = bytes::Bytes::from(body);
    let (view_body, ctype, parse, view_budget) = (
        body.clone(),
        header("content-type"),
        req.options.parse_response,
        budget.clone(),
    );
    // Indexing a large body is CPU work: off the async workers, still under the budget. A small
    // one is indexed in place (microseconds), sparing a thread hand-off per send.
    let view = if view_body.len() <= INLINE_VIEW_BYTES {
        build_view(&view_body, ctype.as_deref(), parse, &view_budget)
    } else {
        tokio::task::spawn_blocking(move || {
            build_view(&view_body, ctype.as_deref(), parse, &view_budget)
        })
        .await
        .unwrap_or(Ok(BodyView::Binary))
    }
    .map_err(|stopped| with_redirects(stopped_failure(stopped, req), &redirects))?;
    let code = status.as_u16();
    Ok(Exchange {
        method: method.to_string(),
        url,
        status: code,
        reason: status.canonical_reason().unwrap_or("").to_string(),
        http_version,
        headers,
        decoded_size: decoded as usize,
        body,
        encoded_size: received as usize,
        content_encoding,
        view,
        redirects,
        tls: None,
        timing: SendMoments {
            started,
            final_hop: sent.final_hop,
            body_sent: sent.body_sent,
            headers: headers_instant,
            body_read,
            done: Instant::now(),
        }
        .timing(&sent.log.clock),
        status_is_error: req.options.errors_on_status && code >= 400,
        warnings,
        incomplete,
        saved_to: req.save_to.as_ref().map(|p| p.display().to_string()),
    })
}

fn not_decoded(error: &str, encoding: Option<&str>) -> Diagnosis {
    Diagnosis::new(
        DiagnosisKind::DecodeFailed,
        format!(
            "the body says Content-Encoding {} but does not decode: {error}",
            encoding.unwrap_or("")
        ),
        "shown as received",
    ).with_step(Fix::AskUncompressed)
}

/// The body's file cannot be written: the cause names the path and what to do.
fn output_failure(e: &crate::destination::DestinationError) -> Failure {
    Failure::plain(Diagnosis::new(
        DiagnosisKind::OutputFailed,
        format!("cannot write the body: {e}"),
        "choose a file in a folder you can write to; nothing was replaced",
    ))
}

fn sink_failure(error: &str, req: &PreparedRequest, encoding: Option<&str>) -> Failure {
    match &req.save_to {
        Some(path) if !error.contains("decode") || encoding.is_none() => {
            Failure::plain(Diagnosis::new(
                DiagnosisKind::OutputFailed,
                format!("cannot write {}: {error}", path.display()),
                "check the disk space and the folder's permissions; nothing was left behind",
            ))
        }
        _ => Failure::plain(not_decoded(error, encoding)),
    }
}

/// A send stopped by its budget: the timeout, or a cancel from the user.
pub fn stopped_failure(stopped: Stopped, req: &PreparedRequest) -> Failure {
    Failure::plain(match stopped {
        Stopped::TimedOut => diagnose::timeout_diagnosis(req),
        Stopped::Cancelled => Diagnosis::new(
            DiagnosisKind::Cancelled,
            "the send was cancelled",
            "send again when ready",
        ),
    })
}

/// When the final request of a send began, when its body was handed over, and the client's
/// connection clock.
struct Sent<'a> {
    started: Instant,
    final_hop: Instant,
    body_sent: Option<Instant>,
    log: &'a HandshakeLog,
}
