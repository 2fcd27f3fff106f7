//! The embedded mTLS server: certificates generated at start, echo/JSON/XML/status/redirect/cookie/slow/large/gzip routes.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use serde_json::json;
use tokio::net::TcpListener;

use engine::keys::certinfo::CertFacts;

mod pki;
mod socket;
pub use pki::{Days, Issued, Pki, self_signed_server};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    Required,
    Optional,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    Both,
    Tls12,
    Tls13,
}

/// How a test server is set up; `Default` is the demo: TLS 1.2+1.3, client certificate required.
pub struct ServerConfig {
    pub server_chain: Vec<CertificateDer<'static>>,
    pub server_key: PrivateKeyDer<'static>,
    pub client_roots: Vec<CertificateDer<'static>>,
    pub client_auth: ClientAuth,
    pub versions: Versions,
    /// Answer 400 "No required SSL certificate was sent" at the HTTP level, as nginx does.
    pub nginx_style: bool,
    /// Revocation lists checked against client certificates (a revoked one gets `certificate_revoked`).
    pub client_crls: Vec<CertificateRevocationListDer<'static>>,
}

/// A running server; dropping it stops accepting.
pub struct Server {
    pub addr: SocketAddr,
    pub url: String,
    pub handshakes: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The demo's whole set-up: CA, server certificate for localhost, one client key.
pub struct Demo {
    pub pki: Pki,
    pub server_cert: Issued,
    pub client: Issued,
}

impl Demo {
    /// Imports the client key as `demo` and the CA as trusted certificate `demo-ca`.
    pub fn import_into(
        &self,
        ks: &engine::keys::keystore::Keystore,
    ) -> Result<(), engine::keys::keystore::KeyError> {
        ks.import_pem(
            "demo",
            self.client.cert_pem.as_bytes(),
            self.client.key_pem.as_bytes(),
            None,
            "demo key",
        )?;
        ks.add_trusted("demo-ca", self.pki.ca.cert_pem.as_bytes(), None, "demo CA")?;
        Ok(())
    }

    pub fn new() -> Demo {
        let pki = Pki::new("certbench demo CA");
        let server_cert = pki.server(&["localhost", "127.0.0.1"], Days::default());
        let client = pki.client("certbench-demo-client", Days::default());
        Demo {
            pki,
            server_cert,
            client,
        }
    }

    pub fn config(&self) -> ServerConfig {
        ServerConfig {
            server_chain: vec![self.server_cert.cert_der.clone()],
            server_key: self.server_cert.key(),
            client_roots: vec![self.pki.ca.cert_der.clone()],
            client_auth: ClientAuth::Required,
            versions: Versions::Both,
            nginx_style: false,
            client_crls: Vec::new(),
        }
    }
}

impl Default for Demo {
    fn default() -> Self {
        Demo::new()
    }
}

fn tls_config(cfg: &ServerConfig) -> Result<rustls::ServerConfig, String> {
    let provider = engine::net::provider::provider();
    let versions: &[&'static rustls::SupportedProtocolVersion] = match cfg.versions {
        Versions::Both => &[&rustls::version::TLS13, &rustls::version::TLS12],
        Versions::Tls12 => &[&rustls::version::TLS12],
        Versions::Tls13 => &[&rustls::version::TLS13],
    };
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| e.to_string())?;
    let builder = if cfg.client_auth == ClientAuth::Off {
        builder.with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(cfg.client_roots.iter().cloned());
        let vb = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .with_crls(cfg.client_crls.iter().cloned());
        let vb = if cfg.client_auth == ClientAuth::Optional || cfg.nginx_style {
            vb.allow_unauthenticated()
        } else {
            vb
        };
        builder.with_client_cert_verifier(vb.build().map_err(|e| e.to_string())?)
    };
    let mut config = builder
        .with_single_cert(cfg.server_chain.clone(), cfg.server_key.clone_key())
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// How long a client may take to complete its handshake.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// How long an HTTP/1.1 connection may wait for the next request's head.
const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The longest a connection is served, whatever it does.
const CONNECTION_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);
/// The largest hostile answers: nesting depth, decoded MiB of a bomb, bytes of `/large`.
const MAX_DEPTH: usize = 10_000_000;
const MAX_BOMB_MIB: usize = 8192;
const MAX_LARGE: usize = 1 << 30;

