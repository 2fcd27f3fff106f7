//! cURL in and out against the demo server: a command with certificate files becomes a working
//! profile, and the exported command, run by curl itself, gets the same answer as certbench.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::Env;

fn certbench(env: &Env, dir: &Path, args: &[&str]) -> Output {
    common::certbench_in(env, dir, args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn header<'a>(echo: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    echo["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0] == name)
        .and_then(|h| h[1].as_str())
}

#[test]
fn a_curl_command_becomes_a_working_profile_and_back() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let client = env
        .demo
        .pki
        .client("curl-client", certbench::demo::Days::default());
    std::fs::write(d.join("client.pem"), &client.cert_pem).unwrap();
    std::fs::write(d.join("client.key"), &client.key_pem).unwrap();
    std::fs::write(d.join("ca.pem"), &env.demo.pki.ca.cert_pem).unwrap();
    let cmd = format!(
        "curl -X POST '{}/echo/pay?x=1' \\\n  -H 'Content-Type: application/json' -H 'X-Trace: t1' \\\n  --data-raw '{{\"amount\": 10}}' --cert client.pem --key client.key --cacert ca.pem \\\n  --frobnicate -s",
        env.server.url
    );
    let o = certbench(&env, d, &["import", "curl", &cmd, "--name", "pay"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("not imported: --frobnicate"),
        "unknown flags are listed: {err}"
    );
    assert!(
        err.contains("ignored (it only changes what curl prints): -s"),
        "{err}"
    );
    let saved = std::fs::read_to_string(d.join("pay.toml")).unwrap();
    assert!(saved.contains("credential = \"client\""), "{saved}");
    assert!(saved.contains("trust = [\"ca\"]"), "{saved}");
    // Importing again under the same name is refused without --force.
    assert_eq!(
        certbench(&env, d, &["import", "curl", &cmd, "--name", "pay"])
            .status
            .code(),
        Some(1)
    );

    let o = certbench(&env, d, &["send", "pay", "--json", "--no-history"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ours: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ours = &ours["json"];
    assert_eq!(ours["client_cert"]["cn"], "curl-client");
    assert_eq!(ours["method"], "POST");
    assert_eq!(ours["body"], "{\"amount\": 10}");

    // Export, and let curl run it.
    let o = certbench(&env, d, &["export", "curl", "pay"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let exported = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(exported.starts_with("curl -X POST"), "{exported}");
    assert!(
        exported.contains("--cert ") && exported.contains("--cacert "),
        "{exported}"
    );
    let ran = Command::new("sh")
        .arg("-c")
        .arg(format!("{exported} -sS"))
        .output()
        .unwrap();
    assert!(ran.status.success(), "{exported}\n{}", stderr(&ran));
    let theirs: serde_json::Value = serde_json::from_slice(&ran.stdout).unwrap();
    for field in ["method", "path", "raw_query", "body"] {
        assert_eq!(theirs[field], ours[field], "{field}: {exported}");
    }
    assert_eq!(theirs["client_cert"]["cn"], ours["client_cert"]["cn"]);
    for h in ["x-trace", "content-type", "user-agent"] {
        assert_eq!(header(&theirs, h), header(ours, h), "{h}");
    }
}

#[test]
fn a_pkcs12_with_its_password_in_the_command_is_imported_and_the_password_kept_nowhere() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let client = env
        .demo
        .pki
        .client("p12-client", certbench::demo::Days::default());
    std::fs::write(d.join("c.pem"), &client.cert_pem).unwrap();
    std::fs::write(d.join("c.key"), &client.key_pem).unwrap();
    let o = Command::new("openssl")
        .current_dir(d)
        .args(["pkcs12", "-export", "-in", "c.pem", "-inkey", "c.key"])
        .args(["-out", "bank.p12", "-passout", "pass:Secr3t-pw"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(d.join("ca.pem"), &env.demo.pki.ca.cert_pem).unwrap();
    let cmd = format!(
        "curl {}/echo --cert bank.p12:Secr3t-pw --cert-type P12 --cacert ca.pem",
        env.server.url
    );
    let o = certbench(&env, d, &["import", "curl", &cmd]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = certbench(&env, d, &["send", "echo", "--json", "--no-history"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["json"]["client_cert"]["cn"], "p12-client");
    for entry in walk(env.home.path()).into_iter().chain(walk(d)) {
        if entry.extension().is_some_and(|e| e == "p12") {
            continue;
        }
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("Secr3t-pw"),
            "the password is in {}",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
