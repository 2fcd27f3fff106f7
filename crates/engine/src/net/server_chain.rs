//! The certificates a server presents, read without trusting them, for a person to look at and
//! choose one to trust (`trust add --from-url`). The server proves it holds the leaf's key (its
//! handshake signature is checked); nothing is sent over the connection, which closes at once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use url::Url;

use crate::net::probe::{Path, connect};

/// Why the chain could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("{0} has no host")]
    NoHost(String),
    #[error("cannot connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error("{target} sent no certificate: {reason}")]
    NoCertificate { target: String, reason: String },
    #[error("{target} did not answer within {secs} s")]
    Timeout { target: String, secs: u64 },
}

/// Keeps what the server presents and accepts it, having checked only its signatures.
#[derive(Debug)]
struct Keep {
    seen: Mutex<Vec<CertificateDer<'static>>>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Keep {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.push(end_entity.clone().into_owned());
        seen.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The chain `url`'s server presents (leaf first), through `proxy` when given.
pub async fn server_chain(
    url: &Url,
    proxy: Option<&Url>,
    timeout: Duration,
) -> Result<Vec<CertificateDer<'static>>, ChainError> {
    let host = url
        .host_str()
        .map(|h| h.trim_matches(['[', ']']).to_string())
        .ok_or_else(|| ChainError::NoHost(url.to_string()))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let target = format!("{host}:{port}");
    let provider = crate::net::provider::provider();
    let keep = Arc::new(Keep {
        seen: Mutex::new(Vec::new()),
        algorithms: provider.signature_verification_algorithms,
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ChainError::Connect {
            target: target.clone(),
            reason: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(keep.clone())
        .with_no_client_auth();
    let name =
        ServerName::try_from(host.clone()).map_err(|_| ChainError::NoHost(url.to_string()))?;
    let attempt = async {
        let tcp = connect(
            &host,
            port,
            Path {
                proxy,
                overrides: None,
            },
        )
        .await
        .map_err(|e| ChainError::Connect {
            target: target.clone(),
            reason: e.message,
        })?;
        // Only the handshake: the connection is dropped unused, whatever the server wanted.
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map(drop)
            .map_err(|e| ChainError::NoCertificate {
                target: target.clone(),
                reason: e.to_string(),
            })
    };
    let outcome = tokio::time::timeout(timeout, attempt)
        .await
        .unwrap_or_else(|_| {
            Err(ChainError::Timeout {
                target: target.clone(),
                secs: timeout.as_secs(),
            })
        });
    // A server that wants a client certificate may end the handshake after sending its own.
    let seen = std::mem::take(&mut *keep.seen.lock().unwrap_or_else(|e| e.into_inner()));
    match (outcome, seen.is_empty()) {
        (_, false) => Ok(seen),
        (Err(e), true) => Err(e),
        (Ok(()), true) => Err(ChainError::NoCertificate {
            target,
            reason: "the handshake ended without one".into(),
        }),
    }
}
