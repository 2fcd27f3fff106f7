//! End to end in a real terminal: the binary in tmux, driven with send-keys, read with capture-pane.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::tmux::{
    Session, demo_session, new_session, select_profile, tmux, wait_for, wait_for_count,
    wait_for_opt,
};

#[test]
fn demo_send_pick_key_and_quit_in_tmux() {
    let session = format!("certbench-e2e-{}", std::process::id());
    let _session = demo_session(&session, 80, 24);
    let screen = wait_for(&session, "echo-orders", 1);
    assert!(screen.contains("Profiles"), "{screen}");
    // Select echo-orders (wherever the list puts it) and send it with Ctrl-R.
    select_profile(&session, "echo-orders");
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, "Request: echo-orders", 5);
    tmux(&["send-keys", "-t", &session, "C-r"]);
    let screen = wait_for(&session, "200 OK", 20);
    assert!(screen.contains("200 OK"), "{screen}");
    assert!(screen.contains("TLSv1.3"), "{screen}");
    // The body shows the echoed client certificate further down: scroll the response pane.
    tmux(&["send-keys", "-t", &session, "Tab", "G"]);
    let screen = wait_for(&session, "certbench-demo-client", 5);
    assert!(screen.contains("certbench-demo-client"), "{screen}");
    // The key picker.
    tmux(&["send-keys", "-t", &session, "C-k"]);
    let screen = wait_for(&session, "Keys: Enter use", 5);
    assert!(screen.contains("CN=certbench-demo-client"), "{screen}");
    tmux(&["send-keys", "-t", &session, "Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux(&["send-keys", "-t", &session, "q"]);
    let screen = wait_for(&session, "CERTBENCH-EXITED-0", 10);
    tmux(&["kill-session", "-t", &session]);
    assert!(
        screen.contains("CERTBENCH-EXITED-0"),
        "the app quits and the shell is back: {screen}"
    );
    assert!(
        !screen.contains("Profiles"),
        "the alternate screen is gone: {screen}"
    );
}

/// `certbench demo --serve` in the background: its URL and the home it imported its keys into.
struct DemoServer {
    child: std::process::Child,
    url: String,
    home: String,
}

impl DemoServer {
    fn start() -> DemoServer {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_certbench"))
            .args(["demo", "--serve", "--port", "0"])
            .current_dir(std::env::temp_dir())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (mut url, mut home) = (String::new(), String::new());
        let mut lines = std::io::BufReader::new(out).lines();
        for line in lines.by_ref().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("certbench demo server: ") {
                url = rest.split_whitespace().next().unwrap_or("").to_string();
            }
            if let Some(h) = line.trim().strip_prefix("export CERTBENCH_HOME=") {
                home = h.to_string();
            }
            if !url.is_empty() && !home.is_empty() {
                break;
            }
        }
        assert!(
            !url.is_empty() && !home.is_empty(),
            "demo --serve printed its URL and home"
        );
        DemoServer { child, url, home }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        // SIGINT (what --serve waits for) so it removes its temporary home; SIGKILL if it lingers.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn two_keys_compared_then_found_in_history_after_restart() {
    let server = DemoServer::start();
    let profiles = tempfile::tempdir().unwrap();
    std::fs::write(
        profiles.path().join("vars.toml"),
        format!("base_url = \"{}\"\n", server.url),
    )
    .unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/echo-orders.toml"),
        profiles.path().join("echo-orders.toml"),
    )
    .unwrap();
    let session = format!("certbench-hist-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_certbench");
    let run = format!(
        "CERTBENCH_HOME={} {bin} --profiles {}; echo CERTBENCH-EXITED-$?; sleep 20",
        server.home,
        profiles.path().display()
    );
    let start = |cmd: &str| {
        tmux(&["kill-session", "-t", &session]);
        new_session(&session, 100, 30, cmd)
    };
    let _first = start(&run);
    wait_for(&session, "echo-orders", 10);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, "Request: echo-orders", 5);
    // Key picker: the second key, c = send with both and compare.
    tmux(&["send-keys", "-t", &session, "C-k"]);
    wait_for(&session, "demo-rotated", 5);
    tmux(&["send-keys", "-t", &session, "Down", "c"]);
    let screen = wait_for(&session, "Compare: DIFFERENT", 20);
    assert!(screen.contains("Compare: DIFFERENT"), "{screen}");
    assert!(screen.contains("client certificate:"), "{screen}");
    // Leave the URL field (q would type there), then quit.
    tmux(&["send-keys", "-t", &session, "Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux(&["send-keys", "-t", &session, "Tab", "q"]);
    let screen = wait_for(&session, "CERTBENCH-EXITED-0", 10);
    assert!(screen.contains("CERTBENCH-EXITED-0"), "{screen}");

    // Restart: both sends are in the history pane, read from the store.
    let _second = start(&run);
    wait_for(&session, "echo-orders", 10);
    let screen = wait_for(&session, "200 GET", 10);
    let rows = screen.lines().filter(|l| l.contains("200 GET")).count();
    assert_eq!(rows, 2, "{screen}");
    tmux(&[
        "send-keys",
        "-t",
        &session,
        "Tab",
        "Tab",
        "Tab",
        "m",
        "Down",
        "m",
        "c",
    ]);
    let screen = wait_for(&session, "Compare: DIFFERENT", 10);
    // Both sends share a second, so either may be listed first: the header lines name both keys
    // whichever it is (a subject line may be cut at the pane's edge).
    assert!(screen.contains("key demo-rotated"), "{screen}");
    assert!(
        screen.contains("key demo\n") || screen.contains("key demo "),
        "{screen}"
    );
    tmux(&["send-keys", "-t", &session, "Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux(&["send-keys", "-t", &session, "q"]);
    let screen = wait_for(&session, "CERTBENCH-EXITED-0", 10);
    tmux(&["kill-session", "-t", &session]);
    assert!(screen.contains("CERTBENCH-EXITED-0"), "{screen}");
}

/// The pid of the certbench process running in a tmux session's shell.
fn certbench_pid(session: &str) -> String {
    let shell = tmux(&["display-message", "-p", "-t", session, "#{pane_pid}"]);
    let out = Command::new("pgrep")
        .args(["-P", shell.trim(), "certbench"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// certbench in a tmux session on a folder holding one profile, `name.toml` (with `toml` as its
/// text), run from `cwd`, with that profile open in the form.
struct Workbench {
    session: String,
    _guard: Session,
    _profiles: tempfile::TempDir,
}

fn workbench(server: &DemoServer, name: &str, toml: &str, cwd: &std::path::Path) -> Workbench {
    let profiles = tempfile::tempdir().unwrap();
    std::fs::write(profiles.path().join(format!("{name}.toml")), toml).unwrap();
    let session = format!("certbench-{name}-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_certbench");
    let run = format!(
        "cd {} && CERTBENCH_HOME={} {bin} --profiles {}; echo CERTBENCH-EXITED-$?; sleep 20",
        cwd.display(),
        server.home,
        profiles.path().display()
    );
    let guard = new_session(&session, 120, 30, &run);
    wait_for(&session, name, 10);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, &format!("Request: {name}"), 5);
    Workbench {
        session,
        _guard: guard,
        _profiles: profiles,
    }
}

/// A profile's text: `path` on the demo server, with its key and CA.
fn demo_profile(server: &DemoServer, path: &str, extra: &str) -> String {
    format!(
        "url = \"{}{path}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n{extra}",
        server.url
    )
}

#[test]
fn a_hang_up_mid_send_ends_the_tui_promptly_and_restores_the_terminal() {
    let server = DemoServer::start();
    let here = std::env::temp_dir();
    let wb = workbench(
        &server,
        "endless",
        &demo_profile(&server, "/drip/100", ""),
        &here,
    );
    let session = wb.session.clone();
    tmux(&["send-keys", "-t", &session, "C-r"]);
    let screen = wait_for(&session, "sending", 5);
    assert!(screen.contains("sending"), "{screen}");
    // Esc cancels the send in flight; a second send is again endless.
    tmux(&["send-keys", "-t", &session, "Escape"]);
    let screen = wait_for(&session, "cancelled", 5);
    assert!(screen.contains("cancelled"), "{screen}");
    tmux(&["send-keys", "-t", &session, "C-r"]);
    wait_for(&session, "sending", 5);
    let pid = certbench_pid(&session);
    assert!(!pid.is_empty(), "certbench runs in the pane");
    let hung_up = Instant::now();
    Command::new("kill").args(["-HUP", &pid]).status().unwrap();
    let screen = wait_for(&session, "CERTBENCH-EXITED-", 5);
    let took = hung_up.elapsed();
    tmux(&["kill-session", "-t", &session]);
    assert!(screen.contains("CERTBENCH-EXITED-129"), "{screen}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        !screen.contains("Request: endless"),
        "the alternate screen is gone: {screen}"
    );
}

#[test]
fn w_on_a_body_over_the_cap_streams_it_whole_to_a_file() {
    let server = DemoServer::start();
    let work = tempfile::tempdir().unwrap();
    let toml = demo_profile(&server, "/bomb/gzip/8", "[options]\nmax_body = \"1MiB\"\n");
    let wb = workbench(&server, "bomb", &toml, work.path());
    let session = wb.session.clone();
    tmux(&["send-keys", "-t", &session, "C-r"]);
    let screen = wait_for(&session, "over the 1MiB limit", 10);
    assert!(
        screen.contains("over the 1MiB limit"),
        "the cap is named: {screen}"
    );
    // The body held is cut at the cap; w sends the GET again straight to a file.
    tmux(&["send-keys", "-t", &session, "Tab", "w"]);
    let screen = wait_for(&session, "wrote 8388608 bytes", 20);
    tmux(&["kill-session", "-t", &session]);
    assert!(screen.contains("wrote 8388608 bytes"), "{screen}");
    let files: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "one file, no temp left: {files:?}");
    assert_eq!(std::fs::metadata(&files[0]).unwrap().len(), 8 << 20);
}

/// Voluntary context switches of a process's main thread: each one is a wake-up.
fn wakeups(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn an_idle_tui_does_not_wake_up_between_keystrokes() {
    let server = DemoServer::start();
    let here = std::env::temp_dir();
    let wb = workbench(
        &server,
        "slow",
        &demo_profile(&server, "/slow/1500", ""),
        &here,
    );
    let session = wb.session.clone();
    let pid = certbench_pid(&session);
    assert!(!pid.is_empty(), "certbench runs in the pane");
    std::thread::sleep(Duration::from_millis(500));
    let before = wakeups(&pid);
    std::thread::sleep(Duration::from_secs(2));
    let idle = wakeups(&pid) - before;
    // While a send is in flight the spinner animates: the ticks come back.
    tmux(&["send-keys", "-t", &session, "C-r"]);
    wait_for(&session, "sending", 5);
    let before = wakeups(&pid);
    std::thread::sleep(Duration::from_millis(1000));
    let busy = wakeups(&pid) - before;
    let screen = wait_for(&session, "200 OK", 10);
    tmux(&["kill-session", "-t", &session]);
    assert!(screen.contains("200 OK"), "{screen}");
    assert!(idle <= 2, "an idle TUI woke {idle} times in 2 s");
    assert!(
        busy >= 5,
        "the spinner ticks while sending: {busy} wake-ups in 1 s"
    );
}

#[test]
fn the_token_flow_runs_from_the_tui_and_an_environment_switches_url_and_key() {
    let server = DemoServer::start();
    let profiles = tempfile::tempdir().unwrap();
    let p = profiles.path();
    std::fs::write(
        p.join("vars.toml"),
        "base_url = \"https://nowhere.invalid\"\n",
    )
    .unwrap();
    for name in ["get-token.toml", "accounts.toml"] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("profiles")
                .join(name),
            p.join(name),
        )
        .unwrap();
    }
    // A profile naming no key: the environment decides.
    std::fs::write(
        p.join("whoami.toml"),
        "name = \"whoami\"\nurl = \"${base_url}/echo\"\n",
    )
    .unwrap();
    std::fs::create_dir(p.join("environments")).unwrap();
    std::fs::write(
        p.join("environments/local.toml"),
        format!(
            "credential = \"demo-rotated\"\ntrust = [\"demo-ca\"]\n[vars]\nbase_url = \"{}\"\n",
            server.url
        ),
    )
    .unwrap();
    let session = format!("certbench-chain-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_certbench");
    let run = format!(
        "CERTBENCH_HOME={} {bin} --profiles {}; echo CERTBENCH-EXITED-$?; sleep 20",
        server.home,
        p.display()
    );
    let _s = new_session(&session, 100, 30, &run);
    wait_for(&session, "accounts", 10);
    // e: the environment; the form says which key it brings.
    tmux(&["send-keys", "-t", &session, "e"]);
    wait_for(&session, "environment local", 5);
    // accounts (first in the list) with Ctrl-R: get-token goes first, the token flows.
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, "Request: accounts [env local]", 5);
    tmux(&["send-keys", "-t", &session, "C-r"]);
    let screen = wait_for(&session, "expectations", 20);
    assert!(
        screen.contains("sent get-token first: 200 OK, captured token"),
        "{screen}"
    );
    assert!(screen.contains("6/6 expectations"), "{screen}");
    assert!(screen.contains("200 OK"), "{screen}");
    // v (in the profiles pane, one Shift-Tab back from the form): the captured token, masked.
    tmux(&["send-keys", "-t", &session, "Escape"]);
    std::thread::sleep(Duration::from_millis(200));
    tmux(&["send-keys", "-t", &session, "BTab"]);
    std::thread::sleep(Duration::from_millis(200));
    tmux(&["send-keys", "-t", &session, "v"]);
    let screen = wait_for(&session, "Variables:", 5);
    assert!(
        screen.contains("token = •••• (") && screen.contains("captured by get-token"),
        "{screen}"
    );
    assert!(
        !screen.contains("token = demo-"),
        "the token itself is not shown: {screen}"
    );
    tmux(&["send-keys", "-t", &session, "Escape"]);
    // whoami names no key: the environment's is shown and used.
    for _ in 0..6 {
        if wait_for_opt(&session, "> whoami", 1).is_some() {
            break;
        }
        tmux(&["send-keys", "-t", &session, "Down"]);
    }
    tmux(&["send-keys", "-t", &session, "Enter"]);
    let screen = wait_for(&session, "key: demo-rotated (from env local)", 5);
    assert!(screen.contains("[env local]"), "{screen}");
    tmux(&["send-keys", "-t", &session, "C-r"]);
    // Its own row in the history, so the response on screen is this one.
    let screen = wait_for(&session, "200 GET whoa", 20);
    assert!(screen.contains("Request: whoami [env local]"), "{screen}");
    // The echo names the certificate the server saw, further down: the environment's key.
    tmux(&["send-keys", "-t", &session, "Tab", "G"]);
    wait_for(&session, "certbench-demo-client-rotated", 5);
    tmux(&["send-keys", "-t", &session, "Escape"]);
    std::thread::sleep(Duration::from_millis(200));
    tmux(&["send-keys", "-t", &session, "C-c"]);
    wait_for(&session, "CERTBENCH-EXITED-", 10);
}

#[test]
fn a_paste_is_text_for_the_focused_field_never_keys() {
    let server = DemoServer::start();
    let here = std::env::temp_dir();
    let wb = workbench(
        &server,
        "pasted",
        &demo_profile(&server, "/echo", ""),
        &here,
    );
    let session = wb.session.clone();
    let paste = |text: &str| {
        tmux(&["set-buffer", "-b", "certbench-test", "--", text]);
        // -p: bracketed paste, as a terminal does when the application asked for it.
        tmux(&[
            "paste-buffer",
            "-p",
            "-d",
            "-b",
            "certbench-test",
            "-t",
            &session,
        ]);
    };
    // Into the URL field: a curl command of two lines becomes the request at once.
    tmux(&["send-keys", "-t", &session, "C-u"]);
    paste("curl -X PUT https://api.bank.test/v1/pay \\\n  -H 'X-Req: 7'");
    let screen = wait_for(&session, "from curl: PUT pay", 5);
    assert!(screen.contains("from curl: PUT pay"), "{screen}");
    // In the history pane, keys that would clear the history arrive as text, and are ignored.
    tmux(&["send-keys", "-t", &session, "Escape"]);
    for _ in 0..3 {
        tmux(&["send-keys", "-t", &session, "Tab"]);
        if tmux(&["capture-pane", "-p", "-t", &session]).contains("History") {
            break;
        }
    }
    paste("\t\tDy");
    let screen = wait_for(&session, "paste ignored", 5);
    assert!(!screen.contains("delete all"), "{screen}");
}

#[test]
fn the_readme_first_steps_work_as_written_and_esc_leaves_a_field() {
    let session = format!("certbench-readme-{}", std::process::id());
    let _session = demo_session(&session, 80, 24);
    // "Pick echo-orders, press Ctrl-R": moving the selection is picking it.
    select_profile(&session, "echo-orders");
    let screen = wait_for(&session, "Request: echo-orders", 5);
    assert!(screen.contains("> echo-orders"), "{screen}");
    tmux(&["send-keys", "-t", &session, "C-r"]);
    let screen = wait_for(&session, "200 OK", 20);
    assert!(screen.contains("TLSv1.3"), "{screen}");
    // Enter edits the URL; Esc leaves the field, so q is a command again, not a letter.
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, "TYPING", 5);
    tmux(&["send-keys", "-t", &session, "Escape"]);
    let screen = wait_for(&session, "Esc profiles", 5);
    assert!(
        !screen.contains("Request: echo-orders *"),
        "nothing typed: {screen}"
    );
    tmux(&["send-keys", "-t", &session, "Escape", "q"]);
    let screen = wait_for(&session, "CERTBENCH-EXITED-0", 10);
    tmux(&["kill-session", "-t", &session]);
    assert!(screen.contains("CERTBENCH-EXITED-0"), "{screen}");
}

/// An endless event stream in the workbench: the count of events and the latest one move on the
/// status line while it runs, and the profile's timeout ends it cleanly with the events shown.
#[test]
fn an_event_stream_counts_its_events_live_and_ends_at_the_timeout() {
    let server = DemoServer::start();
    let here = std::env::temp_dir();
    let wb = workbench(
        &server,
        "feed",
        &demo_profile(&server, "/events/0/150", "[options]\ntimeout_secs = 3\n"),
        &here,
    );
    let session = wb.session.clone();
    tmux(&["send-keys", "-t", &session, "C-r"]);
    let screen = wait_for(&session, "/s) from feed, last: order", 10);
    assert!(screen.contains("shipped"), "{screen}");
    let screen = wait_for(&session, "stopped at the profile's timeout", 15);
    assert!(screen.contains("200 OK"), "{screen}");
    assert!(
        screen.contains("event: order"),
        "the body holds the events: {screen}"
    );
    tmux(&["kill-session", "-t", &session]);
}

/// Esc on a running stream stops it and keeps the events that arrived, shown as the body.
#[test]
fn esc_stops_an_event_stream_and_keeps_what_arrived() {
    let server = DemoServer::start();
    let here = std::env::temp_dir();
    // Its own name: tmux sessions are named after the profile, and tests run at once.
    let wb = workbench(
        &server,
        "stopfeed",
        &demo_profile(&server, "/events/0/100", "[options]\ntimeout_secs = 60\n"),
        &here,
    );
    let session = wb.session.clone();
    tmux(&["send-keys", "-t", &session, "C-r"]);
    wait_for(&session, "/s) from stopfeed, last: order", 10);
    tmux(&["send-keys", "-t", &session, "Escape"]);
    let screen = wait_for(&session, "events: stopped", 10);
    assert!(screen.contains("200 OK"), "{screen}");
    assert!(screen.contains("event: order"), "{screen}");
    tmux(&["kill-session", "-t", &session]);
}

/// A WebSocket in the workbench, against the demo's echo: the profile's saved message goes
/// first, a message typed on the input line goes next, the echoes show in the live log as they
/// come, and `x` closes the conversation, whose transcript is then the body.
#[test]
fn a_websocket_conversation_takes_typed_messages_and_shows_the_echoes_live() {
    let server = DemoServer::start();
    let here = std::env::temp_dir();
    let socket = format!("{}/socket", server.url.replacen("https://", "wss://", 1));
    let wb = workbench(
        &server,
        "sock",
        &format!(
            "url = \"{socket}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n\n[websocket]\nmessages = [\"saved first\"]\n\n[options]\ntimeout_secs = 60\n"
        ),
        &here,
    );
    let session = wb.session.clone();
    tmux(&["send-keys", "-t", &session, "C-r"]);
    let screen = wait_for(&session, "/s) from sock", 10);
    assert!(screen.contains("> text"), "{screen}");
    tmux(&["send-keys", "-t", &session, "Tab"]);
    wait_for(&session, "i type 1 saved", 5);
    tmux(&["send-keys", "-t", &session, "i"]);
    wait_for(&session, "message>", 5);
    tmux(&["send-keys", "-t", &session, "-l", "typed in tmux"]);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    // Sent, then echoed: both in the live log.
    let screen = wait_for_count(&session, "  typed in tmux", 2, 10);
    assert!(screen.contains("certbench-demo-client"), "{screen}");
    tmux(&["send-keys", "-t", &session, "x"]);
    let screen = wait_for(&session, "messages received", 10);
    assert!(screen.contains("101 Switching Protocols"), "{screen}");
    assert!(screen.contains("sent text: typed in tmux"), "{screen}");
    tmux(&["kill-session", "-t", &session]);
}

/// An event stream at full speed in the workbench: the live log follows it, a key still gets an
/// answer while it runs (pause, then Esc), and the workbench's memory stays bounded.
#[test]
fn the_workbench_stays_responsive_and_bounded_under_an_event_flood() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, port) =
        crate::floods::python(dir.path(), "sse_flood.py", crate::floods::SSE_FLOOD);
    let server = DemoServer::start();
    let wb = workbench(
        &server,
        "flood",
        &format!("url = \"http://127.0.0.1:{port}/\"\n\n[options]\ntimeout_secs = 60\n"),
        dir.path(),
    );
    let session = wb.session.clone();
    tmux(&["send-keys", "-t", &session, "C-r"]);
    wait_for(&session, "/s) from flood", 10);
    tmux(&["send-keys", "-t", &session, "Tab"]);
    std::thread::sleep(Duration::from_secs(2));
    let asked = Instant::now();
    tmux(&["send-keys", "-t", &session, "f"]);
    wait_for(&session, "paused", 10);
    eprintln!(
        "under the flood, a key was answered on screen in {:?}",
        asked.elapsed()
    );
    let pid = tmux(&["display-message", "-p", "-t", &session, "#{pane_pid}"]);
    let rss = peak_rss_of_child(pid.trim());
    eprintln!("the workbench's peak RSS under the flood: {rss} KiB");
    assert!(rss > 0 && rss < 200 * 1024, "peak RSS {rss} KiB");
    tmux(&["send-keys", "-t", &session, "Escape"]);
    let screen = wait_for(&session, "events: stopped", 15);
    assert!(screen.contains("200 OK"), "{screen}");
    tmux(&["kill-session", "-t", &session]);
}

