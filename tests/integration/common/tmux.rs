//! tmux for end-to-end tests: a real terminal driven with send-keys, read with capture-pane.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux is installed (.ci/run installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Kills its tmux session when dropped, so a failing test leaves no certbench running.
#[must_use = "the session is killed when this guard is dropped"]
pub struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.0]);
    }
}

/// A detached tmux session of `width` x `height` running `cmd`, killed with its guard.
pub fn new_session(session: &str, width: u16, height: u16, cmd: &str) -> Session {
    let (w, h) = (width.to_string(), height.to_string());
    tmux(&["new-session", "-d", "-s", session, "-x", &w, "-y", &h, cmd]);
    Session(session.to_string())
}

/// The screen once it shows `needle` within `secs`, else None (for steps that may need a retry).
pub fn wait_for_opt(session: &str, needle: &str, secs: u64) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if screen.contains(needle) {
            return Some(screen);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The screen once it shows `needle`; fails the test with the screen when it never does.
pub fn wait_for(session: &str, needle: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if screen.contains(needle) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "waited {secs} s for {needle:?} in tmux session {session}; the screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The screen once `needle` has left it (a popup closed); fails the test when it stays.
pub fn wait_gone(session: &str, needle: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if !screen.contains(needle) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "waited {secs} s for {needle:?} to leave tmux session {session}; the screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The screen once it shows `needle` at least `n` times; fails the test when it never does.
pub fn wait_for_count(session: &str, needle: &str, n: usize, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if screen.matches(needle).count() >= n {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "waited {secs} s for {n} times {needle:?} in tmux session {session}; the screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `certbench demo` on the repository's example profiles in a new `width` x `height` session,
/// once its profile list is on screen; the shell says `CERTBENCH-EXITED-<code>` when it ends.
pub fn demo_session(session: &str, width: u16, height: u16) -> Session {
    let bin = env!("CARGO_BIN_EXE_certbench");
    let dir = env!("CARGO_MANIFEST_DIR");
    let cmd = format!("cd {dir} && {bin} demo; echo CERTBENCH-EXITED-$?; sleep 20");
    let guard = new_session(session, width, height, &cmd);
    wait_for(session, "echo-orders", 20);
    guard
}

/// Moves the profile list's selection down to `name` (the list starts at its top).
pub fn select_profile(session: &str, name: &str) {
    let marked = format!("> {name}");
    for _ in 0..12 {
        if wait_for_opt(session, &marked, 1).is_some() {
            return;
        }
        tmux(&["send-keys", "-t", session, "Down"]);
    }
    wait_for(session, &marked, 1);
}
