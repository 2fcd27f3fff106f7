//! What a handshake records: the suite, group, certificates and client-auth request, through rustls hooks.

use crate::exchange::TlsFacts;
use crate::keys::certinfo::CertFacts;
use crate::net::provider::provider;
use rustls::ConnectionTrafficSecrets;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientSessionStore, ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::cipher::{
    AeadKey, Iv, KeyBlockShape, MessageDecrypter, MessageEncrypter, Tls12AeadAlgorithm,
    Tls13AeadAlgorithm, UnsupportedOperationError,
};
use rustls::crypto::{ActiveKeyExchange, CryptoProvider, SharedSecret, SupportedKxGroup};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, NamedGroup, SignatureScheme};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use url::Url;

/// Records what each handshake of one client showed, keyed by server name.
#[derive(Debug, Default)]
pub struct HandshakeLog {
    inner: Mutex<LogInner>,
    handshakes: AtomicU64,
    /// Lines the key log could not write (a full disk): said, never silently lost.
    pub(super) keylog_lost: AtomicU64,
    /// When the latest connection looked up its name, connected, and began TLS.
    pub clock: crate::net::phases::ConnectionClock,
}

#[derive(Debug, Default)]
pub(super) struct LogInner {
    pending_request: Option<(Vec<String>, Option<String>)>,
    /// Group and suite seen before the server's certificate (TLS 1.3), for the facts it makes.
    pending_group: Option<String>,
    pending_suite: Option<String>,
    current: Option<String>,
    by_server: HashMap<String, TlsFacts>,
}

impl HandshakeLog {
    pub fn handshakes(&self) -> u64 {
        self.handshakes.load(Ordering::SeqCst)
    }

    /// How many key-log lines could not be written so far.
    pub fn keylog_lost(&self) -> u64 {
        self.keylog_lost.load(Ordering::SeqCst)
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

impl HandshakeLog {
    /// A ClientHello (the first key share of a handshake) or, in TLS 1.2, the server's key
    /// exchange after its certificate: a new handshake forgets what the last one left pending.
    fn key_share_started(&self) {
        self.with(|l| {
            let mid_tls12 = l
                .current
                .as_ref()
                .and_then(|n| l.by_server.get(n))
                .is_some_and(|f| f.key_exchange.is_none());
            if !mid_tls12 {
                l.current = None;
                l.pending_group = None;
                l.pending_suite = None;
            }
        });
    }

    /// The negotiated group (its key exchange completed) or suite (its keys installed): the
    /// connection whose certificate was verified takes it (TLS 1.2 keys come after the
    /// certificate); before any certificate it waits for the one that comes (TLS 1.3).
    fn negotiated(&self, group: Option<NamedGroup>, suite: Option<rustls::CipherSuite>) {
        let group = group.map(|g| format!("{g:?}"));
        let suite = suite.map(|s| format!("{s:?}"));
        self.with(|l| match l.current.clone() {
            Some(name) => {
                let f = l.by_server.entry(name).or_default();
                if f.key_exchange.is_none() && group.is_some() {
                    f.key_exchange = group;
                }
                if f.cipher.is_none() && suite.is_some() {
                    f.cipher = suite;
                }
            }
            None => {
                if group.is_some() {
                    l.pending_group = group;
                }
                if suite.is_some() {
                    l.pending_suite = suite;
                }
            }
        });
    }
}

/// The ring provider whose suites and groups tell this client's log when they are negotiated;
/// rustls wants `&'static` ones, so these wrappers (1 KB) are leaked once per cached client.
pub(super) fn recording_provider(log: &Arc<HandshakeLog>) -> Arc<CryptoProvider> {
    use rustls::SupportedCipherSuite as S;
    let base = provider();
    let cipher_suites = base
        .cipher_suites
        .iter()
        .map(|s| match *s {
            S::Tls13(t) => {
                let aead: &'static RecordingAead<_> = Box::leak(Box::new(RecordingAead {
                    inner: t.aead_alg,
                    suite: t.common.suite,
                    log: log.clone(),
                }));
                S::Tls13(Box::leak(Box::new(rustls::Tls13CipherSuite {
                    common: rustls::CipherSuiteCommon {
                        suite: t.common.suite,
                        hash_provider: t.common.hash_provider,
                        confidentiality_limit: t.common.confidentiality_limit,
                    },
                    hkdf_provider: t.hkdf_provider,
                    aead_alg: aead,
                    quic: t.quic,
                })))
            }
            S::Tls12(t) => {
                let aead: &'static RecordingAead<_> = Box::leak(Box::new(RecordingAead {
                    inner: t.aead_alg,
                    suite: t.common.suite,
                    log: log.clone(),
                }));
                S::Tls12(Box::leak(Box::new(rustls::Tls12CipherSuite {
                    common: rustls::CipherSuiteCommon {
                        suite: t.common.suite,
                        hash_provider: t.common.hash_provider,
                        confidentiality_limit: t.common.confidentiality_limit,
                    },
                    prf_provider: t.prf_provider,
                    kx: t.kx,
                    sign: t.sign,
                    aead_alg: aead,
                })))
            }
        })
        .collect();
    let kx_groups = base
        .kx_groups
        .iter()
        .map(|g| {
            let wrapped: &'static dyn SupportedKxGroup = Box::leak(Box::new(RecordingGroup {
                inner: *g,
                log: log.clone(),
            }));
            wrapped
        })
        .collect();
    Arc::new(CryptoProvider {
        cipher_suites,
        kx_groups,
        ..(*base).clone()
    })
}

