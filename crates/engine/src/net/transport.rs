//! PreparedRequest -> Exchange over rustls: client identity, trust, redirects, cookies, decoding, TLS facts.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use crate::diagnose::kind::DiagnosisKind;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::net::cookies::CookieJar;
use rustls::ClientConfig;
use url::Url;

use super::client::*;
use super::exchange_body::*;
use super::redirect::*;
use crate::budget::Budget;
use crate::diagnose::{self, failure::Failure};
use crate::exchange::{Diagnosis, Exchange};
use crate::keys::certinfo::CertFacts;
use crate::keys::keystore::{KeyError, Keystore};
use crate::keys::token::{NoPins, PinSource};
use crate::net::connect::{ConnectTiming, RouteKey, RouteResolver};
use crate::net::handshake::{TlsSettings, client_config};
use crate::net::recording::HandshakeLog;
use crate::net::route::{self, HttpVersion, ProxyChoice};
use crate::request::prepare::PreparedRequest;

pub use super::redirect::MAX_REDIRECTS;

/// Which client a request needs: one per credential, trust, verification and route.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClientKey {
    credential: Option<String>,
    /// A linked key's files as they were read: renewed files make a new client.
    stamp: Option<crate::keys::keystore::LinkStamp>,
    trust: Vec<String>,
    verify: bool,
    route: RouteKey,
}

/// The stored facts of the selected credential key, for preflight and diagnosis.
#[derive(Debug, Clone)]
pub struct CredentialInfo {
    pub name: String,
    pub leaf: CertFacts,
    pub chain_len: usize,
    /// Subjects and issuers of the certificates after the leaf.
    pub chain_names: Vec<String>,
    /// A CRL given with the send lists one of its certificates (looked up per send).
    pub revoked: Option<crate::net::revocation::Revoked>,
}

