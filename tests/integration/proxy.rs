//! Sends through a real HTTP proxy (Debian's tinyproxy, started here): the CONNECT tunnel carries
//! TLS end to end, so the mTLS server sees our client certificate; the proxy's failures are named.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::Env;
use crate::common::servers::{Port, Running, closed_port, start};

/// tinyproxy in the foreground on loopback, logging every connection to `dir/proxy.log`.
pub(crate) struct Tinyproxy {
    _server: Running,
    pub(crate) url: String,
    log: std::path::PathBuf,
}

impl Tinyproxy {
    /// `allow_port`: the only port CONNECT may reach; `auth`: a user and password it demands.
    pub(crate) fn start(dir: &Path, allow_port: u16, auth: Option<(&str, &str)>) -> Tinyproxy {
        let log = dir.join("proxy.log");
        let conf_path = dir.join("tinyproxy.conf");
        let (server, port) = start("tinyproxy", Port::Chosen, |port| {
            let mut conf = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Info\nMaxClients 20\nConnectPort {allow_port}\n",
                log.display()
            );
            if let Some((user, pass)) = auth {
                conf.push_str(&format!("BasicAuth {user} {pass}\n"));
            }
            std::fs::write(&conf_path, conf).unwrap();
            let mut c = Command::new("tinyproxy");
            c.arg("-d").arg("-c").arg(&conf_path);
            c
        });
        Tinyproxy {
            _server: server,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// The CONNECT requests the proxy logged so far.
    pub(crate) fn connects(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("Request (") && l.contains(": CONNECT "))
            .map(str::to_string)
            .collect()
    }
}

pub(crate) fn certbench(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_certbench"));
    c.args(args)
        .env("CERTBENCH_HOME", env.home.path())
        .current_dir(env.home.path());
    for k in [
        "HTTPS_PROXY",
        "https_proxy",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        c.env_remove(k);
    }
    for (k, v) in vars {
        c.env(k, v);
    }
    c.output().unwrap()
}

pub(crate) fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} / {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// `send --json --no-history` of the demo server's /echo with a key from another CA ("stranger",
/// imported on first use) through `proxy`.
pub(crate) fn send_as_stranger(env: &Env, proxy: &str, vars: &[(&str, &str)]) -> Output {
    if !env.ks.list().iter().any(|(k, _)| k == "stranger") {
        let other = demo::Pki::new("Other CA").client("stranger", demo::Days::default());
        env.ks
            .import_pem(
                "stranger",
                other.cert_pem.as_bytes(),
                other.key_pem.as_bytes(),
                None,
                "x",
            )
            .unwrap();
    }
    let url = format!("{}/echo", env.server.url);
    let args = [
        "send",
        "--url",
        &url,
        "--credential",
        "stranger",
        "--trust",
        "demo-ca",
        "--json",
        "--no-history",
        "--proxy",
        proxy,
    ];
    certbench(env, &args, vars)
}

/// `send --json` of the demo server's /echo with the demo key, plus `extra` flags.
pub(crate) fn send(env: &Env, extra: &[&str], vars: &[(&str, &str)]) -> Output {
    let url = format!("{}/echo", env.server.url);
    let mut args = crate::common::demo_send_args(&url);
    args.push("--json");
    args.extend_from_slice(extra);
    certbench(env, &args, vars)
}

#[test]
fn through_a_real_proxy_the_client_certificate_reaches_the_server_end_to_end() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let port: u16 = env.server.url.rsplit(':').next().unwrap().parse().unwrap();
    let proxy = Tinyproxy::start(dir.path(), port, None);

    let o = send(&env, &["--proxy", &proxy.url], &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(
        v["json"]["client_cert"]["cn"], "certbench-demo-client",
        "{v}"
    );
    assert_eq!(v["tls"]["proxy"], format!("{}/", proxy.url));
    assert!(v["tls"]["cipher"].is_string(), "{v}");
    let connects = proxy.connects();
    assert_eq!(connects.len(), 1, "the proxy saw one CONNECT: {connects:?}");
    assert!(
        connects[0].contains(&format!("localhost:{port}")),
        "{connects:?}"
    );

    // The environment, as curl reads it; NO_PROXY skips it.
    let o = send(&env, &[], &[("HTTPS_PROXY", &proxy.url)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(proxy.connects().len(), 2);
    let o = send(
        &env,
        &[],
        &[("https_proxy", &proxy.url), ("NO_PROXY", "localhost")],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(json(&o)["tls"]["proxy"].is_null());
    assert_eq!(proxy.connects().len(), 2, "NO_PROXY went direct");
    let o = send(&env, &["--no-proxy"], &[("HTTPS_PROXY", &proxy.url)]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(proxy.connects().len(), 2, "--no-proxy went direct");

    // -v tells the story through the proxy.
    let url = format!("{}/echo", env.server.url);
    let mut args = crate::common::demo_send_args(&url);
    args.extend_from_slice(&["-v", "--proxy", &proxy.url]);
    let o = certbench(&env, &args, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("through proxy"), "{err}");
}

#[test]
fn the_proxy_failures_are_named_and_its_password_never_printed() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let port: u16 = env.server.url.rsplit(':').next().unwrap().parse().unwrap();
    let proxy = Tinyproxy::start(dir.path(), port, Some(("alice", "s3cret-pw")));
    let with_auth = proxy.url.replace("http://", "http://alice:s3cret-pw@");

    // No credentials: 407.
    let o = send(&env, &["--proxy", &proxy.url], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        json(&o)["error"]["kind"],
        "proxy_auth_required",
        "{}",
        json(&o)
    );

    // Credentials in the URL, the password from the environment: through, and redacted.
    let templated = proxy
        .url
        .replace("http://", "http://alice:${env:PROXY_PW}@");
    let o = send(&env, &["--proxy", &templated], &[("PROXY_PW", "s3cret-pw")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = send(&env, &["--proxy", &with_auth, "-v"], &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!all.contains("s3cret-pw"), "{all}");
    assert!(
        all.contains("alice:<redacted>@") || all.contains("alice:%3Credacted%3E@"),
        "{all}"
    );

    // A port the proxy does not tunnel to: CONNECT refused.
    let other = env.start(env.demo.config());
    let url = format!("{}/echo", other.url);
    let mut args = crate::common::demo_send_args(&url);
    args.extend_from_slice(&["--json", "--proxy", &with_auth]);
    let o = certbench(&env, &args, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json(&o)["error"]["kind"], "proxy_refused", "{}", json(&o));

    // Nothing listening where the proxy should be.
    let (addr, _held) = closed_port();
    let gone = format!("http://{addr}");
    let o = send(&env, &["--proxy", &gone], &[]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(v["error"]["kind"], "proxy_unreachable", "{v}");
}

#[test]
fn behind_the_proxy_a_rejected_key_is_still_explained_and_keys_check_goes_through_it() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let port: u16 = env.server.url.rsplit(':').next().unwrap().parse().unwrap();
    let proxy = Tinyproxy::start(dir.path(), port, None);
    // A key from another CA: under TLS 1.3 the server says no only after the handshake, so the
    // explanation needs the second look (the probe), which now goes through the proxy too.
    let o = send_as_stranger(&env, &proxy.url, &[]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(v["error"]["kind"], "client_cert_unknown_ca", "{v}");
    let before = proxy.connects().len();
    let o = certbench(
        &env,
        &[
            "keys",
            "check",
            "demo",
            "--url",
            &env.server.url,
            "--trust",
            "demo-ca",
        ],
        &[("HTTPS_PROXY", &proxy.url)],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        proxy.connects().len() > before,
        "keys check went through the proxy"
    );
}
