//! One `certbench send` process vs one `curl --cert` process on the embedded mTLS server (median of 20),
//! N sequential sends in one process each, and one `certbench run` of 200 profiles vs one curl
//! process fetching 200 URLs. Run: `cargo bench --bench send`.

use std::process::Command;
use std::time::{Duration, Instant};

use demo::{self, Demo};
use engine::keys::keystore::Keystore;
use engine::net::transport::Transport;
use engine::request::prepare;
use engine::request::profile::Profile;
use engine::request::vars::Vars;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(mut cmd: impl FnMut() -> bool, runs: usize) -> Duration {
    let mut all = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        assert!(cmd(), "command failed");
        all.push(t.elapsed());
    }
    median(all)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let d = Demo::new();
    let server = rt.block_on(demo::start(d.config(), 0)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let ks = Keystore::open(home.path());
    d.import_into(&ks).unwrap();
    let files = home.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("c.pem"), &d.client.cert_pem).unwrap();
    std::fs::write(files.join("c.key"), &d.client.key_pem).unwrap();
    std::fs::write(files.join("ca.pem"), &d.pki.ca.cert_pem).unwrap();
    let url = format!("{}/echo", server.url);
    let bin = env!("CARGO_BIN_EXE_certbench");

    let f = |n: &str| files.join(n).display().to_string();
    // One send per process, certbench and curl, with the same extra route (none, or a proxy).
    let pair = |label: &str, ours_extra: &[&str], curl_extra: &[&str]| {
        let certbench = time(
            || {
                Command::new(bin)
                    .args([
                        "send",
                        "--url",
                        &url,
                        "--credential",
                        "demo",
                        "--trust",
                        "demo-ca",
                    ])
                    .args(ours_extra)
                    .env("CERTBENCH_HOME", home.path())
                    .env_remove("HTTPS_PROXY")
                    .env_remove("https_proxy")
                    .output()
                    .unwrap()
                    .status
                    .success()
            },
            20,
        );
        let curl = time(
            || {
                Command::new("curl")
                    .args(["-sS", "-o", "/dev/null", "--cert", &f("c.pem"), "--key"])
                    .args([&f("c.key"), "--cacert", &f("ca.pem"), &url])
                    .args(curl_extra)
                    .env_remove("HTTPS_PROXY")
                    .env_remove("https_proxy")
                    .output()
                    .unwrap()
                    .status
                    .success()
            },
            20,
        );
        println!(
            "one send per process{label} (median of 20): certbench {:.1} ms, curl {:.1} ms, ratio {:.2}x",
            ms(certbench),
            ms(curl),
            ms(certbench) / ms(curl)
        );
    };
    pair("", &[], &[]);
    // Through Debian's tinyproxy, when it is installed.
    let proxy_dir = tempfile::tempdir().unwrap();
    let proxy_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = proxy_dir.path().join("tinyproxy.conf");
    std::fs::write(
        &conf,
        format!(
            "Port {proxy_port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nConnectPort {}\n",
            server.addr.port()
        ),
    )
    .unwrap();
    match Command::new("tinyproxy")
        .arg("-d")
        .arg("-c")
        .arg(&conf)
        .spawn()
    {
        Ok(mut child) => {
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", proxy_port)).is_err()
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            let proxy = format!("http://127.0.0.1:{proxy_port}");
            pair(
                " through tinyproxy",
                &["--proxy", &proxy],
                &["--proxy", &proxy],
            );
            let _ = child.kill();
            let _ = child.wait();
        }
        Err(e) => println!("(no proxy figures: tinyproxy did not start: {e})"),
    }

    let n = 50;
    let transport = Transport::new(ks.clone());
    let p = Profile {
        name: "b".into(),
        url: url.clone(),
        credential: Some("demo".into()),
        trust: vec!["demo-ca".into()],
        ..Profile::default()
    };
    let req = prepare::prepare(&p, &Vars::new()).unwrap();
    let before = server.handshakes.load(std::sync::atomic::Ordering::SeqCst);
    let t = Instant::now();
    for _ in 0..n {
        rt.block_on(transport.send(&req)).unwrap();
    }
    let ours = t.elapsed();
    let handshakes = server.handshakes.load(std::sync::atomic::Ordering::SeqCst) - before;
    let mut args: Vec<String> = [
        "-sS",
        "--cert",
        &f("c.pem"),
        "--key",
        &f("c.key"),
        "--cacert",
        &f("ca.pem"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for _ in 0..n {
        args.extend(["-o".to_string(), "/dev/null".to_string(), url.clone()]);
    }
    let t = Instant::now();
    assert!(
        Command::new("curl")
            .args(&args)
            .output()
            .unwrap()
            .status
            .success()
    );
    let theirs = t.elapsed();
    println!(
        "{n} sequential sends in one process: certbench {:.1} ms ({handshakes} handshake), curl {:.1} ms, ratio {:.2}x",
        ms(ours),
        ms(theirs),
        ms(ours) / ms(theirs)
    );

    // 200 profiles in one `run` vs one curl process fetching the 200 URLs (both one connection).
    let suite = home.path().join("suite");
    std::fs::create_dir_all(&suite).unwrap();
    for i in 0..200 {
        std::fs::write(
            suite.join(format!("p{i:03}.toml")),
            format!(
                "name = \"p{i:03}\"\nurl = \"{url}?i={i}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nhistory = false\n"
            ),
        )
        .unwrap();
    }
    let mut runs = Vec::new();
    let mut curls = Vec::new();
    let mut handshakes = 0;
    for _ in 0..5 {
        let before = server.handshakes.load(std::sync::atomic::Ordering::SeqCst);
        let t = Instant::now();
        let ok = Command::new(bin)
            .args([
                "--profiles",
                &suite.display().to_string(),
                "run",
                "--no-history",
            ])
            .env("CERTBENCH_HOME", home.path())
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "certbench run failed");
        runs.push(t.elapsed());
        handshakes = server.handshakes.load(std::sync::atomic::Ordering::SeqCst) - before;
        let mut args: Vec<String> = ["-sS", "--cert", &f("c.pem"), "--key", &f("c.key")]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(["--cacert".to_string(), f("ca.pem")]);
        for i in 0..200 {
            args.extend([
                "-o".to_string(),
                "/dev/null".to_string(),
                format!("{url}?i={i}"),
            ]);
        }
        let t = Instant::now();
        assert!(
            Command::new("curl")
                .args(&args)
                .output()
                .unwrap()
                .status
                .success()
        );
        curls.push(t.elapsed());
    }
    let (ours, theirs) = (median(runs), median(curls));
    println!(
        "200 profiles in one `run` (median of 5): certbench {:.1} ms ({handshakes} handshake), one curl process for 200 URLs {:.1} ms, ratio {:.2}x",
        ms(ours),
        ms(theirs),
        ms(ours) / ms(theirs)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
