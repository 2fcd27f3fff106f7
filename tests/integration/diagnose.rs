//! Each failure scenario against a real server configured to produce it, with the expected explanation.

use crate::common::Env;
use crate::common::servers::{Port, start};
use demo::{ClientAuth, Days, Pki, Versions, self_signed_server};
use engine::diagnose::Failure;
use engine::keys::check;
use engine::request::prepare;
use engine::request::vars::Vars;

fn assert_kind(f: &Failure, kind: &str, needle: &str) {
    assert_eq!(
        f.diagnosis.kind, kind,
        "{} / {:?}",
        f.diagnosis.message, f.chain
    );
    assert!(
        f.diagnosis.message.contains(needle),
        "{:?} should mention {needle:?}",
        f.diagnosis.message
    );
    assert!(!f.diagnosis.hint.is_empty() || f.diagnosis.step.is_some());
}

#[test]
fn no_client_certificate_tls13() {
    let env = Env::new();
    let mut p = env.profile("/echo");
    p.credential = None;
    let f = env.err(&p);
    assert_kind(&f, "client_cert_required", "no credential key is selected");
    // The core names no interface's key or flag; each interface adds its own.
    assert!(!f.diagnosis.hint.contains("Ctrl-K"), "{}", f.diagnosis.hint);
    assert_eq!(
        tui::fixes::hint(&f.diagnosis),
        format!("pick a key with Ctrl-K; {}", f.diagnosis.hint)
    );
}

#[test]
fn no_client_certificate_tls12() {
    let env = Env::with(|c| c.versions = Versions::Tls12);
    let mut p = env.profile("/echo");
    p.credential = None;
    assert_kind(&env.err(&p), "client_cert_required", "none was sent");
}

#[test]
fn key_selected_but_mutual_tls_off() {
    let env = Env::new();
    let mut p = env.profile("/echo");
    p.options.mutual_tls = Some(false);
    let f = env.err(&p);
    assert_kind(&f, "client_cert_required", "Use Mutual TLS is off");
    assert!(f.warnings.iter().any(|w| w.kind == "mtls_off"));
}

#[test]
fn client_certificate_from_unknown_ca() {
    let env = Env::new();
    let other = Pki::new("Other CA");
    let stranger = other.client("stranger", Days::default());
    env.ks
        .import_pem(
            "stranger",
            stranger.cert_pem.as_bytes(),
            stranger.key_pem.as_bytes(),
            None,
            "x",
        )
        .unwrap();
    let mut p = env.profile("/echo");
    p.credential = Some("stranger".into());
    let f = env.err(&p);
    assert_kind(&f, "client_cert_unknown_ca", "CN=certbench demo CA");
    assert!(
        f.diagnosis.message.contains("Other CA"),
        "{}",
        f.diagnosis.message
    );
}

#[test]
fn incomplete_chain_on_our_side() {
    let env = Env::new();
    let inter = env.demo.pki.intermediate("Demo Issuing CA");
    let leaf = inter.client("leaf-only", Days::default());
    env.ks
        .import_pem(
            "leaf-only",
            leaf.cert_pem.as_bytes(),
            leaf.key_pem.as_bytes(),
            None,
            "x",
        )
        .unwrap();
    let mut p = env.profile("/echo");
    p.credential = Some("leaf-only".into());
    assert_kind(
        &env.err(&p),
        "client_cert_unknown_ca",
        "no intermediate certificate",
    );
    // With the intermediate in the chain the same server accepts it.
    let chain = format!("{}{}", leaf.cert_pem, inter.ca.cert_pem);
    env.ks
        .import_pem(
            "with-chain",
            chain.as_bytes(),
            leaf.key_pem.as_bytes(),
            None,
            "x",
        )
        .unwrap();
    p.credential = Some("with-chain".into());
    assert_eq!(env.ok(&p).status, 200);
}

#[test]
fn our_certificate_expired() {
    let env = Env::new();
    let old = env.demo.pki.client(
        "old",
        Days {
            from: -400,
            to: -35,
        },
    );
    env.ks
        .import_pem(
            "old",
            old.cert_pem.as_bytes(),
            old.key_pem.as_bytes(),
            None,
            "x",
        )
        .unwrap();
    let mut p = env.profile("/echo");
    p.credential = Some("old".into());
    let f = env.err(&p);
    assert_kind(&f, "client_cert_expired", "OUR certificate");
    assert!(
        f.warnings.iter().any(|w| w.kind == "credential_expired"),
        "preflight warns too"
    );
}

