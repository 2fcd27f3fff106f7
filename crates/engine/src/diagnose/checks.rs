//! Checks before a send and after a response: settings that cannot work, rejections in HTTP words.

use crate::diagnose::fix::Fix;
use url::Url;

use super::failure::*;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::{Diagnosis, Exchange, TlsFacts};
use crate::keys::certinfo::Validity;
use crate::keys::keyfault::{Credential, key_fault};
use crate::request::prepare::PreparedRequest;

/// Checks before sending; a warning never blocks the send.
pub fn preflight(req: &PreparedRequest, credential: Option<&Credential<'_>>) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    let Some(cred) = credential else {
        return out;
    };
    let leaf = cred.leaf;
    let name = cred.name;
    if !req.mutual_tls {
        out.push(Diagnosis::new(
            DiagnosisKind::MtlsOff,
            format!("key {name} is selected but Use Mutual TLS is off, so no client certificate will be offered"),
            "if the server needs it",
        ).with_step(Fix::TurnMutualTlsOn));
    }
    match leaf.validity() {
        Validity::Expired { .. } => out.push(Diagnosis::new(
            DiagnosisKind::CredentialExpired,
            format!(
                "our certificate (key {name}, CN={}) expired on {}",
                leaf.subject_cn, leaf.not_after
            ),
            "import a renewed certificate; most servers will reject this one",
        )),
        Validity::NotYetValid => out.push(Diagnosis::new(
            DiagnosisKind::CredentialNotYetValid,
            format!(
                "our certificate (key {name}) is not valid before {}",
                leaf.not_before
            ),
            "check this machine's clock, or wait until the certificate starts",
        )),
        Validity::Expiring { .. } => out.push(Diagnosis::new(
            DiagnosisKind::CredentialExpiring,
            format!(
                "our certificate (key {name}) {} ({})",
                leaf.expiry_words(),
                leaf.not_after
            ),
            "ask for a renewed certificate soon",
        )),
        Validity::Valid { .. } => {}
    }
    if let Some(bits) = leaf.rsa_bits.filter(|_| leaf.weak_key()) {
        out.push(Diagnosis::new(
            DiagnosisKind::CredentialWeakKey,
            format!("our key {name} is RSA {bits}: under the 2048-bit minimum, breakable today, and refused by many servers"),
            "ask the issuer for a certificate on an RSA 2048+ or ECDSA key; certbench still sends with this one",
        ));
    }
    if leaf.client_auth == Some(false) {
        out.push(Diagnosis::new(
            DiagnosisKind::CredentialNotClientAuth,
            format!("our certificate (key {name}) does not allow TLS client authentication (its extended key usage lacks clientAuth)"),
            "servers that check key usage will reject it: ask for a certificate issued for client authentication",
        ));
    }
    if req.url.starts_with("http://") && req.mutual_tls {
        out.push(Diagnosis::new(
            DiagnosisKind::HttpWithCredential,
            "the URL is http://, so the client certificate is never used",
            "use https:// to authenticate with the certificate",
        ));
    }
    out
}

/// Warnings learnt from a response: the server's accepted CAs, nginx-style 400s, no verification.
pub fn after_response(
    req: &PreparedRequest,
    ex: &Exchange,
    credential: Option<&Credential<'_>>,
) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    if let Some(tls) = &ex.tls {
        if tls.unverified {
            out.push(Diagnosis::new(
                DiagnosisKind::Unverified,
                "UNVERIFIED: the server's certificate was not checked",
                "turn certificate verification back on when you are done",
            ));
        }
        if let Some(cred) = credential
            && let Some(w) = ca_mismatch(tls, cred)
        {
            out.push(w);
        }
    }
    if ex.status == 403 && !ex.tls.as_ref().is_some_and(|t| t.client_cert_requested) {
        let body = String::from_utf8_lossy(&ex.body[..ex.body.len().min(4096)]).to_lowercase();
        if body.contains("post-handshake authentication") {
            out.push(post_handshake(
                &host_of(&req.url),
                "answered 403 because it wanted a client certificate through TLS 1.3 post-handshake authentication",
                credential.map(|c| c.name),
            ));
        }
    }
    if let (Some(tls), Some(c)) = (&ex.tls, credential)
        && req.mutual_tls
        && !tls.client_cert_requested
        && !out
            .iter()
            .any(|w| w.kind == DiagnosisKind::ClientCertPostHandshake)
    {
        out.push(Diagnosis::new(
            DiagnosisKind::ClientCertNotRequested,
            format!(
                "{} never asked for a client certificate: key {} was not sent, so this answer says nothing about it",
                host_of(&ex.url),
                c.name
            ),
            "check the URL (the port or virtual host that requires client certificates), or ask the API owner",
        ));
    }
    let body = String::from_utf8_lossy(&ex.body[..ex.body.len().min(HTTP_ANSWER_BODY)]);
    out.extend(http_rejection(
        ex.status,
        &body,
        req,
        credential,
        ex.tls.as_ref(),
    ));
    out
}

