//! `keys import NAME --replace`: a renewed certificate (and its key) swapped in under the same
//! name, so bindings, environments and profiles that name the key go on working; its renew
//! command is kept, and the old certificate's fingerprint goes to the key's history. The new
//! folder is built beside the old one and the two are exchanged in one step.

use std::path::Path;

use rustls::pki_types::CertificateDer;
use serde::{Deserialize, Serialize};

use crate::home;
use crate::keys::keyfile::PrivateKey;
use crate::keys::keyread::{chain_pem, read_p12_pair, read_pem_pair};
use crate::keys::keystore::{
    Entry, KeyError, KeyInfo, Keystore, LINK_FILE, RENEW_FILE, STAGING_PREFIX,
};
use crate::keys::signer;

/// The file in a key's folder that lists the certificates it held before.
pub const HISTORY_FILE: &str = "history.toml";

/// One certificate a key held before it was replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replaced {
    pub sha256: String,
    pub subject: String,
    pub not_after: String,
    /// When it was replaced (unix seconds).
    pub replaced_at: i64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct History {
    #[serde(default)]
    replaced: Vec<Replaced>,
}

impl Keystore {
    /// Replaces key `name` with the PKCS#12 `data`.
    pub fn replace_p12(
        &self,
        name: &str,
        data: &[u8],
        password: Option<&str>,
        what: &str,
    ) -> Result<(KeyInfo, Replaced), KeyError> {
        let (key, chain) = read_p12_pair(data, password, what)?;
        self.replace_key(name, key, chain)
    }

    /// Replaces key `name` with a certificate chain and key file.
    pub fn replace_pem(
        &self,
        name: &str,
        cert: &[u8],
        key: &[u8],
        password: Option<&str>,
        what: &str,
    ) -> Result<(KeyInfo, Replaced), KeyError> {
        let (key, chain) = read_pem_pair(cert, key, password, what)?;
        self.replace_key(name, key, chain)
    }

    /// The certificates key `name` held before, oldest first.
    pub fn replaced(&self, name: &str) -> Result<Vec<Replaced>, KeyError> {
        Ok(read_history(&self.key_dir(name)?).replaced)
    }

    fn replace_key(
        &self,
        name: &str,
        key: PrivateKey,
        chain: Vec<CertificateDer<'static>>,
    ) -> Result<(KeyInfo, Replaced), KeyError> {
        let dir = self.key_dir(name)?;
        // Only a real folder of the keystore is exchanged: a link there, or a file, is left
        // as it is (its target is never replaced).
        if !dir.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            return Err(self.not_found(Entry::Key, name));
        }
        let refuse = |why: &str| KeyError::Format {
            what: name.into(),
            format: "key to replace".into(),
            reason: why.into(),
        };
        if dir.join(LINK_FILE).exists() {
            return Err(refuse(
                "it is linked to its files: renew those files, and the key follows them",
            ));
        }
        if self.token_ref(name)?.is_some() {
            return Err(refuse(
                "it lives on a token: put the renewed certificate on the token, or import it as a new key",
            ));
        }
        let old = self.show(name)?;
        signer::signing_key(&key)?;
        let werr = |e: std::io::Error| KeyError::Write {
            path: dir.display().to_string(),
            source: e.into(),
        };
        let keys = self.root().join("keys");
        let staging = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(&keys)
            .map_err(werr)?;
        home::ensure_private_dir(staging.path()).map_err(werr)?;
        let key_pem = zeroize::Zeroizing::new(pem::encode(&pem::Pem::new(
            "PRIVATE KEY",
            key.pkcs8_der().to_vec(),
        )));
        home::write_atomic(&staging.path().join("key.pem"), key_pem.as_bytes(), 0o600)
            .map_err(werr)?;
        home::write_atomic(
            &staging.path().join("cert.pem"),
            chain_pem(&chain).as_bytes(),
            0o644,
        )
        .map_err(werr)?;
        // What stays with the name: the renew command, and the history with the old one added.
        if let Ok(renew) = std::fs::read(dir.join(RENEW_FILE)) {
            home::write_atomic(&staging.path().join(RENEW_FILE), &renew, 0o600).map_err(werr)?;
        }
        let entry = Replaced {
            sha256: old.leaf.sha256.clone(),
            subject: old.leaf.subject.clone(),
            not_after: old.leaf.not_after.clone(),
            replaced_at: crate::clock::now_unix(),
        };
        let mut history = read_history(&dir);
        history.replaced.push(entry.clone());
        let text = toml::to_string(&history).unwrap_or_default();
        home::write_atomic(&staging.path().join(HISTORY_FILE), text.as_bytes(), 0o600)
            .map_err(werr)?;
        exchange(staging.path(), &dir).map_err(werr)?;
        // The staging folder now holds the old entry: it goes with the guard.
        drop(staging);
        Ok((self.show(name)?, entry))
    }
}

fn read_history(dir: &Path) -> History {
    home::read_bounded(&dir.join(HISTORY_FILE), 1 << 20)
        .ok()
        .and_then(|d| toml::from_str(&String::from_utf8_lossy(&d)).ok())
        .unwrap_or_default()
}

/// Exchanges the folders `a` and `b` in one step (renameat2 RENAME_EXCHANGE), so `b` is never
/// missing; where the file system cannot, `b` moves aside and `a` takes its place.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (ca, cb) = (
        CString::new(a.as_os_str().as_bytes())?,
        CString::new(b.as_os_str().as_bytes())?,
    );
    #[allow(unsafe_code, reason = "std has no atomic exchange of two paths")]
    // SAFETY: both paths are NUL-terminated strings that live across the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    if !matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
        return Err(e);
    }
    let aside = b.with_file_name(format!(
        "{STAGING_PREFIX}{}-old",
        b.file_name().unwrap_or_default().to_string_lossy()
    ));
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}
