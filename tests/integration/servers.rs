//! Servers nobody here wrote: Apache httpd with per-location client auth (post-handshake / renegotiation),
//! and openssl s_server with a CN-only certificate; each tried the way a user meets it.

use std::path::Path;
use std::process::Command;

use crate::common::Env;
use crate::common::servers::{Port, Running, start};
use engine::keys::check::{self, CheckOutcome};
use engine::request::prepare;
use engine::request::vars::Vars;

fn module(name: &str) -> String {
    format!("LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so")
}

/// Apache httpd (Debian's apache2) that asks for a client certificate only under /secure.
fn apache(env: &Env, dir: &Path, protocol: &str) -> (Running, String) {
    crate::common::servers::write_demo_files(env, dir);
    std::fs::create_dir_all(dir.join("www/secure")).unwrap();
    std::fs::write(dir.join("www/index.html"), "open\n").unwrap();
    std::fs::write(dir.join("www/secure/index.html"), "secret\n").unwrap();
    let d = dir.display();
    let (running, port) = start("apache2", Port::Chosen, |port| {
        let conf = format!(
            "ServerRoot {d}\nDefaultRuntimeDir {d}\nPidFile {d}/httpd.pid\nListen 127.0.0.1:{port}\n{}\n{}\n{}\n\
         ErrorLog {d}/error.log\nLogLevel info\nDocumentRoot {d}/www\nServerName localhost\n\
         SSLEngine on\nSSLCertificateFile {d}/srv.pem\nSSLCertificateKeyFile {d}/srv.key\n\
         SSLCACertificateFile {d}/ca.pem\nSSLProtocol -all +{protocol}\n\
         <Location /secure>\n  SSLVerifyClient require\n</Location>\n",
            module("mpm_event"),
            module("authz_core"),
            module("ssl"),
        );
        std::fs::write(dir.join("httpd.conf"), conf).unwrap();
        let mut c = Command::new("apache2");
        c.args(["-f", &format!("{d}/httpd.conf"), "-DFOREGROUND"]);
        c
    });
    (running, format!("https://localhost:{port}"))
}

#[test]
fn apache_per_location_client_auth_is_explained_under_tls13_and_tls12() {
    let env = Env::new();
    for protocol in ["TLSv1.3", "TLSv1.2"] {
        let dir = tempfile::tempdir().unwrap();
        let (_server, base) = apache(&env, dir.path(), protocol);
        let mut p = env.profile("/");
        p.url = format!("{base}/secure/");
        let diagnosis = match env.send(&p) {
            // TLS 1.3: Apache answers 403 "Cannot perform Post-Handshake Authentication".
            Ok(ex) => {
                assert_eq!(ex.status, 403, "{protocol}");
                ex.warnings
                    .into_iter()
                    .find(|w| w.kind == "client_cert_post_handshake")
                    .unwrap_or_else(|| panic!("{protocol}: no post-handshake warning"))
            }
            // TLS 1.2: a HelloRequest after the request, then handshake_failure.
            Err(f) => f.diagnosis,
        };
        assert_eq!(
            diagnosis.kind, "client_cert_post_handshake",
            "{protocol}: {}",
            diagnosis.message
        );
        assert!(
            diagnosis.message.contains("after the handshake"),
            "{}",
            diagnosis.message
        );
        assert!(
            diagnosis.hint.contains("SSLVerifyClient require"),
            "{}",
            diagnosis.hint
        );
        // The open part of the same server works.
        let mut open = env.profile("/");
        open.url = format!("{base}/index.html");
        assert_eq!(env.ok(&open).status, 200, "{protocol}");
        // keys check there: the server never asked, so nothing was accepted.
        let req = prepare::prepare(&open, &Vars::new()).unwrap();
        let report = env.rt.block_on(check::check_key(&env.transport, &req));
        assert_eq!(report.outcome, CheckOutcome::NotAsked, "{protocol}");
        assert!(!report.accepted);
        let d = report.diagnosis.unwrap();
        assert!(
            d.message
                .contains("without asking for a client certificate"),
            "{}",
            d.message
        );
    }
}