#[test]
fn server_asks_for_other_cas_warns_even_on_success() {
    let other = Pki::new("Partner Root CA");
    let env = Env::with(|c| {
        c.client_auth = ClientAuth::Optional;
        c.client_roots = vec![other.ca.cert_der.clone()];
    });
    let mut p = env.profile("/echo");
    p.credential = None;
    let ex = env.ok(&p);
    assert_eq!(
        ex.tls.as_ref().unwrap().acceptable_ca_names,
        vec!["CN=Partner Root CA, O=certbench demo".to_string()]
    );
    // With our key, issued by the demo CA, a warning names both sides before any alert.
    let req = prepare::prepare(&env.profile("/echo"), &Vars::new()).unwrap();
    let check = env.rt.block_on(check::check_key(&env.transport, &req));
    assert!(!check.accepted);
    assert_eq!(check.diagnosis.unwrap().kind, "client_cert_unknown_ca");
}

#[test]
fn server_certificate_untrusted_then_trusted_then_insecure() {
    let env = Env::new();
    let mut p = env.profile("/echo");
    p.trust.clear();
    let f = env.err(&p);
    assert_kind(&f, "server_cert_untrusted", "certbench demo CA");
    assert_eq!(f.diagnosis.step, Some(engine::exchange::Fix::TrustServer));
    let words = tui::fixes::hint(&f.diagnosis);
    assert!(words.contains("press T"), "{words}");
    assert!(words.contains("Verify TLS off"), "{words}");
    p.options.verify_tls = false;
    let ex = env.ok(&p);
    let tls = ex.tls.unwrap();
    assert!(tls.unverified);
    assert_eq!(tls.verified_by.as_deref(), Some("verification off"));
    assert_eq!(tls.server_chain.len(), 1, "the chain is still recorded");
    assert!(ex.warnings.iter().any(|w| w.kind == "unverified"));
}

#[test]
fn self_signed_leaf_pinned_is_accepted_but_name_still_checked() {
    let leaf = self_signed_server(&["localhost"], Days::default());
    let env = Env::with(|c| {
        c.server_chain = vec![leaf.cert_der.clone()];
        c.server_key = leaf.key();
    });
    env.ks
        .add_trusted("pinned", leaf.cert_pem.as_bytes(), None, "leaf")
        .unwrap();
    let mut p = env.profile("/echo");
    p.trust = vec!["pinned".into()];
    let ex = env.ok(&p);
    assert!(ex.tls.unwrap().verified_by.is_some());
    // Same certificate, reached by a name it does not carry: refused, with the names it has.
    p.url = p.url.replace("localhost", "127.0.0.1");
    assert_kind(&env.err(&p), "server_name_mismatch", "DNS:localhost");
}

#[test]
fn server_name_mismatch_lists_names() {
    let env = Env::new();
    let wrong = env.demo.pki.server(&["api.example.test"], Days::default());
    let server = env.start(demo::ServerConfig {
        server_chain: vec![wrong.cert_der.clone()],
        server_key: wrong.key(),
        ..env.demo.config()
    });
    let mut p = env.profile("/echo");
    p.url = format!("{}/echo", server.url);
    assert_kind(&env.err(&p), "server_name_mismatch", "DNS:api.example.test");
}

#[test]
fn server_certificate_expired() {
    let env = Env::new();
    let old = env
        .demo
        .pki
        .server(&["localhost"], Days { from: -100, to: -2 });
    let server = env.start(demo::ServerConfig {
        server_chain: vec![old.cert_der.clone()],
        server_key: old.key(),
        ..env.demo.config()
    });
    let mut p = env.profile("/echo");
    p.url = format!("{}/echo", server.url);
    assert_kind(&env.err(&p), "server_cert_expired", "expired on");
}

#[test]
fn nginx_style_http_400_is_recognised() {
    let env = Env::with(|c| c.nginx_style = true);
    let mut p = env.profile("/echo");
    p.options.mutual_tls = Some(false);
    let ex = env.ok(&p);
    assert_eq!(ex.status, 400);
    let w = ex
        .warnings
        .iter()
        .find(|w| w.kind == "http_client_cert_missing")
        .expect("explained");
    assert!(w.message.contains("Use Mutual TLS is off"), "{}", w.message);
}

