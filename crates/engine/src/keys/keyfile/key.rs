//! One private key, whatever form it came in, normalised to PKCS#8 with its algorithm and public key known.

use std::fmt;

use der::asn1::{AnyRef, BitStringRef, Null, OctetStringRef, UintRef};
use der::{Decode, Encode, Sequence, Tag, Tagged};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use spki::{AlgorithmIdentifierRef, ObjectIdentifier};
use zeroize::Zeroizing;

use crate::keys::keyerror::KeyError;

const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
    P521,
}

/// What kind of key this is, as a person names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Rsa {
        bits: usize,
    },
    /// A key restricted to RSASSA-PSS (`id-RSASSA-PSS`), as `openssl genpkey -algorithm RSA-PSS` writes.
    RsaPss {
        bits: usize,
    },
    Ecdsa(Curve),
    Ed25519,
    Ed448,
}

impl KeyAlgorithm {
    /// Under 2048 bits: usable, but only with a loud warning.
    pub fn is_weak(&self) -> bool {
        matches!(self, KeyAlgorithm::Rsa { bits } | KeyAlgorithm::RsaPss { bits } if *bits < 2048)
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyAlgorithm::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyAlgorithm::RsaPss { bits } => write!(f, "RSA-PSS {bits}"),
            KeyAlgorithm::Ecdsa(Curve::P256) => write!(f, "ECDSA P-256"),
            KeyAlgorithm::Ecdsa(Curve::P384) => write!(f, "ECDSA P-384"),
            KeyAlgorithm::Ecdsa(Curve::P521) => write!(f, "ECDSA P-521"),
            KeyAlgorithm::Ed25519 => write!(f, "Ed25519"),
            KeyAlgorithm::Ed448 => write!(f, "Ed448"),
        }
    }
}

/// A decoded private key: canonical PKCS#8 (EC keys always carry their public key and a named curve).
pub struct PrivateKey {
    pub algorithm: KeyAlgorithm,
    pkcs8: Zeroizing<Vec<u8>>,
    /// The raw public key (the SubjectPublicKeyInfo BIT STRING), to pair the key with its certificate.
    public_key: Vec<u8>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({})", self.algorithm)
    }
}

/// ECPrivateKey (RFC 5915), read loosely so that explicit curve parameters do not stop the parse.
#[derive(Sequence)]
struct EcPrivateKey<'a> {
    version: u8,
    private_key: &'a OctetStringRef,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    parameters: Option<AnyRef<'a>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    public_key: Option<BitStringRef<'a>>,
}

/// SpecifiedECDomain (SEC 1 C.2); the order alone tells the named curves apart.
#[derive(Sequence)]
struct SpecifiedEcDomain<'a> {
    version: u8,
    field_id: FieldId<'a>,
    curve: AnyRef<'a>,
    base: &'a OctetStringRef,
    order: UintRef<'a>,
    cofactor: Option<UintRef<'a>>,
}

#[derive(Sequence)]
struct FieldId<'a> {
    field_type: ObjectIdentifier,
    parameters: AnyRef<'a>,
}

impl PrivateKey {
    /// From whatever rustls recognised: PKCS#8, PKCS#1 or SEC1.
    pub fn from_der(key: &PrivateKeyDer<'_>, what: &str) -> Result<PrivateKey, KeyError> {
        match key {
            PrivateKeyDer::Pkcs1(k) => rsa_from_pkcs1(k.secret_pkcs1_der(), RSA, what),
            PrivateKeyDer::Sec1(k) => ec_from_sec1(k.secret_sec1_der(), None, what),
            PrivateKeyDer::Pkcs8(k) => PrivateKey::from_pkcs8(k.secret_pkcs8_der(), what),
            _ => Err(malformed(what, "unknown private key container".into())),
        }
    }

