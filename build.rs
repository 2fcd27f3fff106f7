//! Links the release `certbench` binary so the code a session runs sits together (link/hot-functions.txt).
//!
//! Without it, the functions that start the workbench are spread over the binary's 18 MB of code,
//! and the kernel maps them in 64 KiB windows: idle RSS was 14.3 MB, 7.4 MB of it code. With them
//! first, the code at idle is 1.5 MB. Packed relative relocations (DT_RELR) shrink the 1.2 MB the
//! loader reads to relocate the binary to 13 KB. Both only where they are known to work: lld (the
//! default linker of Rust 1.90+ on x86_64 Linux) and, for DT_RELR, glibc 2.36+ on the build machine.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=link/hot-functions.txt");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    if !lld_links_a_native_release() {
        return;
    }
    let list = Path::new(&var("CARGO_MANIFEST_DIR")).join("link/hot-functions.txt");
    let list = list.display().to_string();
    // `-Wl,` splits at commas; a folder name with one just goes without the layout.
    if !list.contains(',') && Path::new(&list).is_file() {
        println!("cargo:rustc-link-arg-bin=certbench=-Wl,--symbol-ordering-file={list}");
        // Names the code no longer has (renamed since the list was made) are skipped quietly.
        println!("cargo:rustc-link-arg-bin=certbench=-Wl,--no-warn-symbol-ordering");
    }
    if glibc_reads_relr() {
        println!("cargo:rustc-link-arg-bin=certbench=-Wl,-z,pack-relative-relocs");
    }
}

fn var(name: &str) -> String {
    env::var(name).unwrap_or_default()
}

/// A release build for this machine, by a rustc whose default linker on it is lld, not replaced.
fn lld_links_a_native_release() -> bool {
    let target = var("TARGET");
    let linker_chosen =
        env::var_os("RUSTC_LINKER").is_some() || var("CARGO_ENCODED_RUSTFLAGS").contains("link");
    target == "x86_64-unknown-linux-gnu"
        && var("HOST") == target
        && var("PROFILE") == "release"
        && !linker_chosen
        && rustc_minor().is_some_and(|minor| minor >= 90)
}

/// The `1.N` of `rustc --version`.
fn rustc_minor() -> Option<u32> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc).arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let version = text.split_whitespace().nth(1)?;
    version.split('.').nth(1)?.parse().ok()
}

/// glibc 2.36 or later here: its loader reads DT_RELR, and the binary will ask for it by name
/// (GLIBC_ABI_DT_RELR), so an older loader refuses it with a message rather than misloading it.
fn glibc_reads_relr() -> bool {
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text.trim().strip_prefix("glibc ") else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (2, 36)
}
