//! Credential keys and trusted certificates: import from PKCS#12 / PEM / DER, inspect, store, load.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};
use rustls::sign::CertifiedKey;
use serde::Serialize;

use super::certinfo::CertFacts;
use super::home;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("wrong password for {what}: check it and try again")]
    WrongPassword { what: String },
    #[error("{what} is password-protected: pass --password-env VAR or --password-file FILE")]
    PasswordNeeded { what: String },
    #[error("unsupported algorithm: {algorithm}; {hint}")]
    Unsupported { algorithm: String, hint: String },
    #[error(
        "the private key does not match the certificate {subject}: pick the key file that belongs to this certificate"
    )]
    KeyMismatch { subject: String },
    #[error(
        "{what} is not a certificate ({reason}): give a PEM or DER X.509 certificate, or a PKCS#12 file"
    )]
    NotACertificate { what: String, reason: String },
    #[error(
        "{what} holds no private key: give the key with --key, or a PKCS#12 file that contains one"
    )]
    NoKey { what: String },
    #[error("{what} is not a readable {format}: {reason}")]
    Format {
        what: String,
        format: String,
        reason: String,
    },
    #[error("no {kind} named {name:?}: run `certbench {cmd} list` to see them")]
    NotFound {
        kind: String,
        name: String,
        cmd: String,
    },
    #[error("a {kind} named {name:?} already exists: delete it first or pick another name")]
    Exists { kind: String, name: String },
    #[error("{0}")]
    BadName(String),
    #[error("cannot write the keystore at {path}: {reason}")]
    Write { path: String, reason: String },
}

/// What a stored credential key is, as shown in lists and inspectors (never the key itself).
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub name: String,
    pub leaf: CertFacts,
    pub chain: Vec<CertFacts>,
    pub key_type: String,
}

/// The keystore under the home folder: `keys/<name>/{cert.pem,key.pem}` and `trust/<name>.pem`.
#[derive(Debug, Clone)]
pub struct Keystore {
    root: PathBuf,
}

