//! A WebSocket echo over mutual TLS against Python's `websockets` server: one `certbench send
//! wss://...` process vs one Python `websockets` client process doing the same (connect with the
//! same key, one message, its echo, close), median of 20; then 1,000 messages through one
//! connection each. Run: `cargo bench --bench streams` (needs `pip install websockets`).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use demo::Demo;
use engine::keys::keystore::Keystore;

const ECHO: &str = r#"
import asyncio, ssl, sys, websockets
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("srv.pem", "srv.key")
ctx.load_verify_locations("ca.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
async def echo(ws):
    async for m in ws:
        await ws.send(m)
async def main():
    async with websockets.serve(echo, "127.0.0.1", 0, ssl=ctx, compression=None) as s:
        open("port", "w").write(str(s.sockets[0].getsockname()[1]))
        await asyncio.Future()
asyncio.run(main())
"#;

/// The peer: a Python client with the same key, sending N messages and reading N echoes.
const CLIENT: &str = r#"
import asyncio, ssl, sys, websockets
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_cert_chain("c.pem", "c.key")
ctx.load_verify_locations("ca.pem")
async def main(url, n):
    async with websockets.connect(url, ssl=ctx, compression=None) as ws:
        for i in range(n):
            await ws.send("message %d" % i)
        for i in range(n):
            await ws.recv()
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"#;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(mut run: impl FnMut() -> bool, runs: usize) -> Duration {
    let mut all = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        assert!(run(), "the command failed");
        all.push(t.elapsed());
    }
    median(all)
}

fn main() {
    let d = Demo::new();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    d.import_into(&Keystore::open(&home)).unwrap();
    for (file, text) in [
        ("srv.pem", &d.server_cert.cert_pem),
        ("srv.key", &d.server_cert.key_pem),
        ("ca.pem", &d.pki.ca.cert_pem),
        ("c.pem", &d.client.cert_pem),
        ("c.key", &d.client.key_pem),
        ("echo.py", &ECHO.to_string()),
        ("client.py", &CLIENT.to_string()),
    ] {
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let mut server = Command::new("python3")
        .arg("echo.py")
        .current_dir(dir.path())
        .spawn()
        .expect("python3 with websockets");
    let port_file = dir.path().join("port");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !port_file.exists() {
        assert!(Instant::now() < deadline, "the echo server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    let port = std::fs::read_to_string(&port_file).unwrap();
    let url = format!("wss://localhost:{}/", port.trim());
    let bin = env!("CARGO_BIN_EXE_certbench");
    let ours = |n: usize| {
        let mut child = Command::new(bin)
            .args(["send", &url, "--credential", "demo", "--trust", "demo-ca"])
            .args(["--max-messages", &n.to_string(), "--no-history"])
            .env("CERTBENCH_HOME", &home)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines: String = (0..n).map(|i| format!("message {i}\n")).collect();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(lines.as_bytes())
            .unwrap();
        child.wait().unwrap().success()
    };
    let peer = |n: usize| {
        Command::new("python3")
            .args(["client.py", &url, &n.to_string()])
            .current_dir(dir.path())
            .status()
            .unwrap()
            .success()
    };
    for n in [1usize, 1000] {
        let runs = if n == 1 { 20 } else { 5 };
        let a = time(|| ours(n), runs);
        let b = time(|| peer(n), runs);
        println!(
            "WebSocket echo over mTLS, {n} message{} a process: certbench {:.1} ms, Python websockets client {:.1} ms: {:.2}x",
            if n == 1 { "" } else { "s" },
            a.as_secs_f64() * 1000.0,
            b.as_secs_f64() * 1000.0,
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}
