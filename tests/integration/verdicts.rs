//! Verdicts only on what was seen: nginx's HTTP-level refusals read by `keys check` and `send`,
//! Node closing the connection after our certificate, "we would have sent", and a server that
//! never asked for a certificate.

use std::process::Command;

use crate::common::Env;
use crate::common::servers::{Running, nginx};
use demo::{ClientAuth, Days, Pki};
use engine::keys::check::{self, CheckOutcome};
use engine::request::prepare;
use engine::request::vars::Vars;

/// An env with extra keys: `expired` (the demo CA, expired yesterday) and `stranger` (another CA).
fn env_with_bad_keys() -> Env {
    let env = Env::new();
    let expired = env
        .demo
        .pki
        .client("expired-client", Days { from: -30, to: -1 });
    env.ks
        .import_pem(
            "expired",
            expired.cert_pem.as_bytes(),
            expired.key_pem.as_bytes(),
            None,
            "expired",
        )
        .unwrap();
    let other = Pki::new("Some Other CA");
    let stranger = other.client("stranger-client", Days::default());
    env.ks
        .import_pem(
            "stranger",
            stranger.cert_pem.as_bytes(),
            stranger.key_pem.as_bytes(),
            None,
            "stranger",
        )
        .unwrap();
    env
}

/// nginx trusting the demo CA for clients, serving the demo's certificate.
fn nginx_for(env: &Env, dir: &std::path::Path) -> (Running, String) {
    nginx(
        dir,
        &env.demo.server_cert.cert_pem,
        &env.demo.server_cert.key_pem,
        &env.demo.pki.ca.cert_pem,
    )
}

fn check_on(env: &Env, url: &str, key: &str) -> check::KeyCheck {
    let mut p = env.profile("/");
    p.url = url.to_string();
    p.credential = Some(key.into());
    let req = prepare::prepare(&p, &Vars::new()).unwrap();
    env.rt.block_on(check::check_key(&env.transport, &req))
}

fn keys_check_cli(env: &Env, url: &str, key: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_certbench"))
        .args([
            "keys", "check", key, "--url", url, "--trust", "demo-ca", "-v",
        ])
        .env("CERTBENCH_HOME", env.home.path())
        .output()
        .unwrap()
}

#[test]
fn keys_check_against_nginx_reads_its_http_level_refusals() {
    let env = env_with_bad_keys();
    let dir = tempfile::tempdir().unwrap();
    let (_nginx, base) = nginx_for(&env, dir.path());
    let url = format!("{base}/index.html");

    let good = check_on(&env, &url, "demo");
    assert_eq!(good.outcome, CheckOutcome::Accepted, "{:?}", good.diagnosis);
    assert_eq!(good.probe.http.as_ref().map(|a| a.status), Some(200));

    let expired = check_on(&env, &url, "expired");
    assert_eq!(expired.outcome, CheckOutcome::RejectedAtHttp);
    assert!(!expired.accepted);
    let d = expired.diagnosis.unwrap();
    assert_eq!(d.kind, "http_client_cert_rejected");
    assert!(
        d.message.contains("key expired expired on"),
        "{}",
        d.message
    );
    assert!(d.hint.contains("currently valid"), "{}", d.hint);

    let stranger = check_on(&env, &url, "stranger");
    assert_eq!(stranger.outcome, CheckOutcome::RejectedAtHttp);
    let d = stranger.diagnosis.unwrap();
    assert!(d.message.contains("Some Other CA"), "{}", d.message);
    assert!(
        d.message.contains("certbench demo CA"),
        "names the CA nginx accepts: {}",
        d.message
    );

    // The command line: exit 0 only for the good key, and the words say where it was refused.
    let ok = keys_check_cli(&env, &url, "demo");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("accepted"));
    let bad = keys_check_cli(&env, &url, "expired");
    assert_eq!(bad.status.code(), Some(2));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.starts_with("rejected at the HTTP level"), "{out}");
    assert!(!out.contains("accepted"), "{out}");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("answered GET with 400"),
        "-v shows the answer: {err}"
    );
}

