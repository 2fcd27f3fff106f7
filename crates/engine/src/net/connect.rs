//! How a client's connections are made and timed: the route key (proxy, overrides, HTTP version,
//! pins, key log), the resolver that applies the overrides and times DNS, the layer around the
//! connector that times a connection, and the request body that notes when it was taken.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use url::Url;

use crate::diagnose::failure::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;
use crate::net::phases::Moment;
use crate::net::recording::HandshakeLog;
use crate::net::route::{self, HttpVersion, Overrides, ProxyChoice};
use crate::request::prepare::PreparedRequest;

/// How the client's connections are made: proxy, address overrides, HTTP version, pins, key log.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct RouteKey {
    pub(super) proxy: ProxyChoice,
    pub(super) overrides: Overrides,
    pub(super) http: HttpVersion,
    pub(super) pins: Vec<[u8; 32]>,
    pub(super) keylog: Option<std::path::PathBuf>,
    /// The CRL files the server's chain is checked against.
    pub(super) crls: Vec<std::path::PathBuf>,
}

impl RouteKey {
    /// A handshake probe along this route (`keys check`, and a failed send's second look).
    pub(super) async fn probe(
        &self,
        config: &Arc<ClientConfig>,
        url: &Url,
    ) -> crate::diagnose::failure::Probe {
        let path = crate::net::probe::Path {
            proxy: self.proxy.for_url(url),
            overrides: Some(&self.overrides),
        };
        crate::net::probe::probe_tls_via(
            config,
            url,
            Duration::from_secs(5),
            path,
            crate::net::probe::Ask::HeadRoot,
        )
        .await
    }

    /// The route of `req`; the proxy from its setting, else from the environment.
    pub(super) fn of(req: &PreparedRequest) -> Result<RouteKey, Failure> {
        let invalid = |e: crate::net::route::RouteError| {
            Failure::plain(Diagnosis::new(
                DiagnosisKind::InvalidRequest,
                e.to_string(),
                "fix the route options (proxy, resolve, connect_to, pin)",
            ))
        };
        let url = req.parsed_url();
        Ok(RouteKey {
            proxy: ProxyChoice::choose(req.proxy.as_deref(), |k| std::env::var(k).ok())
                .map_err(invalid)?,
            overrides: Overrides::parse(&req.options.resolve, &req.options.connect_to)
                .map_err(invalid)?
                .for_url(&url),
            http: req.options.http_version,
            pins: req
                .options
                .pin
                .as_deref()
                .map(route::parse_pins)
                .transpose()
                .map_err(invalid)?
                .unwrap_or_default(),
            crls: req
                .options
                .crl
                .iter()
                .map(std::path::PathBuf::from)
                .collect(),
            keylog: req.keylog.clone().or_else(|| {
                std::env::var_os("SSLKEYLOGFILE")
                    .filter(|v| !v.is_empty())
                    .map(std::path::PathBuf::from)
            }),
        })
    }
}

/// Name resolution with the route's overrides: `--resolve` addresses as given, `--connect-to`
/// hosts looked up in their place, everything else by the system resolver.
pub(super) struct RouteResolver {
    pub(super) overrides: Overrides,
    pub(super) log: Arc<HandshakeLog>,
}

impl reqwest::dns::Resolve for RouteResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let fixed = self.overrides.addresses(&host);
        let instead = self
            .overrides
            .connect_to
            .iter()
            .find(|c| c.host == host)
            .map(|c| (c.to_host.clone(), c.to_port));
        let log = self.log.clone();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = if !fixed.is_empty() {
                fixed
            } else {
                let (lookup, port) = instead.unwrap_or((host, 0));
                log.clock.mark(Moment::DnsStart);
                let found = tokio::net::lookup_host((lookup.as_str(), port)).await;
                log.clock.mark(Moment::DnsEnd);
                found
                    .map_err(|source| crate::cause::NameNotResolved {
                        host: lookup.clone(),
                        source,
                    })?
                    .collect()
            };
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A request body of known length that notes when the connection took it (the "request" phase).
pub(super) struct TimedBody {
    pub(super) data: Option<bytes::Bytes>,
    pub(super) sent: Arc<OnceLock<Instant>>,
}

impl http_body::Body for TimedBody {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        let frame = self.data.take().map(|d| Ok(http_body::Frame::data(d)));
        let _ = self.sent.set(Instant::now());
        std::task::Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }
}

/// Wraps the client's connector to note when a new connection starts and is ready (after TCP,
/// any proxy tunnel, and TLS).
#[derive(Clone)]
pub(super) struct ConnectTiming {
    pub(super) log: Arc<HandshakeLog>,
}

impl<S> tower_layer::Layer<S> for ConnectTiming {
    type Service = Timed<S>;

    fn layer(&self, inner: S) -> Timed<S> {
        Timed {
            inner,
            log: self.log.clone(),
        }
    }
}

#[derive(Clone)]
pub(super) struct Timed<S> {
    inner: S,
    log: Arc<HandshakeLog>,
}

impl<S, R> tower_service::Service<R> for Timed<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        self.log.clock.mark(Moment::ConnectStart);
        let log = self.log.clone();
        let connecting = self.inner.call(request);
        Box::pin(async move {
            let conn = connecting.await;
            log.clock.mark(Moment::ConnectEnd);
            conn
        })
    }
}