#[test]
fn connection_refused_is_named() {
    let env = Env::new();
    let mut p = env.profile("/echo");
    p.url = "https://127.0.0.1:1/".into();
    assert_kind(&env.err(&p), "connection_refused", "127.0.0.1:1");
}

/// A key check meets the same two failures before TLS, told apart by where they happened (the
/// socket, the resolver), never by the words of the error.
#[test]
fn a_key_check_names_a_refused_port_and_a_name_that_does_not_resolve() {
    let env = Env::new();
    let (closed, _held) = crate::common::servers::closed_port();
    for (url, kind) in [
        (format!("https://{closed}/"), "connection_refused"),
        ("https://no-such-host.invalid/".to_string(), "dns"),
    ] {
        let mut p = env.profile("/");
        p.url = url.clone();
        let req = prepare::prepare(&p, &Vars::new()).unwrap();
        let check = env.rt.block_on(check::check_key(&env.transport, &req));
        assert!(!check.accepted, "{url}");
        let d = check.diagnosis.expect("a diagnosis");
        assert_eq!(d.kind, kind, "{url}: {}", d.message);
    }
}

#[test]
fn key_check_accepts_a_good_key() {
    let env = Env::new();
    let req = prepare::prepare(&env.profile("/"), &Vars::new()).unwrap();
    let check = env.rt.block_on(check::check_key(&env.transport, &req));
    assert!(check.accepted, "{:?}", check.diagnosis);
    assert_eq!(check.outcome, check::CheckOutcome::Accepted);
}

#[test]
fn revoked_client_certificate_tls13_and_tls12() {
    for versions in [Versions::Tls13, Versions::Tls12] {
        let env = Env::new();
        let crl = env.demo.pki.crl(&[&env.demo.client]);
        let server = env.start(demo::ServerConfig {
            client_crls: vec![crl],
            versions,
            ..env.demo.config()
        });
        let mut p = env.profile("/echo");
        p.url = format!("{}/echo", server.url);
        assert_kind(&env.err(&p), "client_cert_revoked", "key demo");
        // A key from the same CA that is not on the list still gets in.
        let fresh = env.demo.pki.client("not-revoked", Days::default());
        env.ks
            .import_pem(
                "fresh",
                fresh.cert_pem.as_bytes(),
                fresh.key_pem.as_bytes(),
                None,
                "fresh",
            )
            .unwrap();
        p.credential = Some("fresh".into());
        assert_eq!(env.ok(&p).status, 200);
    }
}

/// A real OpenSSL server (`openssl s_server`) with the given options, on a free port; killed on drop.
struct OpenSsl {
    _server: crate::common::servers::Running,
    url: String,
    _dir: tempfile::TempDir,
}

impl OpenSsl {
    fn start(options: &[&str]) -> OpenSsl {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
        let made = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-days",
                "2",
                "-keyout",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("the openssl CLI is installed (.ci/run installs it)");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let (server, port) = start("openssl s_server", Port::FromOs, |port| {
            let mut c = std::process::Command::new("openssl");
            c.args([
                "s_server",
                "-www",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-cert",
            ])
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .args(options);
            c
        });
        OpenSsl {
            _server: server,
            url: format!("https://127.0.0.1:{port}/"),
            _dir: dir,
        }
    }
}

#[test]
fn no_common_tls_version_with_an_old_server() {
    let env = Env::new();
    let old = OpenSsl::start(&["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]);
    let mut p = env.profile("/");
    p.url = old.url.clone();
    p.credential = None;
    p.options.verify_tls = false;
    let f = env.err(&p);
    assert_kind(&f, "protocol_mismatch", "share no TLS version");
    assert!(f.diagnosis.hint.contains("TLS 1.2"), "{}", f.diagnosis.hint);
}

#[test]
fn no_common_cipher_suite() {
    let env = Env::new();
    // Static-RSA key exchange only: a suite rustls never offers.
    let old = OpenSsl::start(&["-tls1_2", "-cipher", "AES128-SHA"]);
    let mut p = env.profile("/");
    p.url = old.url.clone();
    p.credential = None;
    p.options.verify_tls = false;
    let f = env.err(&p);
    assert_kind(&f, "protocol_mismatch", "cipher suite");
    assert!(f.diagnosis.hint.contains("AES-GCM"), "{}", f.diagnosis.hint);
}
