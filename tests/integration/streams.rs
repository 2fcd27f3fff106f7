//! Server-Sent Events over mutual TLS from a server nobody here wrote (Node's https module,
//! asking for a client certificate): events are printed as they arrive, NDJSON with --json, and
//! a stream ends cleanly at --max-events, at its time limit, or on Ctrl-C, with what arrived kept.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::servers::{Running, node, write_demo_files};
use crate::common::{Env, certbench_command};

const SSE_SERVER: &str = r#"
const https = require('https');
const fs = require('fs');
https.createServer({
  key: fs.readFileSync('srv.key'), cert: fs.readFileSync('srv.pem'), ca: fs.readFileSync('ca.pem'),
  requestCert: true, rejectUnauthorized: true,
}, (req, res) => {
  const cn = req.socket.getPeerCertificate().subject.CN;
  res.writeHead(200, {'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache'});
  res.flushHeaders();
  if (req.url === '/three') {
    let i = 0;
    const t = setInterval(() => {
      i++;
      res.write(`: tick ${i}\nevent: tick\nid: ${i}\ndata: {"n": ${i},\ndata:  "cn": "${cn}"}\n\n`);
      if (i === 3) { clearInterval(t); res.end(); }
    }, 100);
  } else if (req.url === '/endless') {
    let i = 0;
    const t = setInterval(() => { i++; res.write(`data: ${i}\r\n\r\n`); }, 30);
    req.on('close', () => clearInterval(t));
  } else if (req.url === '/reconnect') {
    // Two events a connection, then a close; it goes on after the Last-Event-ID it is given.
    const from = parseInt(req.headers['last-event-id'] || '0', 10);
    res.write('retry: 100\n\n');
    for (const i of [from + 1, from + 2]) {
      res.write(`id: ${i}\ndata: {"n": ${i}, "last_event_id": "${req.headers['last-event-id'] || ''}"}\n\n`);
    }
    res.end();
  } else {
    res.write(': nothing will come\n\n');
  }
}).listen(parseInt(process.argv[2], 10), '127.0.0.1');
"#;

fn sse_server(env: &Env, dir: &Path) -> (Running, String) {
    write_demo_files(env, dir);
    node(dir, SSE_SERVER)
}

fn certbench(env: &Env, dir: &Path, args: &[&str]) -> Command {
    let mut c = certbench_command(env, dir, args);
    c.stdin(Stdio::null());
    c
}

/// A send that exited 0, its stdout read as NDJSON.
fn ndjson(out: &std::process::Output) -> Vec<serde_json::Value> {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: not one JSON line: {l}")))
        .collect()
}

#[test]
fn an_event_stream_is_ndjson_one_event_a_line_then_the_exchange() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = sse_server(&env, dir.path());
    let out = certbench(
        &env,
        dir.path(),
        &[
            "send",
            "--url",
            &format!("{url}/three"),
            "--credential",
            "demo",
        ],
    )
    .args(["--trust", "demo-ca", "--json", "--no-history"])
    .output()
    .unwrap();
    let v = ndjson(&out);
    assert_eq!(v.len(), 4, "three events and the exchange: {v:?}");
    for (i, e) in v[..3].iter().enumerate() {
        assert_eq!(e["type"], "event");
        assert_eq!(e["event"], "tick");
        assert_eq!(e["id"], (i + 1).to_string());
        let data: serde_json::Value = serde_json::from_str(e["data"].as_str().unwrap()).unwrap();
        assert_eq!(data["n"], i + 1);
        // The server saw our client certificate.
        assert_eq!(data["cn"], "certbench-demo-client");
    }
    assert!(v[0]["at_ms"].as_u64() <= v[2]["at_ms"].as_u64());
    assert_eq!(v[3]["status"], 200);
    assert_eq!(v[3]["stream"]["events"], 3);
    assert_eq!(v[3]["stream"]["end"], "closed");
}

#[test]
fn max_events_and_the_time_limit_end_a_stream_cleanly() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = sse_server(&env, dir.path());
    let args = ["--credential", "demo", "--trust", "demo-ca", "--no-history"];
    let out = certbench(
        &env,
        dir.path(),
        &["send", "--url", &format!("{url}/endless")],
    )
    .args(args)
    .args(["--max-events", "5", "--json"])
    .output()
    .unwrap();
    let v = ndjson(&out);
    assert_eq!(v.len(), 6, "{v:?}");
    let data: Vec<&str> = v[..5].iter().map(|e| e["data"].as_str().unwrap()).collect();
    assert_eq!(data, ["1", "2", "3", "4", "5"]);
    assert_eq!(v[5]["stream"]["end"], "max_events");
    // A quiet stream ends at its time limit, as a normal end, in words without --json.
    let out = certbench(
        &env,
        dir.path(),
        &["send", "--url", &format!("{url}/quiet")],
    )
    .args(args)
    .args(["--timeout", "1"])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("0 events: stopped at the time limit"),
        "{stderr}"
    );
}

