//! Importing credential keys and trusted certificates from real files made by openssl and rcgen.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use demo::{Days, Pki};
use engine::keys::keystore::{KeyError, Keystore};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (.ci/run installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Files {
    dir: tempfile::TempDir,
    pki: Pki,
}

/// A CA, and a client key + certificate in `client.key` / `client.pem` / `ca.pem`.
fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new("Test CA");
    let c = pki.client("alice", Days::default());
    std::fs::write(dir.path().join("client.pem"), &c.cert_pem).unwrap();
    std::fs::write(dir.path().join("client.key"), &c.key_pem).unwrap();
    std::fs::write(dir.path().join("ca.pem"), &pki.ca.cert_pem).unwrap();
    Files { dir, pki }
}

fn read(f: &Files, name: &str) -> Vec<u8> {
    std::fs::read(f.dir.path().join(name)).unwrap()
}

fn store() -> (tempfile::TempDir, Keystore) {
    let home = tempfile::tempdir().unwrap();
    let ks = Keystore::open(&home.path().join("home"));
    (home, ks)
}

#[test]
fn p12_modern_and_legacy_with_chain_and_passwords() {
    let f = files();
    let d = f.dir.path();
    openssl(
        d,
        &[
            "pkcs12",
            "-export",
            "-in",
            "client.pem",
            "-inkey",
            "client.key",
            "-certfile",
            "ca.pem",
            "-out",
            "modern.p12",
            "-passout",
            "pass:s3cret",
        ],
    );
    openssl(
        d,
        &[
            "pkcs12",
            "-export",
            "-legacy",
            "-in",
            "client.pem",
            "-inkey",
            "client.key",
            "-out",
            "legacy.p12",
            "-passout",
            "pass:s3cret",
        ],
    );
    openssl(
        d,
        &[
            "pkcs12",
            "-export",
            "-in",
            "client.pem",
            "-inkey",
            "client.key",
            "-out",
            "nopass.p12",
            "-passout",
            "pass:",
        ],
    );
    let (_h, ks) = store();
    let info = ks
        .import_p12(
            "modern",
            &read(&f, "modern.p12"),
            Some("s3cret"),
            "modern.p12",
        )
        .unwrap();
    assert_eq!(info.leaf.subject_cn, "alice");
    assert_eq!(
        info.chain.len(),
        2,
        "the CA inside the file is kept after the leaf"
    );
    assert_eq!(info.chain[1].subject_cn, "Test CA");
    assert_eq!(
        ks.import_p12(
            "legacy",
            &read(&f, "legacy.p12"),
            Some("s3cret"),
            "legacy.p12"
        )
        .unwrap()
        .chain
        .len(),
        1
    );
    ks.import_p12("nopass", &read(&f, "nopass.p12"), None, "nopass.p12")
        .unwrap();
    let err = ks
        .import_p12("wrong", &read(&f, "modern.p12"), Some("nope"), "modern.p12")
        .unwrap_err();
    assert!(matches!(err, KeyError::WrongPassword { .. }), "{err}");
    assert!(err.to_string().contains("wrong password"));
    assert!(
        !ks.names().contains(&"wrong".to_string()),
        "nothing written on failure"
    );
    let err = ks
        .import_p12(
            "legacy-wrong",
            &read(&f, "legacy.p12"),
            Some("nope"),
            "legacy.p12",
        )
        .unwrap_err();
    assert!(matches!(err, KeyError::WrongPassword { .. }), "{err}");
}

