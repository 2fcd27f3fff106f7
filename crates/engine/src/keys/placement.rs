//! Identity by content: a key or certificate read from a file is matched to the keystore by its SHA-256 fingerprint, never by its file name.

use rustls::pki_types::CertificateDer;

use crate::keys::certinfo::CertFacts;
use crate::keys::keyfile::PrivateKey;
use crate::keys::keystore::{self, KeyError, KeyInfo, Keystore};

/// Where a key or a trusted certificate from a file went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// The same certificate was already stored under `name`: nothing was written.
    Reused { name: String },
    /// Stored anew under `name`; `wanted` differs when that name held a different one.
    Stored { name: String, wanted: String },
}

impl Placed {
    pub fn name(&self) -> &str {
        match self {
            Placed::Reused { name } | Placed::Stored { name, .. } => name,
        }
    }
}

/// A client key file to place: a PKCS#12 file, or a certificate file and a key file.
pub enum KeySource<'a> {
    P12(&'a [u8]),
    Pem { cert: &'a [u8], key: &'a [u8] },
}

/// Places a client key: reused when a stored key has the same certificate, else stored under
/// `wanted`, or under a name from its subject's CN when `wanted` holds a different key.
pub fn place_key(
    ks: &Keystore,
    wanted: &str,
    source: KeySource<'_>,
    password: Option<&str>,
    what: &str,
) -> Result<(Placed, KeyInfo), KeyError> {
    place(ks, wanted, source, password, what, Naming::Derive)
}

/// The same for a name the user chose (the import wizard): reused when a stored key has the
/// same certificate, else stored under exactly `name` (an error when it is taken).
pub fn place_key_named(
    ks: &Keystore,
    name: &str,
    source: KeySource<'_>,
    password: Option<&str>,
    what: &str,
) -> Result<(Placed, KeyInfo), KeyError> {
    place(ks, name, source, password, what, Naming::Exact)
}

/// Whether a taken name gives way to one derived from the certificate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Naming {
    Derive,
    Exact,
}

fn place(
    ks: &Keystore,
    wanted: &str,
    source: KeySource<'_>,
    password: Option<&str>,
    what: &str,
    naming: Naming,
) -> Result<(Placed, KeyInfo), KeyError> {
    if naming == Naming::Exact {
        crate::home::check_name(crate::home::Named::Key, wanted).map_err(KeyError::BadName)?;
    }
    let (key, chain): (PrivateKey, Vec<CertificateDer<'static>>) = match source {
        KeySource::P12(data) => keystore::read_p12_pair(data, password, what)?,
        KeySource::Pem { cert, key } => keystore::read_pem_pair(cert, key, password, what)?,
    };
    let leaf = CertFacts::parse(&chain[0]).map_err(|reason| KeyError::Format {
        what: what.into(),
        format: "certificate".into(),
        reason: reason.to_string(),
    })?;
    for (name, info) in ks.list() {
        if let Ok(info) = info
            && info.leaf.sha256 == leaf.sha256
        {
            return Ok((Placed::Reused { name }, info));
        }
    }
    let taken = |n: &str| ks.names().iter().any(|k| k == n);
    let name = match naming {
        Naming::Derive => free_name(wanted, &leaf.subject_cn, taken),
        Naming::Exact if taken(wanted) => {
            return Err(KeyError::Exists {
                entry: crate::keys::keyerror::Entry::Key,
                name: wanted.into(),
            });
        }
        Naming::Exact => wanted.to_string(),
    };
    let info = ks.store_key(&name, key, chain)?;
    Ok((
        Placed::Stored {
            name,
            wanted: wanted.into(),
        },
        info,
    ))
}

/// Places certificates to trust: reused when a stored entry holds exactly the same
/// certificates, else stored under `wanted` or a name from the first one's CN.
pub fn place_trusted(
    ks: &Keystore,
    wanted: &str,
    data: &[u8],
    password: Option<&str>,
    what: &str,
) -> Result<Placed, KeyError> {
    let certs = keystore::read_trusted(data, password, what)?;
    let mut ours = fingerprints(&certs);
    ours.sort();
    for name in ks.trusted_names() {
        if let Ok(stored) = ks.trusted(&name) {
            let mut theirs = fingerprints(&stored);
            theirs.sort();
            if theirs == ours {
                return Ok(Placed::Reused { name });
            }
        }
    }
    let cn = certs
        .first()
        .and_then(|c| CertFacts::parse(c).ok())
        .map(|f| f.subject_cn)
        .unwrap_or_default();
    let trusted = ks.trusted_names();
    let name = free_name(wanted, &cn, |n| trusted.iter().any(|t| t == n));
    ks.store_trusted(&name, &certs)?;
    Ok(Placed::Stored {
        name,
        wanted: wanted.into(),
    })
}

fn fingerprints(certs: &[CertificateDer<'_>]) -> Vec<String> {
    certs
        .iter()
        .map(|c| hex::encode(ring::digest::digest(&ring::digest::SHA256, c).as_ref()))
        .collect()
}

/// `wanted` when free; else a name from `cn` (made a valid keystore name), made unique with
/// `-2`, `-3`, ...
fn free_name(wanted: &str, cn: &str, taken: impl Fn(&str) -> bool) -> String {
    let wanted = clean(wanted).unwrap_or_else(|| "imported".into());
    if !taken(&wanted) {
        return wanted;
    }
    let base = clean(cn).unwrap_or(wanted);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|i| {
            let suffix = format!("-{i}");
            let room = 64 - suffix.len();
            let cut: String = base.chars().take(room).collect();
            format!("{cut}{suffix}")
        })
        .find(|n| !taken(n))
        .expect("some suffix is free")
}

/// Letters, digits, `.`, `_` and `-` of `text` (others become `-`), not starting with `.`,
/// at most 64 characters; None when nothing is left.
fn clean(text: &str) -> Option<String> {
    let mapped: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed: String = mapped
        .trim_start_matches(['.', '-'])
        .trim_end_matches('-')
        .chars()
        .take(64)
        .collect();
    (!trimmed.is_empty()).then_some(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_gives_way_to_the_subject_then_a_number() {
        let taken = ["client", "api.partner.test", "api.partner.test-2"];
        let is_taken = |n: &str| taken.contains(&n);
        assert_eq!(free_name("new", "x", is_taken), "new");
        assert_eq!(
            free_name("client", "Other Client", is_taken),
            "Other-Client"
        );
        assert_eq!(
            free_name("client", "api.partner.test", is_taken),
            "api.partner.test-3"
        );
        assert_eq!(free_name("client", "é", is_taken), "client-2");
        assert_eq!(free_name("..", "", |_| false), "imported");
    }
}
