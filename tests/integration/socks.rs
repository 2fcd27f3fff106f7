//! Sends through a real SOCKS5 proxy (Debian's microsocks, started here), as `ssh -D` gives one
//! on a jump host: TLS and the client certificate go end to end; the proxy's refusals are named.

use std::path::Path;
use std::process::Command;

use crate::common::Env;
use crate::common::servers::{Port, Running, closed_port, start};
use crate::proxy::{certbench, json, send, send_as_stranger};

/// microsocks on loopback, its connection log in `dir/socks.log`; `auth`: the user and password
/// it demands.
struct Microsocks {
    _server: Running,
    /// host:port, for socks5:// or socks5h:// URLs.
    addr: String,
    log: std::path::PathBuf,
}

impl Microsocks {
    fn start(dir: &Path, auth: Option<(&str, &str)>) -> Microsocks {
        let log = dir.join("socks.log");
        let (server, port) = start("microsocks", Port::Chosen, |port| {
            let auth = auth.map_or(String::new(), |(u, p)| format!(" -u {u} -P {p}"));
            let mut c = Command::new("sh");
            // exec: the listening process is the child itself.
            c.arg("-c").arg(format!(
                "exec microsocks -i 127.0.0.1 -p {port}{auth} >{} 2>&1",
                log.display()
            ));
            c
        });
        Microsocks {
            _server: server,
            addr: format!("127.0.0.1:{port}"),
            log,
        }
    }

    /// The destinations the proxy connected to so far.
    fn connections(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once("connected to ").map(|(_, to)| to.to_string()))
            .collect()
    }
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn through_socks5_the_client_certificate_reaches_the_server_and_the_story_says_so() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let socks = Microsocks::start(dir.path(), None);
    let port = env.server.url.rsplit(':').next().unwrap().to_string();
    // socks5h: the proxy resolves the name (as over `ssh -D` to a private network).
    let o = send(
        &env,
        &["--proxy", &format!("socks5h://{}", socks.addr)],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        v["json"]["client_cert"]["cn"], "certbench-demo-client",
        "{v}"
    );
    assert!(v["tls"]["cipher"].is_string(), "{v}");
    assert_eq!(
        socks.connections(),
        vec![format!("localhost:{port}")],
        "the proxy was given the name"
    );
    // socks5: the name is resolved here and the proxy is given the address.
    let local = format!("socks5://{}", socks.addr);
    let o = send(&env, &["--proxy", &local], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["tls"]["proxy"], local.as_str(), "{}", json(&o));
    let seen = socks.connections();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(!seen[1].starts_with("localhost"), "{seen:?}");
    // -v tells which way the name went.
    let url = format!("{}/echo", env.server.url);
    let mut args = crate::common::demo_send_args(&url);
    args.extend_from_slice(&["-v", "--proxy", &local]);
    let o = certbench(&env, &args, &[]);
    assert!(
        stderr(&o).contains("a SOCKS5 tunnel, the name resolved here"),
        "{}",
        stderr(&o)
    );
    // From the environment, as curl reads ALL_PROXY.
    let o = send(
        &env,
        &[],
        &[("ALL_PROXY", &format!("socks5h://{}", socks.addr))],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(socks.connections().len(), 4);
    // A WebSocket goes the same way.
    let wss = env.server.url.replace("https://", "wss://") + "/socket";
    let o = certbench(
        &env,
        &[
            "send",
            &wss,
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "--proxy",
            &format!("socks5h://{}", socks.addr),
            "--max-messages",
            "1",
            "--no-history",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("certbench-demo-client"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(socks.connections().len(), 5);
}

#[test]
fn socks5_refusals_and_a_rejected_key_behind_it_are_explained() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let socks = Microsocks::start(dir.path(), Some(("alice", "s3cret-pw")));
    // No credentials, then wrong ones: the proxy's refusal, not the server's.
    let o = send(
        &env,
        &["--proxy", &format!("socks5h://{}", socks.addr)],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(v["error"]["kind"], "proxy_auth_required", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("wants a user and password"),
        "{v}"
    );
    let wrong = format!("socks5h://alice:nope@{}", socks.addr);
    let o = send(&env, &["--proxy", &wrong], &[]);
    let v = json(&o);
    assert_eq!(v["error"]["kind"], "proxy_auth_required", "{v}");
    assert!(!format!("{v}{}", stderr(&o)).contains("nope"), "{v}");
    // The right ones, the password from the environment.
    let right = format!("socks5h://alice:${{env:SOCKS_PW}}@{}", socks.addr);
    let o = send(&env, &["--proxy", &right], &[("SOCKS_PW", "s3cret-pw")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(!all.contains("s3cret-pw"), "{all}");
    // A port nothing listens on, behind the proxy: the proxy's answer, named.
    let (closed, _held) = closed_port();
    let url = format!("https://localhost:{}/echo", closed.port());
    let mut args = crate::common::demo_send_args(&url);
    args.extend_from_slice(&["--json", "--proxy", &right]);
    let o = certbench(&env, &args, &[("SOCKS_PW", "s3cret-pw")]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(v["error"]["kind"], "proxy_refused", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("connection refused"),
        "{v}"
    );
    // A key from another CA behind the proxy: the second look (the probe) goes through the
    // SOCKS proxy too, so the rejection is explained as it is directly.
    let before = socks.connections().len();
    let o = send_as_stranger(&env, &right, &[("SOCKS_PW", "s3cret-pw")]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(v["error"]["kind"], "client_cert_unknown_ca", "{v}");
    assert!(socks.connections().len() > before);
    // Nothing listening where the proxy should be.
    let gone = format!("socks5h://{closed}");
    let o = send(&env, &["--proxy", &gone], &[]);
    assert_eq!(
        json(&o)["error"]["kind"],
        "proxy_unreachable",
        "{}",
        json(&o)
    );
}