/// A refusal of our certificate said at the HTTP level after a completed handshake: nginx's
/// 400 pages (and its 495/496), or a 403/421 whose page speaks of certificates or TLS.
pub fn http_rejection(
    status: u16,
    body: &str,
    req: &PreparedRequest,
    credential: Option<&Credential<'_>>,
    tls: Option<&TlsFacts>,
) -> Option<Diagnosis> {
    let lower = body.to_lowercase();
    if (status == 400 && lower.contains("no required ssl certificate was sent")) || status == 496 {
        return Some(missing_cert(
            req,
            credential.map(|c| c.name),
            DiagnosisKind::HttpClientCertMissing,
            "the server answered at the HTTP level that no client certificate was sent (as nginx does)",
        ));
    }
    if (status == 400 && lower.contains("ssl certificate error")) || status == 495 {
        return Some(http_cert_rejected(credential, tls));
    }
    let speaks_of_tls = ["certificate", "ssl", "tls", "mtls"]
        .iter()
        .any(|w| lower.contains(w));
    if matches!(status, 403 | 421) && speaks_of_tls && tls.is_some_and(|t| t.client_cert_requested)
    {
        let words = page_words(body);
        let fault = credential.and_then(|c| key_fault(c, tls).map(|f| (c, f)));
        return Some(match fault {
            Some((c, fault)) => Diagnosis::new(
                DiagnosisKind::HttpClientCertRejected,
                format!(
                    "the server answered {status} and says \"{words}\": {}",
                    fault.words(c.name)
                ),
                fault.fix(),
            ),
            None => Diagnosis::new(
                DiagnosisKind::HttpClientCertRejected,
                format!("the server answered {status} and says \"{words}\""),
                "ask the API owner which certificates this path accepts",
            )
            .with_step(Fix::ShowKey),
        });
    }
    None
}

/// The readable text of an error page (tags dropped, spaces folded), at most 200 characters.
pub(super) fn page_words(body: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag && !c.is_control() => text.push(c),
            _ if !in_tag => text.push(' '),
            _ => {}
        }
    }
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.chars().take(200).collect()
}

/// The server presents a CA certificate (CA:TRUE) as its own, as a self-signed one often does.
pub(super) fn ca_as_server(host: &str) -> Diagnosis {
    Diagnosis::new(
        DiagnosisKind::ServerCertUntrusted,
        format!(
            "the server's certificate for {host} is a CA certificate (CA:TRUE) presented as the server's own, as a self-signed certificate often is"
        ),
        "or ask the server's owner for a certificate issued by a CA",
    )
    .with_step(Fix::TrustExactCertificate)
}

