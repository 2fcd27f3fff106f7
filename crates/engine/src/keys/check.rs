//! `keys check`: does this server accept this key? A handshake and one GET of the URL through
//! the probe, explained like a failed send.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use crate::diagnose::fix::Fix;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::diagnose::kind::DiagnosisKind;
use crate::diagnose::{Failure, Probe, ca_mismatch, explain, host_of, http_rejection, preflight};
use crate::exchange::{Diagnosis, TlsFacts};
use crate::net::transport::Transport;
use crate::request::prepare::PreparedRequest;

/// The answer of `keys check`: does this server accept this key, and if not, why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyCheck {
    pub accepted: bool,
    pub outcome: CheckOutcome,
    pub tls: Option<TlsFacts>,
    pub diagnosis: Option<Diagnosis>,
    pub warnings: Vec<Diagnosis>,
    pub probe: Probe,
}

/// What a key check saw: the handshake, and the answer to one GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The server asked for a certificate, got ours, and answered the request without
    /// refusing it.
    Accepted,
    /// The server never asked for a certificate at the handshake: nothing was tested.
    NotAsked,
    /// The handshake failed, or the server closed the connection after our certificate.
    Rejected,
    /// The handshake completed, then the server refused our certificate in its HTTP answer
    /// (nginx's 400 "The SSL certificate error", a 403 or 421 about the certificate).
    RejectedAtHttp,
    /// Nothing was sent: the key or the request could not be used (no such key, a bad URL).
    NotChecked,
}

/// A handshake and one GET of the URL's path with the request's key, trust and verification settings.
pub async fn check_key(transport: &Transport, req: &PreparedRequest) -> KeyCheck {
    let plain_failure = |f: Failure| KeyCheck {
        accepted: false,
        outcome: CheckOutcome::NotChecked,
        tls: None,
        diagnosis: Some(f.diagnosis),
        warnings: Vec::new(),
        probe: Probe::default(),
    };
    let cred_info = match req
        .credential
        .as_deref()
        .map(|n| transport.credential_info(n))
        .transpose()
    {
        Ok(c) => c,
        Err(f) => return plain_failure(f),
    };
    let entry = match transport.client_for(req) {
        Ok(e) => e,
        Err(f) => return plain_failure(f),
    };
    let cred = cred_info.as_ref().map(|c| c.view());
    let url = req.parsed_url();
    let timeout = Duration::from_secs(u64::from(req.options.timeout_secs));
    let probe = match transport.probe(req, &entry.config, timeout).await {
        Ok(p) => p,
        Err(f) => return plain_failure(f),
    };
    let tls = entry.log.facts_for(&url);
    let mut warnings = preflight(req, cred.as_ref());
    let asked = tls.as_ref().is_some_and(|t| t.client_cert_requested);
    if probe.accepted && !asked && req.mutual_tls {
        let host = host_of(&req.url);
        let key = req.credential.as_deref().unwrap_or("?");
        return KeyCheck {
            accepted: false,
            outcome: CheckOutcome::NotAsked,
            tls,
            diagnosis: Some(Diagnosis::new(
                DiagnosisKind::ClientCertNotRequested,
                format!(
                    "{host} accepted the connection without asking for a client certificate at the handshake, so key {key} was not sent and nothing about it was tested"
                ),
                "the server may still ask later (per-path client auth, which certbench cannot answer) or refuse at the HTTP level (401/403)",
            ).with_step(Fix::TryRequest)),
            warnings,
            probe,
        };
    }
    if probe.accepted {
        if let Some(answer) = &probe.http
            && let Some(d) = http_rejection(
                answer.status,
                &answer.body,
                req,
                cred.as_ref(),
                tls.as_ref(),
            )
        {
            return KeyCheck {
                accepted: false,
                outcome: CheckOutcome::RejectedAtHttp,
                tls,
                diagnosis: Some(d),
                warnings,
                probe,
            };
        }
        if let (Some(t), Some(c)) = (&tls, &cred)
            && let Some(w) = ca_mismatch(t, c)
        {
            warnings.push(w);
        }
        return KeyCheck {
            accepted: true,
            outcome: CheckOutcome::Accepted,
            tls,
            diagnosis: None,
            warnings,
            probe,
        };
    }
    let silent = !probe.handshake_ok
        && probe
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("no answer within"));
    let mut f = Failure::plain(Diagnosis::new(
        if silent {
            DiagnosisKind::Timeout
        } else {
            DiagnosisKind::Transport
        },
        probe.error.clone().unwrap_or_default(),
        "",
    ));
    f.from_transport = true;
    f.rustls_error = probe.rustls_error.clone();
    f.chain = probe.error.iter().cloned().collect();
    f.io_kind = probe.io_kind;
    f.unresolved = probe.unresolved;
    f.tls = tls.clone();
    let diagnosis = explain(&f, req, cred.as_ref());
    KeyCheck {
        accepted: false,
        outcome: CheckOutcome::Rejected,
        tls,
        diagnosis: Some(diagnosis),
        warnings,
        probe,
    }
}