impl CredentialInfo {
    pub fn view(&self) -> diagnose::Credential<'_> {
        diagnose::Credential {
            name: &self.name,
            leaf: &self.leaf,
            chain_len: self.chain_len,
            chain_names: &self.chain_names,
            revoked: self.revoked.as_ref(),
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
        let credential = req.credential.clone().filter(|_| req.mutual_tls);
        let key = ClientKey {
            stamp: credential
                .as_deref()
                .and_then(|name| self.keystore.key_stamp(name)),
            credential,
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
            crls: route.crls.clone(),
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
        // A linked key's certificate may have been renewed since: read again each time.
        let linked = self.keystore.key_stamp(name).is_some();
        if let Some(info) = cache.get(name).filter(|_| !linked) {
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
            revoked: None,
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

    /// Runs key `name`'s renew command when its certificate is inside the command's
    /// `renew_before` window; what happened, in words (None: nothing was due).
    async fn renew_if_due(&self, name: &str) -> Option<Diagnosis> {
        let renewal = self.keystore.renewal(name).ok().flatten()?;
        let before = renewal.before().ok().flatten()?;
        let leaf = self.keystore.show(name).ok()?.leaf;
        if !before.due(&leaf, crate::clock::now_unix()) {
            return None;
        }
        let run =
            tokio::task::spawn_blocking(move || renewal.run(crate::keys::keystore::RENEW_TIMEOUT))
                .await
                .ok()?;
        Some(crate::diagnose::renewal::words(
            name,
            &run,
            self.keystore.show(name).ok().as_ref(),
        ))
    }

    /// `req` with the CRLs its server's chain names (fetched, or cached) added to its lists,
    /// and what could not be had, in words (with `strict`, a failure instead).
    async fn with_fetched_crls(
        &self,
        req: &PreparedRequest,
    ) -> Result<(PreparedRequest, Option<Diagnosis>), Failure> {
        let route = RouteKey::of(req)?;
        let entry = self.client_on(req, route.clone())?;
        let url = req.parsed_url();
        // The chain comes from a handshake: an earlier one with this server, or one now.
        if entry
            .log
            .facts_for(&url)
            .is_none_or(|f| f.server_chain.is_empty())
        {
            let _ = route.probe(&entry.config, &url).await;
        }
        let mut urls: Vec<String> = entry
            .log
            .facts_for(&url)
            .map(|f| {
                f.server_chain
                    .iter()
                    .flat_map(|c| c.crl_urls.clone())
                    .collect()
            })
            .unwrap_or_default();
        urls.dedup();
        let cache = self.keystore.root().join("crl-cache");
        let (files, mut missing) = super::crl_fetch::fetch(&entry, &urls, &cache).await;
        if urls.is_empty() {
            missing.push("the server's certificates name no CRL distribution point".into());
        }
        let strict =
            req.options.check_revocation == crate::request::options::RevocationCheck::Strict;
        let note = super::crl_fetch::unavailable(&missing, strict)?;
        let mut out = req.clone();
        out.options
            .crl
            .extend(files.iter().map(|p| p.display().to_string()));
        Ok((out, note))
    }

    pub async fn send(&self, req: &PreparedRequest) -> Result<Exchange, Failure> {
        self.send_within(req, &Budget::unlimited()).await
    }

    /// One attempt of `send_within`: sends, stopping when the budget says so (a cancel) or the
    /// profile's timeout passes; the timeout covers reading, decoding and indexing the body too.
    pub(super) async fn attempt_within(
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
        // RFC 9440: the key's certificate goes in a header, and no key in the handshake.
        let mut header_note = None;
        let header_req;
        let req = match req.credential.as_deref() {
            Some(name) if req.options.client_cert_header => {
                let (r, note) = super::client_cert_header::with_header(req, &self.keystore, name)?;
                header_req = r;
                header_note = Some(note);
                &header_req
            }
            _ => req,
        };
        // --check-revocation: the lists the server's chain names, fetched before the send.
        let mut crl_note = None;
        let crl_req;
        let req = match req.options.check_revocation.is_off() {
            true => req,
            false => {
                let (r, note) = self.with_fetched_crls(req).await?;
                crl_req = r;
                crl_note = note;
                &crl_req
            }
        };
        // A key inside its renew window is renewed first (its command, from the keystore).
        let renewed = match req.credential.as_deref().filter(|_| req.mutual_tls) {
            Some(name) => self.renew_if_due(name).await,
            None => None,
        };
        let mut cred_info = match &req.credential {
            Some(name) => Some(self.credential_info(name)?),
            None => None,
        };
        // Our key against the CRLs given: a server's refusal can then say it is revoked.
        if let Some(info) = cred_info.as_mut().filter(|_| !req.options.crl.is_empty()) {
            let files: Vec<std::path::PathBuf> = req
                .options
                .crl
                .iter()
                .map(std::path::PathBuf::from)
                .collect();
            info.revoked = self.keystore.chain(&info.name).ok().and_then(|chain| {
                chain
                    .iter()
                    .find_map(|c| crate::net::revocation::revoked_in(&files, c.as_ref()))
            });
        }
        let cred = cred_info.as_ref().map(CredentialInfo::view);
        let mut preflight = diagnose::preflight(req, cred.as_ref());
        preflight.extend(renewed);
        preflight.extend(header_note);
        preflight.extend(crl_note);
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
        // An event stream ends itself at the deadline (cleanly, with what arrived); the outer
        // limit leaves it time to do so.
        let websocket = req.websocket.is_some();
        let outer = match req.events {
            Some(_) => timeout + Duration::from_secs(5),
            None if websocket || req.grpc.is_some() => timeout + Duration::from_secs(5),
            None => timeout,
        };
        let outcome = if let Some(plan) = &req.grpc {
            let call = super::grpc::call(&entry, req, plan, started, &budget);
            tokio::time::timeout(outer, call).await
        } else if websocket {
            let talk = super::websocket::converse(&entry, req, &route, started, &budget);
            tokio::time::timeout(outer, talk).await
        } else {
            let hops = send_with_redirects(
                &entry,
                req,
                &jar,
                started,
                &budget,
                &keyless,
                &mut hops_went,
            );
            tokio::time::timeout(outer, hops).await
        };
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
                if failure.needs_probe && matches!(url.scheme(), "https" | "wss") {
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
