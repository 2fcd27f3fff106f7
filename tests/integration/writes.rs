//! Every file certbench writes goes where the user meant and replaces nothing that is not ours:
//! `--output`, `--cookie-jar`, `run --report` and `--keylog` on a character device (made with
//! mknod, never the real /dev/null), a FIFO with a reader, a symlink, a folder, a missing folder.
#![allow(
    unsafe_code,
    reason = "the tests make devices and FIFOs, and signal children, with libc"
)]

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::common::{Env, certbench_in, demo_send_args};

/// A character device like /dev/null (1,3) in `dir`, when this user may make one (root).
fn null_device(dir: &Path) -> Option<PathBuf> {
    let path = dir.join("null");
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mknod with a valid C string; makedev has no preconditions.
    let made = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    if made != 0 {
        eprintln!(
            "not root: the character-device case is left to CI, which runs as root ({})",
            std::io::Error::last_os_error()
        );
        return None;
    }
    Some(path)
}

fn fifo(dir: &Path) -> PathBuf {
    let path = dir.join("pipe");
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    path
}

fn is_char_device(p: &Path) -> bool {
    std::fs::symlink_metadata(p)
        .unwrap()
        .file_type()
        .is_char_device()
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p)
        .unwrap()
        .file_type()
        .is_symlink()
}

fn succeeded(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn send_to(env: &Env, path: &str, extra: &[&str]) -> std::process::Output {
    let url = format!("{}/json", env.server.url);
    let mut args = demo_send_args(&url);
    args.extend(extra);
    args.extend(["--output", path]);
    certbench_in(env, env.home.path(), &args)
}

#[test]
fn output_to_a_device_writes_through_it_and_leaves_it_a_device() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let Some(null) = null_device(dir.path()) else {
        return;
    };
    let out = send_to(&env, null.to_str().unwrap(), &[]);
    succeeded(&out);
    assert!(is_char_device(&null), "the device was replaced");
    // Nothing else was left beside it (no temporary file).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn output_to_a_fifo_reaches_its_reader() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path());
    let reader = {
        let p = pipe.clone();
        std::thread::spawn(move || std::fs::read(p).unwrap())
    };
    // The reader opens the pipe on its own thread; a send before that is told nobody reads.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let out = loop {
        let out = send_to(&env, pipe.to_str().unwrap(), &[]);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        if err.contains("nobody reads") && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
            continue;
        }
        break out;
    };
    succeeded(&out);
    let body = reader.join().unwrap();
    assert!(
        String::from_utf8_lossy(&body).contains("orders"),
        "{body:?}"
    );
    assert!(
        std::fs::symlink_metadata(&pipe)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn a_fifo_nobody_reads_is_named_before_sending() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path());
    let out = send_to(&env, pipe.to_str().unwrap(), &[]);
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("named pipe that nobody reads"), "{err}");
    assert!(
        std::fs::symlink_metadata(&pipe)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn output_through_a_symlink_writes_its_target_and_keeps_the_link() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("latest.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = send_to(&env, link.to_str().unwrap(), &[]);
    succeeded(&out);
    assert!(is_symlink(&link), "the link was replaced");
    assert!(std::fs::read_to_string(&target).unwrap().contains("orders"));
}

#[test]
fn a_folder_or_a_missing_folder_is_refused_before_anything_is_sent() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let handshakes = || {
        env.server
            .handshakes
            .load(std::sync::atomic::Ordering::SeqCst)
    };
    let before = handshakes();
    for (path, words) in [
        (dir.path().to_path_buf(), "is a folder"),
        (dir.path().join("nope/out.json"), "does not exist"),
    ] {
        let out = send_to(&env, path.to_str().unwrap(), &[]);
        assert_ne!(out.status.code(), Some(0));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(words), "{err}");
    }
    assert_eq!(handshakes(), before, "nothing reached the server");
}

#[test]
fn cookie_jar_and_reports_follow_the_same_rules() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    // A cookie jar behind a symlink: the jar is written, the link stays.
    let jar = dir.path().join("jar.txt");
    let link = dir.path().join("jar-link");
    std::os::unix::fs::symlink(&jar, &link).unwrap();
    let url = format!("{}/cookies/set?session=abc", env.server.url);
    let mut args = demo_send_args(&url);
    args.extend(["--cookie-jar", link.to_str().unwrap()]);
    // Twice: the first creates the jar behind the link, the second reads and rewrites it.
    for _ in 0..2 {
        let out = certbench_in(&env, env.home.path(), &args);
        succeeded(&out);
        assert!(is_symlink(&link), "the link was replaced");
        assert!(std::fs::read_to_string(&jar).unwrap().contains("session"));
    }

    // A run's reports to a device: it stays a device.
    if let Some(null) = null_device(dir.path()) {
        let profiles = dir.path().join("profiles");
        std::fs::create_dir(&profiles).unwrap();
        std::fs::write(
            profiles.join("one.toml"),
            format!(
                "name = \"one\"\nurl = \"{}/json\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nhistory = false\n",
                env.server.url
            ),
        )
        .unwrap();
        let report = format!("junit={}", null.display());
        let out = certbench_in(&env, &profiles, &["run", "--report", &report]);
        succeeded(&out);
        assert!(is_char_device(&null), "the report replaced the device");
    }
}

#[test]
fn a_key_log_is_ours_alone() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/json", env.server.url);
    let send = |keylog: &Path| {
        let mut args = demo_send_args(&url);
        args.extend(["--keylog", keylog.to_str().unwrap()]);
        certbench_in(&env, env.home.path(), &args)
    };
    // New: created 0600 and written.
    let fresh = dir.path().join("keys.log");
    let out = send(&fresh);
    succeeded(&out);
    let meta = std::fs::metadata(&fresh).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&fresh).unwrap().contains("CLIENT_"));
    // Others can read it: refused, and left as it was.
    let open = dir.path().join("open.log");
    std::fs::write(&open, "").unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = send(&open);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not 0600"));
    assert_eq!(std::fs::read(&open).unwrap(), b"");
    // A symlink: refused, the target untouched.
    let link = dir.path().join("link.log");
    std::os::unix::fs::symlink(&fresh, &link).unwrap();
    let before = std::fs::read(&fresh).unwrap();
    let out = send(&link);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symlink"));
    assert_eq!(std::fs::read(&fresh).unwrap(), before);
}

#[test]
fn a_cookie_jar_on_a_device_starts_empty_and_leaves_the_device() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let Some(null) = null_device(dir.path()) else {
        return;
    };
    let url = format!("{}/cookies/set?session=abc", env.server.url);
    let mut args = demo_send_args(&url);
    args.extend(["--cookie-jar", null.to_str().unwrap()]);
    let out = certbench_in(&env, env.home.path(), &args);
    succeeded(&out);
    assert!(is_char_device(&null));
}