#[test]
fn stored_key_is_private_and_loads() {
    let f = files();
    let (_h, ks) = store();
    ks.import_pem(
        "k",
        &read(&f, "client.pem"),
        &read(&f, "client.key"),
        None,
        "k",
    )
    .unwrap();
    let key = ks.root().join("keys/k/key.pem");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(ks.root().join("keys/k"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
    assert_eq!(
        std::fs::metadata(ks.root()).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert!(ks.load_certified_key("k").is_ok());
    assert!(
        ks.export_pem("k")
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert!(!ks.export_pem("k").unwrap().contains("PRIVATE"));
    ks.delete("k").unwrap();
    assert!(matches!(ks.show("k"), Err(KeyError::NotFound { .. })));
}

#[test]
fn pem_key_formats_and_algorithms() {
    let f = files();
    let d = f.dir.path();
    let (_h, ks) = store();
    // Encrypted PKCS#8.
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "client.key",
            "-out",
            "enc.key",
            "-passout",
            "pass:pw",
            "-v2",
            "aes-256-cbc",
        ],
    );
    let info = ks
        .import_pem(
            "enc",
            &read(&f, "client.pem"),
            &read(&f, "enc.key"),
            Some("pw"),
            "enc.key",
        )
        .unwrap();
    assert_eq!(info.key_type, "ECDSA P-256");
    assert!(matches!(
        ks.import_pem(
            "enc2",
            &read(&f, "client.pem"),
            &read(&f, "enc.key"),
            Some("bad"),
            "enc.key"
        ),
        Err(KeyError::WrongPassword { .. })
    ));
    assert!(matches!(
        ks.import_pem(
            "enc3",
            &read(&f, "client.pem"),
            &read(&f, "enc.key"),
            None,
            "enc.key"
        ),
        Err(KeyError::PasswordNeeded { .. })
    ));
    // SEC1 EC key.
    openssl(d, &["ec", "-in", "client.key", "-out", "sec1.key"]);
    assert!(
        String::from_utf8(read(&f, "sec1.key"))
            .unwrap()
            .contains("EC PRIVATE KEY")
    );
    ks.import_pem(
        "sec1",
        &read(&f, "client.pem"),
        &read(&f, "sec1.key"),
        None,
        "sec1.key",
    )
    .unwrap();
    // DER certificate + DER key.
    openssl(
        d,
        &[
            "x509",
            "-in",
            "client.pem",
            "-outform",
            "DER",
            "-out",
            "client.der",
        ],
    );
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "client.key",
            "-outform",
            "DER",
            "-out",
            "client.key.der",
        ],
    );
    ks.import_pem(
        "der",
        &read(&f, "client.der"),
        &read(&f, "client.key.der"),
        None,
        "der",
    )
    .unwrap();
    // RSA (PKCS#1) and Ed25519 and P-384, each with a certificate from openssl.
    for (name, genkey, expect) in [
        (
            "rsa",
            vec!["genrsa", "-traditional", "-out", "rsa.key", "2048"],
            "RSA 2048",
        ),
        (
            "ed",
            vec!["genpkey", "-algorithm", "ed25519", "-out", "ed.key"],
            "Ed25519",
        ),
        (
            "p384",
            vec![
                "ecparam",
                "-name",
                "secp384r1",
                "-genkey",
                "-noout",
                "-out",
                "p384.key",
            ],
            "ECDSA P-384",
        ),
    ] {
        openssl(d, &genkey);
        let key = format!("{name}.key");
        let cert = format!("{name}.pem");
        openssl(
            d,
            &[
                "req",
                "-new",
                "-x509",
                "-key",
                &key,
                "-out",
                &cert,
                "-days",
                "30",
                "-subj",
                &format!("/CN={name}"),
            ],
        );
        let info = ks
            .import_pem(name, &read(&f, &cert), &read(&f, &key), None, &key)
            .unwrap();
        assert_eq!(info.key_type, expect);
        assert!(ks.load_certified_key(name).is_ok());
    }
    // P-521 signs through RustCrypto; an X25519 key (agreement only) is refused by name.
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "secp521r1",
            "-genkey",
            "-noout",
            "-out",
            "p521.key",
        ],
    );
    openssl(
        d,
        &[
            "req", "-new", "-x509", "-key", "p521.key", "-out", "p521.pem", "-days", "30", "-subj",
            "/CN=p521",
        ],
    );
    let info = ks
        .import_pem(
            "p521",
            &read(&f, "p521.pem"),
            &read(&f, "p521.key"),
            None,
            "p521",
        )
        .unwrap();
    assert_eq!(info.key_type, "ECDSA P-521");
    assert!(ks.load_certified_key("p521").is_ok());
    openssl(
        d,
        &["genpkey", "-algorithm", "X25519", "-out", "x25519.key"],
    );
    let err = ks
        .import_pem(
            "x25519",
            &read(&f, "p521.pem"),
            &read(&f, "x25519.key"),
            None,
            "x25519.key",
        )
        .unwrap_err();
    assert!(err.to_string().contains("X25519"), "{err}");
    assert!(!err.to_string().contains("1.3.101"), "no bare OID: {err}");
}

