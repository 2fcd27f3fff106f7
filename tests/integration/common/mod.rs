//! Shared set-up for integration tests: a temp home, the demo PKI and a real mTLS server.
#![allow(dead_code)]
#![allow(clippy::result_large_err)]

pub mod servers;
pub mod tmux;
pub mod tui;

use demo::{self, Demo, Server, ServerConfig};
use engine::diagnose::Failure;
use engine::exchange::Exchange;
use engine::keys::keystore::Keystore;
use engine::net::transport::Transport;
use engine::request::prepare;
use engine::request::profile::Profile;
use engine::request::vars::Vars;

pub struct Env {
    pub home: tempfile::TempDir,
    pub ks: Keystore,
    pub demo: Demo,
    pub rt: tokio::runtime::Runtime,
    pub server: Server,
    pub transport: Transport,
}

impl Env {
    pub fn new() -> Env {
        Env::with(|_| {})
    }

    /// A demo server whose config `tweak` may change, with key `demo` and trust `demo-ca` imported.
    pub fn with(tweak: impl FnOnce(&mut ServerConfig)) -> Env {
        let home = tempfile::tempdir().unwrap();
        let ks = Keystore::open(home.path());
        let d = Demo::new();
        d.import_into(&ks).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut cfg = d.config();
        tweak(&mut cfg);
        let server = rt.block_on(demo::start(cfg, 0)).unwrap();
        let transport = Transport::new(ks.clone());
        Env {
            home,
            ks,
            demo: d,
            rt,
            server,
            transport,
        }
    }

    pub fn start(&self, cfg: ServerConfig) -> Server {
        self.rt.block_on(demo::start(cfg, 0)).unwrap()
    }

    /// A profile for `path` on the main server, with the demo key and CA.
    pub fn profile(&self, path: &str) -> Profile {
        Profile {
            name: "t".into(),
            url: format!("{}{}", self.server.url, path),
            credential: Some("demo".into()),
            trust: vec!["demo-ca".into()],
            ..Profile::default()
        }
    }

    pub fn send(&self, p: &Profile) -> Result<Exchange, Failure> {
        let req = prepare::prepare(p, &Vars::new()).expect("profile prepares");
        self.rt.block_on(self.transport.send(&req))
    }

    pub fn ok(&self, p: &Profile) -> Exchange {
        match self.send(p) {
            Ok(ex) => ex,
            Err(f) => panic!(
                "send failed: {} / {} / {:?}",
                f.diagnosis.kind, f.diagnosis.message, f.chain
            ),
        }
    }

    pub fn err(&self, p: &Profile) -> Failure {
        match self.send(p) {
            Ok(ex) => panic!(
                "expected a failure, got {} {}",
                ex.status,
                String::from_utf8_lossy(&ex.body)
            ),
            Err(f) => f,
        }
    }

    pub fn json(&self, p: &Profile) -> serde_json::Value {
        let ex = self.ok(p);
        serde_json::from_slice(&ex.body).expect("JSON body")
    }
}

/// `certbench send` arguments for `url` with the demo key and CA, kept out of history.
pub fn demo_send_args(url: &str) -> Vec<&str> {
    vec![
        "send",
        "--url",
        url,
        "--credential",
        "demo",
        "--trust",
        "demo-ca",
        "--no-history",
    ]
}

/// The certbench binary on `profiles` with this env's home, run from that folder, with no
/// proxy from the surrounding environment.
pub fn certbench_in(env: &Env, profiles: &std::path::Path, args: &[&str]) -> std::process::Output {
    certbench_command(env, profiles, args).output().unwrap()
}

/// The same, as a command to add to (stdin, more arguments) before it runs.
pub fn certbench_command(
    env: &Env,
    profiles: &std::path::Path,
    args: &[&str],
) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_certbench"));
    c.arg("--profiles")
        .arg(profiles)
        .args(args)
        .env("CERTBENCH_HOME", env.home.path())
        .current_dir(profiles);
    for k in [
        "HTTPS_PROXY",
        "https_proxy",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        c.env_remove(k);
    }
    c
}

/// Every file under `dir`, recursively (nothing when it does not exist).
pub fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
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

/// The demo client's certificate and key as `dir/client.pem` and `dir/client.key`, and a
/// PKCS#12 of them made by openssl, `dir/client.p12`, under `password`; its path.
pub fn demo_client_p12(env: &Env, dir: &std::path::Path, password: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("client.pem"), &env.demo.client.cert_pem).unwrap();
    std::fs::write(dir.join("client.key"), &env.demo.client.key_pem).unwrap();
    let made = std::process::Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-in",
            "client.pem",
            "-inkey",
            "client.key",
        ])
        .args([
            "-out",
            "client.p12",
            "-passout",
            &format!("pass:{password}"),
        ])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(made.success(), "openssl made the PKCS#12");
    dir.join("client.p12")
}

/// The kinds of the warnings of a `--json` exchange, in order.
pub fn warning_kinds(v: &serde_json::Value) -> Vec<&str> {
    v["warnings"]
        .as_array()
        .map(|ws| ws.iter().filter_map(|w| w["kind"].as_str()).collect())
        .unwrap_or_default()
}

/// `openssl ARGS` run in `dir`; it must succeed; what it printed.
pub fn openssl(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
