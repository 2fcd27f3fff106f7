//! WebSocket over mutual TLS against servers nobody here wrote: Python's `websockets` package
//! (TLS from Python's `ssl`, client certificate required) and Node's `https` module refusing the
//! upgrade. Messages go both ways as NDJSON, through a real proxy too, and a TLS failure on the
//! upgrade is explained as it is for https.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::servers::{Port, Running, nginx_with, node, start, write_demo_files};
use crate::common::{Env, certbench_command};
use crate::proxy::Tinyproxy;

/// An echo server: it greets with the client certificate's CN, the path and the subprotocol it
/// chose, then echoes; `close-please` closes with 4001, `big` sends 5000 bytes, `binary` two bytes.
const WS_SERVER: &str = r#"
import asyncio, json, ssl, sys
import websockets
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("srv.pem", "srv.key")
ctx.load_verify_locations("ca.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
plain = "plain" in sys.argv
async def handler(ws):
    if plain:
        # Behind nginx: the proxy checked the certificate and says whose it was.
        cn = ws.request.headers.get("X-Client-DN")
    else:
        peer = ws.transport.get_extra_info("peercert")
        cn = dict(x[0] for x in peer["subject"]).get("commonName")
    await ws.send(json.dumps({"cn": cn, "path": ws.request.path, "subprotocol": ws.subprotocol}))
    async for m in ws:
        if m == "close-please":
            await ws.close(4001, "asked to")
            return
        if m == "big":
            await ws.send("x" * 5000)
        elif m == "ping-me":
            await ws.ping(b"are you there")
            await ws.send("pinged")
        elif m == "binary":
            await ws.send(b"\x00\xff")
        else:
            await ws.send(m)
async def main():
    chat = ["chat.v1"] if "chat" in sys.argv else None
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=None if plain else ctx, subprotocols=chat):
        await asyncio.Future()
asyncio.run(main())
"#;

/// The Python server in `dir` (with the demo's certificates), and its `wss://localhost:PORT`.
fn ws_server(env: &Env, dir: &Path) -> (Running, String) {
    ws_server_with(env, dir, &[])
}

/// The same, with `args` (`chat`: it speaks the subprotocol `chat.v1` and no other).
fn ws_server_with(env: &Env, dir: &Path, args: &[&str]) -> (Running, String) {
    write_demo_files(env, dir);
    std::fs::write(dir.join("ws.py"), WS_SERVER).unwrap();
    let (running, port) = start("python3 with websockets", Port::FromOs, |_| {
        let mut c = Command::new("python3");
        c.arg("ws.py").args(args).current_dir(dir);
        c
    });
    (running, format!("wss://localhost:{port}"))
}

fn certbench(env: &Env, dir: &Path, args: &[&str]) -> Command {
    let mut c = certbench_command(env, dir, args);
    c.stdin(Stdio::null());
    c
}

const KEY: [&str; 4] = ["--credential", "demo", "--trust", "demo-ca"];

