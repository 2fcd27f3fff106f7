//! Every request option of design.md against a real local mTLS server.

use crate::common::Env;
use engine::exchange::BodyView;
use engine::request::profile::{Body, BodyType, HeaderValues, Part};

#[test]
fn mtls_echo_records_tls_facts() {
    let env = Env::new();
    let ex = env.ok(&env.profile("/echo"));
    assert_eq!(ex.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&ex.body).unwrap();
    assert_eq!(body["client_cert"]["cn"], "certbench-demo-client");
    let tls = ex.tls.expect("tls facts");
    assert_eq!(tls.version.as_deref(), Some("TLSv1.3"));
    assert!(
        tls.cipher.as_deref().unwrap_or("").starts_with("TLS13_"),
        "{:?}",
        tls.cipher
    );
    assert!(tls.client_cert_requested);
    assert_eq!(
        tls.acceptable_ca_names,
        vec!["CN=certbench demo CA, O=certbench demo".to_string()]
    );
    assert_eq!(
        tls.client_cert_sent.as_deref(),
        Some("CN=certbench-demo-client, O=certbench demo")
    );
    assert_eq!(tls.server_chain[0].subject_cn, "localhost");
    assert_eq!(tls.verified_by.as_deref(), Some("webpki"));
    assert!(ex.warnings.is_empty(), "{:?}", ex.warnings);
}