/// Starts the server on 127.0.0.1 (port 0 = any) in the current tokio runtime.
pub async fn start(cfg: ServerConfig, port: u16) -> Result<Server, String> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(&cfg)?));
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counter = handshakes.clone();
    let nginx_style = cfg.nginx_style;
    let base = format!("https://localhost:{}", addr.port());
    let base_for_task = base.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                // Out of file handles: wait for some to close rather than spin on the error.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            };
            // As servers in production do: small TLS records (a session ticket, then the response)
            // must not wait for the client's delayed ACK (a 40 ms stall on the first request).
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let counter = counter.clone();
            let base = base_for_task.clone();
            tokio::spawn(async move {
                // A client that connects and says nothing holds a handle for 10 s at most.
                let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp));
                let Ok(Ok(tls)) = handshake.await else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                let peer = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .and_then(|c| CertFacts::parse(c).ok());
                let service = hyper::service::service_fn(move |req| {
                    handle(req, peer.clone(), nginx_style, base.clone())
                });
                let io = hyper_util::rt::TokioIo::new(tls);
                let mut builder = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                );
                builder
                    .http1()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(IDLE_TIMEOUT);
                let serving = builder.serve_connection_with_upgrades(io, service);
                let _ = tokio::time::timeout(CONNECTION_LIMIT, serving).await;
            });
        }
    });
    Ok(Server {
        addr,
        url: base,
        handshakes,
        task,
    })
}

pub(crate) type Resp = Response<http_body_util::combinators::BoxBody<Bytes, std::io::Error>>;

fn full(body: impl Into<Bytes>) -> http_body_util::combinators::BoxBody<Bytes, std::io::Error> {
    Full::new(body.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// The demo's access token for a client certificate: bound to it and to this process, so a token
/// works only with the certificate it was issued to.
fn token_for(peer: &CertFacts) -> String {
    static SALT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let salt = SALT.get_or_init(|| format!("{}", timestamp_ms()));
    let d = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{salt}:{}", peer.sha256).as_bytes(),
    );
    format!("demo-{}", hex::encode(d).get(..32).unwrap_or_default())
}

pub(crate) fn reply(status: u16, content_type: &str, body: impl Into<Bytes>) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .header("content-type", content_type)
        .body(full(body))
        .expect("static response parts are valid")
}

