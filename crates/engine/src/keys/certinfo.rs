//! Facts about one X.509 certificate, for inspection, expiry warnings and diagnosis.

use serde::{Deserialize, Serialize};
use x509_parser::prelude::*;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CertFacts {
    pub subject: String,
    pub subject_cn: String,
    pub issuer: String,
    pub issuer_cn: String,
    pub sans: Vec<String>,
    pub serial: String,
    pub key_type: String,
    /// The RSA modulus size, to flag keys under 2048 bits.
    #[serde(default)]
    pub rsa_bits: Option<usize>,
    pub sha256: String,
    /// The public key's pin, `sha256//BASE64` (curl's `--pinnedpubkey`, certbench's `--pin`).
    #[serde(default)]
    pub pin: String,
    pub not_before: String,
    pub not_after: String,
    pub not_before_unix: i64,
    pub not_after_unix: i64,
    pub is_ca: bool,
    pub self_signed: bool,
    /// None when the certificate has no extended key usage (any usage allowed).
    pub client_auth: Option<bool>,
    /// Where its issuer publishes the CRL that would list it (`http://...` distribution points).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crl_urls: Vec<String>,
}

/// Expiry state of a certificate at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    NotYetValid,
    Valid { days_left: i64 },
    Expiring { days_left: i64 },
    Expired { days_ago: i64 },
}

pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// The workbench flags a key with fewer days left than this (`CERTBENCH_EXPIRY_DAYS`).
pub const RENEW_WARNING_DAYS: i64 = 14;

pub use crate::clock::now_unix;

/// DER that is not an X.509 certificate, with the parser's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an X.509 certificate ({0})")]
pub struct NotACertificate(pub String);

worded!(NotACertificate);

impl CertFacts {
    pub fn parse(der: &[u8]) -> Result<CertFacts, NotACertificate> {
        let (_, cert) =
            X509Certificate::from_der(der).map_err(|e| NotACertificate(e.to_string()))?;
        let validity = cert.validity();
        let client_auth = cert
            .extended_key_usage()
            .ok()
            .flatten()
            .map(|eku| eku.value.client_auth || eku.value.any);
        Ok(CertFacts {
            subject: cert.subject().to_string(),
            subject_cn: common_name(cert.subject()),
            issuer: cert.issuer().to_string(),
            issuer_cn: common_name(cert.issuer()),
            sans: subject_alt_names(&cert),
            serial: cert.raw_serial_as_string(),
            key_type: key_type(&cert),
            rsa_bits: rsa_bits(&cert),
            sha256: fingerprint(der),
            pin: crate::net::route::pin_of(cert.tbs_certificate.subject_pki.raw),
            not_before: validity.not_before.to_rfc2822().unwrap_or_default(),
            not_after: validity.not_after.to_rfc2822().unwrap_or_default(),
            not_before_unix: validity.not_before.timestamp(),
            not_after_unix: validity.not_after.timestamp(),
            is_ca: cert.is_ca(),
            self_signed: cert.subject() == cert.issuer(),
            client_auth,
            crl_urls: crl_urls(&cert),
        })
    }

    pub fn validity_at(&self, now: i64) -> Validity {
        if now < self.not_before_unix {
            return Validity::NotYetValid;
        }
        if now > self.not_after_unix {
            return Validity::Expired {
                days_ago: (now - self.not_after_unix) / 86_400,
            };
        }
        let days_left = (self.not_after_unix - now) / 86_400;
        if days_left < EXPIRY_WARNING_DAYS {
            Validity::Expiring { days_left }
        } else {
            Validity::Valid { days_left }
        }
    }

    pub fn validity(&self) -> Validity {
        self.validity_at(now_unix())
    }

    /// "expires in 23 days", "expired 4 days ago", "not valid until ...".
    pub fn expiry_words(&self) -> String {
        match self.validity() {
            Validity::NotYetValid => format!("not valid before {}", self.not_before),
            Validity::Valid { days_left } | Validity::Expiring { days_left } => match days_left {
                // A short-lived certificate counts its hours and minutes.
                0 => {
                    let left = (self.not_after_unix - now_unix()).max(0);
                    match left < 7200 {
                        true => format!("expires in {} minutes", left / 60),
                        false => format!("expires in {} hours", left / 3600),
                    }
                }
                1 => "expires in 1 day".into(),
                n => format!("expires in {n} days"),
            },
            Validity::Expired { days_ago: 0 } => "expired today".into(),
            Validity::Expired { days_ago } => format!("expired {days_ago} days ago"),
        }
    }

    /// An RSA key under 2048 bits: usable, but every import and send says so.
    pub fn weak_key(&self) -> bool {
        self.rsa_bits.is_some_and(|b| b < 2048)
    }