#[test]
fn a_send_refused_by_nginx_names_the_expired_key_first() {
    let env = env_with_bad_keys();
    let dir = tempfile::tempdir().unwrap();
    let (_nginx, base) = nginx_for(&env, dir.path());
    let mut p = env.profile("/");
    p.url = format!("{base}/index.html");
    p.credential = Some("expired".into());
    let ex = env.ok(&p);
    assert_eq!(ex.status, 400);
    let w = ex
        .warnings
        .iter()
        .find(|w| w.kind == "http_client_cert_rejected")
        .expect("the 400 is explained");
    assert!(w.message.contains("expired on"), "{}", w.message);
    assert!(!w.hint.contains("which CA they trust"), "{}", w.hint);
}

#[test]
fn a_stopped_handshake_says_what_we_would_have_sent_not_what_we_sent() {
    let env = Env::new();
    let mut p = env.profile("/");
    p.trust.clear();
    let f = env.err(&p);
    let tls = f
        .tls
        .expect("the handshake got as far as the server's certificate");
    let story = tls.story().join("\n");
    assert!(tls.client_cert_sent.is_none(), "{story}");
    assert!(story.contains("we would have sent"), "{story}");
    assert!(!story.contains("we sent:"), "{story}");
    // A cipher suite is never named without its version.
    if tls.cipher.is_some() {
        assert!(tls.version.is_some(), "{story}");
        assert!(!story.contains("version not seen"), "{story}");
    }
}

#[test]
fn a_server_that_never_asked_is_said_on_stderr() {
    let env = Env::with(|c| c.client_auth = ClientAuth::Off);
    let url = format!("{}/", env.server.url);
    let out =
        crate::common::certbench_in(&env, env.home.path(), &crate::common::demo_send_args(&url));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("never asked for a client certificate: key demo was not sent"),
        "{err}"
    );
}

/// Node's https server asking for a certificate, accepting any at the handshake, then closing
/// the connection when the certificate is not from its CA (as many Node APIs do).
fn node_closing(env: &Env, dir: &std::path::Path) -> (Running, String) {
    crate::common::servers::write_demo_files(env, dir);
    crate::common::servers::node(
        dir,
        "const https = require('https'); const fs = require('fs');\n\
         const s = https.createServer({key: fs.readFileSync('srv.key'), cert: fs.readFileSync('srv.pem'),\n\
           ca: fs.readFileSync('ca.pem'), requestCert: true, rejectUnauthorized: false}, (req, res) => res.end('ok'));\n\
         s.on('secureConnection', (sock) => { if (!sock.authorized) sock.destroy(); });\n\
         s.listen(parseInt(process.argv[2], 10), '127.0.0.1');\n",
    )
}

#[test]
fn node_closing_after_our_certificate_names_the_issuer_it_does_not_accept() {
    let env = env_with_bad_keys();
    let dir = tempfile::tempdir().unwrap();
    let (_node, base) = node_closing(&env, dir.path());
    let mut p = env.profile("/");
    p.url = format!("{base}/");
    assert_eq!(env.ok(&p).status, 200, "the demo key is accepted");
    p.credential = Some("stranger".into());
    let f = env.err(&p);
    let d = f.diagnosis;
    assert_eq!(d.kind, "client_cert_rejected", "{}", d.message);
    assert!(
        d.message.contains("issued by") && d.message.contains("Some Other CA"),
        "{}",
        d.message
    );
    assert!(d.message.contains("certbench demo CA"), "{}", d.message);
    assert!(!d.message.contains("most likely"), "{}", d.message);
}

#[test]
fn a_check_that_sent_nothing_is_not_a_verdict() {
    let env = Env::new();
    let out = keys_check_cli(&env, &format!("{}/", env.server.url), "no-such-key");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("not checked: no key named"), "{text}");
    assert!(!text.contains("rejected"), "{text}");
    assert_eq!(out.status.code(), Some(1));
}