/// Node's https server (HTTP/1.1), asking for a client certificate; `/N` answers with N headers.
fn node_many_headers(env: &Env, dir: &Path) -> (Running, String) {
    crate::common::servers::write_demo_files(env, dir);
    let script = r#"
const fs = require('fs'), https = require('https');
const opts = { key: fs.readFileSync('srv.key'), cert: fs.readFileSync('srv.pem'),
  ca: fs.readFileSync('ca.pem'), requestCert: true, rejectUnauthorized: true };
https.createServer(opts, (req, res) => {
  const n = parseInt(req.url.slice(1), 10) || 0;
  for (let i = 0; i < n; i++) res.setHeader('x-h' + i, String(i));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ cn: req.socket.getPeerCertificate().subject.CN, headers: n }));
}).listen(parseInt(process.argv[2], 10), '127.0.0.1');
"#;
    crate::common::servers::node(dir, script)
}

#[test]
fn node_over_http1_many_headers_are_read_and_too_many_name_the_limit() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = node_many_headers(&env, dir.path());
    // 150 headers: hyper's default of 100 refused this; 20,000 (about 300 KB): curl reads it.
    let mut p = env.profile("/");
    for n in [150, 20_000] {
        p.url = format!("{base}/{n}");
        let ex = env.ok(&p);
        assert_eq!(ex.http_version, "HTTP/1.1");
        assert!(
            ex.headers
                .iter()
                .any(|(k, _)| k == &format!("x-h{}", n - 1))
        );
        assert!(String::from_utf8_lossy(&ex.body).contains("certbench-demo-client"));
    }
    // 40,000 headers (about 700 KB of head): over the limit, named as ours, not the server's.
    p.url = format!("{base}/40000");
    let f = env.err(&p);
    assert_eq!(f.diagnosis.kind, "response_headers_too_large", "{f:?}");
    assert!(
        f.diagnosis.message.contains("certbench reads at most"),
        "{}",
        f.diagnosis.message
    );
}

#[test]
fn keys_check_still_accepts_where_the_server_asks() {
    let env = Env::new();
    let req = prepare::prepare(&env.profile("/"), &Vars::new()).unwrap();
    let report = env.rt.block_on(check::check_key(&env.transport, &req));
    assert_eq!(report.outcome, CheckOutcome::Accepted);
    assert!(report.accepted);
}

#[test]
fn server_certificate_without_subject_alt_name_is_named_and_can_be_pinned() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ca.pem"), &env.demo.pki.ca.cert_pem).unwrap();
    std::fs::write(d.join("ca.key"), &env.demo.pki.ca.key_pem).unwrap();
    let openssl = |args: &[&str]| {
        crate::common::openssl(d, args);
    };
    // A CN-only server certificate, issued by the CA the client trusts.
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "cn.key",
        "-subj",
        "/CN=localhost",
        "-out",
        "cn.csr",
    ]);
    std::fs::write(
        d.join("v3.ext"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509", "-req", "-in", "cn.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-out", "cn.pem",
        "-days", "30", "-extfile", "v3.ext",
    ]);
    let (_server, port) = start("openssl s_server", Port::FromOs, |port| {
        let mut c = Command::new("openssl");
        c.args(["s_server", "-accept", &port.to_string()])
            .args(["-cert", "cn.pem", "-key", "cn.key", "-www", "-quiet"])
            .current_dir(d);
        c
    });
    let mut p = env.profile("/");
    p.url = format!("https://localhost:{port}/");
    p.credential = None;
    let f = env.err(&p);
    assert_eq!(f.diagnosis.kind, "server_name_mismatch");
    assert!(
        f.diagnosis.message.contains("no subjectAltName"),
        "{}",
        f.diagnosis.message
    );
    assert_eq!(
        f.diagnosis.step,
        Some(engine::exchange::Fix::TrustExactCertificate)
    );
    // Pinned exactly, it is accepted.
    env.ks
        .add_trusted(
            "cn-only",
            &std::fs::read(d.join("cn.pem")).unwrap(),
            None,
            "cn.pem",
        )
        .unwrap();
    p.trust = vec!["cn-only".into()];
    let ex = env.ok(&p);
    assert_eq!(ex.status, 200);
}