/// The peak RSS (VmHWM, KiB) of the certbench process under the shell `shell_pid`.
fn peak_rss_of_child(shell_pid: &str) -> u64 {
    let children = std::fs::read_to_string(format!("/proc/{shell_pid}/task/{shell_pid}/children"))
        .unwrap_or_default();
    children
        .split_whitespace()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter(|status| status.lines().any(|l| l == "Name:\tcertbench"))
        .find_map(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// A terminal that goes away (an SSH session that dropped; here tmux killing the pane, which
/// sends SIGHUP) ends `certbench demo` cleanly: its temporary home, with the demo's private keys,
/// is removed. It used to be left in /tmp: the restore printed to the gone terminal, panicked,
/// and the panic hook's second panic aborted the process before the home was dropped.
#[test]
fn a_hang_up_ends_the_demo_and_removes_its_home() {
    let tmp = tempfile::tempdir().unwrap();
    let homes = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("certbench-demo-")
            })
            .count()
    };
    let session = format!("certbench-hangup-{}", std::process::id());
    let cmd = format!(
        "cd {} && TMPDIR={} exec {} demo",
        env!("CARGO_MANIFEST_DIR"),
        tmp.path().display(),
        env!("CARGO_BIN_EXE_certbench")
    );
    let guard = new_session(&session, 80, 24, &cmd);
    wait_for(&session, "echo-orders", 20);
    assert_eq!(homes(), 1, "the demo keeps its home under TMPDIR");
    drop(guard);
    let deadline = Instant::now() + Duration::from_secs(15);
    while homes() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(homes(), 0, "the demo's home was left after the hang-up");
}