    /// Whether the certificate should be renewed now: under `days` days left, and for one
    /// whose whole life is shorter than three times that, under a third of its life left.
    pub fn renew_soon(&self, days: i64) -> bool {
        let left = self.not_after_unix - now_unix();
        let life = (self.not_after_unix - self.not_before_unix).max(1);
        let threshold = if life < 3 * days * 86_400 {
            life / 3
        } else {
            days * 86_400
        };
        left < threshold
    }

    pub fn days_left(&self) -> i64 {
        (self.not_after_unix - now_unix()).div_euclid(86_400)
    }
}

/// SHA-256 of the DER, as colon-separated upper-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn common_name(name: &X509Name) -> String {
    name.iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| name.to_string())
}

/// A distinguished name in DER (with its outer SEQUENCE) as a readable string.
pub fn dn_to_string(der: &[u8]) -> String {
    match X509Name::from_der(der) {
        Ok((_, name)) => name.to_string(),
        Err(_) => format!("<{} bytes of unparsable name>", der.len()),
    }
}

fn subject_alt_names(cert: &X509Certificate) -> Vec<String> {
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    san.value
        .general_names
        .iter()
        .map(|n| match n {
            GeneralName::DNSName(d) => format!("DNS:{d}"),
            GeneralName::IPAddress(ip) => format!("IP:{}", ip_string(ip)),
            GeneralName::RFC822Name(m) => format!("email:{m}"),
            GeneralName::URI(u) => format!("URI:{u}"),
            other => format!("{other:?}"),
        })
        .collect()
}

fn ip_string(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(bytes);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => format!("{bytes:02x?}"),
    }
}

fn rsa_bits(cert: &X509Certificate) -> Option<usize> {
    use x509_parser::public_key::PublicKey;
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => Some(rsa.key_size()),
        _ => None,
    }
}

fn key_type(cert: &X509Certificate) -> String {
    use x509_parser::public_key::PublicKey;
    let spki = cert.public_key();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| curve_name(&oid.to_id_string()))
                .unwrap_or("EC");
            format!("ECDSA {curve}")
        }
        _ => match spki.algorithm.algorithm.to_id_string().as_str() {
            "1.3.101.112" => "Ed25519".into(),
            "1.3.101.113" => "Ed448".into(),
            "1.2.840.113549.1.1.10" => {
                match x509_parser::der_parser::parse_der(&spki.subject_public_key.data) {
                    // RSAPublicKey inside an id-RSASSA-PSS key: the modulus is the first INTEGER.
                    Ok((_, seq)) => seq
                        .as_sequence()
                        .ok()
                        .and_then(|s| s.first()?.as_slice().ok())
                        .map(|m| {
                            let m = m.strip_prefix(&[0]).unwrap_or(m);
                            format!(
                                "RSA-PSS {}",
                                m.len() * 8 - m.first().map_or(0, |b| b.leading_zeros() as usize)
                            )
                        })
                        .unwrap_or_else(|| "RSA-PSS".into()),
                    Err(_) => "RSA-PSS".into(),
                }
            }
            other => format!("unknown ({other})"),
        },
    }
}

fn curve_name(oid: &str) -> &'static str {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        _ => "EC",
    }
}

/// The URIs of a certificate's CRL distribution points.
fn crl_urls(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for ext in cert.extensions() {
        if let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() {
            for point in points.iter() {
                if let Some(DistributionPointName::FullName(names)) = &point.distribution_point {
                    for name in names {
                        if let GeneralName::URI(uri) = name {
                            out.push(uri.to_string());
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lasting(before: i64, after: i64) -> CertFacts {
        let now = now_unix();
        CertFacts {
            not_before_unix: now - before,
            not_after_unix: now + after,
            ..CertFacts::default()
        }
    }

    #[test]
    fn a_short_lived_certificate_counts_hours_and_is_flagged_in_its_last_third() {
        // A 24-hour certificate, 20 hours left: not yet; 5 hours left: renew.
        let day = lasting(4 * 3600, 20 * 3600 - 30);
        assert!(!day.renew_soon(14));
        assert_eq!(day.expiry_words(), "expires in 19 hours");
        assert!(lasting(19 * 3600, 5 * 3600).renew_soon(14));
        assert_eq!(
            lasting(0, 30 * 60 + 30).expiry_words(),
            "expires in 30 minutes"
        );
        // A year-long one: flagged under 14 days, not at 20.
        assert!(!lasting(345 * 86_400, 20 * 86_400).renew_soon(14));
        assert!(lasting(355 * 86_400, 10 * 86_400).renew_soon(14));
    }
}