/// A decoded private key, kept as the DER rustls loads.
struct DecodedKey(PrivateKeyDer<'static>);

impl Keystore {
    pub fn open(home: &Path) -> Keystore {
        Keystore {
            root: home.to_path_buf(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn key_dir(&self, name: &str) -> PathBuf {
        self.root.join("keys").join(name)
    }

    fn trust_path(&self, name: &str) -> PathBuf {
        self.root.join("trust").join(format!("{name}.pem"))
    }

    /// Imports a PKCS#12/PFX file (modern AES/PBKDF2 or legacy 3DES/RC2) under `name`.
    pub fn import_p12(
        &self,
        name: &str,
        data: &[u8],
        password: &str,
        what: &str,
    ) -> Result<KeyInfo, KeyError> {
        self.check_new_key(name)?;
        let (key, certs) = read_p12(data, password, what)?;
        let key = key.ok_or_else(|| KeyError::NoKey { what: what.into() })?;
        self.store_key(name, key, certs, what)
    }

    /// Imports a certificate chain file (PEM or DER) and a key file (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1).
    pub fn import_pem(
        &self,
        name: &str,
        cert_data: &[u8],
        key_data: &[u8],
        password: Option<&str>,
        what: &str,
    ) -> Result<KeyInfo, KeyError> {
        self.check_new_key(name)?;
        let certs = read_certs(cert_data, what)?;
        let key = read_key(key_data, password, what)?;
        self.store_key(name, key, certs, what)
    }

    fn check_new_key(&self, name: &str) -> Result<(), KeyError> {
        home::check_name("key", name).map_err(KeyError::BadName)?;
        if self.key_dir(name).exists() {
            return Err(KeyError::Exists {
                kind: "key".into(),
                name: name.into(),
            });
        }
        Ok(())
    }

    fn store_key(
        &self,
        name: &str,
        key: DecodedKey,
        certs: Vec<CertificateDer<'static>>,
        what: &str,
    ) -> Result<KeyInfo, KeyError> {
        if certs.is_empty() {
            return Err(KeyError::NotACertificate {
                what: what.into(),
                reason: "no certificate found".into(),
            });
        }
        let signing = load_signing_key(&key.0)?;
        let chain = order_chain(certs, &signing)?;
        let key_pem = pem::encode(&pem::Pem::new(
            key_label(&key.0),
            key.0.secret_der().to_vec(),
        ));
        let dir = self.key_dir(name);
        let werr = |e: std::io::Error| KeyError::Write {
            path: dir.display().to_string(),
            reason: e.to_string(),
        };
        home::ensure_private_dir(&self.root).map_err(werr)?;
        home::ensure_private_dir(&self.root.join("keys")).map_err(werr)?;
        // Build the entry in a private staging folder, then rename it into place in one step.
        let staging = tempfile::Builder::new()
            .prefix(".import-")
            .tempdir_in(self.root.join("keys"))
            .map_err(werr)?;
        home::ensure_private_dir(staging.path()).map_err(werr)?;
        home::write_atomic(&staging.path().join("key.pem"), key_pem.as_bytes(), 0o600)
            .map_err(werr)?;
        home::write_atomic(
            &staging.path().join("cert.pem"),
            chain_pem(&chain).as_bytes(),
            0o644,
        )
        .map_err(werr)?;
        std::fs::rename(staging.keep(), &dir).map_err(werr)?;
        self.show(name)
    }

    pub fn names(&self) -> Vec<String> {
        list_names(&self.root.join("keys"), |p| p.is_dir(), None)
    }

    /// Every stored key with its facts, or the reason it cannot be read.
    pub fn list(&self) -> Vec<(String, Result<KeyInfo, KeyError>)> {
        self.names()
            .into_iter()
            .map(|n| (n.clone(), self.show(&n)))
            .collect()
    }

    pub fn show(&self, name: &str) -> Result<KeyInfo, KeyError> {
        let chain = self.chain(name)?;
        let facts: Vec<CertFacts> = chain
            .iter()
            .filter_map(|c| CertFacts::parse(c).ok())
            .collect();
        let leaf = facts
            .first()
            .cloned()
            .ok_or_else(|| KeyError::NotACertificate {
                what: format!("key {name:?}"),
                reason: "stored chain is empty".into(),
            })?;
        Ok(KeyInfo {
            name: name.into(),
            key_type: leaf.key_type.clone(),
            leaf,
            chain: facts,
        })
    }

    pub fn chain(&self, name: &str) -> Result<Vec<CertificateDer<'static>>, KeyError> {
        let path = self.key_dir(name).join("cert.pem");
        let data = std::fs::read(&path).map_err(|_| KeyError::NotFound {
            kind: "key".into(),
            name: name.into(),
            cmd: "keys".into(),
        })?;
        read_certs(&data, &path.display().to_string())
    }

    /// The public chain as PEM, to hand to an API's owner.
    pub fn export_pem(&self, name: &str) -> Result<String, KeyError> {
        Ok(chain_pem(&self.chain(name)?))
    }

    pub fn delete(&self, name: &str) -> Result<(), KeyError> {
        home::check_name("key", name).map_err(KeyError::BadName)?;
        let dir = self.key_dir(name);
        if !dir.is_dir() {
            return Err(KeyError::NotFound {
                kind: "key".into(),
                name: name.into(),
                cmd: "keys".into(),
            });
        }
        std::fs::remove_dir_all(&dir).map_err(|e| KeyError::Write {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// The chain and signing key for rustls, ready to present as a client identity.
    pub fn load_certified_key(&self, name: &str) -> Result<Arc<CertifiedKey>, KeyError> {
        let chain = self.chain(name)?;
        let path = self.key_dir(name).join("key.pem");
        let data = std::fs::read(&path).map_err(|e| KeyError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let key = read_key(&data, None, &path.display().to_string())?;
        Ok(Arc::new(CertifiedKey::new(
            chain,
            load_signing_key(&key.0)?,
        )))
    }

    /// Adds trusted certificates (a private CA or a server's self-signed certificate).
    pub fn add_trusted(
        &self,
        name: &str,
        data: &[u8],
        password: Option<&str>,
        what: &str,
    ) -> Result<Vec<CertFacts>, KeyError> {
        home::check_name("trusted certificate", name).map_err(KeyError::BadName)?;
        let path = self.trust_path(name);
        if path.exists() {
            return Err(KeyError::Exists {
                kind: "trusted certificate".into(),
                name: name.into(),
            });
        }
        let certs = match read_certs(data, what) {
            Ok(c) => c,
            Err(cert_err) if !looks_like_pem(data) => {
                match read_p12(data, password.unwrap_or(""), what) {
                    Ok((_, certs)) if !certs.is_empty() => certs,
                    Ok(_) => return Err(cert_err),
                    Err(KeyError::WrongPassword { .. }) if password.is_none() => {
                        return Err(KeyError::PasswordNeeded { what: what.into() });
                    }
                    Err(e @ KeyError::WrongPassword { .. }) => return Err(e),
                    Err(_) => return Err(cert_err),
                }
            }
            Err(e) => return Err(e),
        };
        let werr = |e: std::io::Error| KeyError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        home::ensure_private_dir(&self.root).map_err(werr)?;
        home::ensure_private_dir(&self.root.join("trust")).map_err(werr)?;
        home::write_atomic(&path, chain_pem(&certs).as_bytes(), 0o644).map_err(werr)?;
        Ok(certs
            .iter()
            .filter_map(|c| CertFacts::parse(c).ok())
            .collect())
    }

    pub fn trusted_names(&self) -> Vec<String> {
        list_names(&self.root.join("trust"), |p| p.is_file(), Some("pem"))
    }

    pub fn trusted(&self, name: &str) -> Result<Vec<CertificateDer<'static>>, KeyError> {
        let path = self.trust_path(name);
        let data = std::fs::read(&path).map_err(|_| KeyError::NotFound {
            kind: "trusted certificate".into(),
            name: name.into(),
            cmd: "trust".into(),
        })?;
        read_certs(&data, &path.display().to_string())
    }

    pub fn delete_trusted(&self, name: &str) -> Result<(), KeyError> {
        home::check_name("trusted certificate", name).map_err(KeyError::BadName)?;
        let path = self.trust_path(name);
        std::fs::remove_file(&path).map_err(|_| KeyError::NotFound {
            kind: "trusted certificate".into(),
            name: name.into(),
            cmd: "trust".into(),
        })
    }
}

fn list_names(dir: &Path, keep: impl Fn(&Path) -> bool, ext: Option<&str>) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| keep(p))
        .filter(|p| ext.is_none_or(|x| p.extension().is_some_and(|e| e == x)))
        .filter_map(|p| {
            let n = if ext.is_some() {
                p.file_stem()
            } else {
                p.file_name()
            };
            n.map(|s| s.to_string_lossy().into_owned())
        })
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

pub fn chain_pem(chain: &[CertificateDer<'_>]) -> String {
    let pems: Vec<pem::Pem> = chain
        .iter()
        .map(|c| pem::Pem::new("CERTIFICATE", c.as_ref().to_vec()))
        .collect();
    pem::encode_many(&pems)
}

/// Certificates from PEM (every CERTIFICATE section) or one DER certificate.
pub fn read_certs(data: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, KeyError> {
    let not_cert = |reason: String| KeyError::NotACertificate {
        what: what.into(),
        reason,
    };
    if looks_like_pem(data) {
        let pems = pem::parse_many(data).map_err(|e| not_cert(format!("bad PEM: {e}")))?;
        let certs: Vec<CertificateDer<'static>> = pems
            .iter()
            .filter(|p| {
                p.tag() == "CERTIFICATE"
                    || p.tag() == "X509 CERTIFICATE"
                    || p.tag() == "TRUSTED CERTIFICATE"
            })
            .map(|p| CertificateDer::from(p.contents().to_vec()))
            .collect();
        if certs.is_empty() {
            let tags: Vec<&str> = pems.iter().map(|p| p.tag()).collect();
            return Err(not_cert(format!(
                "PEM holds no CERTIFICATE section, only {tags:?}"
            )));
        }
        for c in &certs {
            CertFacts::parse(c).map_err(not_cert)?;
        }
        return Ok(certs);
    }
    CertFacts::parse(data).map_err(not_cert)?;
    Ok(vec![CertificateDer::from(data.to_vec())])
}

/// The key and certificates of a PKCS#12 file.
fn read_p12(
    data: &[u8],
    password: &str,
    what: &str,
) -> Result<(Option<DecodedKey>, Vec<CertificateDer<'static>>), KeyError> {
    use p12_keystore::error::Error as P12;
    use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
    let parse = |policy| KeyStore::from_pkcs12(data, password, policy);
    let store = parse(Pkcs12ImportPolicy::Relaxed)
        .and_then(|s| if s.entries_len() == 0 { parse(Pkcs12ImportPolicy::Raw) } else { Ok(s) })
        .map_err(|e| match e {
        P12::MacError(_) | P12::UnpadError => KeyError::WrongPassword { what: what.into() },
        P12::UnsupportedEncryptionScheme => KeyError::Unsupported {
            algorithm: "the PKCS#12 encryption scheme".into(),
            hint: "supported: AES-CBC with PBKDF2 (OpenSSL 3 default), 3DES and RC2-40 (legacy); re-export with `openssl pkcs12 -export`".into(),
        },
        P12::UnsupportedMacAlgorithm => KeyError::Unsupported {
            algorithm: "the PKCS#12 MAC algorithm".into(),
            hint: "re-export with `openssl pkcs12 -export -macalg sha256`".into(),
        },
        P12::Pkcs5Error(reason) if reason.to_lowercase().contains("unsupported") => KeyError::Unsupported {
            algorithm: reason,
            hint: "re-export with `openssl pkcs12 -export` (AES-256-CBC, PBKDF2)".into(),
        },
        P12::Pkcs5Error(_) => KeyError::WrongPassword { what: what.into() },
        other => KeyError::Format { what: what.into(), format: "PKCS#12 file".into(), reason: other.to_string() },
    })?;
    let mut key = None;
    let mut certs: Vec<CertificateDer<'static>> = Vec::new();
    let mut add = |der: &[u8]| {
        if !certs.iter().any(|c| c.as_ref() == der) {
            certs.push(CertificateDer::from(der.to_vec()));
        }
    };
    for (_, entry) in store.entries() {
        match entry {
            KeyStoreEntry::PrivateKeyChain(chain) => {
                if key.is_none() {
                    key = Some(DecodedKey(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                        chain.key().as_der().to_vec(),
                    ))));
                }
                chain.certs().iter().for_each(|c| add(c.as_der()));
            }
            KeyStoreEntry::Certificate(c) => add(c.as_der()),
            KeyStoreEntry::Secret(_) => {}
        }
    }
    Ok((key, certs))
}

/// A private key from PEM or DER: PKCS#8 (plain or encrypted), PKCS#1 or SEC1.
fn read_key(data: &[u8], password: Option<&str>, what: &str) -> Result<DecodedKey, KeyError> {
    if !looks_like_pem(data) {
        return read_der_key(data, password, what);
    }
    let format = |reason: String| KeyError::Format {
        what: what.into(),
        format: "PEM key".into(),
        reason,
    };
    let pems = pem::parse_many(data).map_err(|e| format(e.to_string()))?;
    for p in &pems {
        let der = p.contents().to_vec();
        if p.headers()
            .get("Proc-Type")
            .is_some_and(|v| v.contains("ENCRYPTED"))
        {
            return Err(KeyError::Unsupported {
                algorithm: format!("legacy OpenSSL-encrypted {} (DEK-Info {})", p.tag(), p.headers().get("DEK-Info").unwrap_or("?")),
                hint: "convert it with `openssl pkcs8 -topk8 -in key.pem -out key-pk8.pem` and import that".into(),
            });
        }
        match p.tag() {
            "PRIVATE KEY" => {
                return Ok(DecodedKey(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    der,
                ))));
            }
            "RSA PRIVATE KEY" => {
                return Ok(DecodedKey(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(
                    der,
                ))));
            }
            "EC PRIVATE KEY" => {
                return Ok(DecodedKey(PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(
                    der,
                ))));
            }
            "ENCRYPTED PRIVATE KEY" => return decrypt_pkcs8(&der, password, what),
            _ => {}
        }
    }
    Err(KeyError::NoKey { what: what.into() })
}

fn read_der_key(data: &[u8], password: Option<&str>, what: &str) -> Result<DecodedKey, KeyError> {
    use pkcs8::der::Decode;
    if pkcs8::PrivateKeyInfo::from_der(data).is_ok() {
        return Ok(DecodedKey(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            data.to_vec(),
        ))));
    }
    if pkcs8::EncryptedPrivateKeyInfo::from_der(data).is_ok() {
        return decrypt_pkcs8(data, password, what);
    }
    PrivateKeyDer::try_from(data.to_vec())
        .map(DecodedKey)
        .map_err(|_| KeyError::NoKey { what: what.into() })
}

