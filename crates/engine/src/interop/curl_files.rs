//! The files a curl command names (`--cert`, `--key`, `--cacert`), placed in the keystore by
//! their content: a stored key or certificate with the same content is reused, never a name.

use crate::keys::keystore::{KeyError, KeyInfo, Keystore};
use crate::keys::placement::{KeySource, Placed, place_key, place_trusted};
use std::path::{Path, PathBuf};

/// A client certificate a curl command names: `--cert FILE[:PASS]`, `--key`, `--cert-type P12`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: Option<PathBuf>,
    /// From `--cert FILE:PASS`; used to import, never stored.
    pub password: Option<String>,
    pub p12: bool,
}

/// A keystore name from a file's stem ("client.p12" -> "client").
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "imported".into())
}

/// Places the client certificate of a curl command in the keystore by its content: a stored
/// key with the same certificate is reused, else it is stored under its file's stem (or, when
/// that name holds another key, under its subject's CN). The password is `password`, else the
/// one in `--cert FILE:PASS`; it is never stored.
pub fn import_key(
    ks: &Keystore,
    files: &CertFiles,
    password: Option<&str>,
) -> Result<(Placed, KeyInfo), KeyError> {
    let what = files.cert.display().to_string();
    let read = |p: &Path| {
        crate::home::read_bounded(p, crate::home::KEY_FILE_LIMIT).map_err(|e| KeyError::Read {
            path: p.display().to_string(),
            source: e.into(),
        })
    };
    let data = read(&files.cert)?;
    let password = files.password.as_deref().or(password);
    // curl takes a PEM holding both certificate and key; so do we.
    let key = match (&files.key, files.p12) {
        (_, true) => Vec::new(),
        (Some(k), false) => read(k)?,
        (None, false) => data.clone(),
    };
    let source = if files.p12 {
        KeySource::P12(&data)
    } else {
        KeySource::Pem {
            cert: &data,
            key: &key,
        }
    };
    place_key(ks, &stem(&files.cert), source, password, &what)
}

/// Places a curl command's `--cacert` in the keystore by its content, as [`import_key`] does.
pub fn import_trust(ks: &Keystore, ca: &Path) -> Result<Placed, KeyError> {
    let data =
        crate::home::read_bounded(ca, crate::home::KEY_FILE_LIMIT).map_err(|e| KeyError::Read {
            path: ca.display().to_string(),
            source: e.into(),
        })?;
    place_trusted(ks, &stem(ca), &data, None, &ca.display().to_string())
}
