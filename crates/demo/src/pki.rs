//! The demo's certificates, made at start with rcgen: a CA, servers and clients it issues
//! (with chosen dates, names and key types), CRLs, and self-signed servers.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, PrivatePkcs8KeyDer,
};

/// A certificate with its key, as PEM and DER.
#[derive(Debug, Clone)]
pub struct Issued {
    pub cert_der: CertificateDer<'static>,
    pub cert_pem: String,
    pub key_pem: String,
    pub key_der: Vec<u8>,
}

impl Issued {
    fn of(cert: &rcgen::Certificate, key: &KeyPair) -> Issued {
        Issued {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
        }
    }

    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }
}

/// Validity of a certificate, in days relative to now (negative is the past).
#[derive(Debug, Clone, Copy)]
pub struct Days {
    pub from: i64,
    pub to: i64,
}

impl Default for Days {
    fn default() -> Self {
        Days { from: -1, to: 365 }
    }
}

/// A private CA that issues server and client certificates, made on the spot.
pub struct Pki {
    pub ca: Issued,
    issuer: Issuer<'static, KeyPair>,
}

fn day_offset(days: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(days)
}

/// A CA valid from yesterday for ten years.
fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no SANs is valid");
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "certbench demo");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = day_offset(-1);
    params.not_after = day_offset(3650);
    params
}

impl Pki {
    pub fn new(ca_name: &str) -> Pki {
        let params = ca_params(ca_name);
        let key = KeyPair::generate().expect("P-256 key generation");
        let cert = params.self_signed(&key).expect("self-signed CA");
        Pki {
            ca: Issued::of(&cert, &key),
            issuer: Issuer::new(params, key),
        }
    }

    /// An intermediate CA under this one.
    pub fn intermediate(&self, name: &str) -> Pki {
        let params = ca_params(name);
        let key = KeyPair::generate().expect("P-256 key generation");
        let cert = params.signed_by(&key, &self.issuer).expect("intermediate");
        Pki {
            ca: Issued::of(&cert, &key),
            issuer: Issuer::new(params, key),
        }
    }

    /// A CRL from this CA that revokes `revoked` (valid from yesterday for a week).
    pub fn crl(&self, revoked: &[&Issued]) -> CertificateRevocationListDer<'static> {
        let revoked_certs = revoked
            .iter()
            .map(|c| {
                let (_, x) = x509_parser::parse_x509_certificate(&c.cert_der)
                    .expect("a certificate made here parses");
                rcgen::RevokedCertParams {
                    serial_number: rcgen::SerialNumber::from_slice(x.raw_serial()),
                    revocation_time: day_offset(-1),
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                }
            })
            .collect();
        let params = rcgen::CertificateRevocationListParams {
            this_update: day_offset(-1),
            next_update: day_offset(7),
            crl_number: rcgen::SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        params
            .signed_by(&self.issuer)
            .expect("sign the CRL")
            .der()
            .clone()
    }

    pub fn server(&self, names: &[&str], days: Days) -> Issued {
        self.issue(server_params(names), days, &rcgen::PKCS_ECDSA_P256_SHA256)
    }

    /// A server certificate whose CRL distribution point is `crl_url`.
    pub fn server_with_crl_url(&self, names: &[&str], crl_url: &str) -> Issued {
        let mut params = server_params(names);
        params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
            uris: vec![crl_url.to_string()],
        }];
        self.issue(params, Days::default(), &rcgen::PKCS_ECDSA_P256_SHA256)
    }

    pub fn client(&self, cn: &str, days: Days) -> Issued {
        self.client_with(
            cn,
            days,
            &rcgen::PKCS_ECDSA_P256_SHA256,
            vec![ExtendedKeyUsagePurpose::ClientAuth],
        )
    }

    /// A client certificate for a public key whose private key is elsewhere (on a token):
    /// `spki_pem` is its SubjectPublicKeyInfo; returns the certificate as PEM.
    pub fn client_for_public_key(&self, cn: &str, spki_pem: &str) -> Result<String, String> {
        let public = rcgen::SubjectPublicKeyInfo::from_pem(spki_pem).map_err(|e| e.to_string())?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = day_offset(-1);
        params.not_after = day_offset(365);
        params
            .signed_by(&public, &self.issuer)
            .map(|c| c.pem())
            .map_err(|e| e.to_string())
    }

    pub fn client_with(
        &self,
        cn: &str,
        days: Days,
        alg: &'static rcgen::SignatureAlgorithm,
        eku: Vec<ExtendedKeyUsagePurpose>,
    ) -> Issued {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no SANs is valid");
        params.distinguished_name.push(DnType::CommonName, cn);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "certbench demo");
        params.extended_key_usages = eku;
        self.issue(params, days, alg)
    }

    fn issue(
        &self,
        mut params: CertificateParams,
        days: Days,
        alg: &'static rcgen::SignatureAlgorithm,
    ) -> Issued {
        params.not_before = day_offset(days.from);
        params.not_after = day_offset(days.to);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate_for(alg).expect("key generation");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("issue certificate");
        Issued::of(&cert, &key)
    }
}

/// A self-signed server certificate (CA:FALSE), as `trust add` users bring.
pub fn self_signed_server(names: &[&str], days: Days) -> Issued {
    let sans: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(sans).expect("valid SANs");
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("server"),
    );
    params.not_before = day_offset(days.from);
    params.not_after = day_offset(days.to);
    let key = KeyPair::generate().expect("key generation");
    let cert = params.self_signed(&key).expect("self-signed");
    Issued::of(&cert, &key)
}

/// A server certificate's names (the first is its CN) and usage.
fn server_params(names: &[&str]) -> CertificateParams {
    let sans: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(sans).expect("valid SANs");
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("server"),
    );
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params
}
