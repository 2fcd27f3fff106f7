//! Following redirects: which to follow, and a bound key never presented to a host it is not bound to.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use super::client::ClientEntry;
use super::exchange_body::*;
use crate::budget::Budget;
use crate::diagnose::fix::Fix;
use crate::diagnose::kind::DiagnosisKind;
use crate::diagnose::{self, failure::Failure};
use crate::exchange::{Diagnosis, Exchange, Hop};
use crate::net::cookies::CookieJar;
use crate::request::prepare::{KeySource, PreparedBody, PreparedRequest};
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use url::Url;

/// The most redirects one send follows.
pub const MAX_REDIRECTS: usize = 10;

/// What following the redirects changed: the key withheld from a host (and the client used
/// from there on), and what the output must say about the key.
#[derive(Default)]
pub(super) struct Redirected {
    pub(super) keyless: Option<Arc<ClientEntry>>,
    pub(super) keyless_before: u64,
    pub(super) notes: Vec<Diagnosis>,
}

impl Redirected {
    pub(super) fn keyless_handshakes(&self) -> u64 {
        self.keyless
            .as_ref()
            .map_or(0, |k| k.log.handshakes() - self.keyless_before)
    }

    /// Decides, for a hop from `from` to `to`, whether the key goes along.
    pub(super) fn hop(
        &mut self,
        req: &PreparedRequest,
        from: &Url,
        to: &Url,
        keyless: &(dyn Fn() -> Result<Arc<ClientEntry>, Failure> + Sync),
    ) -> Result<(), Failure> {
        let same_host = from.host_str() == to.host_str()
            && from.port_or_known_default() == to.port_or_known_default();
        let presenting = req.mutual_tls && req.credential.is_some() && self.keyless.is_none();
        if same_host || !presenting {
            return Ok(());
        }
        let key = req.credential.as_deref().unwrap_or_default();
        let host = to.host_str().unwrap_or_default();
        match &req.key_source {
            KeySource::Bound(pattern)
                if !pattern
                    .parse::<crate::keys::bindings::Pattern>()
                    .is_ok_and(|p| p.matches(to)) =>
            {
                let client = keyless()?;
                self.keyless_before = client.log.handshakes();
                self.keyless = Some(client);
                self.notes.push(Diagnosis::new(
                    DiagnosisKind::KeyWithheldOnRedirect,
                    format!(
                        "a redirect led to {host}, which binding {pattern} does not cover: key {key} was not presented there, and the request went on without a key"
                    ),
                    "if it should go there",
                ).with_step(Fix::BindKey));
            }
            _ => self.notes.push(Diagnosis::new(
                DiagnosisKind::KeyFollowedRedirect,
                format!(
                    "a redirect led from {} to {host}: key {key} was presented there too (as curl does with a named key)",
                    from.host_str().unwrap_or_default()
                ),
                "turn off Follow redirects to stop at the first host",
            )),
        }
        Ok(())
    }
}

pub(super) async fn send_with_redirects(
    entry: &ClientEntry,
    req: &PreparedRequest,
    jar: &Arc<CookieJar>,
    started: Instant,
    budget: &Budget,
    keyless: &(dyn Fn() -> Result<Arc<ClientEntry>, Failure> + Sync),
    went: &mut Redirected,
) -> Result<Exchange, Failure> {
    let mut method = req.method.clone();
    let mut url = req.parsed_url();
    let mut headers = req.headers.clone();
    let mut body = req.body.clone();
    let mut hops: Vec<Hop> = Vec::new();
    let origin = url.origin();
    loop {
        let hop_started = Instant::now();
        let body_sent = Arc::new(OnceLock::new());
        let outgoing = Outgoing {
            method: &method,
            url: &url,
            headers: &headers,
            body: &body,
            body_sent: &body_sent,
        };
        let client = went.keyless.as_deref().unwrap_or(entry);
        let resp = send_once(client, &outgoing, jar, &hops).await?;
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let follow =
            is_redirect(status) && location.is_some() && should_follow(&method, &req.options);
        if !follow {
            let at = Sent {
                started,
                final_hop: hop_started,
                body_sent: body_sent.get().copied(),
                log: &client.log,
            };
            return read_response(resp, req, &method, hops, at, budget).await;
        }
        let location = location.unwrap_or_default();
        let next = url.join(&location).map_err(|e| {
            Failure::plain(Diagnosis::new(
                DiagnosisKind::BadRedirect,
                format!("redirect {status} to an invalid Location {location:?}: {e}"),
                "the server sent a broken Location header",
            ))
        })?;
        if !matches!(next.scheme(), "http" | "https") {
            let mut f = Failure::plain(diagnose::redirect_not_http(status, &next));
            f.redirects = hops;
            return Err(f);
        }
        if hops.len() >= MAX_REDIRECTS {
            let mut f = Failure::plain(Diagnosis::new(
                DiagnosisKind::TooManyRedirects,
                format!("more than {MAX_REDIRECTS} redirects (last: {status} {url} -> {next})"),
                "this is probably a redirect loop: turn off Follow redirects to see the first answer",
            ));
            f.redirects = hops;
            return Err(f);
        }
        let cross_origin = next.origin() != url.origin();
        hops.push(Hop {
            status,
            method: method.clone(),
            url: url.to_string(),
            location: next.to_string(),
            cross_origin,
            downgrade: url.scheme() == "https" && next.scheme() == "http",
        });
        if cross_origin || next.origin() != origin {
            headers.retain(|(k, _)| !is_credential_header(k));
        }
        if matches!(status, 301..=303) && method != "HEAD" {
            method = "GET".into();
            body = PreparedBody::None;
            headers.retain(|(k, _)| {
                !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("content-length")
            });
        }
        went.hop(req, &url, &next, keyless).map_err(|mut f| {
            f.redirects = hops.clone();
            f
        })?;
        url = next;
    }
}

pub(super) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// GET and HEAD follow with "follow redirects"; every other method only with "follow all redirects".
pub fn should_follow(method: &str, options: &crate::request::profile::Options) -> bool {
    if method == "GET" || method == "HEAD" {
        options.follow_redirects || options.follow_all_redirects
    } else {
        options.follow_all_redirects
    }
}

pub(super) fn is_credential_header(name: &str) -> bool {
    ["authorization", "cookie", "proxy-authorization"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
}