fn decrypt_pkcs8(der: &[u8], password: Option<&str>, what: &str) -> Result<DecodedKey, KeyError> {
    use pkcs8::der::Decode;
    let Some(password) = password else {
        return Err(KeyError::PasswordNeeded { what: what.into() });
    };
    let info = pkcs8::EncryptedPrivateKeyInfo::from_der(der).map_err(|e| KeyError::Format {
        what: what.into(),
        format: "encrypted PKCS#8 key".into(),
        reason: e.to_string(),
    })?;
    let doc = info.decrypt(password).map_err(|e| match e {
        pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm { oid }) => {
            KeyError::Unsupported {
                algorithm: format!("key encryption {oid}"),
                hint: "re-encrypt with `openssl pkcs8 -topk8 -v2 aes-256-cbc`".into(),
            }
        }
        _ => KeyError::WrongPassword { what: what.into() },
    })?;
    if pkcs8::PrivateKeyInfo::from_der(doc.as_bytes()).is_err() {
        return Err(KeyError::WrongPassword { what: what.into() });
    }
    Ok(DecodedKey(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        doc.as_bytes().to_vec(),
    ))))
}

fn key_label(key: &PrivateKeyDer<'_>) -> &'static str {
    match key {
        PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
        PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
        _ => "PRIVATE KEY",
    }
}

/// Loads the key with the ring provider; a refusal names the algorithm.
fn load_signing_key(
    key: &PrivateKeyDer<'_>,
) -> Result<Arc<dyn rustls::sign::SigningKey>, KeyError> {
    let provider = rustls::crypto::ring::default_provider();
    provider
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|_| KeyError::Unsupported {
            algorithm: describe_key_algorithm(key),
            hint:
                "certbench supports RSA (2048 bits and up), ECDSA P-256 and P-384, and Ed25519 keys"
                    .into(),
        })
}