fn query_pairs(req: &Request<Incoming>) -> Vec<(String, String)> {
    req.uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

async fn handle(
    req: Request<Incoming>,
    peer: Option<CertFacts>,
    nginx_style: bool,
    base: String,
) -> Result<Resp, Infallible> {
    if nginx_style && peer.is_none() {
        return Ok(reply(
            400,
            "text/html",
            "<html><head><title>400 No required SSL certificate was sent</title></head><body><center><h1>400 Bad Request</h1></center><center>No required SSL certificate was sent</center><hr><center>nginx</center></body></html>",
        ));
    }
    let path = req.uri().path().to_string();
    let query = query_pairs(&req);
    let q = |k: &str| query.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
    let accept_gzip = req
        .headers()
        .get("accept-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let resp = match segments.as_slice() {
        // The two-step flow of an Open Banking style API: a token over mutual TLS, then calls
        // that need both the token and the same certificate.
        ["oauth", "token"] => match &peer {
            Some(p) if req.method() == hyper::Method::POST => reply(
                200,
                "application/json",
                json!({"access_token": token_for(p), "token_type": "Bearer", "expires_in": 300})
                    .to_string(),
            ),
            Some(_) => reply(405, "application/json", json!({"error": "use POST"}).to_string()),
            None => reply(401, "application/json", json!({"error": "invalid_client", "error_description": "a client certificate is required"}).to_string()),
        },
        ["api", "accounts"] => match (&peer, &bearer) {
            (Some(p), Some(t)) if *t == token_for(p) => reply(
                200,
                "application/json",
                json!({"owner": p.subject_cn, "accounts": [{"id": "acc-1", "currency": "EUR", "balance": 1200.5}, {"id": "acc-2", "currency": "USD", "balance": 80.0}]}).to_string(),
            ),
            _ => {
                let mut r = reply(401, "application/json", json!({"error": "invalid_token", "error_description": "get a token from /oauth/token with the same client certificate"}).to_string());
                r.headers_mut().insert("www-authenticate", "Bearer error=\"invalid_token\"".parse().expect("static"));
                r
            }
        },
        ["echo", ..] | [""] => echo(req, peer, query).await,
        ["json"] => reply(200, "application/json", json!({"orders": [{"id": 1, "status": "open", "total": 12.5}, {"id": 2, "status": "paid", "total": 99.0}], "timestamp": timestamp_ms(), "requestId": format!("req-{}", timestamp_ms())}).to_string()),
        ["xml"] => reply(200, "application/xml", "<?xml version=\"1.0\"?><orders><order id=\"1\"><status>open</status></order><order id=\"2\"><status>paid</status></order></orders>"),
        ["status", code] => {
            let code: u16 = code.parse().unwrap_or(400);
            reply(code, "application/json", json!({"status": code}).to_string())
        }
        ["redirect", code] => {
            let code: u16 = code.parse().unwrap_or(302);
            let to = q("to").unwrap_or_else(|| "/echo".into());
            let mut r = reply(code, "text/plain", format!("redirecting to {to}"));
            r.headers_mut().insert("location", to.parse().unwrap_or_else(|_| "/echo".parse().expect("static")));
            r
        }
        ["loop"] => {
            let mut r = reply(302, "text/plain", "loop");
            r.headers_mut().insert("location", "/loop".parse().expect("static"));
            r
        }
        ["cookies", "set"] => {
            let mut r = reply(200, "application/json", json!({"set": query}).to_string());
            for (k, v) in &query {
                if let Ok(h) = format!("{k}={v}; Path=/").parse() {
                    r.headers_mut().append("set-cookie", h);
                }
            }
            r
        }
        ["slow", ms] => {
            tokio::time::sleep(Duration::from_millis(ms.parse().unwrap_or(1000))).await;
            reply(200, "application/json", json!({"slept_ms": ms}).to_string())
        }
        ["large", size] => reply(200, "application/json", large_json(size.parse().unwrap_or(1_000_000).min(MAX_LARGE))),
        ["gzip"] => gzip_reply(accept_gzip),
        ["binary"] => reply(200, "application/octet-stream", (0u8..=255).cycle().take(4096).collect::<Vec<u8>>()),
        ["latin1"] => reply(200, "text/plain; charset=iso-8859-1", vec![b'c', b'a', b'f', 0xe9]),
        ["broken-json"] => reply(200, "application/json", "{\n  \"a\": 1,\n  \"b\": oops\n}"),
        ["cut"] => cut_body(),
        // Hostile answers, to see certbench stay bounded (and for its tests).
        ["bomb", coding, mib] => bomb(coding, mib.parse().unwrap_or(16).min(MAX_BOMB_MIB)),
        ["deep", "json", depth] => {
            let d = depth.parse().unwrap_or(100_000).min(MAX_DEPTH);
            reply(200, "application/json", format!("{}{}", "[".repeat(d), "]".repeat(d)))
        }
        ["deep", "xml", depth] => {
            let d = depth.parse().unwrap_or(100_000).min(MAX_DEPTH);
            reply(200, "application/xml", format!("{}{}", "<a>".repeat(d), "</a>".repeat(d)))
        }
        ["drip", ms] => drip(ms.parse().unwrap_or(100)),
        ["socket"] => {
            let who = peer.as_ref().map_or("no client certificate", |p| p.subject_cn.as_str());
            return Ok(socket::upgrade(req, who.to_string()));
        }
        ["events", n, ms] => events(n.parse().unwrap_or(5), ms.parse().unwrap_or(500), peer.as_ref().map_or("no client certificate", |p| p.subject_cn.as_str())),
        ["not-gzip"] => {
            let mut r = reply(200, "text/plain", "this says gzip but is plain text");
            r.headers_mut().insert("content-encoding", "gzip".parse().expect("static"));
            r
        }
        ["headers", n] => {
            let mut r = reply(200, "application/json", json!({"headers": n}).to_string());
            for i in 0..n.parse::<usize>().unwrap_or(150).min(30_000) {
                if let (Ok(k), Ok(v)) = (format!("x-h{i}").parse::<hyper::header::HeaderName>(), i.to_string().parse()) {
                    r.headers_mut().insert(k, v);
                }
            }
            r
        }
        _ => reply(404, "application/json", json!({"error": "no such route", "path": path, "base": base}).to_string()),
    };
    Ok(resp)
}

async fn echo(
    req: Request<Incoming>,
    peer: Option<CertFacts>,
    query: Vec<(String, String)>,
) -> Resp {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let raw_query = req.uri().query().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let client = peer.map(|p| json!({"subject": p.subject, "cn": p.subject_cn, "issuer": p.issuer, "sha256": p.sha256}));
    let doc = json!({
        "method": method,
        "path": path,
        "raw_query": raw_query,
        "query": query,
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
        "body_len": body.len(),
        "client_cert": client,
    });
    reply(
        200,
        "application/json",
        serde_json::to_string_pretty(&doc).unwrap_or_default(),
    )
}

fn gzip_reply(accept_gzip: bool) -> Resp {
    let doc = large_json(64 * 1024);
    if !accept_gzip {
        return reply(200, "application/json", doc);
    }
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(doc.as_bytes());
    let mut r = reply(200, "application/json", enc.finish().unwrap_or_default());
    r.headers_mut()
        .insert("content-encoding", "gzip".parse().expect("static"));
    r
}

/// A small body that decodes to `mib` MiB of zeros: gzip and zstd as one compressed MiB
/// repeated (both formats allow concatenation), brotli compressed whole.
fn bomb(coding: &str, mib: usize) -> Resp {
    use std::io::Write;
    let zeros = vec![0u8; 1 << 20];
    let body = match coding {
        "gzip" => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let _ = enc.write_all(&zeros);
            enc.finish().unwrap_or_default().repeat(mib)
        }
        "zstd" => zstd::encode_all(&zeros[..], 19)
            .unwrap_or_default()
            .repeat(mib),
        "br" => {
            let mut out = Vec::new();
            let mut enc = brotli::CompressorWriter::new(&mut out, 64 << 10, 5, 22);
            for _ in 0..mib {
                let _ = enc.write_all(&zeros);
            }
            drop(enc);
            out
        }
        _ => return reply(400, "text/plain", "bomb codings: gzip, zstd, br"),
    };
    let mut r = reply(200, "application/octet-stream", body);
    if let Ok(v) = coding.parse() {
        r.headers_mut().insert("content-encoding", v);
    }
    r
}