/// gnutls-serv (Debian's gnutls-bin) limited by a priority string to one version, suite and group.
fn gnutls_serv(env: &Env, dir: &Path, priority: &str) -> (Running, String) {
    crate::common::servers::write_demo_files(env, dir);
    // Given port 0, gnutls-serv takes different ports for IPv4 and IPv6; "localhost" needs one.
    let (running, port) = start("gnutls-serv", Port::Chosen, |port| {
        let mut c = Command::new("gnutls-serv");
        c.current_dir(dir).args([
            "--http",
            "--port",
            &port.to_string(),
            "--x509certfile",
            "srv.pem",
            "--x509keyfile",
            "srv.key",
            "--x509cafile",
            "ca.pem",
            "--require-client-cert",
            "--priority",
            priority,
        ]);
        c
    });
    (running, format!("https://localhost:{port}/"))
}

#[test]
fn every_completed_handshake_names_its_suite_and_group_under_tls12_and_tls13() {
    let env = Env::new();
    for (priority, version, suite, group) in [
        (
            "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305:-GROUP-ALL:+GROUP-SECP384R1",
            "TLSv1.2",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "secp384r1",
        ),
        (
            "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:+GROUP-X25519",
            "TLSv1.2",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "X25519",
        ),
        (
            "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM:-GROUP-ALL:+GROUP-SECP256R1",
            "TLSv1.3",
            "TLS13_AES_256_GCM_SHA384",
            "secp256r1",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (_server, url) = gnutls_serv(&env, dir.path(), priority);
        let mut p = env.profile("/");
        p.url = url;
        let ex = env.ok(&p);
        let tls = ex.tls.expect("TLS facts");
        assert_eq!(tls.version.as_deref(), Some(version), "{priority}");
        assert_eq!(tls.cipher.as_deref(), Some(suite), "{priority}");
        assert_eq!(tls.key_exchange.as_deref(), Some(group), "{priority}");
        assert_eq!(tls.sni.as_deref(), Some("localhost"));
        assert!(
            tls.client_cert_sent.is_some(),
            "the key was asked for and sent"
        );
        let story = tls.story().join("\n");
        assert!(!story.contains("not reported"), "{story}");
    }
}

/// A self-signed CA certificate (CA:TRUE, made by openssl) served as the server's own: rustls's
/// webpki refuses it as a CA used as an end entity, which is named, and pinning it exactly works.
#[test]
fn a_ca_certificate_served_as_the_servers_own_is_named_and_can_be_pinned() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args([
            "-nodes",
            "-keyout",
            "self.key",
            "-out",
            "self.pem",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE", "-days", "2"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let (_server, port) = start("openssl s_server", Port::FromOs, |port| {
        let mut c = Command::new("openssl");
        c.args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
            .args(["-cert", "self.pem", "-key", "self.key", "-www", "-quiet"])
            .current_dir(d);
        c
    });
    let mut p = env.profile("/");
    p.url = format!("https://localhost:{port}/");
    p.credential = None;
    let f = env.err(&p);
    assert_eq!(f.diagnosis.kind, "server_cert_untrusted", "{f:?}");
    assert!(
        f.diagnosis
            .message
            .contains("is a CA certificate (CA:TRUE)"),
        "{}",
        f.diagnosis.message
    );
    assert_eq!(
        f.diagnosis.step,
        Some(engine::exchange::Fix::TrustExactCertificate)
    );
    env.ks
        .add_trusted(
            "self",
            &std::fs::read(d.join("self.pem")).unwrap(),
            None,
            "self.pem",
        )
        .unwrap();
    p.trust = vec!["self".into()];
    assert_eq!(env.ok(&p).status, 200);
}