    pub fn from_pkcs8(der: &[u8], what: &str) -> Result<PrivateKey, KeyError> {
        let info =
            pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| malformed(what, e.to_string()))?;
        let oid = info.algorithm.oid;
        let inner = info.private_key.as_bytes();
        if oid == RSA || oid == RSA_PSS {
            let mut key = rsa_from_pkcs1(inner, oid, what)?;
            if oid == RSA_PSS {
                // Keep the original: its AlgorithmIdentifier may carry PSS restrictions.
                key.pkcs8 = Zeroizing::new(der.to_vec());
            }
            return Ok(key);
        }
        if oid == EC {
            return ec_from_sec1(inner, info.algorithm.parameters, what);
        }
        if oid == ED25519 {
            let pair = ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                .map_err(|e| malformed(what, format!("Ed25519 key: {e}")))?;
            use ring::signature::KeyPair;
            return Ok(PrivateKey {
                algorithm: KeyAlgorithm::Ed25519,
                public_key: pair.public_key().as_ref().to_vec(),
                pkcs8: Zeroizing::new(der.to_vec()),
            });
        }
        if oid == ED448 {
            let key = ed448_goldilocks::SigningKey::try_from(info)
                .map_err(|e| malformed(what, format!("Ed448 key: {e}")))?;
            return Ok(PrivateKey {
                algorithm: KeyAlgorithm::Ed448,
                public_key: key.verifying_key().to_bytes().to_vec(),
                pkcs8: Zeroizing::new(der.to_vec()),
            });
        }
        Err(KeyError::Unsupported {
            algorithm: algorithm_name(oid),
            hint: SUPPORTED.into(),
        })
    }

    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    pub fn to_rustls(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.pkcs8.to_vec()))
    }

    /// Whether `cert_der`'s public key is this key's.
    pub fn matches_certificate(&self, cert_der: &[u8]) -> bool {
        use x509_parser::prelude::FromDer;
        x509_parser::certificate::X509Certificate::from_der(cert_der).is_ok_and(|(_, c)| {
            c.public_key().subject_public_key.data.as_ref() == self.public_key.as_slice()
        })
    }
}

pub const SUPPORTED: &str = "certbench signs with RSA (any size; under 2048 bits with a warning), RSA-PSS, ECDSA P-256, P-384 and P-521, Ed25519 and Ed448";

fn malformed(what: &str, reason: String) -> KeyError {
    KeyError::Format {
        what: what.into(),
        format: "private key".into(),
        reason,
    }
}

fn rsa_from_pkcs1(der: &[u8], oid: ObjectIdentifier, what: &str) -> Result<PrivateKey, KeyError> {
    let k = pkcs1::RsaPrivateKeyRef::from_der(der)
        .map_err(|e| malformed(what, format!("RSA key: {e}")))?;
    let modulus = k.modulus.as_bytes();
    let bits = modulus.len() * 8 - modulus.first().map_or(0, |b| b.leading_zeros() as usize);
    let public_key = k
        .public_key()
        .to_der()
        .map_err(|e| malformed(what, e.to_string()))?;
    let algorithm = match oid == RSA_PSS {
        true => KeyAlgorithm::RsaPss { bits },
        false => KeyAlgorithm::Rsa { bits },
    };
    let pkcs8 = wrap_pkcs8(
        AlgorithmIdentifierRef {
            oid: RSA,
            parameters: Some(Null.into()),
        },
        der,
    )
    .map_err(|e| malformed(what, e.to_string()))?;
    Ok(PrivateKey {
        algorithm,
        pkcs8,
        public_key,
    })
}

fn wrap_pkcs8(
    algorithm: AlgorithmIdentifierRef<'_>,
    inner: &[u8],
) -> der::Result<Zeroizing<Vec<u8>>> {
    let info = pkcs8::PrivateKeyInfoRef {
        algorithm,
        private_key: OctetStringRef::new(inner)?,
        public_key: None,
    };
    Ok(Zeroizing::new(info.to_der()?))
}

/// Rebuilds an EC key from its scalar on a recognised curve: canonical PKCS#8 with the public key.
fn ec_from_sec1(
    der: &[u8],
    outer_params: Option<AnyRef<'_>>,
    what: &str,
) -> Result<PrivateKey, KeyError> {
    let k = EcPrivateKey::from_der(der).map_err(|e| malformed(what, format!("EC key: {e}")))?;
    let params = outer_params
        .or(k.parameters)
        .ok_or_else(|| malformed(what, "EC key without curve parameters".into()))?;
    let curve = identify_curve(params)?;
    let scalar = fixed_width(k.private_key.as_bytes(), curve);
    let scalar = scalar.as_slice();
    macro_rules! rebuild {
        ($c:ident) => {{
            use $c::pkcs8::EncodePrivateKey;
            let secret = $c::SecretKey::from_slice(scalar)
                .map_err(|_| malformed(what, "EC private scalar out of range".into()))?;
            let public_key = secret.public_key().to_sec1_bytes().to_vec();
            let doc = secret
                .to_pkcs8_der()
                .map_err(|e| malformed(what, e.to_string()))?;
            (public_key, Zeroizing::new(doc.as_bytes().to_vec()))
        }};
    }
    let (public_key, pkcs8) = match curve {
        Curve::P256 => rebuild!(p256),
        Curve::P384 => rebuild!(p384),
        Curve::P521 => rebuild!(p521),
    };
    Ok(PrivateKey {
        algorithm: KeyAlgorithm::Ecdsa(curve),
        pkcs8,
        public_key,
    })
}

