//! `trust add NAME --from-url URL` against nginx serving a chain openssl made (leaf and an
//! intermediate): each certificate shown with its SHA-256, the one picked stored, then trusted.

use std::path::Path;

use crate::common::servers::nginx_with;
use crate::common::tmux::{new_session, tmux, wait_for};
use crate::common::{Env, certbench_in, openssl};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Root, intermediate and a localhost leaf (ECDSA P-256), in `dir`.
fn corp_chain(dir: &Path) {
    let key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut args = vec!["req", "-x509"];
    args.extend(key);
    args.extend([
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-subj",
        "/CN=Corp Root",
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &args);
    std::fs::write(
        dir.join("int.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("srv.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    for (name, cn, ca, ca_key, ext) in [
        (
            "int",
            "/CN=Corp Issuing CA",
            "root.pem",
            "root.key",
            "int.ext",
        ),
        ("leaf", "/CN=localhost", "int.pem", "int.key", "srv.ext"),
    ] {
        let (keyfile, csr, pem) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        let mut args = vec!["req"];
        args.extend(key);
        args.extend(["-keyout", &keyfile, "-out", &csr, "-subj", cn]);
        openssl(dir, &args);
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                ca,
                "-CAkey",
                ca_key,
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "30",
                "-extfile",
                ext,
            ],
        );
    }
}

/// openssl's SHA-256 fingerprint of a PEM file, as `AB:CD:...`.
fn fingerprint(dir: &Path, pem: &str) -> String {
    let out = openssl(
        dir,
        &["x509", "-in", pem, "-noout", "-fingerprint", "-sha256"],
    );
    out.trim()
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_certificate_the_server_presents_is_shown_picked_stored_and_then_trusted() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    corp_chain(dir.path());
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let fullchain = read("leaf.pem") + &read("int.pem");
    let (_nginx, url) = nginx_with(
        dir.path(),
        &fullchain,
        &read("leaf.key"),
        &env.demo.pki.ca.cert_pem,
        "",
    );
    std::fs::write(dir.path().join("www/index.html"), "hello from nginx\n").unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let send = |trust: &str| {
        certbench_in(
            &env,
            profiles.path(),
            &[
                "send",
                &format!("{url}/"),
                "--credential",
                "demo",
                "--trust",
                trust,
                "--no-history",
            ],
        )
    };
    // Not trusted yet: said as such.
    let o = send("demo-ca");
    assert_ne!(o.status.code(), Some(0));
    // No terminal and no --pick: the chain is shown, nothing stored.
    let o = certbench_in(
        &env,
        profiles.path(),
        &["trust", "add", "corp", "--from-url", &url],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(said.contains("presented 2 certificate(s)"), "{said}");
    assert!(said.contains("CN=Corp Issuing CA"), "{said}");
    assert!(
        said.contains(&fingerprint(dir.path(), "leaf.pem")),
        "{said}"
    );
    assert!(said.contains(&fingerprint(dir.path(), "int.pem")), "{said}");
    assert!(said.contains("--pick N"), "{said}");
    assert!(env.ks.trusted_names().iter().all(|n| n != "corp"));
    // --pick 2: the intermediate, which then verifies the server.
    let o = certbench_in(
        &env,
        profiles.path(),
        &["trust", "add", "corp", "--from-url", &url, "--pick", "2"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("trusted corp: CN=Corp Issuing CA"),
        "{}",
        stderr(&o)
    );
    let o = send("corp");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("hello from nginx"));
    // On a terminal it asks; Enter takes the top of what was presented.
    let session = format!("certbench-trusturl-{}", std::process::id());
    let cmd = format!(
        "CERTBENCH_HOME={} {} trust add corp2 --from-url {url}; echo EXITED-$?; sleep 20",
        env.home.path().display(),
        env!("CARGO_BIN_EXE_certbench"),
    );
    let _session = new_session(&session, 120, 30, &cmd);
    wait_for(
        &session,
        "trust which as corp2? [1-2, Enter: 2, n: none]",
        15,
    );
    tmux(&["send-keys", "-t", &session, "Enter"]);
    let screen = wait_for(&session, "EXITED-0", 10);
    assert!(
        screen.contains("trusted corp2: CN=Corp Issuing CA"),
        "{screen}"
    );
    // A port nothing listens on: said, nothing stored.
    let (closed, _held) = crate::common::servers::closed_port();
    let o = certbench_in(
        &env,
        profiles.path(),
        &[
            "trust",
            "add",
            "gone",
            "--from-url",
            &format!("https://127.0.0.1:{}", closed.port()),
            "--pick",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot connect"), "{}", stderr(&o));
    // Refused before connecting: a plain http:// URL, and a name that cannot be stored.
    let o = certbench_in(
        &env,
        profiles.path(),
        &[
            "trust",
            "add",
            "plain",
            "--from-url",
            "http://127.0.0.1:9",
            "--pick",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("give its https:// URL"),
        "{}",
        stderr(&o)
    );
    let o = certbench_in(
        &env,
        profiles.path(),
        &[
            "trust",
            "add",
            "bad name",
            "--from-url",
            &url,
            "--pick",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("invalid trusted certificate name"),
        "{}",
        stderr(&o)
    );
    assert!(
        !stderr(&o).contains("presented"),
        "nothing was fetched: {}",
        stderr(&o)
    );
}
