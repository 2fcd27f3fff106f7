//! Keys that never leave a PKCS#11 token, with a real module: SoftHSM2 (Debian's softhsm2,
//! installed by .ci/run). A token is made in a temp folder, RSA and EC keys are generated on it
//! (gnutls' p11tool), their certificates issued by a test CA, and the embedded mTLS server must
//! see the token key's subject. The failures: wrong PIN, a missing key, a module that is not there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::Env;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "1234";

/// A SoftHSM2 token labelled `certbench` in its own folder.
struct Token {
    dir: tempfile::TempDir,
}

impl Token {
    fn new() -> Token {
        assert!(
            Path::new(MODULE).is_file(),
            "SoftHSM2 is installed (bash .ci/run installs softhsm2)"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tokens")).unwrap();
        std::fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.path().display()
            ),
        )
        .unwrap();
        let t = Token { dir };
        t.run(
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                "certbench",
                "--pin",
                PIN,
                "--so-pin",
                "5678",
            ],
        );
        t
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let o = Command::new(program)
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .env("GNUTLS_PIN", PIN)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            o.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }

    /// Generates a key on the token and returns its public key (SubjectPublicKeyInfo PEM).
    fn generate(&self, label: &str, kind: &[&str]) -> String {
        let mut args = vec!["--provider", MODULE, "--login", "--generate-privkey"];
        args.extend_from_slice(kind);
        args.extend_from_slice(&["--label", label, "pkcs11:token=certbench"]);
        self.run("p11tool", &args);
        let uri = format!("pkcs11:token=certbench;object={label}");
        let o = self.run(
            "p11tool",
            &["--provider", MODULE, "--login", "--export-pubkey", &uri],
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

fn certbench(env: &Env, token: &Token, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certbench"))
        .args(args)
        .env("CERTBENCH_HOME", env.home.path())
        .env("SOFTHSM2_CONF", token.conf())
        .env("TOKEN_PIN", PIN)
        .env("WRONG_PIN", "9999")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn rsa_and_ec_keys_on_softhsm_sign_the_handshake_and_the_server_sees_them() {
    let env = Env::new();
    let token = Token::new();
    let url = format!("{}/echo", env.server.url);
    let grpc_dir = tempfile::tempdir().unwrap();
    let (_grpc, grpc_url) = crate::grpc::grpcio(&env, grpc_dir.path(), true);
    for (label, kind, cn) in [
        (
            "ec-key",
            &["ECDSA", "--curve", "secp256r1"][..],
            "token-ec-client",
        ),
        (
            "rsa-key",
            &["RSA", "--bits", "2048"][..],
            "token-rsa-client",
        ),
    ] {
        let public = token.generate(label, kind);
        let cert = env.demo.pki.client_for_public_key(cn, &public).unwrap();
        let cert_file = token.dir.path().join(format!("{label}.pem"));
        std::fs::write(&cert_file, &cert).unwrap();
        let uri = format!("pkcs11:token=certbench;object={label}");
        // The token holds only the key here: the certificate comes with --cert.
        let o = certbench(
            &env,
            &token,
            &[
                "keys",
                "import",
                label,
                "--pkcs11",
                &uri,
                "--module",
                MODULE,
                "--cert",
                cert_file.to_str().unwrap(),
                "--pin-env",
                "TOKEN_PIN",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{label}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("hardware (token certbench)"),
            "{}",
            stderr(&o)
        );
        let o = certbench(&env, &token, &["keys", "list"]);
        let list = String::from_utf8_lossy(&o.stdout);
        assert!(list.contains("hardware (token certbench)"), "{list}");
        // Nothing secret was written: no key file, no PIN.
        let entry = env.home.path().join("keys").join(label);
        assert!(!entry.join("key.pem").exists());
        let reference = std::fs::read_to_string(entry.join("pkcs11.toml")).unwrap();
        assert!(
            reference.contains("token = \"certbench\"") && !reference.contains(PIN),
            "{reference}"
        );

        let o = certbench(
            &env,
            &token,
            &[
                "send",
                "--url",
                &url,
                "--credential",
                label,
                "--trust",
                "demo-ca",
                "--json",
                "--no-history",
                "--pin-env",
                "TOKEN_PIN",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{label}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            v["json"]["client_cert"]["cn"], cn,
            "the server saw the token key's subject"
        );
        // A WebSocket signs its handshake on the token too: the demo's socket greets the key.
        let socket = format!(
            "{}/socket",
            env.server.url.replacen("https://", "wss://", 1)
        );
        let o = certbench(
            &env,
            &token,
            &[
                "send",
                &socket,
                "--credential",
                label,
                "--trust",
                "demo-ca",
                "--max-messages",
                "1",
                "--json",
                "--no-history",
                "--pin-env",
                "TOKEN_PIN",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{label}: {}", stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        let hello: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert!(
            hello["data"].as_str().unwrap_or_default().contains(cn),
            "the socket saw the token key's subject: {text}"
        );
        // A gRPC call too: grpcio names the key's subject.
        let method = format!("{grpc_url}/routeguide.RouteGuide/GetFeature");
        let o = certbench(
            &env,
            &token,
            &[
                "send",
                &method,
                "--credential",
                label,
                "--trust",
                "demo-ca",
                "--data",
                r#"{"latitude": 1}"#,
                "--no-history",
                "--pin-env",
                "TOKEN_PIN",
            ],
        );
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{label}: {}", stderr(&o));
        assert!(text.contains(&format!("seen by {cn}")), "{text}");
    }

    // A wrong PIN, no PIN, and a key that is not on the token: each named.
    let send = |credential: &str, pin_env: Option<&str>| {
        let mut args = vec![
            "send",
            "--url",
            url.as_str(),
            "--credential",
            credential,
            "--trust",
            "demo-ca",
            "--json",
            "--no-history",
        ];
        if let Some(var) = pin_env {
            args.extend_from_slice(&["--pin-env", var]);
        }
        certbench(&env, &token, &args)
    };
    let kind = |o: &Output| {
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(o)));
        v["error"]["kind"].as_str().unwrap_or_default().to_string()
    };
    let o = send("ec-key", Some("WRONG_PIN"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(kind(&o), "token_pin_wrong");
    let o = send("ec-key", None);
    assert_eq!(kind(&o), "token_pin_needed");
    let o = certbench(
        &env,
        &token,
        &[
            "keys",
            "import",
            "ghost",
            "--pkcs11",
            "pkcs11:token=certbench;object=ghost",
            "--module",
            MODULE,
            "--cert",
            token.dir.path().join("ec-key.pem").to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "without a PIN the key is checked at the first send"
    );
    let o = send("ghost", Some("TOKEN_PIN"));
    assert_eq!(kind(&o), "token_key_not_found");
}

#[test]
fn a_module_that_is_not_there_and_a_pin_in_the_uri_are_refused_at_import() {
    let env = Env::new();
    let token = Token::new();
    let o = certbench(
        &env,
        &token,
        &[
            "keys",
            "import",
            "k",
            "--pkcs11",
            "pkcs11:token=certbench;object=k",
            "--module",
            "/no/such/pkcs11.so",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/no/such/pkcs11.so does not exist"),
        "{}",
        stderr(&o)
    );
    let o = certbench(
        &env,
        &token,
        &[
            "keys",
            "import",
            "k",
            "--pkcs11",
            "pkcs11:token=certbench;object=k?pin-value=1234",
            "--module",
            MODULE,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("PIN in the URI"), "{}", stderr(&o));
    // A token that holds no certificate for the key: --cert is asked for.
    token.generate("bare", &["ECDSA", "--curve", "secp256r1"]);
    let o = certbench(
        &env,
        &token,
        &[
            "keys",
            "import",
            "bare",
            "--pkcs11",
            "pkcs11:token=certbench;object=bare",
            "--module",
            MODULE,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--cert FILE"), "{}", stderr(&o));
}

#[test]
fn the_workbench_asks_for_the_pin_once_in_a_masked_popup() {
    use crate::common::tmux::{new_session, tmux, wait_for};
    let env = Env::new();
    let token = Token::new();
    let public = token.generate("tui-key", &["ECDSA", "--curve", "secp256r1"]);
    let cert = env
        .demo
        .pki
        .client_for_public_key("token-tui-client", &public)
        .unwrap();
    let cert_file = token.dir.path().join("tui-key.pem");
    std::fs::write(&cert_file, &cert).unwrap();
    let o = certbench(
        &env,
        &token,
        &[
            "keys",
            "import",
            "tui-key",
            "--pkcs11",
            "pkcs11:token=certbench;object=tui-key",
            "--module",
            MODULE,
            "--cert",
            cert_file.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let profiles = tempfile::tempdir().unwrap();
    std::fs::write(
        profiles.path().join("onhw.toml"),
        format!(
            "name = \"onhw\"\nurl = \"{}/echo\"\ncredential = \"tui-key\"\ntrust = [\"demo-ca\"]\n",
            env.server.url
        ),
    )
    .unwrap();
    let session = format!("certbench-pin-{}", std::process::id());
    let cmd = format!(
        "SOFTHSM2_CONF={} CERTBENCH_HOME={} {} --profiles {}; echo CERTBENCH-EXITED-$?; sleep 20",
        token.conf().display(),
        env.home.path().display(),
        env!("CARGO_BIN_EXE_certbench"),
        profiles.path().display()
    );
    let _s = new_session(&session, 100, 30, &cmd);
    wait_for(&session, "onhw", 10);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, "Request: onhw", 5);
    tmux(&["send-keys", "-t", &session, "C-r"]);
    wait_for(&session, "PIN for token certbench", 10);
    tmux(&["send-keys", "-t", &session, "-l", PIN]);
    let screen = wait_for(&session, "****", 5);
    assert!(!screen.contains(PIN), "the PIN is masked: {screen}");
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, "200 OK", 20);
    // Scroll to the echoed certificate: the token key's.
    tmux(&["send-keys", "-t", &session, "Tab", "G"]);
    wait_for(&session, "token-tui-client", 5);
    // Sent again: no second question (the PIN is kept for the session, the connection too).
    tmux(&["send-keys", "-t", &session, "BTab", "C-r"]);
    // Wait for the positive sign that the second send finished (two sends in the history),
    // then check that no PIN was asked on the way.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let screen = loop {
        let screen = tmux(&["capture-pane", "-p", "-t", &session]);
        if screen.matches("200 GET").count() >= 2 || std::time::Instant::now() > deadline {
            break screen;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(
        screen.matches("200 GET").count() >= 2,
        "the second send finished: {screen}"
    );
    assert!(!screen.contains("PIN for token"), "{screen}");
    tmux(&["send-keys", "-t", &session, "C-c"]);
    wait_for(&session, "CERTBENCH-EXITED-", 10);
}

#[test]
fn the_import_wizard_finds_the_keys_on_a_token_and_imports_one_by_reference() {
    use crate::common::tmux::{new_session, tmux, wait_for};
    let env = Env::new();
    let token = Token::new();
    let public = token.generate("wiz-key", &["ECDSA", "--curve", "secp256r1"]);
    let cert = env
        .demo
        .pki
        .client_for_public_key("token-wizard-client", &public)
        .unwrap();
    let cert_file = token.dir.path().join("wiz-key.pem");
    std::fs::write(&cert_file, &cert).unwrap();
    // The certificate on the token too, as issuers usually leave it.
    token.run(
        "p11tool",
        &[
            "--provider",
            MODULE,
            "--login",
            "--write",
            "--no-mark-private",
            "--load-certificate",
            cert_file.to_str().unwrap(),
            "--label",
            "wiz-key",
            "pkcs11:token=certbench",
        ],
    );
    let profiles = tempfile::tempdir().unwrap();
    let session = format!("certbench-wiz-{}", std::process::id());
    let cmd = format!(
        "SOFTHSM2_CONF={} CERTBENCH_PKCS11_MODULE={MODULE} CERTBENCH_HOME={} {} --profiles {}; echo CERTBENCH-EXITED-$?; sleep 20",
        token.conf().display(),
        env.home.path().display(),
        env!("CARGO_BIN_EXE_certbench"),
        profiles.path().display()
    );
    let _s = new_session(&session, 110, 30, &cmd);
    wait_for(&session, "Profiles", 10);
    tmux(&["send-keys", "-t", &session, "C-k"]);
    wait_for(&session, "Keys: Enter use", 5);
    tmux(&["send-keys", "-t", &session, "a"]);
    wait_for(&session, "PKCS#11 token", 5);
    tmux(&[
        "send-keys",
        "-t",
        &session,
        "Down",
        "Down",
        "Down",
        "Enter",
        "Tab",
    ]);
    wait_for(&session, "pkcs11:token=certbench;object=wiz%2Dkey", 10);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    tmux(&["send-keys", "-t", &session, "-l", PIN]);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    tmux(&["send-keys", "-t", &session, "-l", "wizkey"]);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    let screen = wait_for(&session, "imported key wizkey", 10);
    assert!(screen.contains("token-wizard-client"), "{screen}");
    tmux(&["send-keys", "-t", &session, "C-c"]);
    wait_for(&session, "CERTBENCH-EXITED-", 10);
    let reference =
        std::fs::read_to_string(env.home.path().join("keys/wizkey/pkcs11.toml")).unwrap();
    assert!(reference.contains("object = \"wiz-key\""), "{reference}");
    assert!(!reference.contains(PIN));
}
