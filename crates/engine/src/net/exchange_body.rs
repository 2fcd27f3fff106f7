//! One hop on the wire: the outgoing request built from the prepared one, and its answer read under the budget.

use super::client::ClientEntry;
use crate::body::bodysink::{BodySink, Coding, SinkError};
use crate::body::events::{EventReader, StreamEnd, StreamSummary, is_event_stream};
use crate::body::kept::STREAM_BODY_KEPT;
use crate::budget::{Budget, Stopped};
use crate::diagnose::fix::Fix;
use crate::diagnose::kind::DiagnosisKind;
use crate::diagnose::{self, failure::Failure};
use crate::exchange::{BodyView, Diagnosis, Exchange, Hop, build_view};
use crate::net::connect::TimedBody;
use crate::net::cookies::CookieJar;
use crate::net::phases::SendMoments;
use crate::net::recording::HandshakeLog;
use crate::request::prepare::{PreparedBody, PreparedPart, PreparedRequest};
use crate::size::{ByteSize, human};
use reqwest::cookie::CookieStore;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use url::Url;

/// Bodies up to this size are indexed on the async worker itself.
const INLINE_VIEW_BYTES: usize = 64 * 1024;

/// One request of a send (the first, or a redirect's), as it goes out.
pub(super) struct Outgoing<'a> {
    pub(super) method: &'a str,
    pub(super) url: &'a Url,
    pub(super) headers: &'a [(String, String)],
    pub(super) body: &'a PreparedBody,
    /// Set when the connection has taken the body.
    pub(super) body_sent: &'a Arc<OnceLock<Instant>>,
}

pub(super) async fn send_once(
    entry: &ClientEntry,
    out: &Outgoing<'_>,
    jar: &Arc<CookieJar>,
    hops: &[Hop],
) -> Result<reqwest::Response, Failure> {
    let Outgoing {
        method,
        url,
        headers,
        body,
        body_sent,
    } = *out;
    // Preparation checked all of these; a request that still does not fit is refused, never
    // sent with a part silently replaced.
    let invalid = |what: String| {
        Failure::plain(Diagnosis::new(
            DiagnosisKind::InvalidRequest,
            what,
            "fix the profile or flags and send again",
        ))
    };
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| invalid(format!("invalid method {method:?}")))?;
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        let name = HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| invalid(format!("invalid header name {k:?}")))?;
        let value = HeaderValue::from_str(v).map_err(|_| {
            invalid(format!(
                "header {k}: the value cannot be sent (line break or control character)"
            ))
        })?;
        map.append(name, value);
    }
    let user_cookies = map.get(reqwest::header::COOKIE).is_some();
    if let Some(cookies) = jar.cookies(url).filter(|_| !user_cookies) {
        map.insert(reqwest::header::COOKIE, cookies);
    }
    let mut builder = entry.client.request(method, url.clone()).headers(map);
    builder = match body {
        PreparedBody::None => builder,
        PreparedBody::Bytes { data, .. } => builder.body(reqwest::Body::wrap(TimedBody {
            data: Some(bytes::Bytes::from(data.clone())),
            sent: body_sent.clone(),
        })),
        PreparedBody::Multipart { parts } => builder.multipart(multipart_form(parts).await?),
    };
    let resp = builder
        .send()
        .await
        .map_err(|e| Failure::from_reqwest(e, hops))?;
    let mut set_cookies = resp.headers().get_all(reqwest::header::SET_COOKIE).iter();
    jar.set_cookies(&mut set_cookies, url);
    Ok(resp)
}

/// Builds the multipart form, reading each file part whole (at most PART_FILE_LIMIT) before
/// anything is sent: a file that is gone, unreadable or changing is an error, never an empty or
/// truncated part. Reading it whole also sends `/proc`-style files, whose size says 0, complete.
pub(super) async fn multipart_form(
    parts: &[PreparedPart],
) -> Result<reqwest::multipart::Form, Failure> {
    let mut form = reqwest::multipart::Form::new();
    for part in parts {
        form = match part {
            PreparedPart::Text { name, text } => form.text(name.clone(), text.clone()),
            PreparedPart::File {
                name,
                path,
                filename,
                content_type,
                ..
            } => {
                let p = path.clone();
                let data = tokio::task::spawn_blocking(move || {
                    crate::home::read_bounded(&p, crate::request::prepare::PART_FILE_LIMIT)
                })
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())))
                .map_err(|e| {
                    Failure::plain(Diagnosis::new(
                        DiagnosisKind::PartFileUnreadable,
                        format!(
                            "multipart part {name:?}: cannot read {}: {e}; nothing was sent",
                            path.display()
                        ),
                        "check the file's path and permissions, then send again",
                    ))
                })?;
                let ct = content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream");
                let file_part = reqwest::multipart::Part::bytes(data)
                    .file_name(filename.clone())
                    .mime_str(ct)
                    .map_err(|_| {
                        Failure::plain(Diagnosis::new(
                            DiagnosisKind::InvalidRequest,
                            format!(
                                "multipart part {name:?}: content type {ct:?} is not a media type"
                            ),
                            "write e.g. application/json",
                        ))
                    })?;
                form.part(name.clone(), file_part)
            }
        };
    }
    Ok(form)
}

