//! Certificate revocation lists given to a send (`--crl FILE`, a profile's `crl`): read (PEM or
//! DER, bounded), handed to the webpki verifier, and looked up to say when and why a
//! certificate was revoked.

use std::path::{Path, PathBuf};

use rustls::pki_types::CertificateRevocationListDer;
use serde::{Deserialize, Serialize};
use x509_parser::prelude::*;

/// The most bytes of one CRL file (large CAs publish CRLs of tens of MB).
pub const CRL_FILE_LIMIT: u64 = 64 << 20;

/// When and why a certificate was revoked, as a CRL says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoked {
    /// The certificate's subject.
    pub subject: String,
    /// RFC 2822, as the other dates.
    pub date: String,
    /// The CRL's reason (`keyCompromise`, `superseded`, ...), when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The file of the CRL that lists it.
    pub crl: String,
}

impl Revoked {
    /// "CN=x was revoked on DATE (keyCompromise), as FILE says".
    pub fn words(&self) -> String {
        format!(
            "{} was revoked on {}{}, as {} says",
            self.subject,
            self.date,
            self.reason
                .as_deref()
                .map(|why| format!(" ({why})"))
                .unwrap_or_default(),
            self.crl
        )
    }
}

/// The CRLs in `paths`: each a PEM file (one or more `X509 CRL` blocks) or one DER CRL.
pub fn read_crls(paths: &[PathBuf]) -> Result<Vec<CertificateRevocationListDer<'static>>, String> {
    let mut out = Vec::new();
    for path in paths {
        out.extend(read_crl_file(path)?.into_iter().map(|(der, _)| der));
    }
    Ok(out)
}

fn read_crl_file(
    path: &Path,
) -> Result<Vec<(CertificateRevocationListDer<'static>, String)>, String> {
    let data = crate::home::read_bounded(path, CRL_FILE_LIMIT)
        .map_err(|e| format!("cannot read the CRL {}: {e}", path.display()))?;
    let shown = path.display().to_string();
    let ders: Vec<Vec<u8>> = match ::pem::parse_many(&data) {
        Ok(blocks) if !blocks.is_empty() => blocks
            .into_iter()
            .filter(|b| b.tag() == "X509 CRL")
            .map(|b| b.into_contents())
            .collect(),
        _ => vec![data],
    };
    if ders.is_empty() {
        return Err(format!("{shown} holds no X509 CRL block"));
    }
    ders.into_iter()
        .map(|der| {
            parse_x509_crl(&der)
                .map_err(|e| format!("{shown} is not a certificate revocation list: {e}"))?;
            Ok((CertificateRevocationListDer::from(der), shown.clone()))
        })
        .collect()
}

/// The entry for `cert` (DER) in the CRLs of `paths` from its issuer, if one lists it.
pub fn revoked_in(paths: &[PathBuf], cert: &[u8]) -> Option<Revoked> {
    let (_, cert) = X509Certificate::from_der(cert).ok()?;
    for path in paths {
        for (der, shown) in read_crl_file(path).ok()? {
            let Ok((_, crl)) = parse_x509_crl(der.as_ref()) else {
                continue;
            };
            if crl.issuer() != cert.issuer() {
                continue;
            }
            let entry = crl
                .iter_revoked_certificates()
                .find(|r| r.raw_serial() == cert.raw_serial());
            if let Some(r) = entry {
                return Some(Revoked {
                    subject: cert.subject().to_string(),
                    date: r.revocation_date.to_rfc2822().unwrap_or_default(),
                    reason: r.reason_code().map(|(_, rc)| reason_words(rc.0)),
                    crl: shown,
                });
            }
        }
    }
    None
}

/// RFC 5280's reason codes by their names.
fn reason_words(code: u8) -> String {
    match code {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => return format!("reason {code}"),
    }
    .to_string()
}