#[test]
fn bad_inputs_are_named() {
    let f = files();
    let (_h, ks) = store();
    let other = f.pki.client("bob", Days::default());
    let err = ks
        .import_pem(
            "mismatch",
            &read(&f, "client.pem"),
            other.key_pem.as_bytes(),
            None,
            "bob.key",
        )
        .unwrap_err();
    assert!(matches!(err, KeyError::KeyMismatch { .. }), "{err}");
    assert!(err.to_string().contains("does not match"));
    let err = ks
        .import_pem(
            "notcert",
            b"hello world",
            &read(&f, "client.key"),
            None,
            "x.txt",
        )
        .unwrap_err();
    assert!(matches!(err, KeyError::NotACertificate { .. }), "{err}");
    let err = ks
        .import_p12("junk", b"not a p12", None, "junk.p12")
        .unwrap_err();
    assert!(err.to_string().contains("junk.p12"), "{err}");
    assert!(matches!(
        ks.import_pem(
            "../evil",
            &read(&f, "client.pem"),
            &read(&f, "client.key"),
            None,
            "x"
        ),
        Err(KeyError::BadName(_))
    ));
    ks.import_pem(
        "dup",
        &read(&f, "client.pem"),
        &read(&f, "client.key"),
        None,
        "x",
    )
    .unwrap();
    assert!(matches!(
        ks.import_pem(
            "dup",
            &read(&f, "client.pem"),
            &read(&f, "client.key"),
            None,
            "x"
        ),
        Err(KeyError::Exists { .. })
    ));
}

#[test]
fn trusted_certificates_from_pem_der_and_p12() {
    let f = files();
    let d = f.dir.path();
    let (_h, ks) = store();
    assert_eq!(
        ks.add_trusted("ca", &read(&f, "ca.pem"), None, "ca.pem")
            .unwrap()[0]
            .subject_cn,
        "Test CA"
    );
    openssl(
        d,
        &["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"],
    );
    ks.add_trusted("ca-der", &read(&f, "ca.der"), None, "ca.der")
        .unwrap();
    openssl(
        d,
        &[
            "pkcs12", "-export", "-nokeys", "-in", "ca.pem", "-out", "ca.p12", "-passout",
            "pass:pw",
        ],
    );
    ks.add_trusted("ca-p12", &read(&f, "ca.p12"), Some("pw"), "ca.p12")
        .unwrap();
    assert_eq!(ks.trusted_names(), vec!["ca", "ca-der", "ca-p12"]);
    // A protected .p12 with no password is asked for (the CLI then prompts), not called "not a certificate".
    let err = ks
        .add_trusted("ca-p12-nopw", &read(&f, "ca.p12"), None, "ca.p12")
        .unwrap_err();
    assert!(matches!(err, KeyError::PasswordNeeded { .. }), "{err}");
    assert!(ks.add_trusted("bad", b"nope", None, "nope").is_err());
    ks.delete_trusted("ca").unwrap();
    assert_eq!(ks.trusted_names().len(), 2);
}

#[test]
fn names_that_leave_the_keystore_are_refused_on_every_read_path() {
    let f = files();
    let (_h, ks) = store();
    // A key planted outside keys/, which a crafted name would otherwise reach.
    let outside = ks.root().join("elsewhere/keys/y");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("cert.pem"), read(&f, "client.pem")).unwrap();
    std::fs::write(outside.join("key.pem"), read(&f, "client.key")).unwrap();
    std::fs::write(ks.root().join("elsewhere/t.pem"), read(&f, "ca.pem")).unwrap();
    for name in [
        "../elsewhere/keys/y",
        "..",
        "a/b",
        "a\\b",
        "x\n",
        "tab\there",
        "",
    ] {
        let bad = |r: Result<(), KeyError>, path: &str| {
            assert!(
                matches!(&r, Err(KeyError::BadName(m)) if m.name.ends_with(name) && m.to_string().contains("invalid")),
                "{path} with {name:?}: {r:?}"
            )
        };
        bad(ks.show(name).map(drop), "show");
        bad(ks.chain(name).map(drop), "chain");
        bad(ks.export_pem(name).map(drop), "export");
        bad(ks.load_certified_key(name).map(drop), "load (send, check)");
        bad(ks.delete(name), "delete");
        bad(
            ks.trusted(&format!("../elsewhere/{name}")).map(drop),
            "trusted",
        );
    }
    assert!(matches!(
        ks.trusted("../elsewhere/t"),
        Err(KeyError::BadName(_))
    ));
}

