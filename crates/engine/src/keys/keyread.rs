//! Reading what a key file holds: certificates (PEM or DER), a PKCS#12 or PEM pair checked to
//! match, a trusted certificate; the chain put in order from the leaf up.

use crate::keys::certinfo::CertFacts;
use crate::keys::keyerror::KeyError;
use crate::keys::keyfile::{self, PrivateKey, looks_like_pem};
use rustls::pki_types::CertificateDer;

/// A small TOML file in a key's folder (`format` says what it is), or None when there is none.
pub(crate) fn read_toml_entry<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    format: &str,
) -> Result<Option<T>, KeyError> {
    let data = match crate::home::read_bounded(path, crate::home::KEY_FILE_LIMIT) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(KeyError::Read {
                path: path.display().to_string(),
                source: e.into(),
            });
        }
    };
    toml::from_str(&String::from_utf8_lossy(&data))
        .map(Some)
        .map_err(|e| KeyError::Format {
            what: path.display().to_string(),
            format: format.into(),
            reason: e.message().to_string(),
        })
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
    Ok(read_certs_with_facts(data, what)?
        .into_iter()
        .map(|(cert, _)| cert)
        .collect())
}

/// [`read_certs`] with each certificate's facts: every certificate is parsed once, to check it
/// and to describe it (a key list read both ways parsed each certificate twice).
pub(crate) fn read_certs_with_facts(
    data: &[u8],
    what: &str,
) -> Result<Vec<(CertificateDer<'static>, CertFacts)>, KeyError> {
    let not_cert = |reason: String| KeyError::NotACertificate {
        what: what.into(),
        reason,
    };
    let with_facts = |der: Vec<u8>| {
        CertFacts::parse(&der)
            .map(|facts| (CertificateDer::from(der), facts))
            .map_err(|e| not_cert(e.to_string()))
    };
    if looks_like_pem(data) {
        let pems = pem::parse_many(data).map_err(|e| not_cert(format!("bad PEM: {e}")))?;
        let certs: Vec<&pem::Pem> = pems
            .iter()
            .filter(|p| {
                p.tag() == "CERTIFICATE"
                    || p.tag() == "X509 CERTIFICATE"
                    || p.tag() == "TRUSTED CERTIFICATE"
            })
            .collect();
        if certs.is_empty() {
            let tags: Vec<&str> = pems.iter().map(|p| p.tag()).collect();
            return Err(not_cert(format!(
                "PEM holds no CERTIFICATE section, only {tags:?}"
            )));
        }
        return certs
            .into_iter()
            .map(|p| with_facts(p.contents().to_vec()))
            .collect();
    }
    Ok(vec![with_facts(data.to_vec())?])
}

/// Pairs a key with the certificate that holds its public key (never by position or attribute);
/// the other certificates follow as the chain, leaf to root, then any unrelated ones.
/// A PKCS#12 file's key and chain, read and checked as an import would, without storing them.
pub(crate) fn read_p12_pair(
    data: &[u8],
    password: Option<&str>,
    what: &str,
) -> Result<(PrivateKey, Vec<CertificateDer<'static>>), KeyError> {
    let p12 = keyfile::read_p12(data, password, what)?;
    pair(p12.keys, p12.certs, what)
}

/// A certificate file's chain and a key file's key, paired, without storing them.
pub(crate) fn read_pem_pair(
    cert_data: &[u8],
    key_data: &[u8],
    password: Option<&str>,
    what: &str,
) -> Result<(PrivateKey, Vec<CertificateDer<'static>>), KeyError> {
    let certs = read_certs(cert_data, what)?;
    let key = keyfile::read_key(key_data, password, what)?;
    pair(vec![key], certs, what)
}

/// The certificates of a file to trust: PEM or DER, else a PKCS#12 file's certificates.
pub(crate) fn read_trusted(
    data: &[u8],
    password: Option<&str>,
    what: &str,
) -> Result<Vec<CertificateDer<'static>>, KeyError> {
    match read_certs(data, what) {
        Ok(c) => Ok(c),
        Err(cert_err) if !looks_like_pem(data) => match keyfile::read_p12(data, password, what) {
            Ok(p12) if !p12.certs.is_empty() => Ok(p12.certs),
            Ok(_) => Err(cert_err),
            Err(e @ (KeyError::WrongPassword { .. } | KeyError::PasswordNeeded { .. })) => Err(e),
            Err(_) => Err(cert_err),
        },
        Err(e) => Err(e),
    }
}

fn pair(
    keys: Vec<PrivateKey>,
    certs: Vec<CertificateDer<'static>>,
    what: &str,
) -> Result<(PrivateKey, Vec<CertificateDer<'static>>), KeyError> {
    if keys.is_empty() {
        return Err(KeyError::NoKey { what: what.into() });
    }
    if certs.is_empty() {
        return Err(KeyError::NotACertificate {
            what: what.into(),
            reason: "no certificate found".into(),
        });
    }
    let found = keys.iter().enumerate().find_map(|(k, key)| {
        certs
            .iter()
            .position(|c| key.matches_certificate(c))
            .map(|c| (k, c))
    });
    let Some((k, leaf_pos)) = found else {
        let subject = CertFacts::parse(&certs[0])
            .map(|f| f.subject)
            .unwrap_or_else(|_| "?".into());
        return Err(KeyError::KeyMismatch { subject });
    };
    let key = keys.into_iter().nth(k).expect("index from the same list");
    Ok((key, order_chain(certs, leaf_pos)))
}

/// Puts the leaf first, then its issuers by name, then the rest.
fn order_chain(
    certs: Vec<CertificateDer<'static>>,
    leaf_pos: usize,
) -> Vec<CertificateDer<'static>> {
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
    chain
}
