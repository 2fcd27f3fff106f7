//! Revocation: a CRL given with `--crl` (DER as the CA signed it, or PEM as `openssl crl`
//! writes it) makes a revoked server certificate a `server_cert_revoked` failure with its date
//! and reason; a CRL that lists another certificate changes nothing; `keys show --crl` says
//! whether our own key is revoked; a file that is not a CRL, or one too large, is named.

use std::process::Command;

use crate::common::{Env, certbench_command};

/// The CRL `der` as PEM, written by `openssl crl` to `pem`.
fn openssl_pem(der: &std::path::Path, pem: &std::path::Path) {
    let (der, pem) = (der.display().to_string(), pem.display().to_string());
    let here = std::path::Path::new(".");
    crate::common::openssl(
        here,
        &[
            "crl", "-inform", "DER", "-in", &der, "-outform", "PEM", "-out", &pem,
        ],
    );
}

/// `send URL --json` with the demo key and CA, kept out of history, and `extra`.
fn send_demo(env: &Env, url: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = crate::common::demo_send_args(url);
    args.push("--json");
    args.extend_from_slice(extra);
    cli(env, &args)
}

fn cli(env: &Env, args: &[&str]) -> (Option<i32>, String, String) {
    let out = certbench_command(env, env.home.path(), args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_revoked_server_certificate_is_named_with_its_date_and_reason() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    // The demo CA revokes the demo server's certificate; openssl writes the CRL as PEM.
    let der = dir.path().join("server.crl.der");
    std::fs::write(&der, env.demo.pki.crl(&[&env.demo.server_cert]).as_ref()).unwrap();
    let pem = dir.path().join("server.crl.pem");
    openssl_pem(&der, &pem);
    let url = format!("{}/echo", env.server.url);
    let send = |extra: &[&str]| send_demo(&env, &url, extra);
    // Without a CRL nothing is checked.
    assert_eq!(send(&[]).0, Some(0));
    for crl in [&der, &pem] {
        let (code, out, _) = send(&["--crl", crl.to_str().unwrap()]);
        assert_ne!(code, Some(0));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["error"]["kind"], "server_cert_revoked", "{v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("CN=localhost was revoked on") && message.contains("(keyCompromise)"),
            "{message}"
        );
        assert!(message.contains(&crl.display().to_string()), "{message}");
    }
    // A CRL that revokes only the client key says nothing about the server.
    let other = dir.path().join("client.crl");
    std::fs::write(&other, env.demo.pki.crl(&[&env.demo.client]).as_ref()).unwrap();
    assert_eq!(send(&["--crl", other.to_str().unwrap()]).0, Some(0));
    // Our own key against that CRL: revoked, with its date, exit 1; against the other, not.
    let (code, _, err) = cli(
        &env,
        &["keys", "show", "demo", "--crl", other.to_str().unwrap()],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("REVOKED: CN=certbench-demo-client, O=certbench demo was revoked on"),
        "{err}"
    );
    let (code, _, err) = cli(
        &env,
        &["keys", "show", "demo", "--crl", der.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("not revoked"), "{err}");
    // Bad input: not a CRL, and one over the size limit, each named; nothing is sent.
    let notcrl = dir.path().join("cert.pem");
    std::fs::write(&notcrl, &env.demo.client.cert_pem).unwrap();
    let (code, out, _) = send(&["--crl", notcrl.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(out.contains("holds no X509 CRL block"), "{out}");
    let huge = dir.path().join("huge.crl");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(engine::net::revocation::CRL_FILE_LIMIT + 1)
        .unwrap();
    let (code, out, _) = send(&["--crl", huge.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(out.contains("cannot read the CRL"), "{out}");
}

/// RFC 9440: an origin behind a TLS terminator reads the client certificate from the
/// `Client-Cert` header. Against such an origin (Python's http.server, plain HTTP), the key's
/// certificate goes in that header as a byte sequence, and the warning says no TLS client
/// authentication happened.
#[test]
fn the_client_cert_header_carries_the_key_to_an_origin_and_says_what_it_is_not() {
    use crate::common::servers::{Port, start};
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let script = "import http.server, sys\nclass H(http.server.BaseHTTPRequestHandler):\n    def do_GET(self):\n        body = (self.headers.get('Client-Cert') or 'none').encode()\n        self.send_response(200)\n        self.send_header('Content-Length', str(len(body)))\n        self.end_headers()\n        self.wfile.write(body)\n    def log_message(self, *a):\n        pass\nhttp.server.HTTPServer(('127.0.0.1', 0), H).serve_forever()\n";
    std::fs::write(dir.path().join("origin.py"), script).unwrap();
    let (_origin, port) = start("python3 http.server origin", Port::FromOs, |_| {
        let mut c = Command::new("python3");
        c.arg("origin.py").current_dir(dir.path());
        c
    });
    let url = format!("http://127.0.0.1:{port}/");
    let (code, out, _) = cli(
        &env,
        &[
            "send",
            &url,
            "--credential",
            "demo",
            "--client-cert-header",
            "--no-history",
            "--json",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    use base64::Engine;
    let want = format!(
        ":{}:",
        base64::engine::general_purpose::STANDARD.encode(env.demo.client.cert_der.as_ref())
    );
    assert_eq!(v["body"], want, "{v}");
    let kinds = crate::common::warning_kinds(&v);
    assert!(kinds.contains(&"client_cert_in_header"), "{kinds:?}");
    assert!(!kinds.contains(&"http_with_credential"), "{kinds:?}");
}

/// nginx with `ssl_crl` refuses a revoked key at the HTTP level (its 400 page): with the same
/// CRL given to the send, the refusal says the key is revoked, when and why.
#[test]
fn nginx_refusing_a_revoked_key_is_explained_by_the_crl_given() {
    use crate::common::servers::nginx_with;
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let crl = dir.path().join("clients.crl.pem");
    let der = dir.path().join("clients.crl.der");
    std::fs::write(&der, env.demo.pki.crl(&[&env.demo.client]).as_ref()).unwrap();
    openssl_pem(&der, &crl);
    let nginx_dir = tempfile::tempdir().unwrap();
    let (_nginx, base) = nginx_with(
        nginx_dir.path(),
        &env.demo.server_cert.cert_pem,
        &env.demo.server_cert.key_pem,
        &env.demo.pki.ca.cert_pem,
        &format!("    ssl_crl {};\n", crl.display()),
    );
    let url = format!("{base}/index.html");
    let send = |extra: &[&str]| {
        let (_, out, _) = send_demo(&env, &url, extra);
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    // Without the CRL: refused, the reason unknown to us.
    let v = send(&[]);
    assert_eq!(v["status"], 400, "{v}");
    assert!(
        crate::common::warning_kinds(&v).contains(&"http_client_cert_rejected"),
        "{v}"
    );
    // With it: the refusal is the revocation, with its date and reason.
    let v = send(&["--crl", crl.to_str().unwrap()]);
    assert_eq!(v["status"], 400, "{v}");
    let w = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "client_cert_revoked")
        .unwrap_or_else(|| panic!("{v}"));
    let message = w["message"].as_str().unwrap();
    assert!(
        message.contains("key demo: CN=certbench-demo-client, O=certbench demo was revoked on")
            && message.contains("(keyCompromise)"),
        "{message}"
    );
}

/// `--check-revocation`: the server's certificate names its CRL (an http distribution point);
/// the list is fetched along the send's route (Python's http.server serves it), kept in the
/// home's cache, and a revoked certificate fails the send with its date. A list that cannot be
/// had is a warning, or with `=strict` a failure before anything is sent.
#[test]
fn check_revocation_fetches_the_crl_the_server_names_and_keeps_it() {
    use crate::common::servers::{Port, closed_port, start};
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (web, port) = start("python3 -m http.server", Port::FromOs, |_| {
        let mut c = Command::new("python3");
        c.args([
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(dir.path());
        c
    });
    let serve = |url: &str| {
        let cert = env
            .demo
            .pki
            .server_with_crl_url(&["localhost", "127.0.0.1"], url);
        let server = env.start(demo::ServerConfig {
            server_chain: vec![cert.cert_der.clone()],
            server_key: cert.key(),
            ..env.demo.config()
        });
        (cert, server)
    };
    let (cert, server) = serve(&format!("http://127.0.0.1:{port}/ca.crl"));
    std::fs::write(
        dir.path().join("ca.crl"),
        env.demo.pki.crl(&[&cert]).as_ref(),
    )
    .unwrap();
    let send = |url: &str, extra: &[&str]| {
        let (code, out, _) = send_demo(&env, &format!("{url}/echo"), extra);
        (
            code,
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        )
    };
    // Unchecked, it answers; checked, its certificate is revoked.
    assert_eq!(send(&server.url, &[]).0, Some(0));
    let (code, v) = send(&server.url, &["--check-revocation"]);
    assert_ne!(code, Some(0), "{v}");
    assert_eq!(v["error"]["kind"], "server_cert_revoked", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("CN=localhost was revoked on"),
        "{v}"
    );
    // The list is kept: with its server gone, the check still holds.
    drop(web);
    let (_, v) = send(&server.url, &["--check-revocation"]);
    assert_eq!(v["error"]["kind"], "server_cert_revoked", "{v}");
    assert!(
        env.home
            .path()
            .join("crl-cache")
            .read_dir()
            .unwrap()
            .count()
            == 1
    );
    // A list nobody serves: a warning, and the send goes on; strict: nothing is sent.
    let (closed, _guard) = closed_port();
    let (_, unreachable) = serve(&format!("http://{closed}/ca.crl"));
    let (code, v) = send(&unreachable.url, &["--check-revocation"]);
    assert_eq!(code, Some(0), "{v}");
    assert!(
        crate::common::warning_kinds(&v).contains(&"crl_unavailable"),
        "{v}"
    );
    let (code, v) = send(&unreachable.url, &["--check-revocation=strict"]);
    assert_ne!(code, Some(0), "{v}");
    assert_eq!(v["error"]["kind"], "crl_unavailable", "{v}");
}

/// A stapled OCSP response (openssl's `ocsp` responder writes it, `openssl s_server
/// -status_file` staples it) is shown in the handshake's story: good, or revoked with the date.
#[test]
fn a_stapled_ocsp_response_is_shown_good_or_revoked() {
    use crate::common::servers::{Port, start};
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ca.pem"), &env.demo.pki.ca.cert_pem).unwrap();
    std::fs::write(d.join("ca.key"), &env.demo.pki.ca.key_pem).unwrap();
    std::fs::write(d.join("srv.pem"), &env.demo.server_cert.cert_pem).unwrap();
    std::fs::write(d.join("srv.key"), &env.demo.server_cert.key_pem).unwrap();
    let openssl = |args: &[&str]| crate::common::openssl(d, args);
    let serial = openssl(&["x509", "-in", "srv.pem", "-noout", "-serial"]);
    let serial = serial.trim().trim_start_matches("serial=").to_string();
    openssl(&[
        "ocsp",
        "-issuer",
        "ca.pem",
        "-cert",
        "srv.pem",
        "-reqout",
        "req.der",
        "-no_nonce",
    ]);
    for (state, line) in [
        (
            "good",
            format!("V\t491231235959Z\t\t{serial}\tunknown\t/CN=localhost\n"),
        ),
        (
            "revoked",
            format!("R\t491231235959Z\t261201000000Z\t{serial}\tunknown\t/CN=localhost\n"),
        ),
    ] {
        std::fs::write(d.join("index.txt"), line).unwrap();
        let resp = format!("{state}.der");
        openssl(&[
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            "ca.pem",
            "-rkey",
            "ca.key",
            "-CA",
            "ca.pem",
            "-reqin",
            "req.der",
            "-respout",
            &resp,
            "-ndays",
            "1",
        ]);
        let (_server, port) = start("openssl s_server -status_file", Port::Chosen, |port| {
            let mut c = Command::new("openssl");
            c.args([
                "s_server",
                "-accept",
                &port.to_string(),
                "-cert",
                "srv.pem",
                "-key",
                "srv.key",
            ])
            .args(["-status_file", &resp, "-www", "-quiet"])
            .current_dir(d);
            c
        });
        let url = format!("https://localhost:{port}/");
        let (_, _, err) = cli(
            &env,
            &["send", &url, "--trust", "demo-ca", "--no-history", "-v"],
        );
        let expected = match state {
            "good" => "stapled OCSP (read, not verified): good, this update".to_string(),
            _ => "stapled OCSP (read, not verified): revoked since 2026-12-01 00:00:00 UTC"
                .to_string(),
        };
        assert!(err.contains(&expected), "{state}: {err}");
    }
}
