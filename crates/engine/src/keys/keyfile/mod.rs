//! Key files as other tools write them (PKCS#12, PEM, DER; encrypted or not), read into one PrivateKey form.

mod key;
mod legacy_pem;
pub mod pbe;
mod pkcs12;

use der::Decode;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivateSec1KeyDer};

pub use key::{Curve, KeyAlgorithm, PrivateKey, SUPPORTED};
use pbe::Password;

use super::keyerror::KeyError;

/// The private keys and certificates of a PKCS#12 file, in file order.
pub struct P12 {
    pub keys: Vec<PrivateKey>,
    pub certs: Vec<CertificateDer<'static>>,
}

/// Reads a PKCS#12 file; with no password (or ""), tries both the empty and the absent password.
pub fn read_p12(data: &[u8], password: Option<&str>, what: &str) -> Result<P12, KeyError> {
    let contents = pkcs12::read(data, password, what)?;
    let keys = contents
        .keys
        .iter()
        .map(|k| PrivateKey::from_pkcs8(k, what))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(P12 {
        keys,
        certs: contents
            .certs
            .into_iter()
            .map(CertificateDer::from)
            .collect(),
    })
}

pub fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

/// A private key from PEM (PKCS#8 plain or encrypted, PKCS#1, SEC1, legacy-encrypted) or DER.
pub fn read_key(data: &[u8], password: Option<&str>, what: &str) -> Result<PrivateKey, KeyError> {
    if !looks_like_pem(data) {
        return read_der_key(data, password, what);
    }
    let pems = pem::parse_many(data).map_err(|e| KeyError::Format {
        what: what.into(),
        format: "PEM key".into(),
        reason: e.to_string(),
    })?;
    for p in &pems {
        let encrypted = p
            .headers()
            .get("Proc-Type")
            .is_some_and(|v| v.contains("ENCRYPTED"));
        let der = match encrypted {
            true => legacy_pem::decrypt(p, password, what)?,
            false => zeroize::Zeroizing::new(p.contents().to_vec()),
        };
        let key = match p.tag() {
            "PRIVATE KEY" => PrivateKey::from_pkcs8(&der, what),
            "RSA PRIVATE KEY" => PrivateKey::from_der(
                &PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der.as_slice())),
                what,
            ),
            "EC PRIVATE KEY" => PrivateKey::from_der(
                &PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der.as_slice())),
                what,
            ),
            "ENCRYPTED PRIVATE KEY" => decrypt_pkcs8(&der, password, what),
            "DSA PRIVATE KEY" => Err(KeyError::Unsupported {
                algorithm: "DSA".into(),
                hint: SUPPORTED.into(),
            }),
            _ => continue,
        };
        return match (encrypted, key) {
            // Garbage after a legacy decryption that unpadded cleanly: still a wrong password.
            (true, Err(KeyError::Format { .. })) => {
                Err(KeyError::WrongPassword { what: what.into() })
            }
            (_, k) => k,
        };
    }
    let tags: Vec<&str> = pems.iter().map(|p| p.tag()).collect();
    match tags.is_empty() {
        true => Err(KeyError::NoKey { what: what.into() }),
        false => Err(KeyError::Format {
            what: what.into(),
            format: "PEM key".into(),
            reason: format!("it holds no private key section, only {tags:?}"),
        }),
    }
}

fn read_der_key(data: &[u8], password: Option<&str>, what: &str) -> Result<PrivateKey, KeyError> {
    if pkcs8::PrivateKeyInfoRef::from_der(data).is_ok() {
        return PrivateKey::from_pkcs8(data, what);
    }
    if ::pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(data).is_ok() {
        return decrypt_pkcs8(data, password, what);
    }
    match PrivateKeyDer::try_from(data) {
        Ok(k) => PrivateKey::from_der(&k, what),
        Err(_) => Err(KeyError::NoKey { what: what.into() }),
    }
}

/// An EncryptedPrivateKeyInfo under PBES2 (any PRF and cipher) or PBES1 (PKCS#12 or PKCS#5 v1).
fn decrypt_pkcs8(der: &[u8], password: Option<&str>, what: &str) -> Result<PrivateKey, KeyError> {
    let info = ::pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(der).map_err(|e| {
        KeyError::Format {
            what: what.into(),
            format: "encrypted PKCS#8 key".into(),
            reason: e.to_string(),
        }
    })?;
    let wrong = || match password {
        None | Some("") => KeyError::PasswordNeeded { what: what.into() },
        Some(_) => KeyError::WrongPassword { what: what.into() },
    };
    for pw in Password::candidates(password) {
        match pbe::decrypt(
            &info.encryption_algorithm,
            info.encrypted_data.as_bytes(),
            &pw,
        ) {
            Ok(plain) if pkcs8::PrivateKeyInfoRef::from_der(&plain).is_ok() => {
                return PrivateKey::from_pkcs8(&plain, what);
            }
            Ok(_) | Err(pbe::PbeError::WrongPassword) => continue,
            Err(e) => return Err(pkcs12::pbe_error(e, what)),
        }
    }
    Err(wrong())
}
