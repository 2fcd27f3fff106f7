//! Certificates that change: a key linked to its files follows them (a certificate renewed on
//! disk is presented by the next send, in the same process), its renew command runs before a
//! send inside the renew window (a script standing in for `step ca renew`), a failing one keeps
//! the old key, and files that went missing are named.

use std::path::Path;

use crate::common::{Env, certbench_command};
use demo::Days;

/// The subject CN the demo server saw (it echoes the client certificate).
fn seen_cn(env: &Env, key: &str) -> String {
    let mut p = env.profile("/echo");
    p.credential = Some(key.into());
    env.json(&p)["client_cert"]["cn"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A client certificate and key from the demo CA for `cn`, written as `cert` and `key`.
fn issue(env: &Env, cn: &str, cert: &Path, key: &Path) {
    let issued = env.demo.pki.client(cn, Days::default());
    std::fs::write(cert, &issued.cert_pem).unwrap();
    std::fs::write(key, &issued.key_pem).unwrap();
}

/// `keys import NAME --cert CERT --key KEY` and `extra`, run.
fn import_pair(
    env: &Env,
    name: &str,
    cert: &Path,
    key: &Path,
    extra: &[&str],
) -> (bool, String, String) {
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let mut args = vec!["keys", "import", name, "--cert", &cert, "--key", &key];
    args.extend_from_slice(extra);
    cli(env, &args)
}

fn cli(env: &Env, args: &[&str]) -> (bool, String, String) {
    let out = certbench_command(env, env.home.path(), args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_linked_key_follows_its_files_renewed_on_disk() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    issue(&env, "first-issue", &cert, &key);
    let (ok, _, err) = import_pair(&env, "short", &cert, &key, &["--link"]);
    assert!(ok, "{err}");
    assert!(err.contains("linked key short to"), "{err}");
    // No copy of the private key went into the keystore.
    assert!(!env.home.path().join("keys/short/key.pem").exists());
    assert_eq!(seen_cn(&env, "short"), "first-issue");
    // Renewed on disk (as `step ca renew` does): the same transport presents the new one.
    issue(&env, "second-issue", &cert, &key);
    assert_eq!(seen_cn(&env, "short"), "second-issue");
    let (_, list, _) = cli(&env, &["keys", "list"]);
    assert!(
        list.contains("second-issue") && list.contains(&format!("linked to {}", cert.display())),
        "{list}"
    );
    // Half renewed (a new certificate, the old key): refused and said, never sent mismatched.
    let other = env.demo.pki.client("third-issue", Days::default());
    std::fs::write(&cert, &other.cert_pem).unwrap();
    let (_, list, _) = cli(&env, &["keys", "list"]);
    let row = list
        .lines()
        .find(|l| l.starts_with("short "))
        .unwrap_or_default();
    assert!(row.contains("BROKEN (linked to"), "{list}");
    // Gone: the send names the file.
    std::fs::remove_file(&cert).unwrap();
    let mut p = env.profile("/echo");
    p.credential = Some("short".into());
    let f = env.err(&p);
    assert!(
        f.diagnosis.message.contains(&cert.display().to_string()),
        "{}",
        f.diagnosis.message
    );
    // A PKCS#12 that needs a password cannot be linked: said why.
    let p12 = crate::common::demo_client_p12(&env, &dir.path().join("p12"), "pw");
    let (ok, _, err) = cli(
        &env,
        &[
            "keys",
            "import",
            "locked",
            "--p12",
            p12.to_str().unwrap(),
            "--link",
        ],
    );
    assert!(!ok);
    assert!(err.contains("must open without one"), "{err}");
}

#[test]
fn a_renew_command_runs_before_a_send_in_its_window_and_a_failing_one_keeps_the_key() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    issue(&env, "before-renewal", &cert, &key);
    // What the CA will hand out next, and a script that puts it in place (as step ca renew).
    let (next_cert, next_key) = (dir.path().join("next.pem"), dir.path().join("next.key"));
    issue(&env, "after-renewal", &next_cert, &next_key);
    let script = format!(
        "cp {} {} && cp {} {} && echo renewed",
        next_cert.display(),
        cert.display(),
        next_key.display(),
        key.display()
    );
    assert!(import_pair(&env, "rolling", &cert, &key, &["--link"]).0);
    // Not due yet (a year left, renew in the last hour): nothing runs.
    let (ok, _, err) = cli(
        &env,
        &[
            "keys",
            "renew-command",
            "rolling",
            &script,
            "--before",
            "1h",
        ],
    );
    assert!(ok, "{err}");
    let url = format!("{}/echo", env.server.url);
    let send = |env: &Env| {
        cli(
            env,
            &[
                "send",
                &url,
                "--credential",
                "rolling",
                "--trust",
                "demo-ca",
                "--no-history",
                "--json",
            ],
        )
    };
    let (ok, out, _) = send(&env);
    assert!(ok);
    assert!(out.contains("before-renewal"), "{out}");
    // Inside the window (renew when 400 days are left): the send renews first and says so.
    assert!(
        cli(
            &env,
            &["keys", "renew-command", "rolling", "--before", "400d"]
        )
        .0
    );
    let (ok, out, _) = send(&env);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["json"]["client_cert"]["cn"], "after-renewal", "{v}");
    let kinds = crate::common::warning_kinds(&v);
    assert!(kinds.contains(&"key_renewed"), "{kinds:?}");
    // A command that fails: said with its words, and the key as it was is used.
    assert!(
        cli(
            &env,
            &[
                "keys",
                "renew-command",
                "rolling",
                "echo 'CA unreachable' >&2; exit 3"
            ]
        )
        .0
    );
    let (ok, out, _) = send(&env);
    assert!(ok, "the send goes on with the old key");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let failed = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "key_renew_failed")
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("exit 3): CA unreachable"),
        "{failed}"
    );
    assert_eq!(v["json"]["client_cert"]["cn"], "after-renewal");
    // keys renew runs it by hand; --clear removes it.
    let (ok, _, err) = cli(&env, &["keys", "renew", "rolling"]);
    assert!(!ok && err.contains("CA unreachable"), "{err}");
    assert!(cli(&env, &["keys", "renew-command", "rolling", "--clear"]).0);
    let (_, _, err) = cli(&env, &["keys", "renew", "rolling"]);
    assert!(err.contains("has no renew command"), "{err}");
}