/// The scalar at the curve's width: GnuTLS writes it with a leading zero byte, others drop leading zeros.
fn fixed_width(scalar: &[u8], curve: Curve) -> Zeroizing<Vec<u8>> {
    let width = match curve {
        Curve::P256 => 32,
        Curve::P384 => 48,
        Curve::P521 => 66,
    };
    let trimmed = match scalar.iter().position(|b| *b != 0) {
        Some(i) => &scalar[i..],
        None => &[][..],
    };
    let mut out = Zeroizing::new(vec![0u8; width.max(trimmed.len()) - trimmed.len()]);
    out.extend_from_slice(trimmed);
    out
}

const P256_ORDER: &str = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
const P384_ORDER: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973";
const P521_ORDER: &str = "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409";
const SECP256K1_ORDER: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141";

/// A named curve from its OID, or from explicit parameters that equal a named curve.
fn identify_curve(params: AnyRef<'_>) -> Result<Curve, KeyError> {
    if params.tag() == Tag::ObjectIdentifier {
        let oid = ObjectIdentifier::try_from(params).map_err(|e| KeyError::Unsupported {
            algorithm: format!("EC curve parameters ({e})"),
            hint: SUPPORTED.into(),
        })?;
        return match oid.to_string().as_str() {
            "1.2.840.10045.3.1.7" => Ok(Curve::P256),
            "1.3.132.0.34" => Ok(Curve::P384),
            "1.3.132.0.35" => Ok(Curve::P521),
            _ => Err(KeyError::Unsupported {
                algorithm: format!("ECDSA on {}", curve_name(&oid)),
                hint: SUPPORTED.into(),
            }),
        };
    }
    let explicit = params.to_der().ok().and_then(|d| {
        SpecifiedEcDomain::from_der(&d)
            .ok()
            .map(|s| hex::encode_upper(s.order.as_bytes()))
    });
    match explicit.as_deref() {
        Some(P256_ORDER) => Ok(Curve::P256),
        Some(P384_ORDER) => Ok(Curve::P384),
        Some(P521_ORDER) => Ok(Curve::P521),
        Some(SECP256K1_ORDER) => Err(KeyError::Unsupported {
            algorithm: "ECDSA on secp256k1 (given as explicit parameters)".into(),
            hint: SUPPORTED.into(),
        }),
        _ => Err(KeyError::Unsupported {
            algorithm: "ECDSA on a curve given by explicit parameters that match no named curve"
                .into(),
            hint: SUPPORTED.into(),
        }),
    }
}

fn curve_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.132.0.10" => "secp256k1".into(),
        "1.2.840.10045.3.1.1" => "P-192 (prime192v1)".into(),
        "1.3.132.0.33" => "P-224 (secp224r1)".into(),
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".into(),
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1".into(),
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1".into(),
        o => format!("the curve with OID {o}"),
    }
}

/// An unsupported key algorithm by name, never a bare OID where a name is known.
fn algorithm_name(oid: ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.10040.4.1" => "DSA".into(),
        "1.3.101.110" => "X25519 (a key-agreement key; it cannot sign)".into(),
        "1.3.101.111" => "X448 (a key-agreement key; it cannot sign)".into(),
        "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.1.2" => "GOST R 34.10-2012".into(),
        "1.2.156.10197.1.301" => "SM2".into(),
        o => format!("a key algorithm with OID {o}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_of_any_width_are_brought_to_the_curve_width() {
        let mut padded = vec![0u8];
        padded.extend([0x80; 32]);
        assert_eq!(fixed_width(&padded, Curve::P256).as_slice(), &[0x80; 32]);
        let short = [0x01; 31];
        let wide = fixed_width(&short, Curve::P256);
        assert_eq!(wide.len(), 32);
        assert_eq!(wide[0], 0);
        assert_eq!(fixed_width(&[0x01; 66], Curve::P521).len(), 66);
    }
}