#[test]
fn parallel_imports_under_one_name_leave_one_key_and_no_staging() {
    let f = files();
    let (_h, ks) = store();
    let cert = read(&f, "client.pem");
    let key = read(&f, "client.key");
    let results: Vec<Result<_, KeyError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| ks.import_pem("same", &cert, &key, None, "k").map(drop)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    for r in results.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(r, Err(KeyError::Exists { .. })),
            "a losing import says the name exists: {r:?}"
        );
    }
    let left: Vec<_> = std::fs::read_dir(ks.root().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["same".to_string()], "no staging folder left");
    assert!(ks.load_certified_key("same").is_ok());
}

/// A staging folder from an import that was killed half-way (it holds a private key).
fn plant_stale_staging(ks: &Keystore, f: &Files) -> std::path::PathBuf {
    let stale = ks.root().join("keys/.import-killed");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("key.pem"), read(f, "client.key")).unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    stale
}

#[test]
fn stale_staging_folders_are_swept_by_delete_and_the_next_import() {
    let f = files();
    let (_h, ks) = store();
    let cert = read(&f, "client.pem");
    let key = read(&f, "client.key");
    let stale = plant_stale_staging(&ks, &f);
    ks.import_pem("a", &cert, &key, None, "k").unwrap();
    assert!(
        !stale.exists(),
        "the next import sweeps a killed import's staging"
    );

    let stale = plant_stale_staging(&ks, &f);
    ks.delete("a").unwrap();
    assert!(!stale.exists(), "keys delete sweeps it too");

    // A failed import (wrong key for the certificate) leaves nothing behind either.
    let other = f.pki.client("bob", Days::default());
    let r = ks.import_pem("b", &cert, other.key_pem.as_bytes(), None, "k");
    assert!(matches!(r, Err(KeyError::KeyMismatch { .. })), "{r:?}");
    assert_eq!(
        std::fs::read_dir(ks.root().join("keys")).unwrap().count(),
        0
    );
}

#[test]
fn an_unreadable_entry_is_named_as_such_not_as_missing() {
    let (_h, ks) = store();
    // cert.pem that cannot be read as a file (a folder: EISDIR, even for root).
    std::fs::create_dir_all(ks.root().join("keys/k/cert.pem")).unwrap();
    std::fs::create_dir_all(ks.root().join("trust/t.pem")).unwrap();
    for r in [ks.show("k").map(drop), ks.trusted("t").map(drop)] {
        match r {
            Err(e @ KeyError::Read { .. }) => {
                let KeyError::Read { path, source } = &e else {
                    unreachable!()
                };
                assert!(path.ends_with(".pem"), "{path}");
                // The operating system's error is kept as the source, not flattened to words.
                let os = std::error::Error::source(&e)
                    .and_then(|s| s.downcast_ref::<engine::cause::IoCause>())
                    .expect("the I/O error is the source");
                assert_eq!(os.kind(), source.kind());
                assert_ne!(os.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("expected a read error naming the file, got {other:?}"),
        }
    }
    assert!(matches!(ks.show("absent"), Err(KeyError::NotFound { .. })));
}

#[test]
fn the_import_wizard_does_not_store_a_certificate_twice() {
    use tui::effects::import_key;
    use tui::state::ImportKind;
    let home = tempfile::tempdir().unwrap();
    let ks = engine::keys::keystore::Keystore::open(home.path());
    let pki = demo::Pki::new("Wizard CA");
    let c = pki.client("wizard-client", demo::Days::default());
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    std::fs::write(&cert, &c.cert_pem).unwrap();
    std::fs::write(&key, &c.key_pem).unwrap();
    let pair = format!("{},{}", cert.display(), key.display());
    let first = import_key(&ks, ImportKind::PemPair, &pair, "", "first").unwrap();
    assert!(first.starts_with("imported key first"), "{first}");
    let again = import_key(&ks, ImportKind::PemPair, &pair, "", "second").unwrap();
    assert!(
        again.contains("key first already holds this certificate"),
        "{again}"
    );
    assert_eq!(ks.names(), vec!["first".to_string()]);
}