pub(super) async fn read_response(
    mut resp: reqwest::Response,
    req: &PreparedRequest,
    method: &str,
    redirects: Vec<Hop>,
    sent: Sent<'_>,
    budget: &Budget,
) -> Result<Exchange, Failure> {
    let started = sent.started;
    let headers_instant = Instant::now();
    let status = resp.status();
    let url = resp.url().to_string();
    let http_version = format!("{:?}", resp.version());
    let headers = crate::headers::pairs(resp.headers());
    let header = |n: &str| crate::headers::get(&headers, n).map(str::to_string);
    let content_encoding =
        header("content-encoding").filter(|e| !e.trim().eq_ignore_ascii_case("identity"));
    let mut warnings = Vec::new();
    let codings = match content_encoding.as_deref().map(Coding::parse_list) {
        None => Vec::new(),
        Some(Ok(c)) => c,
        Some(Err(e)) => {
            warnings.push(not_decoded(&e, content_encoding.as_deref()));
            Vec::new()
        }
    };
    // A stream someone reads as it arrives keeps a bounded start of its body and goes on.
    let streaming = req.events.is_some()
        && req.save_to.is_none()
        && is_event_stream(header("content-type").as_deref());
    let limit = match streaming {
        true => req.options.max_body().bytes().min(STREAM_BODY_KEPT),
        false => req.options.max_body().bytes(),
    };
    let with_redirects = |mut f: Failure, redirects: &[Hop]| {
        f.redirects = redirects.to_vec();
        f
    };
    let mut sink = match &req.save_to {
        Some(path) => BodySink::file(&codings, path)
            .map_err(|e| with_redirects(output_failure(&e), &redirects))?,
        None => BodySink::memory(&codings, limit, resp.content_length()),
    };
    // The body as received, kept while decoding in memory in case it turns out not to decode.
    let mut raw: Option<Vec<u8>> = (!codings.is_empty() && req.save_to.is_none()).then(Vec::new);
    let mut received: u64 = 0;
    let mut undecodable: Option<String> = None;
    let mut over_limit = false;
    // An event stream someone reads as it arrives: each event handed over at once; its time
    // limit, a cancel or enough events end it normally, with what arrived kept.
    let mut events = req
        .events
        .clone()
        .filter(|_| req.save_to.is_none() && is_event_stream(header("content-type").as_deref()))
        .map(|tap| EventReader::new(tap, started));
    let mut stream_end: Option<StreamEnd> = None;
    let mut fed = 0usize;
    // The body reached its size; the events go on to the reader, uncounted in the body.
    let mut body_cut = false;
    loop {
        if let Err(stopped) = budget.check() {
            if events.is_some() {
                stream_end = Some(end_of(stopped));
                break;
            }
            return Err(with_redirects(stopped_failure(stopped, req), &redirects));
        }
        let next = if events.is_some() {
            match stream_chunk(&mut resp, budget).await {
                Ok(next) => next,
                Err(stopped) => {
                    stream_end = Some(end_of(stopped));
                    break;
                }
            }
        } else {
            resp.chunk().await
        };
        match next {
            Ok(Some(chunk)) => {
                received += chunk.len() as u64;
                if body_cut {
                    if let Some(end) = match events.as_mut() {
                        Some(reader) => reader.feed(&chunk).await,
                        None => None,
                    } {
                        stream_end = Some(end);
                        break;
                    }
                    continue;
                }
                if req.save_to.is_none() && events.is_none() && received > limit {
                    // Past the cap on the wire already.
                    over_limit = true;
                    break;
                }
                if let Some(r) = raw.as_mut() {
                    r.extend_from_slice(&chunk);
                }
                if undecodable.is_some() {
                    // Kept raw from here on.
                    continue;
                }
                let wrote = sink.write(&chunk).and_then(|()| match events {
                    Some(_) => sink.flush(),
                    None => Ok(()),
                });
                if let Some(reader) = events.as_mut() {
                    let new = sink.kept_since(fed);
                    fed += new.len();
                    let mut end = reader.feed(&new).await;
                    // Without a coding the body's bytes are the chunk's: what did not fit goes
                    // to the reader all the same, and the body stays as it is from here on.
                    if end.is_none() && matches!(wrote, Err(SinkError::Full)) && codings.is_empty()
                    {
                        body_cut = true;
                        end = reader
                            .feed(chunk.get(new.len()..).unwrap_or_default())
                            .await;
                    }
                    if let Some(end) = end {
                        stream_end = Some(end);
                        break;
                    }
                }
                match wrote {
                    Ok(()) => {}
                    Err(SinkError::Full) if body_cut => {}
                    Err(SinkError::Full) => {
                        over_limit = true;
                        stream_end = events.as_ref().map(|_| StreamEnd::BodyLimit);
                        break;
                    }
                    Err(SinkError::Decode(e)) if raw.is_some() => undecodable = Some(e),
                    Err(stopped) => {
                        return Err(with_redirects(
                            sink_failure(&stopped, req, content_encoding.as_deref()),
                            &redirects,
                        ));
                    }
                }
            }
            Ok(None) => {
                if let Some(reader) = events.as_mut() {
                    stream_end = Some(reader.finish().await.unwrap_or(StreamEnd::Closed));
                }
                break;
            }
            Err(e) => {
                let mut f = Failure::from_reqwest(e, &redirects);
                f.partial_body = Some(received as usize);
                if f.diagnosis.kind != DiagnosisKind::Timeout {
                    f.from_transport = false;
                    f.needs_probe = false;
                    f.diagnosis = Diagnosis::new(
                        DiagnosisKind::BodyIncomplete,
                        format!(
                            "the server closed the connection after {received} bytes of the body (status {status})"
                        ),
                        "the server or a proxy cut the response short: retry, or check the server's logs",
                    );
                }
                return Err(f);
            }
        }
    }
    drop(resp);
    let mut incomplete = None;
    // A stream ended before the server closed it: what was decoded so far is the body.
    let cut_short =
        body_cut || stream_end.is_some_and(|e| e != StreamEnd::Closed && e != StreamEnd::BodyLimit);
    let (body, decoded) = if cut_short {
        let kept = sink.into_kept();
        (kept.body, kept.decoded)
    } else if over_limit {
        let kept = sink.into_kept();
        incomplete = Some(Diagnosis::new(
            DiagnosisKind::BodyTooLarge,
            format!(
                "the body is over the {} limit: stopped after {} received{}; what was read is kept",
                ByteSize(limit),
                human(received),
                if codings.is_empty() {
                    String::new()
                } else {
                    format!(" ({} after decoding)", human(kept.decoded))
                }
            ),
            "or ask for a smaller page",
        ).with_step(Fix::RaiseBodyLimit));
        (kept.body, kept.decoded)
    } else {
        // A coding that failed mid-stream or at its end: the body as received, said once.
        let finished = match undecodable {
            Some(e) => Err(SinkError::Decode(e)),
            None => sink.finish(),
        };
        match finished {
            Ok(got) => (got.body, got.decoded),
            Err(SinkError::Decode(e)) if raw.is_some() => {
                warnings.push(not_decoded(&e, content_encoding.as_deref()));
                let raw = raw.take().unwrap_or_default();
                let n = raw.len() as u64;
                (raw, n)
            }
            Err(stopped @ (SinkError::Decode(_) | SinkError::Io(_))) => {
                return Err(with_redirects(
                    sink_failure(&stopped, req, content_encoding.as_deref()),
                    &redirects,
                ));
            }
            Err(SinkError::Full) => unreachable!("a finished sink took every byte"),
        }
    };
    drop(raw);
    let body_read = Instant::now();
    let body = bytes::Bytes::from(body);
    let (view_body, ctype, parse) = (
        body.clone(),
        header("content-type"),
        req.options.parse_response,
    );
    // A stream may have run to its time limit: showing what it kept must not fail for that.
    let view_budget = match events {
        Some(_) => Budget::unlimited(),
        None => budget.clone(),
    };
    // Indexing a large body is CPU work: off the async workers, still under the budget. A small
    // one is indexed in place (microseconds), sparing a thread hand-off per send.
    let view = if view_body.len() <= INLINE_VIEW_BYTES {
        build_view(&view_body, ctype.as_deref(), parse, &view_budget)
    } else {
        tokio::task::spawn_blocking(move || {
            build_view(&view_body, ctype.as_deref(), parse, &view_budget)
        })
        .await
        .unwrap_or(Ok(BodyView::Binary))
    }
    .map_err(|stopped| with_redirects(stopped_failure(stopped, req), &redirects))?;
    let code = status.as_u16();
    Ok(Exchange {
        method: method.to_string(),
        url,
        status: code,
        reason: status.canonical_reason().unwrap_or("").to_string(),
        http_version,
        headers,
        decoded_size: decoded as usize,
        body,
        encoded_size: received as usize,
        content_encoding,
        view,
        redirects,
        tls: None,
        timing: SendMoments {
            started,
            final_hop: sent.final_hop,
            body_sent: sent.body_sent,
            headers: headers_instant,
            body_read,
            done: Instant::now(),
        }
        .timing(&sent.log.clock),
        status_is_error: req.options.errors_on_status && code >= 400,
        warnings,
        incomplete,
        saved_to: req.save_to.as_ref().map(|p| p.display().to_string()),
        stream: events.as_ref().map(|r| StreamSummary {
            body_cut,
            ..r.summary(stream_end.unwrap_or(StreamEnd::Closed))
        }),
        grpc: None,
    })
}

