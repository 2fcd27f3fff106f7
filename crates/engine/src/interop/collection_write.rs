//! An imported [`Collection`] put on disk: its profiles, `vars.toml` and environments staged in a
//! folder beside the target and moved into place whole (never half written), and its client
//! certificates placed in the keystore by content and bound to their hosts.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::interop::collection::{CertSetting, Collection, Skipped};
use crate::keys::bindings::Bindings;
use crate::keys::keystore::{KeyError, Keystore};
use crate::keys::placement::{KeySource, Placed, place_key};

/// A key the import placed, and the hosts it is bound to.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedKey {
    pub name: String,
    /// The name the settings gave it.
    #[serde(skip)]
    pub wanted: String,
    pub subject: String,
    /// The same certificate was already in the keystore under `name`.
    pub reused: bool,
    pub bound: Vec<String>,
}

/// What the import wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Written {
    pub keys: Vec<PlacedKey>,
    /// Certificates that could not be placed, and why.
    pub failed: Vec<Skipped>,
}

/// The whole import: the keys placed first (a key tied to an environment becomes that
/// environment's `credential`, under the name the keystore gave it), then the folder written.
/// `dry_run` writes nothing and names each key as the settings do.
pub fn import_collection(
    c: &mut Collection,
    target: &Path,
    place: Option<(&Keystore, &Path, Passwords<'_>)>,
    replace: bool,
) -> Result<Option<Written>, NotWritten> {
    check_target(target, replace)?;
    let written = place.map(|(ks, home, passwords)| place_keys(c, ks, home, passwords));
    for cert in &c.certificates {
        let Some(env) = &cert.environment else {
            continue;
        };
        let name = match &written {
            Some(w) => match w.keys.iter().find(|k| k.wanted == cert.name) {
                Some(k) => k.name.clone(),
                None => continue,
            },
            None => cert.name.clone(),
        };
        if let Some(e) = c.environments.iter_mut().find(|e| e.name == *env) {
            e.credential = Some(name);
        }
    }
    if written.is_some() && c.has_files() {
        write_folder(c, target, replace)?;
    }
    Ok(written)
}

/// Whether the folder `target` may be written: it must not exist, or with `replace` be a real
/// folder. A symbolic link, a file, a FIFO or a device there is never replaced (even with
/// `replace`): it is not a folder this import made.
fn check_target(target: &Path, replace: bool) -> Result<(), NotWritten> {
    let Ok(meta) = target.symlink_metadata() else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(NotWritten::NotAFolder(target.to_path_buf()));
    }
    if !replace {
        return Err(NotWritten::Exists(target.to_path_buf()));
    }
    Ok(())
}