/// A suite's AEAD that notes the suite when its keys are installed.
pub(super) struct RecordingAead<A: ?Sized + 'static> {
    inner: &'static A,
    suite: rustls::CipherSuite,
    log: Arc<HandshakeLog>,
}

impl Tls13AeadAlgorithm for RecordingAead<dyn Tls13AeadAlgorithm> {
    fn encrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageEncrypter> {
        self.log.negotiated(None, Some(self.suite));
        self.inner.encrypter(key, iv)
    }
    fn decrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageDecrypter> {
        self.log.negotiated(None, Some(self.suite));
        self.inner.decrypter(key, iv)
    }
    fn key_len(&self) -> usize {
        self.inner.key_len()
    }
    fn extract_keys(
        &self,
        key: AeadKey,
        iv: Iv,
    ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        self.inner.extract_keys(key, iv)
    }
    fn fips(&self) -> bool {
        self.inner.fips()
    }
}

impl Tls12AeadAlgorithm for RecordingAead<dyn Tls12AeadAlgorithm> {
    fn encrypter(&self, key: AeadKey, iv: &[u8], extra: &[u8]) -> Box<dyn MessageEncrypter> {
        self.log.negotiated(None, Some(self.suite));
        self.inner.encrypter(key, iv, extra)
    }
    fn decrypter(&self, key: AeadKey, iv: &[u8]) -> Box<dyn MessageDecrypter> {
        self.log.negotiated(None, Some(self.suite));
        self.inner.decrypter(key, iv)
    }
    fn key_block_shape(&self) -> KeyBlockShape {
        self.inner.key_block_shape()
    }
    fn extract_keys(
        &self,
        key: AeadKey,
        iv: &[u8],
        explicit: &[u8],
    ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        self.inner.extract_keys(key, iv, explicit)
    }
    fn fips(&self) -> bool {
        self.inner.fips()
    }
}

/// A key-exchange group that notes itself when its exchange completes (the one negotiated).
#[derive(Debug)]
pub(super) struct RecordingGroup {
    inner: &'static dyn SupportedKxGroup,
    log: Arc<HandshakeLog>,
}

impl SupportedKxGroup for RecordingGroup {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        self.log.key_share_started();
        self.log.clock.mark(crate::net::phases::Moment::TlsStart);
        Ok(Box::new(RecordingExchange {
            inner: self.inner.start()?,
            log: self.log.clone(),
        }))
    }
    fn name(&self) -> NamedGroup {
        self.inner.name()
    }
    fn fips(&self) -> bool {
        self.inner.fips()
    }
    fn usable_for_version(&self, version: rustls::ProtocolVersion) -> bool {
        self.inner.usable_for_version(version)
    }
}

pub(super) struct RecordingExchange {
    inner: Box<dyn ActiveKeyExchange>,
    log: Arc<HandshakeLog>,
}

impl ActiveKeyExchange for RecordingExchange {
    fn complete(self: Box<Self>, peer_pub_key: &[u8]) -> Result<SharedSecret, rustls::Error> {
        self.log.negotiated(Some(self.inner.group()), None);
        self.inner.complete(peer_pub_key)
    }
    fn pub_key(&self) -> &[u8] {
        self.inner.pub_key()
    }
    fn group(&self) -> NamedGroup {
        self.inner.group()
    }
}

/// The server's public key is not one of the pinned ones.
#[derive(Debug)]
pub struct PinMismatch {
    pub expected: Vec<String>,
    pub got: String,
}

impl std::fmt::Display for PinMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server's public key is {}, not the pinned {}",
            self.got,
            self.expected.join(" or ")
        )
    }
}

impl std::error::Error for PinMismatch {}