/// The next chunk of an event stream, waiting no longer than the budget allows: the deadline
/// and a cancel are looked at every 200 ms while the server is quiet.
async fn stream_chunk(
    resp: &mut reqwest::Response,
    budget: &Budget,
) -> Result<reqwest::Result<Option<bytes::Bytes>>, Stopped> {
    loop {
        budget.check()?;
        tokio::select! {
            next = resp.chunk() => return Ok(next),
            () = tokio::time::sleep(std::time::Duration::from_millis(200)) => {}
        }
    }
}

fn end_of(stopped: Stopped) -> StreamEnd {
    match stopped {
        Stopped::TimedOut => StreamEnd::TimeLimit,
        Stopped::Cancelled => StreamEnd::Cancelled,
    }
}

pub(super) fn not_decoded(error: &str, encoding: Option<&str>) -> Diagnosis {
    Diagnosis::new(
        DiagnosisKind::DecodeFailed,
        format!(
            "the body says Content-Encoding {} but does not decode: {error}",
            encoding.unwrap_or("")
        ),
        "shown as received",
    )
    .with_step(Fix::AskUncompressed)
}

/// The body's file cannot be written: the cause names the path and what to do.
pub(super) fn output_failure(e: &crate::destination::DestinationError) -> Failure {
    Failure::plain(Diagnosis::new(
        DiagnosisKind::OutputFailed,
        format!("cannot write the body: {e}"),
        "choose a file in a folder you can write to; nothing was replaced",
    ))
}

