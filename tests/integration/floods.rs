//! Hostile streams: an event stream at full speed from Python's http.server and a WebSocket
//! flood from Python's `websockets`. certbench reads them to their time limit with bounded
//! memory (its peak RSS read from /proc while it runs), keeps the body's start and counts all.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::servers::{Port, Running, start};

/// An endless event stream, written as fast as Python can, on plain HTTP.
pub const SSE_FLOOD: &str = r#"
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        i, chunk = 0, b""
        try:
            while True:
                i += 1
                chunk += b'data: {"n": %d, "pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}\n\n' % i
                if i % 100 == 0:
                    self.wfile.write(chunk)
                    chunk = b""
        except Exception:
            pass
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", 0), H).serve_forever()
"#;

/// A WebSocket that floods its client with messages as fast as it can, on plain ws://.
const WS_FLOOD: &str = r#"
import asyncio, websockets
async def handler(ws):
    i = 0
    try:
        while True:
            i += 1
            await ws.send('{"n": %d, "pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' % i)
    except Exception:
        pass
async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, compression=None):
        await asyncio.Future()
asyncio.run(main())
"#;

/// `script` run by python3 in `dir`, and the port it listens on.
pub fn python(dir: &Path, file: &str, script: &str) -> (Running, u16) {
    std::fs::write(dir.join(file), script).unwrap();
    start(&format!("python3 {file}"), Port::FromOs, |_| {
        let mut c = Command::new("python3");
        c.arg(file).current_dir(dir);
        c
    })
}

/// Runs certbench on `url` for 3 s with its stdout drained, and returns its peak RSS in KiB
/// (sampled from /proc) with the exchange's JSON line.
fn flooded(dir: &Path, url: &str) -> (u64, serde_json::Value) {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_certbench"))
        .args(["send", url, "--max-time", "3", "--max-body", "1M", "--json"])
        .args(["--no-history"])
        .env("CERTBENCH_HOME", home.path())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // The last line is the exchange; the events before it are only counted here.
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::Read;
        let mut tail = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match out.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    tail.extend_from_slice(&buf[..n]);
                    // The exchange's line carries the body (1 MiB here): 4 MiB hold it whole.
                    if tail.len() > 8 << 20 {
                        tail.drain(..tail.len() - (4 << 20));
                    }
                }
            }
        }
        tail
    });
    let mut peak = 0u64;
    while child.try_wait().unwrap().is_none() {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if let Some(kib) = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
        {
            peak = peak.max(kib);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let tail = reader.join().unwrap();
    let status = child.wait_with_output().unwrap();
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = String::from_utf8_lossy(&tail);
    let last = text.lines().last().unwrap_or_default();
    (peak, serde_json::from_str(last).unwrap())
}

/// The bound: what certbench needs at rest plus the body's 1 MiB, with room for a debug build.
const PEAK_KIB: u64 = 120 * 1024;

#[test]
fn an_event_stream_at_full_speed_stays_bounded_and_keeps_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, port) = python(dir.path(), "sse_flood.py", SSE_FLOOD);
    let (peak, ex) = flooded(dir.path(), &format!("http://127.0.0.1:{port}/"));
    eprintln!(
        "event stream flood: {} events, peak RSS {peak} KiB",
        ex["stream"]["events"]
    );
    assert!(peak > 0 && peak < PEAK_KIB, "peak RSS {peak} KiB");
    assert_eq!(ex["stream"]["end"], "time_limit", "{ex}");
    assert_eq!(ex["stream"]["body_cut"], true, "{ex}");
    assert!(ex["sizes"]["decoded"].as_u64().unwrap() <= 1 << 20, "{ex}");
    assert_eq!(
        ex["stream"]["first"][0]["data"].as_str().unwrap().get(..8),
        Some("{\"n\": 1,")
    );
    assert_eq!(ex["stream"]["last"].as_array().unwrap().len(), 10, "{ex}");
}

#[test]
fn a_websocket_flood_stays_bounded_and_keeps_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, port) = python(dir.path(), "ws_flood.py", WS_FLOOD);
    let (peak, ex) = flooded(dir.path(), &format!("ws://127.0.0.1:{port}/"));
    eprintln!(
        "WebSocket flood: {} messages, peak RSS {peak} KiB",
        ex["stream"]["events"]
    );
    assert!(peak > 0 && peak < PEAK_KIB, "peak RSS {peak} KiB");
    assert_eq!(ex["stream"]["end"], "time_limit", "{ex}");
    assert_eq!(ex["stream"]["body_cut"], true, "{ex}");
    assert!(ex["sizes"]["decoded"].as_u64().unwrap() <= 1 << 20, "{ex}");
}
