//! `--check-revocation`: before a send, the CRLs the server's chain names (its `http://` CRL
//! distribution points) are fetched along the request's own route, with a time limit and a
//! size cap, and kept in the home's `crl-cache/` until their next update; the send's verifier
//! then checks the chain against them. A list that cannot be had is a warning, or with
//! `strict` a failure: nothing is sent unchecked.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use http_body::Body as _;
use sha2::Digest;
use x509_parser::prelude::*;

use super::client::ClientEntry;
use super::revocation::CRL_FILE_LIMIT;
use crate::diagnose::failure::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;

/// How long fetching one list may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The lists of `urls`, each a file in `cache` (fetched now, or kept from before and not past
/// its next update); what could not be had, in words.
pub async fn fetch(
    entry: &ClientEntry,
    urls: &[String],
    cache: &Path,
) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for url in urls {
        match one(entry, url, cache).await {
            Ok(path) => files.push(path),
            Err(why) => missing.push(format!("{url}: {why}")),
        }
    }
    (files, missing)
}

/// Why one revocation list could not be had.
#[derive(Debug, thiserror::Error)]
enum CrlMissed {
    #[error("only http:// distribution points are fetched")]
    NotHttp,
    #[error("no answer within {} s", FETCH_TIMEOUT.as_secs())]
    NoAnswer,
    #[error("cannot fetch it: {0}")]
    Fetch(reqwest::Error),
    #[error("the server answered {0}")]
    Status(reqwest::StatusCode),
    #[error("not all of it came within {} s", FETCH_TIMEOUT.as_secs())]
    TooSlow,
    #[error("the transfer broke: {0}")]
    Broke(reqwest::Error),
    #[error("it is over {} MiB", CRL_FILE_LIMIT >> 20)]
    TooLarge,
    #[error("what came is not a CRL: {0}")]
    NotACrl(String),
    #[error("{}: {source}", path.display())]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
}

async fn one(entry: &ClientEntry, url: &str, cache: &Path) -> Result<PathBuf, CrlMissed> {
    // RFC 5280 advises http for CRLs (they are signed); file:// or ldap:// are not followed.
    if !url.starts_with("http://") {
        return Err(CrlMissed::NotHttp);
    }
    let name = hex::encode(sha2::Sha256::digest(url.as_bytes()));
    let path = cache.join(format!("{name}.crl"));
    if let Ok(data) = std::fs::read(&path)
        && fresh(&data)
    {
        return Ok(path);
    }
    let resp = tokio::time::timeout(FETCH_TIMEOUT, entry.client.get(url).send())
        .await
        .map_err(|_| CrlMissed::NoAnswer)?
        .map_err(CrlMissed::Fetch)?;
    if !resp.status().is_success() {
        return Err(CrlMissed::Status(resp.status()));
    }
    let data = tokio::time::timeout(FETCH_TIMEOUT, bounded_body(resp))
        .await
        .map_err(|_| CrlMissed::TooSlow)??;
    parse_x509_crl(&data).map_err(|e| CrlMissed::NotACrl(e.to_string()))?;
    std::fs::create_dir_all(cache).map_err(|source| CrlMissed::Cache {
        path: cache.to_path_buf(),
        source,
    })?;
    crate::home::write_atomic(&path, &data, 0o644).map_err(|source| CrlMissed::Cache {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// The body, refused once it passes the size cap (an endless list never fills memory).
async fn bounded_body(resp: reqwest::Response) -> Result<Vec<u8>, CrlMissed> {
    let mut body = reqwest::Body::from(resp);
    let mut data = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.map_err(CrlMissed::Broke)?;
        if let Ok(chunk) = frame.into_data() {
            data.extend_from_slice(&chunk);
            if data.len() as u64 > CRL_FILE_LIMIT {
                return Err(CrlMissed::TooLarge);
            }
        }
    }
    Ok(data)
}

/// Whether a cached list is still current (before its next update).
fn fresh(data: &[u8]) -> bool {
    let Ok((_, crl)) = parse_x509_crl(data) else {
        return false;
    };
    crl.next_update()
        .is_some_and(|next| next.timestamp() > crate::clock::now_unix())
}

/// What could not be had, as the send's warning, or with `strict` its failure.
pub fn unavailable(missing: &[String], strict: bool) -> Result<Option<Diagnosis>, Failure> {
    if missing.is_empty() {
        return Ok(None);
    }
    let d = Diagnosis::new(
        DiagnosisKind::CrlUnavailable,
        format!(
            "the revocation of the server's certificates was not checked against {}: {}",
            if missing.len() == 1 {
                "one list"
            } else {
                "some lists"
            },
            missing.join("; ")
        ),
        match strict {
            true => "nothing was sent: reach the list's server, or give the CRL with --crl FILE",
            false => "the send went on; --check-revocation=strict refuses to send unchecked",
        },
    );
    match strict {
        true => Err(Failure::plain(d)),
        false => Ok(Some(d)),
    }
}
