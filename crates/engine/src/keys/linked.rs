//! Keys that follow their files: a key imported with `--link` records where its certificate and
//! private key are (`link.toml`) instead of copying them, and every use reads them again, so a
//! certificate renewed on disk (step-ca's `step ca renew`, certbot, a CI job) is used at once.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::home;
use crate::keys::keyerror::KeyError;
use crate::keys::keyfile::PrivateKey;
use crate::keys::keyread::{read_p12_pair, read_pem_pair};
use rustls::pki_types::CertificateDer;

/// The file in a key's folder that says where its files are.
pub const LINK_FILE: &str = "link.toml";

/// Where a linked key's files are: a certificate (chain) and a key, or one PKCS#12.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p12: Option<PathBuf>,
}

/// What a linked key's files were when looked at: each one's modification time and size. Two
/// equal stamps mean the files were not touched in between.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkStamp(Vec<(Option<SystemTime>, u64)>);

impl Link {
    /// A link to `cert` and `key` (or a PKCS#12 `p12`), as absolute paths.
    pub fn new(
        cert: Option<&Path>,
        key: Option<&Path>,
        p12: Option<&Path>,
    ) -> Result<Link, KeyError> {
        let absolute = |p: Option<&Path>| -> Result<Option<PathBuf>, KeyError> {
            p.map(|p| {
                std::path::absolute(p).map_err(|e| KeyError::Read {
                    path: p.display().to_string(),
                    source: e.into(),
                })
            })
            .transpose()
        };
        Ok(Link {
            cert: absolute(cert)?,
            key: absolute(key)?,
            p12: absolute(p12)?,
        })
    }

    /// The files, in order (the certificate, then the key; or the PKCS#12).
    pub fn files(&self) -> Vec<&Path> {
        [&self.cert, &self.key, &self.p12]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect()
    }

    /// The file a person reads first: the certificate (or the PKCS#12).
    pub fn shown(&self) -> String {
        self.files()
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    }

    /// The files' stamp now (a missing file has none).
    pub fn stamp(&self) -> LinkStamp {
        LinkStamp(
            self.files()
                .into_iter()
                .map(|p| match std::fs::metadata(p) {
                    Ok(m) => (m.modified().ok(), m.len()),
                    Err(_) => (None, 0),
                })
                .collect(),
        )
    }

    /// Reads the files: the key and its chain, the pair checked (a key that does not match
    /// its certificate, mid-renewal say, is an error). A linked key must open without a
    /// password: it is read on every use and no password is ever stored.
    pub fn read(&self) -> Result<(PrivateKey, Vec<CertificateDer<'static>>), KeyError> {
        let read = |p: &Path| {
            home::read_bounded(p, home::KEY_FILE_LIMIT).map_err(|e| KeyError::Read {
                path: p.display().to_string(),
                source: e.into(),
            })
        };
        match (&self.p12, &self.cert) {
            (Some(p12), _) => read_p12_pair(&read(p12)?, None, &p12.display().to_string()),
            (None, Some(cert)) => {
                let data = read(cert)?;
                let key = match &self.key {
                    Some(k) => read(k)?,
                    None => data.clone(),
                };
                read_pem_pair(&data, &key, None, &cert.display().to_string())
            }
            (None, None) => Err(KeyError::NotACertificate {
                what: LINK_FILE.into(),
                reason: "it names no certificate file".into(),
            }),
        }
    }

    /// The link as stored.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// The link stored in `dir`, when the key there is linked.
    pub fn load(dir: &Path) -> Result<Option<Link>, KeyError> {
        crate::keys::keyread::read_toml_entry(&dir.join(LINK_FILE), "key link")
    }
}
