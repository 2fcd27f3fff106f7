//! PKCS#12 / PFX files as keytool, certtool, OpenSSL, Python and node-forge write them: MAC, bags, every PBE.

use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::{AnyRef, ContextSpecific, OctetString};
use der::{Decode, Encode};
use hmac::{KeyInit, Mac};
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use pkcs12::{CertBag, MacData, Pfx, SafeBag};
use spki::ObjectIdentifier;
use zeroize::Zeroizing;

use super::pbe::{self, Password, PbeError};
use crate::keys::keyerror::KeyError;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const SAFE_CONTENTS_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.6");
const X509_CERT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const PBMAC1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.14");

/// What a PKCS#12 file holds: PKCS#8 private keys (decrypted) and DER certificates, in file order.
#[derive(Default)]
pub struct Contents {
    pub keys: Vec<Zeroizing<Vec<u8>>>,
    pub certs: Vec<Vec<u8>>,
}

/// Reads a PFX with the given password; with none (or ""), tries the empty and the absent password.
pub fn read(data: &[u8], given: Option<&str>, what: &str) -> Result<Contents, KeyError> {
    let format = |reason: String| KeyError::Format {
        what: what.into(),
        format: "PKCS#12 file".into(),
        reason,
    };
    let pfx = Pfx::from_der(data).map_err(|e| format(e.to_string()))?;
    if pfx.auth_safe.content_type == ID_SIGNED_DATA {
        return Err(KeyError::Unsupported {
            algorithm: "PKCS#12 in public-key integrity mode (signedData)".into(),
            hint: "re-export it with a password: `openssl pkcs12 -in FILE -nodes | openssl pkcs12 -export -out new.p12`".into(),
        });
    }
    let content = octets(&pfx.auth_safe).map_err(format)?;
    let no_password = matches!(given, None | Some(""));
    let wrong = || match no_password {
        true => KeyError::PasswordNeeded { what: what.into() },
        false => KeyError::WrongPassword { what: what.into() },
    };
    let mut candidates = Password::candidates(given);
    if let Some(mac) = &pfx.mac_data {
        let mut found = None;
        for pw in candidates {
            if verify_mac(mac, &pw, &content)? {
                found = Some(pw);
                break;
            }
        }
        candidates = vec![found.ok_or_else(wrong)?];
    }
    let mut last = None;
    for pw in &candidates {
        match contents(&content, pw, what) {
            Err(KeyError::WrongPassword { .. }) => last = Some(wrong()),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(wrong))
}

fn octets(ci: &ContentInfo) -> Result<Vec<u8>, String> {
    if ci.content_type != ID_DATA {
        return Err(format!("expected data content, found {}", ci.content_type));
    }
    let der = ci.content.to_der().map_err(|e| e.to_string())?;
    Ok(OctetString::from_der(&der)
        .map_err(|e| e.to_string())?
        .into_bytes()
        .into_vec())
}

/// Checks the password-based MAC; Ok(false) means this password is not the one.
fn verify_mac(mac: &MacData, pw: &Password, content: &[u8]) -> Result<bool, KeyError> {
    let iterations = u64::try_from(mac.iterations).unwrap_or(u64::MAX);
    if iterations > pbe::MAX_ITERATIONS {
        return Err(KeyError::Unsupported {
            algorithm: format!("a PKCS#12 MAC with {} iterations", mac.iterations),
            hint: format!(
                "the limit is {}; re-export with `openssl pkcs12 -export -iter 2048`",
                pbe::MAX_ITERATIONS
            ),
        });
    }
    let salt = mac.mac_salt.as_bytes();
    let expected = mac.mac.digest.as_bytes();
    let bmp = pw.bmp();
    macro_rules! check {
        ($d:ty) => {{
            let key = Zeroizing::new(derive_key::<$d>(
                &bmp,
                salt,
                Pkcs12KeyType::Mac,
                mac.iterations,
                <$d as sha2::digest::OutputSizeUser>::output_size(),
            ));
            let mut m = hmac::Hmac::<$d>::new_from_slice(&key).expect("HMAC takes any key length");
            m.update(content);
            m.verify_slice(expected).is_ok()
        }};
    }
    let oid = mac.mac.algorithm.oid.to_string();
    Ok(match oid.as_str() {
        "1.3.14.3.2.26" => check!(sha1::Sha1),
        "2.16.840.1.101.3.4.2.4" => check!(sha2::Sha224),
        "2.16.840.1.101.3.4.2.1" => check!(sha2::Sha256),
        "2.16.840.1.101.3.4.2.2" => check!(sha2::Sha384),
        "2.16.840.1.101.3.4.2.3" => check!(sha2::Sha512),
        _ if mac.mac.algorithm.oid == PBMAC1 => {
            return Err(KeyError::Unsupported {
                algorithm: "PKCS#12 integrity with PBMAC1 (OpenSSL 3.4 -pbmac1_pbkdf2)".into(),
                hint: "re-export it with the classic MAC: `openssl pkcs12 -export -macalg sha256`"
                    .into(),
            });
        }
        other => {
            return Err(KeyError::Unsupported {
                algorithm: format!("PKCS#12 MAC digest with OID {other}"),
                hint: "re-export it with `openssl pkcs12 -export -macalg sha256`".into(),
            });
        }
    })
}

fn contents(content: &[u8], pw: &Password, what: &str) -> Result<Contents, KeyError> {
    let format = |reason: String| KeyError::Format {
        what: what.into(),
        format: "PKCS#12 file".into(),
        reason,
    };
    let safes =
        Vec::<ContentInfo>::from_der(content).map_err(|e: der::Error| format(e.to_string()))?;
    let mut out = Contents::default();
    for ci in &safes {
        let bags = if ci.content_type == ID_DATA {
            Zeroizing::new(octets(ci).map_err(format)?)
        } else if ci.content_type == ID_ENCRYPTED_DATA {
            let der = ci.content.to_der().map_err(|e| format(e.to_string()))?;
            let enc = EncryptedData::from_der(&der).map_err(|e| format(e.to_string()))?;
            let info = &enc.enc_content_info;
            let Some(data) = &info.encrypted_content else {
                continue;
            };
            pbe::decrypt(&info.content_enc_alg, data.as_bytes(), pw)
                .map_err(|e| pbe_error(e, what))?
        } else if ci.content_type == ID_ENVELOPED_DATA {
            return Err(KeyError::Unsupported {
                algorithm: "PKCS#12 contents encrypted to a public key (envelopedData)".into(),
                hint: "re-export it with password encryption: `openssl pkcs12 -export`".into(),
            });
        } else {
            continue;
        };
        // Garbage after a decryption that unpadded cleanly is still a wrong password.
        let bags = Vec::<SafeBag>::from_der(&bags)
            .map_err(|_: der::Error| KeyError::WrongPassword { what: what.into() })?;
        read_bags(&bags, pw, what, &mut out)?;
    }
    Ok(out)
}

fn read_bags(
    bags: &[SafeBag],
    pw: &Password,
    what: &str,
    out: &mut Contents,
) -> Result<(), KeyError> {
    let format = |reason: String| KeyError::Format {
        what: what.into(),
        format: "PKCS#12 file".into(),
        reason,
    };
    for bag in bags {
        if bag.bag_id == KEY_BAG {
            let v = ContextSpecific::<AnyRef<'_>>::from_der(&bag.bag_value)
                .map_err(|e| format(e.to_string()))?;
            out.keys.push(Zeroizing::new(
                v.value.to_der().map_err(|e| format(e.to_string()))?,
            ));
        } else if bag.bag_id == SHROUDED_KEY_BAG {
            let v = ContextSpecific::<pkcs12::pbe_params::EncryptedPrivateKeyInfo>::from_der(
                &bag.bag_value,
            )
            .map_err(|e| format(e.to_string()))?;
            let key = pbe::decrypt(
                &v.value.encryption_algorithm,
                v.value.encrypted_data.as_bytes(),
                pw,
            )
            .map_err(|e| pbe_error(e, what))?;
            if pkcs8::PrivateKeyInfoRef::from_der(&key).is_err() {
                return Err(KeyError::WrongPassword { what: what.into() });
            }
            out.keys.push(key);
        } else if bag.bag_id == CERT_BAG {
            let v = ContextSpecific::<CertBag>::from_der(&bag.bag_value)
                .map_err(|e| format(e.to_string()))?;
            if v.value.cert_id == X509_CERT {
                out.certs.push(v.value.cert_value.into_bytes().into_vec());
            }
        } else if bag.bag_id == SAFE_CONTENTS_BAG {
            let v = ContextSpecific::<AnyRef<'_>>::from_der(&bag.bag_value)
                .map_err(|e| format(e.to_string()))?;
            let nested: Vec<SafeBag> =
                Vec::from_der(&v.value.to_der().map_err(|e| format(e.to_string()))?)
                    .map_err(|e: der::Error| format(e.to_string()))?;
            read_bags(&nested, pw, what, out)?;
        }
    }
    Ok(())
}

/// A decryption failure in words: the scheme by name, never an OID alone.
pub fn pbe_error(e: PbeError, what: &str) -> KeyError {
    match e {
        PbeError::WrongPassword => KeyError::WrongPassword { what: what.into() },
        PbeError::Unsupported(scheme) => KeyError::Unsupported {
            algorithm: scheme,
            hint: "re-encrypt it with `openssl pkcs12 -export` (AES-256-CBC, PBKDF2) or `openssl pkcs8 -topk8 -v2 aes-256-cbc`".into(),
        },
        PbeError::Bad(reason) => KeyError::Format {
            what: what.into(),
            format: "encrypted key".into(),
            reason,
        },
    }
}
