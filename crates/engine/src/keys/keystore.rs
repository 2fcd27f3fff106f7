//! Credential keys and trusted certificates: import from PKCS#12 / PEM / DER, inspect, store, load.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::sign::CertifiedKey;
use serde::Serialize;

use crate::home;
use crate::keys::certinfo::CertFacts;
use crate::keys::keyfile::{self, PrivateKey};
pub use crate::keys::linked::{LINK_FILE, Link, LinkStamp};
pub use crate::keys::renewal::{RENEW_FILE, RENEW_TIMEOUT, RenewBefore, RenewRun, Renewal};
use crate::keys::signer;

pub use crate::keys::keyerror::{Entry, KeyError};
use crate::keys::keyread::read_certs_with_facts;
pub use crate::keys::keyread::{chain_pem, read_certs};
pub(crate) use crate::keys::keyread::{
    read_p12_pair, read_pem_pair, read_toml_entry, read_trusted,
};
use crate::keys::token::{self, NoPins, PinSource, TokenRef};

/// What a stored credential key is, as shown in lists and inspectors (never the key itself).
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub name: String,
    pub leaf: CertFacts,
    pub chain: Vec<CertFacts>,
    /// "ECDSA P-256", or "hardware (token LABEL), ECDSA P-256" for a key on a token.
    pub key_type: String,
    /// The token's label, for a key that never leaves it.
    pub hardware: Option<String>,
    /// The file a linked key follows (read again on every use), for a key imported with `--link`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked: Option<String>,
}

/// The file beside `cert.pem` that says a key lives on a PKCS#11 token.
const TOKEN_FILE: &str = "pkcs11.toml";

/// The keystore under the home folder: `keys/<name>/{cert.pem,key.pem}` and `trust/<name>.pem`.
#[derive(Debug, Clone)]
pub struct Keystore {
    root: PathBuf,
}

