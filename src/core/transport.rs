//! PreparedRequest -> Exchange over rustls: client identity, trust, redirects, cookies, decoding, TLS facts.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use super::kind::DiagnosisKind;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use reqwest::cookie::CookieStore;

use super::cookies::CookieJar;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientSessionStore, ResolvesClientCert, Resumption, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DigitallySignedStruct, NamedGroup, RootCertStore, SignatureScheme};
use url::Url;

use super::bodysink::{BodySink, Coding, SinkError};
use super::budget::{Budget, Stopped};
use super::certinfo::CertFacts;
use super::diagnose::{self, Failure};
use super::exchange::{BodyView, Diagnosis, Exchange, Hop, Timing, TlsFacts, build_view};
use super::keystore::{KeyError, Keystore};
use super::prepare::{PreparedBody, PreparedPart, PreparedRequest};
use super::size::{ByteSize, human};

pub const MAX_REDIRECTS: usize = 10;

pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

fn system_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

/// Which client a request needs: one per (credential, trust, verify) combination.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClientKey {
    credential: Option<String>,
    trust: Vec<String>,
    verify: bool,
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
}

impl CredentialInfo {
    pub fn view(&self) -> diagnose::Credential<'_> {
        diagnose::Credential {
            name: &self.name,
            leaf: &self.leaf,
            chain_len: self.chain_len,
        }
    }
}

/// Sends prepared requests; keeps clients (and their connections) and the shared cookie jar.
pub struct Transport {
    keystore: Keystore,
    clients: Mutex<HashMap<ClientKey, Arc<ClientEntry>>>,
    shared_jar: Arc<CookieJar>,
}

impl Transport {
    pub fn new(keystore: Keystore) -> Transport {
        Transport {
            keystore,
            clients: Mutex::new(HashMap::new()),
            shared_jar: Arc::new(CookieJar::default()),
        }
    }

    pub fn keystore(&self) -> &Keystore {
        &self.keystore
    }

    pub fn shared_jar(&self) -> Arc<CookieJar> {
        self.shared_jar.clone()
    }