/// Events are on stdout while the stream is still open, and Ctrl-C (SIGINT) ends it: what
/// arrived is kept, recorded in the history, and the exit is clean.
#[test]
fn events_show_while_the_stream_runs_and_ctrl_c_keeps_what_arrived() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = sse_server(&env, dir.path());
    let mut child = certbench(
        &env,
        dir.path(),
        &["send", "--url", &format!("{url}/endless")],
    )
    .args(["--credential", "demo", "--trust", "demo-ca", "--json"])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        first.push(line);
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "three events arrived while the endless stream is still open: {first:?}"
    );
    // SAFETY: kill(2) on our own child's pid, which has not been waited for.
    #[allow(unsafe_code, reason = "sending SIGINT to a child has no std API")]
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    let last: serde_json::Value = serde_json::from_str(rest.lines().last().unwrap()).unwrap();
    assert_eq!(last["stream"]["end"], "cancelled", "{last}");
    let events = last["stream"]["events"].as_u64().unwrap();
    assert!(events >= 3, "{last}");
    assert_eq!(
        rest.lines().count() as u64 + 3,
        events + 1,
        "every event counted was printed"
    );
    let history = certbench(&env, dir.path(), &["history", "list", "--json"])
        .output()
        .unwrap();
    let h = String::from_utf8_lossy(&history.stdout);
    assert!(h.contains("/endless"), "the cut stream is recorded: {h}");
}

/// `[expect.stream]` judges a stream by its events: how many, how soon, and JSON checks on the
/// first, the last and any of them; `run` judges a stream profile the same way, and the history
/// keeps the first and last events.
#[test]
fn stream_expectations_judge_the_events_in_send_and_run() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = sse_server(&env, dir.path());
    let profile = |name: &str, rules: &str| {
        std::fs::write(
            dir.path().join(format!("{name}.toml")),
            format!(
                "url = \"{url}/three\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n\n[expect.stream]\n{rules}"
            ),
        )
        .unwrap();
    };
    profile(
        "good",
        "min = 3\nwithin_ms = 20000\nfirst = [{ path = \"$.n\", equals = 1 }]\nlast = [{ path = \"$.n\", equals = 3 }]\nany = [{ path = \"$.cn\", equals = \"certbench-demo-client\" }]\n",
    );
    profile("bad", "min = 5\nlast = [{ path = \"$.n\", equals = 9 }]\n");
    let out = certbench(&env, dir.path(), &["send", "good", "--json"])
        .output()
        .unwrap();
    let v = ndjson(&out);
    let ex = v.last().unwrap();
    assert_eq!(ex["expectations"]["checked"], 5, "{ex}");
    assert_eq!(ex["stream"]["first"].as_array().unwrap().len(), 3, "{ex}");
    let out = certbench(&env, dir.path(), &["send", "bad"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("3 events came, fewer than min = 5"), "{err}");
    assert!(err.contains("the last event: $.n is 3, not 9"), "{err}");
    let run = certbench(&env, dir.path(), &["run", "good", "bad"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(5), "{text}{err}");
    assert!(err.contains("PASS good"), "{err}");
    assert!(err.contains("FAIL bad"), "{err}");
    // The history keeps the events with the send.
    let shown = certbench(&env, dir.path(), &["history", "show", "1", "--json"])
        .output()
        .unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["stream"]["first"][0]["kind"], "tick", "{shown}");
}

/// With --reconnect, a stream the server closes is opened again after its `retry`, with
/// Last-Event-ID, and the events go on where they stopped until --max-events or the timeout.
#[test]
fn reconnect_opens_a_closed_stream_again_with_last_event_id() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = sse_server(&env, dir.path());
    let out = certbench(
        &env,
        dir.path(),
        &["send", "--url", &format!("{url}/reconnect"), "--reconnect"],
    )
    .args(["--credential", "demo", "--trust", "demo-ca", "--no-history"])
    .args(["--max-events", "6", "--timeout", "20", "--json"])
    .output()
    .unwrap();
    let v = ndjson(&out);
    let ids: Vec<&str> = v[..6].iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"], "{v:?}");
    let third: serde_json::Value = serde_json::from_str(v[2]["data"].as_str().unwrap()).unwrap();
    assert_eq!(
        third["last_event_id"], "2",
        "the second connection said where it stopped"
    );
    let ex = v.last().unwrap();
    assert_eq!(ex["stream"]["events"], 6, "{ex}");
    assert_eq!(ex["stream"]["end"], "max_events", "{ex}");
    assert_eq!(ex["stream"]["reconnects"], 2, "{ex}");
    assert_eq!(ex["stream"]["last_id"], "6", "{ex}");
    let body = ex["body"].as_str().unwrap();
    assert!(
        body.contains("id: 1\n") && body.contains("id: 5\n"),
        "{body}"
    );
}