/// The pin check: the end-entity certificate's SubjectPublicKeyInfo hashed with SHA-256.
pub(super) fn check_pins(
    pins: &[[u8; 32]],
    end_entity: &CertificateDer<'_>,
) -> Result<(), rustls::Error> {
    if pins.is_empty() {
        return Ok(());
    }
    let spki = x509_parser::parse_x509_certificate(end_entity)
        .map(|(_, c)| c.tbs_certificate.subject_pki.raw.to_vec())
        .map_err(|_| rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding))?;
    let got = ring::digest::digest(&ring::digest::SHA256, &spki);
    if pins.iter().any(|p| p.as_slice() == got.as_ref()) {
        return Ok(());
    }
    use base64::Engine;
    let b64 = |b: &[u8]| {
        format!(
            "sha256//{}",
            base64::engine::general_purpose::STANDARD.encode(b)
        )
    };
    Err(rustls::Error::InvalidCertificate(
        rustls::CertificateError::Other(rustls::OtherError(Arc::new(PinMismatch {
            expected: pins.iter().map(|p| b64(p)).collect(),
            got: b64(got.as_ref()),
        }))),
    ))
}

/// The TLS version a cipher suite belongs to: TLS 1.3 suites are the only ones named `TLS13_`.
pub(super) fn version_of_suite(suite: &str) -> String {
    if suite.starts_with("TLS13_") {
        "TLSv1.3".into()
    } else {
        "TLSv1.2".into()
    }
}

/// Presents the credential (if any) and notes what the server asked for.
#[derive(Debug)]
pub(super) struct RecordingResolver {
    pub(super) identity: Option<Arc<CertifiedKey>>,
    pub(super) log: Arc<HandshakeLog>,
}

impl ResolvesClientCert for RecordingResolver {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let names = root_hint_subjects
            .iter()
            .map(|dn| crate::keys::certinfo::dn_to_string(dn))
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
pub(super) struct RecordingVerifier {
    /// The CRL files given, to say when and why a revoked certificate was revoked.
    pub(super) crl_files: Vec<std::path::PathBuf>,
    pub(super) webpki: Option<Arc<WebPkiServerVerifier>>,
    pub(super) pinned: Vec<CertificateDer<'static>>,
    pub(super) verify: bool,
    pub(super) pins: Vec<[u8; 32]>,
    pub(super) log: Arc<HandshakeLog>,
    pub(super) provider: Arc<CryptoProvider>,
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
        let (pending, group, suite) = self.log.with(|l| {
            l.current = Some(server_name.to_str().into_owned());
            (
                l.pending_request.take(),
                l.pending_group.take(),
                l.pending_suite.take(),
            )
        });
        let outcome = self
            .decide(end_entity, intermediates, server_name, ocsp, now)
            .and_then(|rule| check_pins(&self.pins, end_entity).map(|_| rule));
        // Revoked: which certificate of the chain, when and why, from the CRLs given.
        let revoked = match &outcome {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::Revoked)) => {
                std::iter::once(end_entity)
                    .chain(intermediates)
                    .find_map(|c| crate::net::revocation::revoked_in(&self.crl_files, c))
            }
            _ => None,
        };
        self.log.update(server_name, |f| {
            *f = TlsFacts {
                server_name: server_name.to_str().into_owned(),
                server_chain: chain,
                client_cert_requested: pending.is_some(),
                acceptable_ca_names: pending.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
                // Our Certificate message follows the server's verification: when that fails,
                // the handshake stops before anything of ours goes out.
                client_cert_sent: pending
                    .as_ref()
                    .and_then(|p| p.1.clone())
                    .filter(|_| outcome.is_ok()),
                client_cert_withheld: pending.and_then(|p| p.1).filter(|_| outcome.is_err()),
                version: suite.as_deref().map(version_of_suite),
                verified_by: outcome.as_ref().ok().map(|s| s.to_string()),
                verify_error: outcome.as_ref().err().map(|e| e.to_string()),
                unverified: !self.verify,
                key_exchange: group,
                cipher: suite,
                sni: match server_name {
                    ServerName::DnsName(n) => Some(n.as_ref().to_string()),
                    _ => None,
                },
                revoked,
                ocsp: crate::net::ocsp::read(ocsp),
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

/// Keeps no sessions: every connection does a full handshake, so its certificate exchange is seen.
#[derive(Debug)]
pub(super) struct RecordingSessions;

impl ClientSessionStore for RecordingSessions {
    fn set_kx_hint(&self, _: ServerName<'static>, _: NamedGroup) {}
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
        _: ServerName<'static>,
        _: rustls::client::Tls13ClientSessionValue,
    ) {
    }
    fn take_tls13_ticket(
        &self,
        _: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        None
    }
}