/// The server said at the HTTP level that it could not verify our certificate (nginx's 400 "The
/// SSL certificate error"): a fault of the key that certbench sees itself is named first.
pub fn http_cert_rejected(
    credential: Option<&Credential<'_>>,
    tls: Option<&TlsFacts>,
) -> Diagnosis {
    let said = "the server answered at the HTTP level that it could not verify";
    if let Some(r) = credential.and_then(|c| c.revoked.map(|r| (c, r))) {
        let (c, r) = r;
        return Diagnosis::new(
            DiagnosisKind::ClientCertRevoked,
            format!("{said} key {}: {}", c.name, r.words()),
            "ask the issuer for a new certificate",
        );
    }
    match credential {
        Some(c) => match key_fault(c, tls) {
            Some(fault) => Diagnosis::new(
                DiagnosisKind::HttpClientCertRejected,
                format!("{said} key {}: {}", c.name, fault.words(c.name)),
                fault.fix(),
            ),
            None => Diagnosis::new(
                DiagnosisKind::HttpClientCertRejected,
                format!(
                    "{said} key {} (CN={}, issued by {}); its dates and usage are fine{}",
                    c.name,
                    c.leaf.subject_cn,
                    c.leaf.issuer_cn,
                    if tls.is_some_and(|t| !t.acceptable_ca_names.is_empty()) {
                        " and its issuer is among the CAs the server listed"
                    } else {
                        ", and the server did not list the CAs it accepts"
                    }
                ),
                "ask the API owner which CA they trust for clients, and compare with your key's issuer",
            )
            .with_step(Fix::ShowKey),
        },
        None => Diagnosis::new(
            DiagnosisKind::HttpClientCertRejected,
            format!("{said} our certificate"),
            "ask the API owner which CA they trust for clients",
        ),
    }
}

pub fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

/// A server that asks for the certificate only after the handshake (per-location client auth).
pub fn post_handshake(host: &str, what: &str, key: Option<&str>) -> Diagnosis {
    let key = key
        .map(|k| format!(" key {k} was never sent:"))
        .unwrap_or_default();
    Diagnosis::new(
        DiagnosisKind::ClientCertPostHandshake,
        format!(
            "{host} {what};{key} certbench (rustls) cannot answer a certificate request after the handshake (neither TLS 1.3 post-handshake authentication nor TLS 1.2 renegotiation)"
        ),
        "the fix is on the server: require the client certificate for the whole virtual host (Apache: `SSLVerifyClient require` at server or <VirtualHost> level, not inside <Location> or <Directory>)",
    )
}

pub fn ca_mismatch(tls: &TlsFacts, cred: &Credential<'_>) -> Option<Diagnosis> {
    if !tls.client_cert_requested || tls.acceptable_ca_names.is_empty() {
        return None;
    }
    let ours = [&cred.leaf.issuer, &cred.leaf.subject];
    if tls.acceptable_ca_names.iter().any(|n| ours.contains(&n)) {
        return None;
    }
    if cred.chain_len > 1 {
        return None;
    }
    Some(Diagnosis::new(
        DiagnosisKind::ClientCaNotListed,
        format!(
            "the server asked for a certificate issued by {}, but key {} is issued by {}",
            tls.acceptable_ca_names.join(" or "),
            cred.name,
            cred.leaf.issuer
        ),
        "if that issuer is an intermediate under one of those CAs, re-import the key with its full chain; otherwise use a key from one of those CAs",
    ))
}

pub(super) fn missing_cert(
    req: &PreparedRequest,
    credential: Option<&str>,
    kind: DiagnosisKind,
    what: &str,
) -> Diagnosis {
    match (credential.or(req.credential.as_deref()), req.mutual_tls) {
        (Some(name), false) => Diagnosis::new(
            kind,
            format!("{what}: key {name} is selected but Use Mutual TLS is off"),
            "",
        )
        .with_step(Fix::TurnMutualTlsOn),
        (Some(name), true) => Diagnosis::new(
            kind,
            format!("{what}, although key {name} was offered"),
            "check that the server accepts this key's issuer",
        )
        .with_step(Fix::CheckKey),
        (None, _) => Diagnosis::new(
            kind,
            format!("{what}: no credential key is selected"),
            "credential = \"NAME\" in the profile does the same",
        )
        .with_step(Fix::PickKey),
    }
}

/// A redirect to something that is not HTTP: a file on this machine, inline data, or another scheme.
pub fn redirect_not_http(status: u16, to: &Url) -> Diagnosis {
    let shown: String = to.as_str().chars().take(80).collect();
    let what = match to.scheme() {
        "file" => "a file on this machine",
        "data" => "inline data",
        _ => "a URL that is not http or https",
    };
    Diagnosis::new(
        DiagnosisKind::RedirectNotHttp,
        format!(
            "the server redirected ({status}) to {what} ({shown}); certbench follows only http and https redirects"
        ),
        "turn off Follow redirects to see the redirect itself, or ask the server's owner about its Location",
    )
}