#[test]
fn sequential_sends_reuse_one_connection() {
    let env = Env::new();
    for _ in 0..5 {
        env.ok(&env.profile("/echo"));
    }
    assert_eq!(
        env.server
            .handshakes
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}

#[test]
fn tls12_facts() {
    let env = Env::with(|c| c.versions = demo::Versions::Tls12);
    let ex = env.ok(&env.profile("/echo"));
    let tls = ex.tls.unwrap();
    assert_eq!(tls.version.as_deref(), Some("TLSv1.2"));
    assert!(tls.client_cert_sent.is_some());
}

#[test]
fn query_array_rule_on_the_wire() {
    let env = Env::new();
    let mut p = env.profile("/echo?foo=bar");
    p.query = vec![("foo".into(), "baz".into()), ("one".into(), "1".into())];
    let body = env.json(&p);
    assert_eq!(body["raw_query"], "foo%5B0%5D=bar&foo%5B1%5D=baz&one=1");
    p.options.query_arrays = false;
    assert_eq!(env.json(&p)["raw_query"], "foo=bar&foo=baz&one=1");
}

#[test]
fn headers_repeat_and_bodies_encode() {
    let env = Env::new();
    let mut p = env.profile("/echo");
    p.method = "POST".into();
    p.headers.insert(
        "X-Tag".into(),
        HeaderValues::Many(vec!["a".into(), "b".into()]),
    );
    p.body = Body {
        kind: BodyType::Raw,
        content_type: Some("application/json".into()),
        text: Some("{\"x\":1}".into()),
        ..Body::default()
    };
    let body = env.json(&p);
    let headers = body["headers"].as_array().unwrap();
    let tags: Vec<&str> = headers
        .iter()
        .filter(|h| h[0] == "x-tag")
        .map(|h| h[1].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["a", "b"]);
    assert!(
        headers
            .iter()
            .any(|h| h[0] == "content-type" && h[1] == "application/json")
    );
    assert_eq!(body["body"], "{\"x\":1}");

    p.body = Body {
        kind: BodyType::Form,
        fields: vec![("user".into(), "ada l".into()), ("x".into(), "&".into())],
        ..Body::default()
    };
    assert_eq!(env.json(&p)["body"], "user=ada+l&x=%26");
}

#[test]
fn multipart_streams_text_and_file_parts() {
    let env = Env::new();
    let file = env.home.path().join("upload.txt");
    std::fs::write(&file, "file-content-123").unwrap();
    let mut p = env.profile("/echo");
    p.method = "POST".into();
    p.body = Body {
        kind: BodyType::Multipart,
        parts: vec![
            Part {
                name: "note".into(),
                text: Some("hello".into()),
                file: None,
                filename: None,
                content_type: None,
            },
            Part {
                name: "doc".into(),
                text: None,
                file: Some(file.display().to_string()),
                filename: None,
                content_type: Some("text/plain".into()),
            },
        ],
        ..Body::default()
    };
    let body = env.json(&p);
    let text = body["body"].as_str().unwrap();
    assert!(text.contains("name=\"note\"\r\n\r\nhello"), "{text}");
    assert!(text.contains("filename=\"upload.txt\""), "{text}");
    assert!(text.contains("file-content-123"), "{text}");
}

#[test]
fn redirect_rules() {
    let env = Env::new();
    // A GET follows; the hop is recorded.
    let ex = env.ok(&env.profile("/redirect/302?to=/echo"));
    assert_eq!(ex.status, 200);
    assert_eq!(ex.redirects.len(), 1);
    assert_eq!(ex.redirects[0].status, 302);
    // A POST answered by 302 comes back as is unless follow-all.
    let mut p = env.profile("/redirect/302?to=/echo");
    p.method = "POST".into();
    p.body = Body {
        kind: BodyType::Raw,
        text: Some("payload".into()),
        ..Body::default()
    };
    assert_eq!(env.ok(&p).status, 302);
    // follow-all: 302 becomes GET without body.
    p.options.follow_all_redirects = true;
    let ex = env.ok(&p);
    let body: serde_json::Value = serde_json::from_slice(&ex.body).unwrap();
    assert_eq!(body["method"], "GET");
    assert_eq!(body["body"], "");
    // 307 keeps the method and the body.
    p.url = format!("{}/redirect/307?to=/echo", env.server.url);
    let body = env.json(&p);
    assert_eq!(body["method"], "POST");
    assert_eq!(body["body"], "payload");
    // Follow off: a GET's redirect is returned.
    let mut g = env.profile("/redirect/301?to=/echo");
    g.options.follow_redirects = false;
    assert_eq!(env.ok(&g).status, 301);
}

#[test]
fn redirect_loop_stops_after_ten_hops() {
    let env = Env::new();
    let f = env.err(&env.profile("/loop"));
    assert_eq!(f.diagnosis.kind, "too_many_redirects");
    assert_eq!(f.redirects.len(), 10);
}

#[test]
fn authorization_dropped_on_cross_origin_hop_only() {
    let env = Env::new();
    let other = env.start(env.demo.config());
    let mut p = env.profile(&format!("/redirect/302?to={}/echo", other.url));
    p.headers.insert(
        "Authorization".into(),
        HeaderValues::One("Bearer secret".into()),
    );
    let ex = env.ok(&p);
    assert!(ex.redirects[0].cross_origin);
    let body: serde_json::Value = serde_json::from_slice(&ex.body).unwrap();
    assert!(
        !body["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "authorization"),
        "{body}"
    );
    // Same origin keeps it.
    p.url = format!("{}/redirect/302?to=/echo", env.server.url);
    let body = env.json(&p);
    assert!(
        body["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "authorization")
    );
}

#[test]
fn cookies_shared_or_per_send() {
    let env = Env::new();
    let mut set = env.profile("/cookies/set?session=abc");
    let mut read = env.profile("/echo");
    let has_cookie = |b: &serde_json::Value| {
        b["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "cookie" && h[1] == "session=abc")
    };
    env.ok(&set);
    assert!(
        !has_cookie(&env.json(&read)),
        "a fresh jar per send by default"
    );
    set.options.share_cookies = true;
    read.options.share_cookies = true;
    env.ok(&set);
    assert!(has_cookie(&env.json(&read)));
    // Cookies carry across one send's redirects even without sharing.
    let mut chain = env.profile("/redirect/302?to=/echo");
    chain.url = format!("{}/redirect/302?to=%2Fecho", env.server.url);
    assert!(!has_cookie(&env.json(&chain)));
}

#[test]
fn compressed_content_is_decoded_and_sizes_reported() {
    let env = Env::new();
    let ex = env.ok(&env.profile("/gzip"));
    assert_eq!(ex.content_encoding.as_deref(), Some("gzip"));
    assert!(
        ex.encoded_size < ex.decoded_size / 2,
        "{} vs {}",
        ex.encoded_size,
        ex.decoded_size
    );
    assert!(matches!(ex.view, BodyView::Json { .. }));
    let mut p = env.profile("/gzip");
    p.options.compressed = false;
    let ex = env.ok(&p);
    assert_eq!(ex.content_encoding, None);
    assert_eq!(ex.encoded_size, ex.decoded_size);
}

#[test]
fn timeout_is_whole_request() {
    let env = Env::new();
    let mut p = env.profile("/slow/3000");
    p.options.timeout_secs = 1;
    let started = std::time::Instant::now();
    let f = env.err(&p);
    assert_eq!(f.diagnosis.kind, "timeout");
    assert!(started.elapsed() < std::time::Duration::from_millis(2500));
}

#[test]
fn status_errors_on_and_off() {
    let env = Env::new();
    let mut p = env.profile("/status/404");
    let ex = env.ok(&p);
    assert_eq!(ex.status, 404);
    assert!(ex.status_is_error);
    assert!(
        !ex.body.is_empty(),
        "the body of an error status is still kept"
    );
    p.options.errors_on_status = false;
    assert!(!env.ok(&p).status_is_error);
    assert!(!env.ok(&env.profile("/status/302")).status_is_error);
}

#[test]
fn parse_response_views() {
    let env = Env::new();
    assert!(matches!(
        env.ok(&env.profile("/xml")).view,
        BodyView::Xml { .. }
    ));
    match env.ok(&env.profile("/broken-json")).view {
        BodyView::Unparsed { line, column, .. } => assert_eq!((line, column), (3, 8)),
        other => panic!("{other:?}"),
    }
    assert_eq!(env.ok(&env.profile("/binary")).view, BodyView::Binary);
    assert_eq!(env.ok(&env.profile("/latin1")).view.pretty_text(), "café");
    let mut p = env.profile("/json");
    p.options.parse_response = false;
    assert!(matches!(env.ok(&p).view, BodyView::Text { .. }));
}

#[test]
fn server_closing_mid_body_is_explained() {
    let env = Env::new();
    let f = env.err(&env.profile("/cut"));
    assert_eq!(
        f.diagnosis.kind, "body_incomplete",
        "{}",
        f.diagnosis.message
    );
}

#[test]
fn large_body_arrives_whole() {
    let env = Env::new();
    let ex = env.ok(&env.profile("/large/52428800"));
    assert!(ex.decoded_size >= 50 * 1024 * 1024);
    assert!(matches!(ex.view, BodyView::Json { .. }));
}

#[test]
fn a_cancel_stops_an_endless_body_without_aborting_the_task() {
    let env = crate::common::Env::new();
    let p = env.profile("/drip/50");
    let req = engine::request::prepare::prepare(&p, &Default::default()).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let budget = engine::budget::Budget::unlimited().cancelled_by(stop.clone());
    let flip = stop.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        flip.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let t = std::time::Instant::now();
    let f = env
        .rt
        .block_on(env.transport.send_within(&req, &budget))
        .unwrap_err();
    assert_eq!(f.diagnosis.kind, "cancelled", "{:?}", f.diagnosis);
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn the_timeout_bounds_an_endless_body() {
    let env = crate::common::Env::new();
    let mut p = env.profile("/drip/20");
    p.options.timeout_secs = 1;
    let t = std::time::Instant::now();
    let f = env.err(&p);
    assert_eq!(f.diagnosis.kind, "timeout");
    assert!(
        t.elapsed() < std::time::Duration::from_millis(1800),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn many_response_headers_are_read_and_too_many_name_the_real_cause() {
    let env = Env::new();
    // curl reads these; hyper's defaults (100 headers, 16 KiB of HTTP/2 header list) did not.
    for n in [150, 5000] {
        let ex = env.ok(&env.profile(&format!("/headers/{n}")));
        assert_eq!(ex.status, 200);
        assert!(
            ex.headers
                .iter()
                .any(|(k, _)| k == &format!("x-h{}", n - 1))
        );
    }
    // Over HTTP/2, h2 resets the stream with a PROTOCOL_ERROR of its own; it is named as ours,
    // with the likely cause. (HTTP/1.1 heads over the limit: tests/servers.rs, against Node.)
    let f = env.err(&env.profile("/headers/20000"));
    assert_eq!(f.diagnosis.kind, "http2_protocol_error", "{f:?}");
    assert!(
        f.diagnosis.message.contains("header list over the 512 KiB"),
        "{}",
        f.diagnosis.message
    );
    assert!(
        !f.diagnosis.hint.contains("server's logs"),
        "{}",
        f.diagnosis.hint
    );
}

#[test]
fn a_failure_after_a_redirect_names_the_failing_hop() {
    let env = Env::new();
    let (closed, _held) = crate::common::servers::closed_port();
    let port = closed.port();
    let p = env.profile(&format!("/redirect/302?to=https://127.0.0.1:{port}/next"));
    let f = env.err(&p);
    assert_eq!(f.diagnosis.kind, "connection_refused", "{f:?}");
    assert!(
        f.diagnosis.message.contains(&format!("127.0.0.1:{port}")),
        "{}",
        f.diagnosis.message
    );
    assert_eq!(f.redirects.len(), 1);
}

#[test]
fn file_and_data_redirects_have_their_own_message() {
    let env = Env::new();
    for (to, words) in [
        ("file:///etc/passwd", "a file on this machine"),
        ("data:text/plain,hello", "inline data"),
    ] {
        let f = env.err(&env.profile(&format!("/redirect/302?to={to}")));
        assert_eq!(f.diagnosis.kind, "redirect_not_http", "{f:?}");
        assert!(
            f.diagnosis.message.contains(words),
            "{}",
            f.diagnosis.message
        );
        assert!(
            f.diagnosis.message.contains("302"),
            "{}",
            f.diagnosis.message
        );
    }
}

#[test]
fn the_timing_phases_add_up_to_the_total_and_a_reused_connection_has_no_connect_phases() {
    let env = Env::new();
    let mut p = env.profile("/slow/200");
    p.method = "POST".into();
    p.body.kind = engine::request::profile::BodyType::Raw;
    p.body.text = Some("x".repeat(100_000));
    let sum = |t: &engine::exchange::Timing| {
        t.redirects_ms
            + t.dns_ms
            + t.connect_ms
            + t.tls_ms
            + t.request_ms
            + t.wait_ms
            + t.download_ms
            + t.process_ms
    };
    let first = env.ok(&p).timing;
    assert!(!first.reused, "{first:?}");
    assert_eq!(first.new_connections, 1);
    assert!(first.tls_ms > 0.0, "{first:?}");
    assert!(
        first.wait_ms >= 190.0,
        "the server's 200 ms are its think time: {first:?}"
    );
    assert!(
        (sum(&first) - first.total_ms).abs() <= 1.0,
        "{} vs {}: {first:?}",
        sum(&first),
        first.total_ms
    );
    let second = env.ok(&p).timing;
    assert!(second.reused, "{second:?}");
    assert_eq!(second.new_connections, 0);
    assert_eq!(
        (second.dns_ms, second.connect_ms, second.tls_ms),
        (0.0, 0.0, 0.0)
    );
    assert!((sum(&second) - second.total_ms).abs() <= 1.0, "{second:?}");
    // An address needs no lookup: a new connection with no DNS phase.
    let mut by_ip = env.profile("/echo");
    by_ip.url = by_ip.url.replace("localhost", "127.0.0.1");
    let t = env.ok(&by_ip).timing;
    assert!(!t.reused && t.dns_ms == 0.0 && t.tls_ms > 0.0, "{t:?}");
    assert!((sum(&t) - t.total_ms).abs() <= 1.0, "{t:?}");
}