/// Names the algorithm of a private key from its PKCS#8 AlgorithmIdentifier.
fn describe_key_algorithm(key: &PrivateKeyDer<'_>) -> String {
    use pkcs8::der::Decode;
    let PrivateKeyDer::Pkcs8(p8) = key else {
        return match key {
            PrivateKeyDer::Pkcs1(_) => "RSA key (PKCS#1) of an unsupported size".into(),
            _ => "EC key (SEC1) on an unsupported curve".into(),
        };
    };
    let Ok(info) = pkcs8::PrivateKeyInfo::from_der(p8.secret_pkcs8_der()) else {
        return "unparsable PKCS#8 key".into();
    };
    let oid = info.algorithm.oid.to_string();
    let param = info
        .algorithm
        .parameters_oid()
        .map(|o| o.to_string())
        .unwrap_or_default();
    match (oid.as_str(), param.as_str()) {
        ("1.2.840.10045.2.1", "1.3.132.0.35") => "ECDSA P-521".into(),
        ("1.2.840.10045.2.1", "1.3.132.0.10") => "ECDSA secp256k1".into(),
        ("1.2.840.10045.2.1", p) => format!("ECDSA on curve {p}"),
        ("1.2.840.113549.1.1.1", _) => "RSA key of an unsupported size (under 2048 bits?)".into(),
        ("1.3.101.113", _) => "Ed448".into(),
        ("1.2.840.10040.4.1", _) => "DSA".into(),
        (o, _) => format!("key algorithm {o}"),
    }
}

/// Puts the certificate that matches the key first, then its issuers, then the rest.
fn order_chain(
    certs: Vec<CertificateDer<'static>>,
    key: &Arc<dyn rustls::sign::SigningKey>,
) -> Result<Vec<CertificateDer<'static>>, KeyError> {
    let leaf_pos = certs.iter().position(|c| {
        CertifiedKey::new(vec![c.clone()], key.clone())
            .keys_match()
            .is_ok()
    });
    let Some(leaf_pos) = leaf_pos else {
        let subject = CertFacts::parse(&certs[0])
            .map(|f| f.subject)
            .unwrap_or_else(|_| "?".into());
        return Err(KeyError::KeyMismatch { subject });
    };
    let mut rest = certs;
    let mut chain = vec![rest.remove(leaf_pos)];
    while let Some(last) = chain.last().and_then(|l| CertFacts::parse(l).ok()) {
        if last.self_signed {
            break;
        }
        match rest
            .iter()
            .position(|c| CertFacts::parse(c).is_ok_and(|f| f.subject == last.issuer))
        {
            Some(i) => chain.push(rest.remove(i)),
            None => break,
        }
    }
    chain.extend(rest);
    Ok(chain)
}
