//! Routing like curl: --resolve and --connect-to keep the name for SNI, Host and verification;
//! --http1.1 / --http2; --pin; and --keylog, whose secrets must equal openssl s_server's.

use std::process::Command;

use crate::common::Env;
use crate::common::servers::{Port, start};
use demo::Days;
use engine::net::route::HttpVersion;
use engine::request::prepare;
use engine::request::vars::Vars;

/// A demo server whose certificate names only `api.certbench.test`, a name no DNS knows.
fn env_for_a_name_only_overrides_reach() -> (Env, demo::Server, u16) {
    let env = Env::with(|_| {});
    let issued = env
        .demo
        .pki
        .server(&["api.certbench.test"], Days::default());
    let mut cfg = env.demo.config();
    cfg.server_chain = vec![issued.cert_der.clone()];
    cfg.server_key = issued.key();
    let server = env.start(cfg);
    let port = server.addr.port();
    (env, server, port)
}

#[test]
fn resolve_and_connect_to_reach_another_address_under_the_same_name() {
    let (env, _server, port) = env_for_a_name_only_overrides_reach();
    let mut p = env.profile("/echo");
    p.url = format!("https://api.certbench.test:{port}/echo");
    p.options.http_version = HttpVersion::Http1;
    p.options.resolve = vec![format!("api.certbench.test:{port}:127.0.0.1")];
    let ex = env.ok(&p);
    let tls = ex.tls.clone().unwrap();
    assert_eq!(tls.sni.as_deref(), Some("api.certbench.test"));
    assert_eq!(tls.verified_by.as_deref(), Some("webpki"));
    assert_eq!(ex.http_version, "HTTP/1.1");
    let v: serde_json::Value = serde_json::from_slice(&ex.body).unwrap();
    let host = v["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "host")
        .map(|h| h[1].clone());
    assert_eq!(host, Some(format!("api.certbench.test:{port}").into()));

    // connect-to another host name, same port.
    let mut c = env.profile("/echo");
    c.url = format!("https://api.certbench.test:{port}/echo");
    c.options.connect_to = vec![format!("api.certbench.test:{port}:localhost:{port}")];
    assert_eq!(env.ok(&c).status, 200);
    // connect-to a different port: the URL names none (443), the connection goes to `port`.
    let mut moved = env.profile("/echo");
    moved.url = "https://api.certbench.test/echo".into();
    moved.options.connect_to = vec![format!("api.certbench.test:443:127.0.0.1:{port}")];
    assert_eq!(env.ok(&moved).status, 200);
    // ...which cannot work when the URL names its port: said before sending.
    let mut named = env.profile("/echo");
    named.url = "https://api.certbench.test:9/echo".into();
    named.options.connect_to = vec![format!("api.certbench.test:9:127.0.0.1:{port}")];
    let e = prepare::prepare(&named, &Vars::new())
        .unwrap_err()
        .to_string();
    assert!(e.contains("names port 9"), "{e}");
    // Without an override the name does not resolve.
    let mut plain = env.profile("/echo");
    plain.url = format!("https://api.certbench.test:{port}/echo");
    assert_eq!(env.err(&plain).diagnosis.kind, "dns");
}

#[test]
fn the_http_version_is_chosen_or_forced() {
    let env = Env::new();
    let mut p = env.profile("/echo");
    assert_eq!(env.ok(&p).http_version, "HTTP/2.0", "ALPN picks h2");
    p.options.http_version = HttpVersion::Http1;
    let ex = env.ok(&p);
    assert_eq!(ex.http_version, "HTTP/1.1");
    assert_eq!(ex.tls.unwrap().alpn.as_deref(), Some("http/1.1"));
    p.options.http_version = HttpVersion::Http2;
    assert_eq!(env.ok(&p).http_version, "HTTP/2.0");
}

#[test]
fn a_pin_passes_the_right_key_and_names_both_hashes_for_a_wrong_one() {
    let env = Env::new();
    let mut p = env.profile("/echo");
    let pin = env.ok(&p).tls.unwrap().server_chain[0].pin.clone();
    assert!(pin.starts_with("sha256//"), "{pin}");
    p.options.pin = Some(pin.clone());
    assert_eq!(env.ok(&p).status, 200);
    let wrong = engine::net::route::pin_of(b"another key");
    p.options.pin = Some(format!("{wrong};{wrong}"));
    let f = env.err(&p);
    assert_eq!(f.diagnosis.kind, "pin_mismatch", "{}", f.diagnosis.message);
    assert!(
        f.diagnosis.message.contains(&pin),
        "{}",
        f.diagnosis.message
    );
    assert!(
        f.diagnosis.message.contains(&wrong),
        "{}",
        f.diagnosis.message
    );
    // Pins hold with verification off too.
    p.options.verify_tls = false;
    assert_eq!(env.err(&p).diagnosis.kind, "pin_mismatch");
}

/// Secrets of one connection, logged by both ends, must be the same lines, TLS 1.3 and 1.2.
#[test]
fn the_key_log_holds_the_same_secrets_as_openssl_s_server() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    for (file, text) in [
        ("srv.pem", &env.demo.server_cert.cert_pem),
        ("srv.key", &env.demo.server_cert.key_pem),
        ("ca.pem", &env.demo.pki.ca.cert_pem),
    ] {
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    for (version, flag, label) in [
        ("1.3", "-tls1_3", "CLIENT_TRAFFIC_SECRET_0 "),
        ("1.2", "-tls1_2", "CLIENT_RANDOM "),
    ] {
        let theirs = dir.path().join(format!("server-{version}.log"));
        let (_server, port) = start("openssl s_server", Port::FromOs, |port| {
            let mut c = Command::new("openssl");
            c.current_dir(dir.path())
                .args(["s_server", "-accept", &port.to_string(), flag])
                .args(["-cert", "srv.pem", "-key", "srv.key", "-CAfile", "ca.pem"])
                .args(["-Verify", "1", "-www", "-keylogfile"])
                .arg(&theirs);
            c
        });
        let ours = dir.path().join(format!("ours-{version}.log"));
        let mut p = env.profile("/");
        p.url = format!("https://localhost:{port}/");
        let mut req = prepare::prepare(&p, &Vars::new()).unwrap();
        req.keylog = Some(ours.clone());
        let transport = engine::net::transport::Transport::new(env.ks.clone());
        let ex = env.rt.block_on(transport.send(&req)).expect("a response");
        assert_eq!(ex.status, 200, "TLS {version}");
        assert_eq!(
            ex.tls.as_ref().and_then(|t| t.version.clone()).as_deref(),
            Some(format!("TLSv{version}").as_str())
        );
        assert!(
            ex.warnings.iter().any(|w| w.kind == "keylog_active"),
            "{:?}",
            ex.warnings
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&ours).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let ours_text = std::fs::read_to_string(&ours).unwrap();
        let theirs_text = std::fs::read_to_string(&theirs).unwrap();
        let lines: Vec<&str> = ours_text.lines().collect();
        assert!(lines.iter().any(|l| l.starts_with(label)), "{ours_text}");
        for line in &lines {
            assert!(
                theirs_text.lines().any(|t| t.eq_ignore_ascii_case(line)),
                "TLS {version}: {line} is not in openssl's key log:\n{theirs_text}"
            );
        }
    }
}