impl Keystore {
    pub fn open(home: &Path) -> Keystore {
        Keystore {
            root: home.to_path_buf(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of a stored key; a name that would leave `keys/` is refused here, on every path.
    pub(crate) fn key_dir(&self, name: &str) -> Result<PathBuf, KeyError> {
        home::check_name(home::Named::Key, name).map_err(KeyError::BadName)?;
        Ok(self.root.join("keys").join(name))
    }

    /// Records a key that follows its files: where they are, never a copy of the private key.
    /// The files are read now (the pair must match and open without a password) and on every
    /// use after.
    pub fn import_link(&self, name: &str, link: &Link) -> Result<KeyInfo, KeyError> {
        self.check_new_key(name)?;
        let (key, chain) = link.read()?;
        signer::signing_key(&key)?;
        self.store_entry(name, LINK_FILE, link.to_toml().as_bytes(), &chain)
    }

    /// Where a linked key's files are; None for a stored or hardware key.
    pub fn link(&self, name: &str) -> Result<Option<Link>, KeyError> {
        Link::load(&self.key_dir(name)?)
    }

    /// A linked key's files as they are now (None for another key): a new stamp means they
    /// changed, and a client built on the old ones is built again.
    pub fn key_stamp(&self, name: &str) -> Option<LinkStamp> {
        self.link(name).ok().flatten().map(|l| l.stamp())
    }

    /// The key's renew command, if one was set.
    pub fn renewal(&self, name: &str) -> Result<Option<Renewal>, KeyError> {
        let dir = self.key_dir(name)?;
        if !dir.is_dir() {
            return Err(self.not_found(Entry::Key, name));
        }
        Renewal::load(&dir).map_err(|reason| KeyError::Format {
            what: name.into(),
            format: "renew command".into(),
            reason: reason.to_string(),
        })
    }

    /// Sets (or with None, removes) the key's renew command.
    pub fn set_renewal(&self, name: &str, renewal: Option<&Renewal>) -> Result<(), KeyError> {
        let dir = self.key_dir(name)?;
        if !dir.is_dir() {
            return Err(self.not_found(Entry::Key, name));
        }
        let werr = |reason: String| KeyError::Format {
            what: name.into(),
            format: "renew command".into(),
            reason,
        };
        match renewal {
            Some(r) => r.save(&dir).map_err(|e| werr(e.to_string())),
            None => match std::fs::remove_file(dir.join(RENEW_FILE)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(werr(e.to_string())),
                _ => Ok(()),
            },
        }
    }

    /// A key's certificate and private key files, for tools that read files (`export curl`).
    pub fn key_files(&self, name: &str) -> Result<(PathBuf, PathBuf), KeyError> {
        if let Some(Link {
            cert: Some(cert),
            key: Some(key),
            ..
        }) = self.link(name)?
        {
            return Ok((cert, key));
        }
        if let Some(t) = self.token_ref(name)? {
            return Err(KeyError::Token(token::TokenError {
                problem: token::TokenProblem::Other,
                message: format!(
                    "key {name} lives on token {}: it has no key file to give curl",
                    t.token
                ),
            }));
        }
        let dir = self.key_dir(name)?;
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        if !cert.is_file() || !key.is_file() {
            return Err(self.not_found(Entry::Key, name));
        }
        Ok((cert, key))
    }

    /// A trusted certificate's file.
    pub fn trust_file(&self, name: &str) -> Result<PathBuf, KeyError> {
        let path = self.trust_path(name)?;
        if !path.is_file() {
            return Err(self.not_found(Entry::Trust, name));
        }
        Ok(path)
    }

    /// The file of a trusted certificate; the name is checked as for keys.
    fn trust_path(&self, name: &str) -> Result<PathBuf, KeyError> {
        home::check_name(home::Named::TrustedCertificate, name).map_err(KeyError::BadName)?;
        Ok(self.root.join("trust").join(format!("{name}.pem")))
    }

    /// Imports a PKCS#12/PFX file; with no password, both the empty and the absent password are tried.
    pub fn import_p12(
        &self,
        name: &str,
        data: &[u8],
        password: Option<&str>,
        what: &str,
    ) -> Result<KeyInfo, KeyError> {
        self.check_new_key(name)?;
        let (key, chain) = read_p12_pair(data, password, what)?;
        self.store_key(name, key, chain)
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
        let (key, chain) = read_pem_pair(cert_data, key_data, password, what)?;
        self.store_key(name, key, chain)
    }

    fn check_new_key(&self, name: &str) -> Result<(), KeyError> {
        if self.key_dir(name)?.exists() {
            return Err(exists(name));
        }
        Ok(())
    }

    pub(crate) fn store_key(
        &self,
        name: &str,
        key: PrivateKey,
        chain: Vec<CertificateDer<'static>>,
    ) -> Result<KeyInfo, KeyError> {
        // Refuse at import what cannot sign later.
        signer::signing_key(&key)?;
        let key_pem = zeroize::Zeroizing::new(pem::encode(&pem::Pem::new(
            "PRIVATE KEY",
            key.pkcs8_der().to_vec(),
        )));
        self.store_entry(name, "key.pem", key_pem.as_bytes(), &chain)
    }

    /// Records a key that stays on a PKCS#11 token: its reference and certificate chain, never
    /// a PIN.
    pub fn import_token(
        &self,
        name: &str,
        reference: &TokenRef,
        chain: Vec<CertificateDer<'static>>,
    ) -> Result<KeyInfo, KeyError> {
        self.check_new_key(name)?;
        if chain.is_empty() {
            return Err(KeyError::NotACertificate {
                what: reference.token.clone(),
                reason: "no certificate for this key on the token".into(),
            });
        }
        let text = toml::to_string(reference).map_err(|e| KeyError::Format {
            what: name.into(),
            format: "token reference".into(),
            reason: e.to_string(),
        })?;
        self.store_entry(name, TOKEN_FILE, text.as_bytes(), &chain)
    }

    /// The token a key lives on, if it is a hardware key.
    pub fn token_ref(&self, name: &str) -> Result<Option<TokenRef>, KeyError> {
        read_toml_entry(&self.key_dir(name)?.join(TOKEN_FILE), "token reference")
    }

    /// Writes a key's folder (its secret or reference file, and the chain) in one step.
    fn store_entry(
        &self,
        name: &str,
        file: &str,
        contents: &[u8],
        chain: &[CertificateDer<'static>],
    ) -> Result<KeyInfo, KeyError> {
        let dir = self.key_dir(name)?;
        let werr = |e: std::io::Error| KeyError::Write {
            path: dir.display().to_string(),
            source: e.into(),
        };
        home::ensure_private_dir(&self.root).map_err(werr)?;
        home::ensure_private_dir(&self.root.join("keys")).map_err(werr)?;
        sweep_staging(&self.root.join("keys"));
        // Build the entry in a private staging folder, then rename it into place in one step.
        // The folder is locked while the import runs, so a sweep never takes a live one; if
        // anything fails, or another import took the name first, the folder is removed.
        let staging = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(self.root.join("keys"))
            .map_err(werr)?;
        let _held = std::fs::File::open(staging.path())
            .and_then(|f| f.lock().map(|()| f))
            .map_err(werr)?;
        home::ensure_private_dir(staging.path()).map_err(werr)?;
        home::write_atomic(&staging.path().join(file), contents, 0o600).map_err(werr)?;
        home::write_atomic(
            &staging.path().join("cert.pem"),
            chain_pem(chain).as_bytes(),
            0o644,
        )
        .map_err(werr)?;
        match std::fs::rename(staging.path(), &dir) {
            Ok(()) => {
                // The folder now lives under its name: the guard must not remove it.
                let _ = staging.keep();
            }
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOTEMPTY | libc::EEXIST)) => {
                return Err(exists(name));
            }
            Err(e) => return Err(werr(e)),
        }
        self.show(name)
    }

    /// `name` is not in the store: said with the closest name there, or some of them.
    pub(crate) fn not_found(&self, entry: Entry, name: &str) -> KeyError {
        let names = match entry {
            Entry::Key => self.names(),
            Entry::Trust => self.trusted_names(),
        };
        KeyError::NotFound {
            entry,
            name: name.into(),
            known: crate::names::Known::among(name, names.into_iter()),
        }
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
        let facts: Vec<CertFacts> = self
            .chain_with_facts(name)?
            .into_iter()
            .map(|(_, facts)| facts)
            .collect();
        let leaf = facts
            .first()
            .cloned()
            .ok_or_else(|| KeyError::NotACertificate {
                what: format!("key {name:?}"),
                reason: "stored chain is empty".into(),
            })?;
        let hardware = self.token_ref(name)?.map(|t| t.token);
        let linked = self.link(name)?.map(|l| l.shown());
        Ok(KeyInfo {
            linked,
            name: name.into(),
            key_type: match &hardware {
                Some(token) => format!("hardware (token {token}), {}", leaf.key_type),
                None => leaf.key_type.clone(),
            },
            hardware,
            leaf,
            chain: facts,
        })
    }

    pub fn chain(&self, name: &str) -> Result<Vec<CertificateDer<'static>>, KeyError> {
        Ok(self
            .chain_with_facts(name)?
            .into_iter()
            .map(|(cert, _)| cert)
            .collect())
    }

    /// The chain with each certificate's facts, each certificate parsed once.
    fn chain_with_facts(
        &self,
        name: &str,
    ) -> Result<Vec<(CertificateDer<'static>, CertFacts)>, KeyError> {
        // A linked key's chain is what its files hold now.
        if let Some(link) = self.link(name)? {
            let (_, chain) = link.read()?;
            return chain
                .into_iter()
                .map(|cert| {
                    let facts = CertFacts::parse(&cert).map_err(|e| KeyError::NotACertificate {
                        what: format!("key {name:?}"),
                        reason: e.to_string(),
                    })?;
                    Ok((cert, facts))
                })
                .collect();
        }
        let path = self.key_dir(name)?.join("cert.pem");
        let data = read_entry(&path, || self.not_found(Entry::Key, name))?;
        read_certs_with_facts(&data, &path.display().to_string())
    }

    /// The public chain as PEM, to hand to an API's owner.
    pub fn export_pem(&self, name: &str) -> Result<String, KeyError> {
        Ok(chain_pem(&self.chain(name)?))
    }

    /// Ok when a key of this name is stored (readable or not), else why not, with the names
    /// it may have meant.
    pub fn exists(&self, name: &str) -> Result<(), KeyError> {
        if self.key_dir(name)?.is_dir() {
            Ok(())
        } else {
            Err(self.not_found(Entry::Key, name))
        }
    }

    pub fn delete(&self, name: &str) -> Result<(), KeyError> {
        self.exists(name)?;
        let dir = self.key_dir(name)?;
        sweep_staging(&self.root.join("keys"));
        std::fs::remove_dir_all(&dir).map_err(|e| KeyError::Write {
            path: dir.display().to_string(),
            source: e.into(),
        })
    }

    /// The chain and signing key for rustls, ready to present as a client identity.
    pub fn load_certified_key(&self, name: &str) -> Result<Arc<CertifiedKey>, KeyError> {
        self.load_certified_key_with(name, &NoPins)
    }

    /// The same, for a key on a token with its PIN from `pins`: it signs there.
    pub fn load_certified_key_with(
        &self,
        name: &str,
        pins: &dyn PinSource,
    ) -> Result<Arc<CertifiedKey>, KeyError> {
        if let Some(link) = self.link(name)? {
            let (key, chain) = link.read()?;
            return Ok(Arc::new(CertifiedKey::new(
                chain,
                signer::signing_key(&key)?,
            )));
        }
        let chain = self.chain(name)?;
        if let Some(reference) = self.token_ref(name)? {
            let leaf = chain
                .first()
                .map(|c| c.as_ref().to_vec())
                .unwrap_or_default();
            let key = token::open_with(&reference, &leaf, pins).map_err(KeyError::Token)?;
            return Ok(Arc::new(CertifiedKey::new(chain, key)));
        }
        let path = self.key_dir(name)?.join("key.pem");
        let data = home::read_bounded(&path, home::KEY_FILE_LIMIT).map_err(|e| KeyError::Read {
            path: path.display().to_string(),
            source: e.into(),
        })?;
        let key = keyfile::read_key(&data, None, &path.display().to_string())?;
        Ok(Arc::new(CertifiedKey::new(
            chain,
            signer::signing_key(&key)?,
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
        if self.trust_path(name)?.exists() {
            return Err(KeyError::Exists {
                entry: Entry::Trust,
                name: name.into(),
            });
        }
        let certs = read_trusted(data, password, what)?;
        self.store_trusted(name, &certs)
    }

    /// Writes trusted certificates under `name`.
    pub(crate) fn store_trusted(
        &self,
        name: &str,
        certs: &[CertificateDer<'static>],
    ) -> Result<Vec<CertFacts>, KeyError> {
        let path = self.trust_path(name)?;
        let werr = |e: std::io::Error| KeyError::Write {
            path: path.display().to_string(),
            source: e.into(),
        };
        home::ensure_private_dir(&self.root).map_err(werr)?;
        home::ensure_private_dir(&self.root.join("trust")).map_err(werr)?;
        home::write_atomic(&path, chain_pem(certs).as_bytes(), 0o644).map_err(werr)?;
        Ok(certs
            .iter()
            .filter_map(|c| CertFacts::parse(c).ok())
            .collect())
    }

    pub fn trusted_names(&self) -> Vec<String> {
        list_names(&self.root.join("trust"), |p| p.is_file(), Some("pem"))
    }

    pub fn trusted(&self, name: &str) -> Result<Vec<CertificateDer<'static>>, KeyError> {
        let path = self.trust_path(name)?;
        let data = read_entry(&path, || self.not_found(Entry::Trust, name))?;
        read_certs(&data, &path.display().to_string())
    }

    pub fn delete_trusted(&self, name: &str) -> Result<(), KeyError> {
        let path = self.trust_path(name)?;
        std::fs::remove_file(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => self.not_found(Entry::Trust, name),
            _ => KeyError::Write {
                path: path.display().to_string(),
                source: e.into(),
            },
        })
    }
}

/// Reads a keystore file: absent is `missing()`; any other failure (permissions, a folder in its
/// place) is a read error that names the file and the cause, never "no key named".
fn read_entry(path: &Path, missing: impl FnOnce() -> KeyError) -> Result<Vec<u8>, KeyError> {
    home::read_bounded(path, home::KEY_FILE_LIMIT).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            missing()
        } else {
            KeyError::Read {
                path: path.display().to_string(),
                source: e.into(),
            }
        }
    })
}

fn exists(name: &str) -> KeyError {
    KeyError::Exists {
        entry: Entry::Key,
        name: name.into(),
    }
}

/// Import staging folders in `keys/` start with this (and so never list as keys).
pub(crate) const STAGING_PREFIX: &str = ".import-";

/// Removes staging folders left by imports that died (killed, or a crash): those nobody holds
/// locked. A folder younger than a few seconds is left alone, since its import may not have
/// taken its lock yet.
fn sweep_staging(keys: &Path) {
    let Ok(entries) = std::fs::read_dir(keys) else {
        return;
    };
    let settled = std::time::SystemTime::now() - std::time::Duration::from_secs(5);
    for entry in entries.flatten() {
        let path = entry.path();
        let staging = entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX);
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < settled);
        if !(staging && old && path.is_dir()) {
            continue;
        }
        if let Ok(dir) = std::fs::File::open(&path)
            && dir.try_lock().is_ok()
        {
            let _ = std::fs::remove_dir_all(&path);
        }
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
