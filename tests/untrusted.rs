//! A profile folder from a colleague's repository is untrusted input: hostile files made at test
//! time must not exhaust the machine, load code, or run anything.

mod common;

use std::time::{Duration, Instant};

use common::{Env, certbench_in, demo_send_args};

fn mkfifo(path: &std::path::Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_vars_file_that_is_a_device_or_a_fifo_is_refused_at_once() {
    let env = Env::new();
    let url = format!("{}/json", env.server.url);
    for hostile in ["zero", "fifo"] {
        let dir = tempfile::tempdir().unwrap();
        let vars = dir.path().join("vars.toml");
        match hostile {
            "zero" => std::os::unix::fs::symlink("/dev/zero", &vars).unwrap(),
            _ => mkfifo(&vars),
        }
        let started = Instant::now();
        let out = certbench_in(&env, dir.path(), &demo_send_args(&url));
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{hostile}: took {:?}",
            started.elapsed()
        );
        assert_ne!(out.status.code(), Some(0), "{hostile}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("vars.toml"), "{hostile}: {err}");
        assert!(err.contains("not a regular file"), "{hostile}: {err}");
    }
}

#[test]
fn a_pkcs11_module_is_taken_by_absolute_path_only() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    // A "module" planted in the working folder: never loaded, whatever it holds.
    std::fs::create_dir(dir.path().join("lib")).unwrap();
    std::fs::write(dir.path().join("lib/evil.so"), b"not a library").unwrap();
    let out = certbench_in(
        &env,
        dir.path(),
        &[
            "keys",
            "import",
            "tok",
            "--pkcs11",
            "pkcs11:token=t;object=k",
            "--module",
            "lib/evil.so",
        ],
    );
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("relative path"), "{err}");
    assert!(err.contains("absolute path"), "{err}");
    assert!(!env.home.path().join("keys/tok").exists());
}