/// A sink that stopped: a file that cannot be written is the output's failure; data that does not
/// decode is the body's, unless there is no coding to blame (then it is the file's too).
pub(super) fn sink_failure(
    stopped: &SinkError,
    req: &PreparedRequest,
    encoding: Option<&str>,
) -> Failure {
    let error = match stopped {
        SinkError::Decode(e) | SinkError::Io(e) => e.as_str(),
        SinkError::Full => "the body is over its size limit",
    };
    let the_file = matches!(stopped, SinkError::Io(_)) || encoding.is_none();
    match &req.save_to {
        Some(path) if the_file => Failure::plain(Diagnosis::new(
            DiagnosisKind::OutputFailed,
            format!("cannot write {}: {error}", path.display()),
            "check the disk space and the folder's permissions; nothing was left behind",
        )),
        _ => Failure::plain(not_decoded(error, encoding)),
    }
}

/// A send stopped by its budget: the timeout, or a cancel from the user.
pub fn stopped_failure(stopped: Stopped, req: &PreparedRequest) -> Failure {
    Failure::plain(match stopped {
        Stopped::TimedOut => diagnose::timeout_diagnosis(req),
        Stopped::Cancelled => Diagnosis::new(
            DiagnosisKind::Cancelled,
            "the send was cancelled",
            "send again when ready",
        ),
    })
}

/// When the final request of a send began, when its body was handed over, and the client's
/// connection clock.
pub(super) struct Sent<'a> {
    pub(super) started: Instant,
    pub(super) final_hop: Instant,
    pub(super) body_sent: Option<Instant>,
    pub(super) log: &'a HandshakeLog,
}
