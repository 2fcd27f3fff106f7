//! End to end in a real terminal: the binary in tmux, driven with send-keys, read with capture-pane.

use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux is installed (.ci/run installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(session: &str, needle: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if screen.contains(needle) || Instant::now() > deadline {
            return screen;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn demo_send_pick_key_and_quit_in_tmux() {
    let session = format!("certbench-e2e-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_certbench");
    let dir = env!("CARGO_MANIFEST_DIR");
    let cmd = format!("cd {dir} && {bin} demo; echo CERTBENCH-EXITED-$?; sleep 20");
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "80",
        "-y",
        "24",
        &cmd,
    ]);
    let screen = wait_for(&session, "echo-orders", 20);
    assert!(screen.contains("Profiles"), "{screen}");
    // Select echo-orders and send it with Ctrl-R.
    tmux(&["send-keys", "-t", &session, "Down", "Enter"]);
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
    let screen = wait_for(&session, "Credential keys", 5);
    assert!(screen.contains("issuer certbench demo CA"), "{screen}");
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
