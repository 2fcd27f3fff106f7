//! A stapled OCSP response (the server's own proof that its certificate is not revoked, sent
//! in the handshake), read for what a person checks: the certificate's status and the
//! response's this-update and next-update times. Only read and shown: its signature is not
//! verified here, so it never makes a certificate trusted or refused.
//!
//! The few fields needed are read with the DER parser x509-parser already brings; no crate
//! reads OCSP responses in pure Rust without pulling in a second ASN.1 stack.

use serde::{Deserialize, Serialize};
use x509_parser::der_parser::ber::BerObjectContent;
use x509_parser::der_parser::der::{DerObject, parse_der};

/// What a stapled OCSP response says about the server's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stapled {
    /// `good`, `revoked` or `unknown`; or the responder's own error (`tryLater`, ...).
    pub status: String,
    /// When the responder last knew the status (GeneralizedTime as sent, `YYYYMMDDHHMMSSZ`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub this_update: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    /// For a revoked certificate, when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// Reads `der` (an OCSPResponse); None when it is empty or not one.
pub fn read(der: &[u8]) -> Option<Stapled> {
    if der.is_empty() {
        return None;
    }
    let (_, response) = parse_der(der).ok()?;
    let parts = seq(&response)?;
    let code = match &parts.first()?.content {
        BerObjectContent::Enum(n) => *n,
        _ => return None,
    };
    if code != 0 {
        let status = match code {
            1 => "malformedRequest",
            2 => "internalError",
            3 => "tryLater",
            5 => "sigRequired",
            6 => "unauthorized",
            _ => "an unknown responder status",
        };
        return Some(Stapled {
            status: status.into(),
            this_update: None,
            next_update: None,
            revoked_at: None,
        });
    }
    // responseBytes [0] EXPLICIT SEQUENCE { responseType OID, response OCTET STRING }
    let bytes = explicit(parts.get(1)?)?;
    let basic_der = match &seq(&bytes)?.get(1)?.content {
        BerObjectContent::OctetString(s) => *s,
        _ => return None,
    };
    let (_, basic) = parse_der(basic_der).ok()?;
    // BasicOCSPResponse { tbsResponseData ResponseData, ... }
    let data = seq(seq(&basic)?.first()?)?;
    // ResponseData { [0] version?, responderID, producedAt, responses SEQUENCE OF, ... }: the
    // responses are the first SEQUENCE after producedAt (a GeneralizedTime).
    let at = data
        .iter()
        .position(|o| matches!(o.content, BerObjectContent::GeneralizedTime(_)))?;
    let responses = seq(data.get(at + 1)?)?;
    let single = seq(responses.first()?)?;
    // SingleResponse { certID, certStatus, thisUpdate, [0] nextUpdate?, ... }
    let status_obj = single.get(1)?;
    let (status, revoked_at) = match status_obj.header.tag().0 {
        0 => ("good", None),
        1 => ("revoked", explicit(status_obj).and_then(|o| time(&o))),
        _ => ("unknown", None),
    };
    let this_update = single.get(2).and_then(time);
    let next_update = single.get(3).and_then(explicit).and_then(|o| time(&o));
    Some(Stapled {
        status: status.into(),
        this_update,
        next_update,
        revoked_at,
    })
}

fn seq<'a>(o: &'a DerObject<'a>) -> Option<&'a Vec<DerObject<'a>>> {
    match &o.content {
        BerObjectContent::Sequence(items) => Some(items),
        _ => None,
    }
}

/// The object inside a context tag (an explicit tag's content, or an implicit one's first
/// field), read from the same bytes.
fn explicit<'a>(o: &DerObject<'a>) -> Option<DerObject<'a>> {
    match &o.content {
        BerObjectContent::Unknown(any) => parse_der(any.data).ok().map(|(_, obj)| obj),
        BerObjectContent::Tagged(_, _, obj) => Some((**obj).clone()),
        _ => None,
    }
}

/// A GeneralizedTime as a person reads it: `2026-12-03 16:23:48 UTC`.
fn time(o: &DerObject<'_>) -> Option<String> {
    let BerObjectContent::GeneralizedTime(t) = &o.content else {
        return None;
    };
    let raw = t.to_string();
    let part = |a: usize, b: usize| raw.get(a..b).unwrap_or("??");
    Some(
        match raw.len() >= 14 && raw.bytes().take(14).all(|b| b.is_ascii_digit()) {
            true => format!(
                "{}-{}-{} {}:{}:{} UTC",
                part(0, 4),
                part(4, 6),
                part(6, 8),
                part(8, 10),
                part(10, 12),
                part(12, 14)
            ),
            false => raw,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_an_ocsp_response_is_nothing() {
        assert_eq!(read(&[]), None);
        assert_eq!(read(b"not der at all"), None);
        // A SEQUENCE holding one ENUMERATED 3: a responder that says "try later".
        let later = read(&[0x30, 0x03, 0x0a, 0x01, 0x03]).unwrap();
        assert_eq!(later.status, "tryLater");
        // Cut anywhere, a good response is never read past its end.
        let nested = [0x30, 0x08, 0x0a, 0x01, 0x00, 0xa0, 0x03, 0x30, 0x01];
        for n in 0..nested.len() {
            let _ = read(&nested[..n]);
        }
    }
}
