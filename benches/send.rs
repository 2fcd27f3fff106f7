//! One `certbench send` process vs one `curl --cert` process on the embedded mTLS server (median of 20),
//! and N sequential sends in one process each. Run: `cargo bench --bench send`.

use std::process::Command;
use std::time::{Duration, Instant};

use certbench::core::keystore::Keystore;
use certbench::core::prepare;
use certbench::core::profile::Profile;
use certbench::core::transport::Transport;
use certbench::core::vars::Vars;
use certbench::demo::{self, Demo};

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
                .env("CERTBENCH_HOME", home.path())
                .output()
                .unwrap()
                .status
                .success()
        },
        20,
    );
    let f = |n: &str| files.join(n).display().to_string();
    let curl = time(
        || {
            Command::new("curl")
                .args([
                    "-sS",
                    "-o",
                    "/dev/null",
                    "--cert",
                    &f("c.pem"),
                    "--key",
                    &f("c.key"),
                    "--cacert",
                    &f("ca.pem"),
                    &url,
                ])
                .output()
                .unwrap()
                .status
                .success()
        },
        20,
    );
    println!(
        "one send per process (median of 20): certbench {:.1} ms, curl {:.1} ms, ratio {:.2}x",
        ms(certbench),
        ms(curl),
        ms(certbench) / ms(curl)
    );

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
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