/// Why an imported collection's folder was not written. For `NotAFolder` and `Exists` each
/// interface says how to pick another name (and, where it can, to replace the folder).
#[derive(Debug, thiserror::Error)]
pub enum NotWritten {
    #[error(
        "{} is not a folder (a link, a file or a device): it is left as it is",
        .0.display()
    )]
    NotAFolder(PathBuf),
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    #[error("cannot create {}: {source}", path.display())]
    CannotCreate {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot stage the import in {}: {source}", path.display())]
    CannotStage {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    CannotWrite {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Serialize(#[from] toml::ser::Error),
    #[error("cannot move {} aside: {source}", path.display())]
    CannotMoveAside {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot move the import to {}: {source}", path.display())]
    CannotMoveIn {
        path: PathBuf,
        source: std::io::Error,
    },
}

worded!(NotWritten);

/// Writes the profiles, variables and environments of `c` as the folder `target`: staged beside
/// it, then moved into place. An existing `target` is an error unless `replace`.
pub fn write_folder(c: &Collection, target: &Path, replace: bool) -> Result<(), NotWritten> {
    check_target(target, replace)?;
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| NotWritten::CannotCreate {
        path: parent.to_path_buf(),
        source,
    })?;
    let stage = tempfile::Builder::new()
        .prefix(".certbench-import-")
        .tempdir_in(parent)
        .map_err(|source| NotWritten::CannotStage {
            path: parent.to_path_buf(),
            source,
        })?;
    let write = |path: PathBuf, text: String| {
        std::fs::write(&path, text).map_err(|source| NotWritten::CannotWrite { path, source })
    };
    for p in &c.profiles {
        write(stage.path().join(format!("{}.toml", p.name)), p.to_toml())?;
    }
    if !c.vars.is_empty() {
        let text = toml::to_string(&c.vars)?;
        write(
            stage.path().join("vars.toml"),
            format!("# Variables of the imported collection.\n{text}"),
        )?;
    }
    if !c.environments.is_empty() {
        let envs = stage.path().join(crate::request::environment::FOLDER);
        std::fs::create_dir_all(&envs).map_err(|source| NotWritten::CannotCreate {
            path: envs.clone(),
            source,
        })?;
        for e in &c.environments {
            let text = toml::to_string(e)?;
            write(envs.join(format!("{}.toml", e.name)), text)?;
        }
    }
    let staged = stage.keep();
    if target.exists() {
        let old = parent.join(format!(".certbench-replaced-{}", std::process::id()));
        std::fs::rename(target, &old).map_err(|source| NotWritten::CannotMoveAside {
            path: target.to_path_buf(),
            source,
        })?;
        if let Err(source) = std::fs::rename(&staged, target) {
            let _ = std::fs::rename(&old, target);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(NotWritten::CannotMoveIn {
                path: target.to_path_buf(),
                source,
            });
        }
        let _ = std::fs::remove_dir_all(&old);
    } else if let Err(source) = std::fs::rename(&staged, target) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(NotWritten::CannotMoveIn {
            path: target.to_path_buf(),
            source,
        });
    }
    Ok(())
}

/// Where the password of a key file whose settings name none comes from: the one given
/// (`--password-env`, the wizard's field), else `ask` (a prompt on a terminal; None: nobody to
/// ask). A settings file's own passphrase comes first and is used once.
#[derive(Clone, Copy)]
pub struct Passwords<'a> {
    pub given: Option<&'a str>,
    pub ask: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Passwords<'a> {
    /// Only `given`: nobody is asked.
    pub fn given(given: Option<&'a str>) -> Passwords<'a> {
        Passwords {
            given,
            ask: &|_| None,
        }
    }
}

/// Places each certificate of `c` in the keystore by its content (a stored key with the same
/// certificate is reused, never one with the same name) and binds it to its hosts.
pub fn place_keys(c: &Collection, ks: &Keystore, home: &Path, passwords: Passwords<'_>) -> Written {
    let mut written = Written::default();
    let mut bindings = match Bindings::open(home) {
        Ok(b) => Some(b),
        Err(e) => {
            written.failed.push(Skipped {
                what: "key bindings".into(),
                why: e.to_string(),
            });
            None
        }
    };
    for cert in &c.certificates {
        match place(cert, ks, passwords) {
            Ok((placed, subject)) => {
                let mut bound = Vec::new();
                for pattern in cert.patterns.iter().filter(|_| !cert.disabled) {
                    match bindings.as_mut().map(|b| b.bind(placed.name(), pattern)) {
                        Some(Ok(p)) => bound.push(p.to_string()),
                        Some(Err(why)) => written.failed.push(Skipped {
                            what: format!("binding {pattern} to {}", placed.name()),
                            why: why.to_string(),
                        }),
                        None => {}
                    }
                }
                written.keys.push(PlacedKey {
                    name: placed.name().to_string(),
                    wanted: cert.name.clone(),
                    subject,
                    reused: matches!(placed, Placed::Reused { .. }),
                    bound,
                });
            }
            Err(why) => written.failed.push(Skipped {
                what: format!("certificate {}", cert.name),
                why,
            }),
        }
    }
    written
}

fn place(
    cert: &CertSetting,
    ks: &Keystore,
    passwords: Passwords<'_>,
) -> Result<(Placed, String), String> {
    let read = |p: &Path| {
        crate::home::read_bounded(p, crate::home::KEY_FILE_LIMIT)
            .map_err(|e| format!("{}: {e}: the settings name this file; fix the path there, or put the file where it says", p.display()))
    };
    let password = cert
        .passphrase
        .as_deref()
        .filter(|p| !p.is_empty())
        .or(passwords.given);
    let (data, key, what) = match (&cert.pfx, &cert.cert) {
        (Some(pfx), _) => (read(pfx)?, None, pfx.display().to_string()),
        (None, Some(c)) => {
            let data = read(c)?;
            let key = match &cert.key {
                Some(k) => read(k)?,
                None => data.clone(),
            };
            (data, Some(key), c.display().to_string())
        }
        (None, None) => return Err("it names no certificate file".into()),
    };
    let attempt = |password: Option<&str>| {
        let source = match &key {
            None => KeySource::P12(&data),
            Some(key) => KeySource::Pem { cert: &data, key },
        };
        place_key(ks, &cert.name, source, password, &what)
    };
    let (placed, info) = match attempt(password) {
        // Nothing said what the password is: whoever imports is asked, once.
        Err(KeyError::PasswordNeeded { .. } | KeyError::WrongPassword { .. })
            if password.is_none() =>
        {
            match (passwords.ask)(&what) {
                Some(pw) => attempt(Some(&pw)),
                None => attempt(None),
            }
        }
        other => other,
    }
    .map_err(|e| e.to_string())?;
    Ok((placed, info.leaf.subject))
}
