//! The import wizard's work: a key from a PKCS#12 file, a certificate and key pair, or a
//! PKCS#11 token, the step an error is about, and path completion.

use std::path::Path;

use crate::state::{ImportFailed, ImportKind, ImportStep};
use engine::keys::keyerror::KeyError;
use engine::keys::keystore::Keystore;

/// Imports a key from the wizard's fields; an error names the step it is about.
pub fn import_key(
    ks: &Keystore,
    kind: ImportKind,
    path: &str,
    password: &str,
    name: &str,
) -> Result<String, ImportFailed> {
    let at_path = |message: String| ImportFailed {
        step: ImportStep::Path,
        message,
    };
    let read = |p: &str| {
        engine::home::read_bounded(Path::new(p.trim()), engine::home::KEY_FILE_LIMIT)
            .map_err(|e| at_path(format!("cannot read {p}: {e}")))
    };
    let pw = (!password.is_empty()).then_some(password);
    use engine::keys::placement::{KeySource, Placed, place_key_named};
    let placed = match kind {
        ImportKind::Pkcs12 => {
            let data = read(path)?;
            Some(
                place_key_named(ks, name, KeySource::P12(&data), pw, path)
                    .map_err(import_failed)?,
            )
        }
        ImportKind::PemPair | ImportKind::DerPair => {
            let (cert, key) = path
                .split_once(',')
                .ok_or_else(|| at_path("give the certificate and key files as CERT,KEY".into()))?;
            let (cert, key_data) = (read(cert)?, read(key)?);
            let source = KeySource::Pem {
                cert: &cert,
                key: &key_data,
            };
            Some(place_key_named(ks, name, source, pw, key).map_err(import_failed)?)
        }
        ImportKind::Pkcs11 => None,
        ImportKind::Collection => {
            return Err(at_path(
                "a collection is imported by import_collection".into(),
            ));
        }
    };
    // A certificate already in the keystore is not imported twice: the wizard says where it is.
    if let Some((Placed::Reused { name: there }, info)) = &placed {
        return Ok(format!(
            "key {there} already holds this certificate ({}): nothing imported",
            info.leaf.subject_cn
        ));
    }
    let info = match (kind, placed) {
        (_, Some((_, info))) => info,
        (_, None) => {
            use engine::keys::token;
            let (reference, chain) = token::reference_for(path.trim(), None, None)
                .map_err(|e| import_failed(KeyError::Token(e)))?;
            // With a PIN typed, the key is found and opened now; it is not kept.
            if let Some(pin) = pw {
                let leaf = chain
                    .first()
                    .map(|c| c.as_ref().to_vec())
                    .unwrap_or_default();
                reference
                    .open(pin, &leaf)
                    .map_err(|e| import_failed(KeyError::Token(e)))?;
            }
            ks.import_token(name, &reference, chain)
                .map_err(import_failed)?
        }
    };
    Ok(format!(
        "imported key {}: {} ({})",
        info.name,
        info.leaf.subject_cn,
        info.leaf.expiry_words()
    ))
}

/// Imports another tool's collection (the files in `paths`, space-separated) as a folder named
/// `name` (empty: the collection's own) in `profiles_dir`, its keys placed and bound.
pub fn import_collection(
    ks: &Keystore,
    home: &Path,
    profiles_dir: &Path,
    paths: &str,
    password: &str,
    name: &str,
) -> Result<String, ImportFailed> {
    use engine::interop::{collection::file_safe, collection_write, import_files};
    let at = |step, message| ImportFailed { step, message };
    let files: Vec<std::path::PathBuf> = paths.split_whitespace().map(Into::into).collect();
    if files.is_empty() {
        return Err(at(
            ImportStep::Path,
            "give the collection's files, or a Bruno folder".into(),
        ));
    }
    let mut c =
        import_files::read_files(&files, None).map_err(|e| at(ImportStep::Path, e.to_string()))?;
    if !name.trim().is_empty() {
        c.name = file_safe(name);
    }
    if c.name.is_empty() {
        c.name = "imported".into();
    }
    let target = profiles_dir.join(&c.name);
    let pw = (!password.is_empty()).then_some(password);
    let passwords = collection_write::Passwords::given(pw);
    let written =
        collection_write::import_collection(&mut c, &target, Some((ks, home, passwords)), false)
            .map_err(|e| {
                let next = match e {
                    collection_write::NotWritten::Exists(_)
                    | collection_write::NotWritten::NotAFolder(_) => ": type another name",
                    _ => "",
                };
                at(ImportStep::Name, format!("{e}{next}"))
            })?
            .unwrap_or_default();
    let keys: Vec<String> = written
        .keys
        .iter()
        .map(|k| match k.bound.is_empty() {
            true => k.name.clone(),
            false => format!("{} for {}", k.name, k.bound.join(", ")),
        })
        .collect();
    let left = c.skipped.len() + written.failed.len();
    Ok(format!(
        "imported {} profiles{} into {}; {left} things not imported (certbench import --dry-run lists them); open them: certbench --profiles {}",
        c.profiles.len(),
        if keys.is_empty() {
            String::new()
        } else {
            format!(" and keys {}", keys.join("; "))
        },
        target.display(),
        target.display()
    ))
}