    /// The client for this request, built on first use.
    pub fn client_for(&self, req: &PreparedRequest) -> Result<Arc<ClientEntry>, Failure> {
        let key = ClientKey {
            credential: req.credential.clone().filter(|_| req.mutual_tls),
            trust: req.trust.clone(),
            verify: req.options.verify_tls,
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
            Some(name) => Some(self.keystore.load_certified_key(name).map_err(key_err)?),
            None => None,
        };
        let mut pinned = Vec::new();
        for name in &key.trust {
            pinned.extend(self.keystore.trusted(name).map_err(key_err)?);
        }
        let log = Arc::new(HandshakeLog::default());
        let config = Arc::new(client_config(identity, &pinned, key.verify, log.clone())?);
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured((*config).clone())
            .redirect(reqwest::redirect::Policy::none())
            .http1_max_headers(super::exchange::MAX_RESPONSE_HEADERS)
            .http2_max_header_list_size(super::exchange::MAX_HEADER_LIST_BYTES)
            .no_proxy()
            .pool_idle_timeout(Duration::from_secs(90))
            .build()
            .map_err(|e| {
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
        let info = self
            .keystore
            .show(name)
            .map_err(|e| Failure::plain(diagnose::key_failure(&e)))?;
        Ok(CredentialInfo {
            name: name.to_string(),
            chain_len: info.chain.len(),
            leaf: info.leaf,
        })
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
        let cred_info = match &req.credential {
            Some(name) => Some(self.credential_info(name)?),
            None => None,
        };
        let cred = cred_info.as_ref().map(CredentialInfo::view);
        let preflight = diagnose::preflight(req, cred.as_ref());
        let entry = self.client_for(req)?;
        let jar = if req.options.share_cookies {
            self.shared_jar.clone()
        } else {
            Arc::new(CookieJar::default())
        };
        let timeout = Duration::from_secs(u64::from(req.options.timeout_secs));
        let started = Instant::now();
        let budget = budget.clone().until(started + timeout);
        let handshakes_before = entry.log.handshakes();
        let outcome = tokio::time::timeout(
            timeout,
            send_with_redirects(&entry, req, &jar, started, &budget),
        )
        .await;
        let mut result = match outcome {
            Ok(r) => r,
            Err(_) => Err(Failure::plain(diagnose::timeout_diagnosis(req))),
        };
        let url = req.parsed_url();
        match &mut result {
            Ok(exchange) => {
                exchange.timing.new_connections = entry.log.handshakes() - handshakes_before;
                exchange.timing.total_ms = ms(started.elapsed());
                let final_url = Url::parse(&exchange.url).unwrap_or(url);
                exchange.tls = entry.log.facts_for(&final_url);
                let mut warnings = preflight;
                warnings.extend(diagnose::after_response(req, exchange, cred.as_ref()));
                warnings.append(&mut exchange.warnings);
                exchange.warnings = warnings;
            }
            Err(failure) => {
                // After a redirect, the hop that failed is the one to look at.
                let url = Url::parse(diagnose::failing_url(failure, req)).unwrap_or(url);
                failure.tls = entry.log.facts_for(&url);
                if failure.needs_probe && url.scheme() == "https" {
                    failure.probe = Some(
                        super::probe::probe_tls(&entry.config, &url, Duration::from_secs(5)).await,
                    );
                }
                failure.diagnosis = diagnose::explain(failure, req, cred.as_ref());
                failure.warnings = preflight;
            }
        }
        result
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0
}

async fn send_with_redirects(
    entry: &ClientEntry,
    req: &PreparedRequest,
    jar: &Arc<CookieJar>,
    started: Instant,
    budget: &Budget,
) -> Result<Exchange, Failure> {
    let mut method = req.method.clone();
    let mut url = req.parsed_url();
    let mut headers = req.headers.clone();
    let mut body = req.body.clone();
    let mut hops: Vec<Hop> = Vec::new();
    let origin = url.origin();
    loop {
        let resp = send_once(entry, &method, &url, &headers, &body, jar, &hops).await?;
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let follow =
            is_redirect(status) && location.is_some() && should_follow(&method, &req.options);
        if !follow {
            return read_response(resp, req, &method, hops, started, budget).await;
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
        url = next;
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// GET and HEAD follow with "follow redirects"; every other method only with "follow all redirects".
pub fn should_follow(method: &str, options: &super::profile::Options) -> bool {
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

async fn send_once(
    entry: &ClientEntry,
    method: &str,
    url: &Url,
    headers: &[(String, String)],
    body: &PreparedBody,
    jar: &Arc<CookieJar>,
    hops: &[Hop],
) -> Result<reqwest::Response, Failure> {
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
        PreparedBody::Bytes { data, .. } => builder.body(data.clone()),
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
                    super::home::read_bounded(&p, super::prepare::PART_FILE_LIMIT)
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
    started: Instant,
    budget: &Budget,
) -> Result<Exchange, Failure> {
    let headers_at = started.elapsed();
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
    let header = |n: &str| super::headers::get(&headers, n).map(str::to_string);
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
        Some(path) => BodySink::file(&codings, path).map_err(|e| {
            with_redirects(
                Failure::plain(Diagnosis::new(
                    DiagnosisKind::OutputFailed,
                    format!("cannot write {}: {e}", path.display()),
                    "choose a file in a folder you can write to",
                )),
                &redirects,
            )
        })?,
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
            "raise it with --max-body SIZE (or max_body in the profile's options), stream it to disk with --output FILE, or ask for a smaller page",
        ));
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
    let body_ms = ms(started.elapsed() - headers_at);
    let body = bytes::Bytes::from(body);
    let (view_body, ctype, parse, view_budget) = (
        body.clone(),
        header("content-type"),
        req.options.parse_response,
        budget.clone(),
    );
    // Indexing a large body is CPU work: off the async workers, still under the budget.
    let view = tokio::task::spawn_blocking(move || {
        build_view(&view_body, ctype.as_deref(), parse, &view_budget)
    })
    .await
    .unwrap_or(Ok(BodyView::Binary))
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
        timing: Timing {
            total_ms: 0.0,
            headers_ms: ms(headers_at),
            body_ms,
            new_connections: 0,
        },
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
        "shown as received; send with --no-compressed to ask for an uncompressed body",
    )
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

/// Records what each handshake of one client showed, keyed by server name.
#[derive(Debug, Default)]
pub struct HandshakeLog {
    inner: Mutex<LogInner>,
    handshakes: AtomicU64,
}

#[derive(Debug, Default)]
struct LogInner {
    pending_request: Option<(Vec<String>, Option<String>)>,
    current: Option<String>,
    by_server: HashMap<String, TlsFacts>,
}

impl HandshakeLog {
    pub fn handshakes(&self) -> u64 {
        self.handshakes.load(Ordering::SeqCst)
    }

    fn with<R>(&self, f: impl FnOnce(&mut LogInner) -> R) -> R {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn facts_for(&self, url: &Url) -> Option<TlsFacts> {
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        self.with(|l| l.by_server.get(&host).cloned())
    }

    fn update_current(&self, f: impl FnOnce(&mut TlsFacts)) {
        self.with(|l| {
            if let Some(name) = l.current.clone()
                && let Some(facts) = l.by_server.get_mut(&name)
            {
                f(facts);
            }
        });
    }

    fn update(&self, server: &ServerName<'_>, f: impl FnOnce(&mut TlsFacts)) {
        let name = server.to_str().into_owned();
        self.with(|l| f(l.by_server.entry(name).or_default()));
    }
}

/// Builds the rustls config: ring provider, system roots plus trusted certificates, our verifier and resolver.
pub fn client_config(
    identity: Option<Arc<CertifiedKey>>,
    pinned: &[CertificateDer<'static>],
    verify: bool,
    log: Arc<HandshakeLog>,
) -> Result<ClientConfig, Failure> {
    let prov = provider();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(system_roots().iter().cloned());
    roots.add_parsable_certificates(pinned.iter().cloned());
    let webpki = if roots.is_empty() {
        None
    } else {
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), prov.clone())
            .build()
            .ok()
    };
    let verifier = Arc::new(RecordingVerifier {
        webpki,
        pinned: pinned.to_vec(),
        verify,
        log: log.clone(),
        provider: prov.clone(),
    });
    let mut config = ClientConfig::builder_with_provider(prov)
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            Failure::plain(Diagnosis::new(
                DiagnosisKind::TlsConfig,
                e.to_string(),
                "report this as a bug",
            ))
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(Arc::new(RecordingResolver {
            identity,
            log: log.clone(),
        }));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.resumption = Resumption::store(Arc::new(RecordingSessions { log }));
    Ok(config)
}

/// Presents the credential (if any) and notes what the server asked for.
#[derive(Debug)]
struct RecordingResolver {
    identity: Option<Arc<CertifiedKey>>,
    log: Arc<HandshakeLog>,
}

impl ResolvesClientCert for RecordingResolver {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let names = root_hint_subjects
            .iter()
            .map(|dn| super::certinfo::dn_to_string(dn))
            .collect();
        let sent = self
            .identity
            .as_ref()
            .and_then(|k| {
                k.end_entity_cert()
                    .ok()
                    .and_then(|c| CertFacts::parse(c).ok())
            })
            .map(|f| f.subject);
        self.log.with(|l| l.pending_request = Some((names, sent)));
        self.identity.clone()
    }

    fn has_certs(&self) -> bool {
        self.identity.is_some()
    }
}

/// Verifies the server (webpki, or an exactly pinned self-signed certificate) and records its chain.
#[derive(Debug)]
struct RecordingVerifier {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    pinned: Vec<CertificateDer<'static>>,
    verify: bool,
    log: Arc<HandshakeLog>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.log.handshakes.fetch_add(1, Ordering::SeqCst);
        let chain: Vec<CertFacts> = std::iter::once(end_entity)
            .chain(intermediates)
            .filter_map(|c| CertFacts::parse(c).ok())
            .collect();
        let pending = self.log.with(|l| {
            l.current = Some(server_name.to_str().into_owned());
            l.pending_request.take()
        });
        let outcome = self.decide(end_entity, intermediates, server_name, ocsp, now);
        self.log.update(server_name, |f| {
            *f = TlsFacts {
                server_name: server_name.to_str().into_owned(),
                server_chain: chain,
                client_cert_requested: pending.is_some(),
                acceptable_ca_names: pending.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
                client_cert_sent: pending.and_then(|p| p.1),
                verified_by: outcome.as_ref().ok().map(|s| s.to_string()),
                verify_error: outcome.as_ref().err().map(|e| e.to_string()),
                unverified: !self.verify,
                ..TlsFacts::default()
            }
        });
        outcome.map(|_| ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.log
            .update_current(|f| f.version = Some("TLSv1.2".into()));
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.log
            .update_current(|f| f.version = Some("TLSv1.3".into()));
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

impl RecordingVerifier {
    fn decide(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<&'static str, rustls::Error> {
        if !self.verify {
            return Ok("verification off");
        }
        let webpki_result = match &self.webpki {
            Some(v) => v
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
                .map(|_| "webpki"),
            None => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            )),
        };
        match webpki_result {
            Ok(rule) => Ok(rule),
            Err(e)
                if self
                    .pinned
                    .iter()
                    .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                self.check_pinned(end_entity, server_name, now)
                    .map_err(|_| e)
            }
            Err(e) => Err(e),
        }
    }

    /// A trusted certificate that is exactly the server's own: still check its dates, and its
    /// name when it names hosts at all (a CN-only certificate names none; the exact pin stands in).
    fn check_pinned(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<&'static str, rustls::Error> {
        let facts = CertFacts::parse(end_entity).map_err(|_| {
            rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding)
        })?;
        if !facts.sans.is_empty() {
            let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
            rustls::client::verify_server_name(&parsed, server_name)?;
        }
        let now = now.as_secs() as i64;
        if now > facts.not_after_unix {
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Expired,
            ));
        }
        if now < facts.not_before_unix {
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidYet,
            ));
        }
        Ok("pinned self-signed certificate")
    }
}

/// Notes the negotiated cipher suite and group; never hands tickets back, so every connection does a full handshake.
#[derive(Debug)]
struct RecordingSessions {
    log: Arc<HandshakeLog>,
}

impl ClientSessionStore for RecordingSessions {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.log.update(&server_name, |f| {
            f.key_exchange = Some(format!("{group:?}"))
        });
    }
    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        None
    }
    fn set_tls12_session(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls12ClientSessionValue,
    ) {
    }
    fn tls12_session(&self, _: &ServerName<'_>) -> Option<rustls::client::Tls12ClientSessionValue> {
        None
    }
    fn remove_tls12_session(&self, _: &ServerName<'static>) {}
    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: rustls::client::Tls13ClientSessionValue,
    ) {
        let suite = format!("{:?}", value.suite().common.suite);
        self.log.update(&server_name, |f| f.cipher = Some(suite));
    }
    fn take_tls13_ticket(
        &self,
        _: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        None
    }
}