/// A `send` to `url` with the demo key and `args` that must exit 0: its NDJSON lines.
fn talk(env: &Env, dir: &Path, url: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let out = certbench(env, dir, &["send", url])
        .args(KEY)
        .args(args)
        .output()
        .unwrap();
    let (v, err) = lines(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    v
}

/// stdout as NDJSON, and stderr.
fn lines(out: &std::process::Output) -> (Vec<serde_json::Value>, String) {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: not JSON: {l}\n{err}")))
        .collect();
    (v, err)
}

#[test]
fn a_wss_echo_with_a_client_certificate_is_ndjson_both_ways_and_recorded() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = ws_server(&env, dir.path());
    std::fs::write(dir.path().join("msg.json"), "{\"from\": \"a file\"}").unwrap();
    let out = certbench(&env, dir.path(), &["send", &format!("{url}/feed?q=1")])
        .args(KEY)
        .args([
            "--message",
            "hello",
            "--message",
            "@msg.json",
            "--message",
            "binary",
        ])
        .args(["--max-messages", "4", "--json"])
        .output()
        .unwrap();
    let (v, err) = lines(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let sent: Vec<&serde_json::Value> = v.iter().filter(|m| m["direction"] == "sent").collect();
    let received: Vec<&serde_json::Value> =
        v.iter().filter(|m| m["direction"] == "received").collect();
    assert_eq!(sent[0]["data"], "hello");
    assert_eq!(sent[1]["data"], "{\"from\": \"a file\"}");
    assert_eq!(
        sent.last().unwrap()["type"],
        "close",
        "we close at --max-messages"
    );
    let hello: serde_json::Value =
        serde_json::from_str(received[0]["data"].as_str().unwrap()).unwrap();
    assert_eq!(
        hello["cn"], "certbench-demo-client",
        "the server saw our key"
    );
    assert_eq!(hello["path"], "/feed?q=1");
    assert_eq!(received[1]["data"], "hello");
    assert_eq!(received[2]["data"], "{\"from\": \"a file\"}");
    assert_eq!(
        (
            &received[3]["type"],
            &received[3]["data"],
            &received[3]["bytes"]
        ),
        (&"binary".into(), &"AP8=".into(), &2.into())
    );
    let ex = v.last().unwrap();
    assert_eq!(ex["status"], 101);
    assert_eq!(
        ex["tls"]["client_cert_sent"],
        "CN=certbench-demo-client, O=certbench demo"
    );
    assert_eq!(ex["tls"]["alpn"], "http/1.1");
    assert_eq!(ex["stream"]["events"], 4);
    assert_eq!(ex["stream"]["sent"], 3);
    assert_eq!(ex["stream"]["end"], "max_events");
    // The history has the conversation as its transcript.
    let listed = certbench(&env, dir.path(), &["history", "list", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains(&format!("{url}/feed?q=1")), "{text}");
    let shown = certbench(&env, dir.path(), &["history", "show", "1", "--json"])
        .output()
        .unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let body = shown["body"].as_str().unwrap_or_default();
    assert!(body.starts_with("sent text: hello\n"), "{shown}");
    assert!(body.contains("received binary: AP8=\n"), "{body}");
}

#[test]
fn stdin_lines_are_sent_and_the_servers_close_code_is_said() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = ws_server(&env, dir.path());
    let mut child = certbench(&env, dir.path(), &["send", &url])
        .args(KEY)
        .args(["--no-history", "--timeout", "20"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"first line\nclose-please\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(text.contains("> text\n  first line\n"), "{text}");
    assert!(text.contains("< text\n  first line\n"), "{text}");
    assert!(text.contains("< close 4001\n  asked to\n"), "{text}");
    assert!(
        err.contains(
            "the server closed the WebSocket with code 4001 (the application's own code): asked to"
        ),
        "{err}"
    );
    assert!(
        err.contains("2 messages received, 2 sent: the server closed the WebSocket"),
        "{err}"
    );
}

#[test]
fn without_a_key_or_trust_the_upgrade_fails_as_https_would_and_says_why() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = ws_server(&env, dir.path());
    let kind = |url: &str, args: &[&str]| {
        let out = certbench(&env, dir.path(), &["send", url])
            .args(args)
            .args(["--json", "--no-history", "--message", "hi"])
            .output()
            .unwrap();
        let (v, err) = lines(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let last = v.last().unwrap().clone();
        (
            last["error"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            last["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    };
    let https = url.replace("wss://", "https://");
    // The same failure says the same thing over wss:// as over https:// to the same server.
    let (k, m) = kind(&url, &["--trust", "demo-ca"]);
    assert_eq!(k, "client_cert_rejected", "{m}");
    assert!(m.contains("we sent none"), "{m}");
    assert_eq!((k, m), kind(&https, &["--trust", "demo-ca"]));
    let (k, m) = kind(&url, &["--credential", "demo"]);
    assert_eq!(k, "server_cert_untrusted", "{m}");
    assert_eq!((k, m), kind(&https, &["--credential", "demo"]));
    // A WebSocket's transcript is not streamed to a file: said before anything is sent.
    let out = certbench(&env, dir.path(), &["send", &url])
        .args([
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "--output",
            "out.txt",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not saved to a file"), "{err}");
    assert!(!dir.path().join("out.txt").exists());
    let (k, m) = kind(
        &url,
        &[
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "--subprotocol",
            "chat.v9",
        ],
    );
    assert_eq!(k, "ws_subprotocol_refused", "{m}");
    assert!(m.contains("chat.v9"), "{m}");
}

#[test]
fn a_subprotocol_the_server_speaks_is_agreed_and_a_large_message_ends_the_talk() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = ws_server_with(&env, dir.path(), &["chat"]);
    std::fs::write(
        dir.path().join("chat.toml"),
        format!(
            "url = \"{url}/chat\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n\n[websocket]\nsubprotocols = [\"chat.v1\"]\nmessages = [\"ok\", \"big\", \"never echoed\"]\nmax_message_bytes = \"1KiB\"\n\n[expect.stream]\nmin = 2\nfirst = [{{ path = \"$.subprotocol\", equals = \"chat.v1\" }}]\n"
        ),
    )
    .unwrap();
    let out = certbench(
        &env,
        dir.path(),
        &["send", "chat", "--json", "--no-history"],
    )
    .output()
    .unwrap();
    let (v, err) = lines(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let hello: serde_json::Value = serde_json::from_str(v[3]["data"].as_str().unwrap()).unwrap();
    assert_eq!(hello["subprotocol"], "chat.v1", "{v:?}");
    let ex = v.last().unwrap();
    assert_eq!(ex["stream"]["end"], "message_too_large", "{ex}");
    // The greeting and the echo came (the large one did not): both rules met.
    assert_eq!(ex["expectations"]["checked"], 2, "{ex}");
    assert_eq!(
        ex["expectations"]["failures"],
        serde_json::json!([]),
        "{ex}"
    );
    let kinds: Vec<&str> = ex["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"ws_message_too_large"), "{kinds:?}");
    assert!(
        !v.iter().any(|m| m["data"] == "x".repeat(5000)),
        "the large message is not taken"
    );
}

#[test]
fn through_tinyproxy_the_tunnel_carries_the_conversation() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = ws_server(&env, dir.path());
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let proxy = Tinyproxy::start(dir.path(), port, None);
    let out = certbench(&env, dir.path(), &["send", &url])
        .args(KEY)
        .args(["--proxy", &proxy.url, "--message", "via proxy"])
        .args(["--max-messages", "2", "--json", "--no-history"])
        .output()
        .unwrap();
    let (v, err) = lines(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        v.iter()
            .any(|m| m["direction"] == "received" && m["data"] == "via proxy")
    );
    assert_eq!(v.last().unwrap()["tls"]["proxy"], format!("{}/", proxy.url));
    let connects = proxy.connects();
    assert_eq!(connects.len(), 1, "{connects:?}");
    assert!(
        connects[0].contains(&format!("localhost:{port}")),
        "{connects:?}"
    );
}

/// Node's https server with no upgrade handler answers an upgrade as a plain request: here 403
/// with a JSON body, after the TLS handshake took our key.
const REFUSING_SERVER: &str = r#"
const https = require('https');
const fs = require('fs');
https.createServer({
  key: fs.readFileSync('srv.key'), cert: fs.readFileSync('srv.pem'), ca: fs.readFileSync('ca.pem'),
  requestCert: true, rejectUnauthorized: true,
}, (req, res) => {
  res.writeHead(403, {'content-type': 'application/json'});
  res.end(JSON.stringify({error: 'no sockets for ' + req.socket.getPeerCertificate().subject.CN}));
}).listen(parseInt(process.argv[2], 10), '127.0.0.1');
"#;

#[test]
fn a_refused_upgrade_shows_the_status_and_the_body() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    write_demo_files(&env, dir.path());
    let (_server, url) = node(dir.path(), REFUSING_SERVER);
    let wss = url.replace("https://", "wss://");
    let out = certbench(&env, dir.path(), &["send", &format!("{wss}/socket")])
        .args(KEY)
        .args(["--no-history", "--message", "hi"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let text = String::from_utf8_lossy(&out.stdout);
    // As any 4xx answer (exit 4), the upgrade's refusal said in words.
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("answered the WebSocket upgrade with 403 Forbidden instead of 101"),
        "{err}"
    );
    assert!(
        text.contains("no sockets for certbench-demo-client"),
        "{text}"
    );
}

/// A secret of the request (here its Authorization value) that comes back in a message is
/// hidden in the history: in the transcript and in the kept messages alike.
#[test]
fn a_secret_echoed_in_a_message_is_redacted_in_the_history() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = ws_server(&env, dir.path());
    let secret = "tok-s3cret-5ac1d2";
    let out = certbench(&env, dir.path(), &["send", &url])
        .args(KEY)
        .args(["-H", &format!("Authorization: Bearer {secret}")])
        .args([
            "--message",
            &format!("my token is {secret}"),
            "--max-messages",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = certbench(&env, dir.path(), &["history", "show", "1", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("my token is"),
        "the messages are there: {text}"
    );
    assert!(!text.contains(secret), "{text}");
}

/// Server-Sent Events from Python's http.server, plain HTTP: three events 300 ms apart.
const SSE_BACKEND: &str = r#"
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i in range(1, 4):
            self.wfile.write(f"data: {{\"n\": {i}, \"dn\": \"{self.headers.get('X-Client-DN')}\"}}\n\n".encode())
            self.wfile.flush()
            time.sleep(0.3)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", 0), H).serve_forever()
"#;

/// nginx terminating mutual TLS (`ssl_verify_client on`) in front of a plain WebSocket server
/// (`proxy_pass` with the Upgrade headers) and a plain event stream (`proxy_buffering off`):
/// the conversation and the events go through, and events arrive as they are sent.
#[test]
fn behind_nginx_a_websocket_and_an_event_stream_pass_through_as_they_come() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_ws, ws_url) = ws_server_with(&env, dir.path(), &["plain"]);
    let ws_port = ws_url.rsplit(':').next().unwrap().to_string();
    std::fs::write(dir.path().join("sse.py"), SSE_BACKEND).unwrap();
    let (_sse, sse_port) = start("python3 http.server", Port::FromOs, |_| {
        let mut c = Command::new("python3");
        c.arg("sse.py").current_dir(dir.path());
        c
    });
    let locations = format!(
        "    location /ws {{ proxy_pass http://127.0.0.1:{ws_port}; proxy_http_version 1.1;\n\
         proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\";\n\
         proxy_set_header X-Client-DN $ssl_client_s_dn; }}\n\
         location /events {{ proxy_pass http://127.0.0.1:{sse_port}; proxy_buffering off;\n\
         proxy_set_header X-Client-DN $ssl_client_s_dn; }}\n"
    );
    let nginx_dir = dir.path().join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    let (_nginx, https) = nginx_with(
        &nginx_dir,
        &env.demo.server_cert.cert_pem,
        &env.demo.server_cert.key_pem,
        &env.demo.pki.ca.cert_pem,
        &locations,
    );
    let wss = https.replace("https://", "wss://");
    let v = talk(
        &env,
        dir.path(),
        &format!("{wss}/ws"),
        &[
            "--message",
            "through nginx",
            "--max-messages",
            "2",
            "--json",
        ],
    );
    let hello: serde_json::Value = serde_json::from_str(
        v.iter().find(|m| m["direction"] == "received").unwrap()["data"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert!(
        hello["cn"]
            .as_str()
            .unwrap_or_default()
            .contains("CN=certbench-demo-client"),
        "nginx checked our key and said whose it was: {hello}"
    );
    assert!(
        v.iter()
            .any(|m| m["direction"] == "received" && m["data"] == "through nginx")
    );
    let out = certbench(&env, dir.path(), &["send", &format!("{https}/events")])
        .args(KEY)
        .args(["--json", "--no-history"])
        .output()
        .unwrap();
    let (v, err) = lines(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(v.last().unwrap()["stream"]["events"], 3, "{v:?}");
    let (first, third) = (
        v[0]["at_ms"].as_u64().unwrap(),
        v[2]["at_ms"].as_u64().unwrap(),
    );
    assert!(
        third >= first + 400,
        "the events came one by one, not buffered into one ({first} ms, {third} ms)"
    );
}

/// The route options and the pin apply to a WebSocket as to any send; two conversations compare
/// message by message in `history diff`; `run` sends a WebSocket profile; a server's ping shows.
#[test]
fn routes_pins_diff_run_and_pings_work_for_a_websocket() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = ws_server(&env, dir.path());
    let port = url.rsplit(':').next().unwrap().to_string();
    // The default port, where nothing listens here, sent to the server's by --connect-to.
    let elsewhere = "wss://localhost/".to_string();
    let first = certbench(&env, dir.path(), &["send", &url])
        .args(KEY)
        .args(["--max-messages", "1", "--json", "--no-history"])
        .output()
        .unwrap();
    let (v, _) = lines(&first);
    let pin = v.last().unwrap()["tls"]["server_chain"][0]["pin"]
        .as_str()
        .unwrap()
        .to_string();
    let connect_to = format!("localhost:443:127.0.0.1:{port}");
    let keylog = dir.path().join("keys.log").display().to_string();
    let v = talk(
        &env,
        dir.path(),
        &elsewhere,
        &[
            "--connect-to",
            &connect_to,
            "--pin",
            &pin,
            "--keylog",
            &keylog,
            "--message",
            "ping-me",
            "--max-messages",
            "3",
            "--json",
        ],
    );
    let secrets = std::fs::read_to_string(&keylog).unwrap_or_default();
    assert!(
        secrets.contains("CLIENT_TRAFFIC_SECRET_0"),
        "the key log has the conversation's TLS secrets: {secrets}"
    );
    assert!(
        v.iter()
            .any(|m| m["type"] == "ping" && m["data"] == "are you there"),
        "the server's ping is shown: {v:?}"
    );
    let wrong = certbench(&env, dir.path(), &["send", &url])
        .args(KEY)
        .args([
            "--pin",
            "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "--json",
        ])
        .arg("--no-history")
        .output()
        .unwrap();
    let (v, _) = lines(&wrong);
    assert_eq!(v.last().unwrap()["error"]["kind"], "pin_mismatch", "{v:?}");
    // A second conversation that differs in one message: the diff names that line.
    let out = certbench(&env, dir.path(), &["send", &url])
        .args(KEY)
        .args(["--message", "hello", "--max-messages", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = certbench(&env, dir.path(), &["send", &url])
        .args(KEY)
        .args(["--message", "hullo", "--max-messages", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let diff = certbench(&env, dir.path(), &["history", "diff", "2", "3"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&diff.stdout);
    assert_eq!(diff.status.code(), Some(1), "{text}");
    assert!(
        text.contains("sent text: hello") && text.contains("sent text: hullo"),
        "{text}"
    );
    // `run` sends a WebSocket profile with its messages and judges it.
    std::fs::write(
        dir.path().join("sock.toml"),
        format!(
            "url = \"{url}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n\n[websocket]\nmessages = [\"close-please\"]\n\n[expect]\nstatus = 101\n\n[expect.stream]\nmin = 1\n"
        ),
    )
    .unwrap();
    let run = certbench(&env, dir.path(), &["run", "sock"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{err}");
    assert!(err.contains("PASS sock 101"), "{err}");
}