/// The wizard step a key error is about: the password, the name, or else the files.
fn import_failed(e: KeyError) -> ImportFailed {
    let step = match &e {
        KeyError::WrongPassword { .. } | KeyError::PasswordNeeded { .. } => ImportStep::Password,
        KeyError::Token(t)
            if matches!(
                t.problem,
                engine::keys::token::TokenProblem::PinWrong
                    | engine::keys::token::TokenProblem::PinLocked
            ) =>
        {
            ImportStep::Password
        }
        KeyError::Exists { .. } | KeyError::BadName(_) => ImportStep::Name,
        _ => ImportStep::Path,
    };
    ImportFailed {
        step,
        message: e.to_string(),
    }
}

/// The last path of `typed` (paths are space-separated in a list) completed to what its folder
/// holds: the common prefix of the names that start with it (a lone folder gains a `/`), and
/// those names when there are several (at most 12, for the wizard to show).
pub(super) fn complete_path(typed: &str) -> Option<(String, Vec<String>)> {
    let (head, last) = match typed.rfind(' ') {
        Some(i) => (
            typed.get(..=i).unwrap_or_default(),
            typed.get(i + 1..).unwrap_or_default(),
        ),
        None => ("", typed),
    };
    let (dir, prefix) = match last.rfind('/') {
        Some(i) => (
            last.get(..=i).unwrap_or_default(),
            last.get(i + 1..).unwrap_or_default(),
        ),
        None => ("", last),
    };
    let entries = std::fs::read_dir(if dir.is_empty() { "." } else { dir }).ok()?;
    let mut matches: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    matches.sort();
    let first = matches.first()?;
    let common: String = matches.iter().fold(first.clone(), |acc, m| {
        acc.chars()
            .zip(m.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    let mut full = format!("{dir}{common}");
    if matches.len() == 1 && Path::new(&full).is_dir() {
        full.push('/');
    }
    let shown = if matches.len() > 1 {
        matches.into_iter().take(12).collect()
    } else {
        Vec::new()
    };
    Some((format!("{head}{full}"), shown))
}

#[cfg(test)]
mod tests {
    use super::complete_path;

    #[test]
    fn a_path_completes_to_the_common_prefix_and_a_lone_folder_gains_a_slash() {
        let dir = tempfile::tempdir().unwrap();
        let base = format!("{}/", dir.path().display());
        std::fs::write(dir.path().join("client-a.p12"), b"").unwrap();
        std::fs::write(dir.path().join("client-b.p12"), b"").unwrap();
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        assert_eq!(
            complete_path(&format!("{base}cl")),
            Some((
                format!("{base}client-"),
                vec!["client-a.p12".to_string(), "client-b.p12".to_string()]
            ))
        );
        assert_eq!(
            complete_path(&format!("{base}k")),
            Some((format!("{base}keys/"), Vec::new()))
        );
        // In a list, the last path is the one completed; the others stay as typed.
        assert_eq!(
            complete_path(&format!("a.json {base}k")),
            Some((format!("a.json {base}keys/"), Vec::new()))
        );
        assert_eq!(complete_path(&format!("{base}zz")), None);
        assert_eq!(complete_path("/no/such/folder/x"), None);
    }
}
