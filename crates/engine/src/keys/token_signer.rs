//! Signing on the token for rustls: the key's kind decides the schemes, the token signs the
//! digest (or the whole message), and a raw signature is encoded as TLS expects.

use super::token_error::TokenError;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::ObjectHandle;
use cryptoki::session::Session;
use rustls::sign::{Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme};
use std::sync::{Arc, Mutex};

/// The certificate's key type, which decides the schemes and how a raw signature is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyKind {
    Rsa,
    P256,
    P384,
}

impl KeyKind {
    pub(super) fn of_certificate(der: &[u8]) -> Option<KeyKind> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let spki = &cert.tbs_certificate.subject_pki;
        match spki.algorithm.algorithm.to_id_string().as_str() {
            "1.2.840.113549.1.1.1" => Some(KeyKind::Rsa),
            "1.2.840.10045.2.1" => {
                let curve = spki.algorithm.parameters.as_ref()?.as_oid().ok()?;
                match curve.to_id_string().as_str() {
                    "1.2.840.10045.3.1.7" => Some(KeyKind::P256),
                    "1.3.132.0.34" => Some(KeyKind::P384),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            KeyKind::Rsa => "RSA",
            KeyKind::P256 => "ECDSA P-256",
            KeyKind::P384 => "ECDSA P-384",
        }
    }

    /// Only what the token's mechanisms can do.
    pub(super) fn schemes(self, mechs: &[MechanismType]) -> Vec<SignatureScheme> {
        use SignatureScheme as S;
        let has = |m: MechanismType| mechs.contains(&m);
        match self {
            KeyKind::Rsa => {
                let mut s = Vec::new();
                if has(MechanismType::RSA_PKCS_PSS) {
                    s.extend([S::RSA_PSS_SHA256, S::RSA_PSS_SHA384, S::RSA_PSS_SHA512]);
                }
                if has(MechanismType::RSA_PKCS) {
                    s.extend([
                        S::RSA_PKCS1_SHA256,
                        S::RSA_PKCS1_SHA384,
                        S::RSA_PKCS1_SHA512,
                    ]);
                }
                s
            }
            KeyKind::P256 if has(MechanismType::ECDSA) => vec![S::ECDSA_NISTP256_SHA256],
            KeyKind::P384 if has(MechanismType::ECDSA) => vec![S::ECDSA_NISTP384_SHA384],
            _ => Vec::new(),
        }
    }
}

/// A logged-in session and the key's handle; one signature at a time.
#[derive(Debug)]
struct TokenSession {
    session: Mutex<Session>,
    key: ObjectHandle,
    token: String,
}

#[derive(Debug)]
pub(super) struct TokenKey {
    inner: Arc<TokenSession>,
    kind: KeyKind,
    schemes: Vec<SignatureScheme>,
}

impl TokenKey {
    /// The key `key` on `token`, signing in `session` (one signature at a time) with `schemes`.
    pub(super) fn new(
        session: Session,
        key: ObjectHandle,
        token: String,
        kind: KeyKind,
        schemes: Vec<SignatureScheme>,
    ) -> TokenKey {
        TokenKey {
            inner: Arc::new(TokenSession {
                session: Mutex::new(session),
                key,
                token,
            }),
            kind,
            schemes,
        }
    }
}

impl SigningKey for TokenKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let scheme = *self.schemes.iter().find(|s| offered.contains(s))?;
        Some(Box::new(TokenSigner {
            inner: self.inner.clone(),
            kind: self.kind,
            scheme,
        }))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match self.kind {
            KeyKind::Rsa => SignatureAlgorithm::RSA,
            KeyKind::P256 | KeyKind::P384 => SignatureAlgorithm::ECDSA,
        }
    }
}

#[derive(Debug)]
pub(super) struct TokenSigner {
    inner: Arc<TokenSession>,
    kind: KeyKind,
    scheme: SignatureScheme,
}

/// DigestInfo prefixes (RFC 8017 9.2) for CKM_RSA_PKCS, which signs what it is given.
pub(super) const SHA256_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
pub(super) const SHA384_INFO: [u8; 19] = [
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
pub(super) const SHA512_INFO: [u8; 19] = [
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

impl Signer for TokenSigner {
    /// Hashes here (ring), signs the hash on the token with its raw mechanism: CKM_RSA_PKCS,
    /// CKM_RSA_PKCS_PSS or CKM_ECDSA, which every token that signs at all offers.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        use SignatureScheme as S;
        use ring::digest;
        let (alg, info, hash_mech, mgf) = match self.scheme {
            S::RSA_PKCS1_SHA256 | S::RSA_PSS_SHA256 | S::ECDSA_NISTP256_SHA256 => (
                &digest::SHA256,
                &SHA256_INFO,
                MechanismType::SHA256,
                PkcsMgfType::MGF1_SHA256,
            ),
            S::RSA_PKCS1_SHA384 | S::RSA_PSS_SHA384 | S::ECDSA_NISTP384_SHA384 => (
                &digest::SHA384,
                &SHA384_INFO,
                MechanismType::SHA384,
                PkcsMgfType::MGF1_SHA384,
            ),
            _ => (
                &digest::SHA512,
                &SHA512_INFO,
                MechanismType::SHA512,
                PkcsMgfType::MGF1_SHA512,
            ),
        };
        let hash = digest::digest(alg, message);
        let hash = hash.as_ref();
        let (mechanism, input) = match self.scheme {
            S::RSA_PKCS1_SHA256 | S::RSA_PKCS1_SHA384 | S::RSA_PKCS1_SHA512 => {
                (Mechanism::RsaPkcs, [info.as_slice(), hash].concat())
            }
            S::RSA_PSS_SHA256 | S::RSA_PSS_SHA384 | S::RSA_PSS_SHA512 => (
                Mechanism::RsaPkcsPss(PkcsPssParams {
                    hash_alg: hash_mech,
                    mgf,
                    s_len: (hash.len() as u64).into(),
                }),
                hash.to_vec(),
            ),
            _ => (Mechanism::Ecdsa, hash.to_vec()),
        };
        let session = self.inner.session.lock().unwrap_or_else(|e| e.into_inner());
        let raw = session
            .sign(&mechanism, self.inner.key, &input)
            .map_err(|e| {
                rustls::Error::Other(rustls::OtherError(Arc::new(TokenError::from_ck(
                    e,
                    "signing the handshake",
                    &self.inner.token,
                ))))
            })?;
        match self.kind {
            KeyKind::Rsa => Ok(raw),
            // PKCS#11 gives r || s; TLS wants the DER SEQUENCE.
            KeyKind::P256 => p256::ecdsa::Signature::from_slice(&raw)
                .map(|s| s.to_der().as_bytes().to_vec())
                .map_err(|e| rustls::Error::General(format!("the token's signature: {e}"))),
            KeyKind::P384 => p384::ecdsa::Signature::from_slice(&raw)
                .map(|s| s.to_der().as_bytes().to_vec())
                .map_err(|e| rustls::Error::General(format!("the token's signature: {e}"))),
        }
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}