/// An endless body: a line every `ms` milliseconds, until the client goes away.
/// `n` Server-Sent Events (`n` = 0: without end), one every `ms`: each names the client
/// certificate the connection presented.
fn events(n: u64, ms: u64, who: &str) -> Resp {
    let who = who.to_string();
    let stream = futures_util::stream::unfold(1u64, move |i| {
        let who = who.clone();
        async move {
            if n != 0 && i > n {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let event = format!(
                "event: order\nid: {i}\ndata: {}\n\n",
                json!({"order": i, "status": "shipped", "seen_by": who})
            );
            Some((
                Ok::<_, std::io::Error>(hyper::body::Frame::data(Bytes::from(event))),
                i + 1,
            ))
        }
    });
    Response::builder()
        .status(200)
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(http_body_util::StreamBody::new(stream).boxed())
        .expect("static response parts are valid")
}

fn drip(ms: u64) -> Resp {
    let stream = futures_util::stream::unfold(0u64, move |n| async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Some((
            Ok::<_, std::io::Error>(hyper::body::Frame::data(Bytes::from(format!("line {n}\n")))),
            n + 1,
        ))
    });
    Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .body(http_body_util::StreamBody::new(stream).boxed())
        .expect("static response parts are valid")
}

/// Promises more bytes than it sends, then ends the stream with an error.
fn cut_body() -> Resp {
    let stream = futures_util::stream::unfold(0u8, |step| async move {
        match step {
            0 => Some((
                Ok(hyper::body::Frame::data(Bytes::from_static(
                    b"{\"partial\": \"data",
                ))),
                1,
            )),
            1 => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Some((Err(std::io::Error::other("cut on purpose")), 2))
            }
            _ => None,
        }
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("content-length", "100000")
        .body(http_body_util::StreamBody::new(stream).boxed())
        .expect("static response parts are valid")
}

/// A JSON array of objects of roughly `size` bytes.
pub fn large_json(size: usize) -> String {
    let mut out = String::with_capacity(size + 128);
    out.push('[');
    let mut i = 0usize;
    while out.len() < size {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("{{\"id\":{i},\"name\":\"item-{i}\",\"tags\":[\"a\",\"b\"],\"price\":{}.5,\"active\":{}}}", i % 1000, i.is_multiple_of(2)));
        i += 1;
    }
    out.push(']');
    out
}

/// Milliseconds since the epoch, strictly increasing from one response to the next, so two
/// replies always differ in `timestamp` (what `history diff --ignore` is shown with).
fn timestamp_ms() -> u64 {
    static LAST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let now = engine::clock::now_ms().max(0) as u64;
    let prev = LAST
        .fetch_update(
            std::sync::atomic::Ordering::Relaxed,
            std::sync::atomic::Ordering::Relaxed,
            |last| Some(now.max(last + 1)),
        )
        .unwrap_or(0);
    now.max(prev + 1)
}