/// `keys import NAME --replace`: a renewed certificate swapped in under the same name; the key
/// bound to the host is used by the next send with no other change, its renew command stays,
/// and the old certificate is in its history. A linked key is not replaced (its files are).
#[test]
fn a_replaced_key_keeps_its_name_bindings_and_renew_command() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    issue(&env, "old-issue", &cert, &key);
    let import = |extra: &[&str]| import_pair(&env, "rot", &cert, &key, extra);
    assert!(import(&[]).0);
    let port = env.server.url.rsplit(':').next().unwrap().to_string();
    assert!(cli(&env, &["keys", "bind", "rot", &format!("localhost:{port}")]).0);
    assert!(cli(&env, &["keys", "renew-command", "rot", "true"]).0);
    let url = format!("{}/echo", env.server.url);
    let send = || {
        cli(
            &env,
            &["send", &url, "--trust", "demo-ca", "--no-history", "--json"],
        )
    };
    let (ok, out, _) = send();
    assert!(ok && out.contains("old-issue"), "{out}");
    let old_sha = env.ks.show("rot").unwrap().leaf.sha256;
    // Without --replace the name is taken; with it, the renewed certificate goes in.
    issue(&env, "new-issue", &cert, &key);
    let (ok, _, err) = import(&[]);
    assert!(!ok, "{err}");
    let (ok, _, err) = import(&["--replace"]);
    assert!(ok, "{err}");
    assert!(err.contains("replaced key rot: new-issue"), "{err}");
    let (ok, out, _) = send();
    assert!(
        ok && out.contains("new-issue"),
        "the binding went on working: {out}"
    );
    let (_, shown, _) = cli(&env, &["keys", "show", "rot"]);
    assert!(shown.contains(&format!("replaced: {old_sha}")), "{shown}");
    assert_eq!(
        cli(&env, &["keys", "renew-command", "rot"]).1.trim(),
        "true"
    );
    // No staging folder is left behind, and no second key appeared.
    assert_eq!(env.ks.names(), ["demo", "rot"]);
    // A linked key follows its files: it is not replaced.
    assert!(import_pair(&env, "lnk", &cert, &key, &["--link"]).0);
    let (ok, _, err) = import_pair(&env, "lnk", &cert, &key, &["--replace"]);
    assert!(!ok && err.contains("it is linked to its files"), "{err}");
    // A key folder that is a symbolic link is never exchanged: its target stays as it was.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::copy(
        env.home.path().join("keys/rot/cert.pem"),
        elsewhere.path().join("cert.pem"),
    )
    .unwrap();
    let link = env.home.path().join("keys/sym");
    std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
    let (ok, _, _) = import_pair(&env, "sym", &cert, &key, &["--replace"]);
    assert!(!ok);
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 1);
}
