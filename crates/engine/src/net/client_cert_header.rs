//! RFC 9440: the selected key's certificate sent in the `Client-Cert` header (and its chain in
//! `Client-Cert-Chain`) instead of the TLS handshake, as a TLS terminator (Cloudflare, Envoy,
//! nginx) hands it to the origin behind it; for testing such an origin directly.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use base64::Engine;

use crate::diagnose::failure::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;
use crate::keys::keystore::Keystore;
use crate::request::prepare::PreparedRequest;

/// `req` with key `name`'s certificate in the headers and no key presented in the handshake,
/// and the warning that says so.
pub fn with_header(
    req: &PreparedRequest,
    keystore: &Keystore,
    name: &str,
) -> Result<(PreparedRequest, Diagnosis), Failure> {
    let chain = keystore
        .chain(name)
        .map_err(|e| Failure::plain(crate::diagnose::key_failure(&e)))?;
    // A byte sequence in a structured field (RFC 8941): `:BASE64:`.
    let item = |der: &[u8]| {
        format!(
            ":{}:",
            base64::engine::general_purpose::STANDARD.encode(der)
        )
    };
    let mut out = req.clone();
    out.headers.retain(|(k, _)| {
        !k.eq_ignore_ascii_case("client-cert") && !k.eq_ignore_ascii_case("client-cert-chain")
    });
    if let Some(leaf) = chain.first() {
        out.headers
            .push(("Client-Cert".into(), item(leaf.as_ref())));
    }
    if chain.len() > 1 {
        let rest: Vec<String> = chain[1..].iter().map(|c| item(c.as_ref())).collect();
        out.headers
            .push(("Client-Cert-Chain".into(), rest.join(", ")));
    }
    out.mutual_tls = false;
    out.credential = None;
    let note = Diagnosis::new(
        DiagnosisKind::ClientCertInHeader,
        format!(
            "key {name}'s certificate went in the Client-Cert header (RFC 9440); no TLS client authentication happened on this connection, and its private key signed nothing"
        ),
        "an origin behind a TLS terminator trusts that header only from the terminator: check that it refuses the header from anyone else",
    );
    Ok((out, note))
}
