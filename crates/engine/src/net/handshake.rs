//! The rustls client config that records what each handshake did: the server's chain, whether
//! it asked for a certificate and what we sent, version, cipher suite and key-exchange group.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use crate::diagnose::fix::Fix;
use std::sync::Arc;

use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::pki_types::CertificateDer;
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, RootCertStore};

use super::keylog::*;
use super::recording::*;
use crate::diagnose::failure::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;
use crate::net::provider::system_roots;
use crate::net::route::HttpVersion;

/// Builds the rustls config: ring provider, system roots plus trusted certificates, our verifier and resolver.
pub fn client_config(
    identity: Option<Arc<CertifiedKey>>,
    pinned: &[CertificateDer<'static>],
    tls: &TlsSettings,
    log: Arc<HandshakeLog>,
) -> Result<ClientConfig, Failure> {
    let verify = tls.verify;
    let prov = recording_provider(&log);
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(system_roots().iter().cloned());
    roots.add_parsable_certificates(pinned.iter().cloned());
    let crls = crate::net::revocation::read_crls(&tls.crls).map_err(|e| {
        Failure::plain(Diagnosis::new(
            DiagnosisKind::InvalidRequest,
            e,
            "give a CRL file (PEM or DER) with --crl, or remove it from the profile's crl",
        ))
    })?;
    let webpki = if roots.is_empty() {
        None
    } else {
        let mut builder =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), prov.clone());
        if !crls.is_empty() {
            builder = builder.with_crls(crls).allow_unknown_revocation_status();
        }
        builder.build().ok()
    };
    let verifier = Arc::new(RecordingVerifier {
        crl_files: tls.crls.clone(),
        webpki,
        pinned: pinned.to_vec(),
        verify,
        pins: tls.pins.clone(),
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
    config.alpn_protocols = match tls.http {
        HttpVersion::Auto => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        HttpVersion::Http1 => vec![b"http/1.1".to_vec()],
        HttpVersion::Http2 => vec![b"h2".to_vec()],
    };
    config.resumption = Resumption::store(Arc::new(RecordingSessions));
    if let Some(path) = &tls.keylog {
        config.key_log = Arc::new(NssKeyLog::create(path, log.clone()).map_err(|e| {
            Failure::plain(
                Diagnosis::new(
                    DiagnosisKind::InvalidRequest,
                    format!("cannot write the TLS key log {}: {e}", path.display()),
                    "",
                )
                .with_step(Fix::MoveKeyLog),
            )
        })?);
    }
    Ok(config)
}

/// What a client's TLS does beyond its identity and trust.
#[derive(Debug, Clone, Default)]
pub struct TlsSettings {
    /// Off: any server certificate is accepted (and the facts say so).
    pub verify: bool,
    /// SHA-256 hashes of acceptable server public keys; empty: no pinning.
    pub pins: Vec<[u8; 32]>,
    /// Append the TLS secrets here, NSS key-log lines, for Wireshark.
    pub keylog: Option<std::path::PathBuf>,
    pub http: HttpVersion,
    /// CRL files the server's chain is checked against (a certificate they do not cover is not
    /// refused for that).
    pub crls: Vec<std::path::PathBuf>,
}
