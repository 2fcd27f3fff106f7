//! One signing abstraction for client identities: *ring* for what it signs, RustCrypto for P-521, RSA outside 2048-8192 bits, RSA-PSS and Ed448.

use std::sync::Arc;

use rustls::sign::{Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme};
use signature::{SignatureEncoding, Signer as _};

use crate::keys::keyerror::KeyError;
use crate::keys::keyfile::{Curve, KeyAlgorithm, PrivateKey, SUPPORTED};

/// TLS 1.3 schemes for keys whose certificate says `id-RSASSA-PSS` (rsa_pss_pss_*); rustls has no names for them.
const RSA_PSS_PSS_SHA256: SignatureScheme = SignatureScheme::Unknown(0x0809);
const RSA_PSS_PSS_SHA384: SignatureScheme = SignatureScheme::Unknown(0x080a);
const RSA_PSS_PSS_SHA512: SignatureScheme = SignatureScheme::Unknown(0x080b);

/// The signing key rustls presents: *ring* when it can, else a RustCrypto key (a PKCS#11 token plugs in here too).
pub fn signing_key(key: &PrivateKey) -> Result<Arc<dyn SigningKey>, KeyError> {
    if let Ok(k) = rustls::crypto::ring::default_provider()
        .key_provider
        .load_private_key(key.to_rustls())
    {
        return Ok(k);
    }
    let unsupported = || KeyError::Unsupported {
        algorithm: key.algorithm.to_string(),
        hint: SUPPORTED.into(),
    };
    let bad = |e: String| KeyError::Format {
        what: key.algorithm.to_string(),
        format: "private key".into(),
        reason: e,
    };
    let soft: SoftKey = match key.algorithm {
        KeyAlgorithm::Ecdsa(Curve::P521) => {
            use p521::pkcs8::DecodePrivateKey;
            let k = p521::ecdsa::SigningKey::from_pkcs8_der(key.pkcs8_der())
                .map_err(|e| bad(e.to_string()))?;
            SoftKey::P521(Arc::new(k))
        }
        KeyAlgorithm::Rsa { .. } | KeyAlgorithm::RsaPss { .. } => {
            use rsa::pkcs1::DecodeRsaPrivateKey;
            let inner = pkcs1_of(key.pkcs8_der()).ok_or_else(|| bad("no RSA key inside".into()))?;
            let k = rsa::PrivateKey::from_pkcs1_der(&inner).map_err(|e| bad(e.to_string()))?;
            let pss_only = matches!(key.algorithm, KeyAlgorithm::RsaPss { .. });
            SoftKey::Rsa(Arc::new(k), pss_only)
        }
        KeyAlgorithm::Ed448 => {
            use der::Decode;
            let info = pkcs8::PrivateKeyInfoRef::from_der(key.pkcs8_der())
                .map_err(|e| bad(e.to_string()))?;
            let k = ed448_goldilocks::SigningKey::try_from(info).map_err(|e| bad(e.to_string()))?;
            SoftKey::Ed448(Arc::new(k))
        }
        _ => return Err(unsupported()),
    };
    Ok(Arc::new(SoftSigningKey { key: soft }))
}

fn pkcs1_of(pkcs8: &[u8]) -> Option<Vec<u8>> {
    use der::Decode;
    let info = pkcs8::PrivateKeyInfoRef::from_der(pkcs8).ok()?;
    Some(info.private_key.as_bytes().to_vec())
}

#[derive(Clone)]
enum SoftKey {
    P521(Arc<p521::ecdsa::SigningKey>),
    /// The flag: an `id-RSASSA-PSS` key, which may sign only with PSS (rsa_pss_pss_*).
    Rsa(Arc<rsa::PrivateKey>, bool),
    Ed448(Arc<ed448_goldilocks::SigningKey>),
}

impl std::fmt::Debug for SoftKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SoftKey::P521(_) => "P-521 key",
            SoftKey::Rsa(_, false) => "RSA key",
            SoftKey::Rsa(_, true) => "RSA-PSS key",
            SoftKey::Ed448(_) => "Ed448 key",
        })
    }
}

/// A RustCrypto key behind rustls's `SigningKey`; certbench pairs it with its certificate at import.
#[derive(Debug)]
struct SoftSigningKey {
    key: SoftKey,
}

impl SoftKey {
    /// The schemes this key can sign with, best first.
    fn schemes(&self) -> &'static [SignatureScheme] {
        use SignatureScheme as S;
        match self {
            SoftKey::P521(_) => &[S::ECDSA_NISTP521_SHA512],
            SoftKey::Rsa(_, true) => &[RSA_PSS_PSS_SHA256, RSA_PSS_PSS_SHA384, RSA_PSS_PSS_SHA512],
            SoftKey::Rsa(_, false) => &[
                S::RSA_PSS_SHA256,
                S::RSA_PSS_SHA384,
                S::RSA_PSS_SHA512,
                S::RSA_PKCS1_SHA256,
                S::RSA_PKCS1_SHA384,
                S::RSA_PKCS1_SHA512,
            ],
            SoftKey::Ed448(_) => &[S::ED448],
        }
    }
}

impl SigningKey for SoftSigningKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let scheme = *self.key.schemes().iter().find(|s| offered.contains(s))?;
        Some(Box::new(SoftSigner {
            key: self.key.clone(),
            scheme,
        }))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match self.key {
            SoftKey::P521(_) => SignatureAlgorithm::ECDSA,
            SoftKey::Rsa(..) => SignatureAlgorithm::RSA,
            SoftKey::Ed448(_) => SignatureAlgorithm::ED448,
        }
    }
}

#[derive(Debug)]
struct SoftSigner {
    key: SoftKey,
    scheme: SignatureScheme,
}

impl Signer for SoftSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        use SignatureScheme as S;
        use rsa::sha2::{Sha256, Sha384, Sha512};
        use rsa::{pkcs1v15, pss};
        let fail = |e: signature::Error| rustls::Error::General(format!("signing failed: {e}"));
        match (&self.key, self.scheme) {
            (SoftKey::P521(k), _) => {
                let sig: p521::ecdsa::Signature = k.try_sign(message).map_err(fail)?;
                Ok(sig.to_der().to_vec())
            }
            (SoftKey::Ed448(k), _) => Ok(k.sign_raw(message).to_bytes().to_vec()),
            (SoftKey::Rsa(k, _), s) => {
                let k = (**k).clone();
                let sig = match s {
                    S::RSA_PKCS1_SHA256 => pkcs1v15::SigningKey::<Sha256>::new(k)
                        .try_sign(message)
                        .map(|s| s.to_vec()),
                    S::RSA_PKCS1_SHA384 => pkcs1v15::SigningKey::<Sha384>::new(k)
                        .try_sign(message)
                        .map(|s| s.to_vec()),
                    S::RSA_PKCS1_SHA512 => pkcs1v15::SigningKey::<Sha512>::new(k)
                        .try_sign(message)
                        .map(|s| s.to_vec()),
                    S::RSA_PSS_SHA384 | RSA_PSS_PSS_SHA384 => pss::SigningKey::<Sha384>::new(k)
                        .try_sign(message)
                        .map(|s| s.to_vec()),
                    S::RSA_PSS_SHA512 | RSA_PSS_PSS_SHA512 => pss::SigningKey::<Sha512>::new(k)
                        .try_sign(message)
                        .map(|s| s.to_vec()),
                    _ => pss::SigningKey::<Sha256>::new(k)
                        .try_sign(message)
                        .map(|s| s.to_vec()),
                };
                sig.map_err(fail)
            }
        }
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}
