//! Start-up in a real terminal: the release binary in tmux on 200 profiles and 50 keys, time from
//! launch to the first full frame (profiles listed, status bar drawn; capture-pane polled), and idle
//! RSS; then a 20 MB JSON body: send key to the first item on screen, RSS after and at the peak. Reference runs in the same go: the same harness printing a marker with `cat` (the floor of
//! tmux + polling), and Posting (`posting` on PATH or in $POSTING_BIN) on a collection of 200 requests.
//! One tmux server serves every run (a keeper session holds it). Run: `cargo bench --bench startup`
//! (needs tmux).

use std::process::Command;
use std::time::{Duration, Instant};

use demo::{Days, Pki};
use engine::keys::keystore::Keystore;
use engine::request::profile::Profile;

const RUNS: usize = 41;

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A line of the pane's process's `/proc/PID/status` in kB: `VmRSS` (now) or `VmHWM` (the peak).
fn status_kb(session: &str, field: &str) -> u64 {
    let pid = tmux(&["display", "-p", "-t", session, "#{pane_pid}"]);
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", pid.trim())).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn rss_kb(session: &str) -> u64 {
    status_kb(session, "VmRSS:")
}

fn wait_screen(session: &str, needles: &[&str], secs: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if needles.iter().all(|n| screen.contains(n)) {
            return true;
        }
        if Instant::now() > deadline {
            eprintln!("timed out waiting for {needles:?}; the screen:\n{screen}");
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The JSON body shown in the second part, in bytes (MB figures are MiB: kB / 1024).
const BIG_BODY: usize = 20_000_000;

/// A 20 MB JSON body over plain HTTP (python's http.server, the same for both): from the send key to
/// the body's first item on screen, and RSS afterwards. `ready` is on screen when the app can send;
/// `before` types what the app needs before the send key (`send`).
fn big_body(
    name: &str,
    cmd: &str,
    ready: &str,
    before: &[&[&str]],
    send: &str,
) -> Option<(f64, u64)> {
    let session = format!("cb-big-{}", std::process::id());
    tmux(&["kill-session", "-t", &session]);
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "120",
        "-y",
        "40",
        cmd,
    ]);
    let mut ok = wait_screen(&session, &[ready], 30);
    for keys in before {
        let mut args = vec!["send-keys", "-t", session.as_str()];
        args.extend_from_slice(keys);
        tmux(&args);
        std::thread::sleep(Duration::from_millis(300));
    }
    let t = Instant::now();
    tmux(&["send-keys", "-t", &session, send]);
    ok = ok && wait_screen(&session, &["item-0\"", "200"], 180);
    // Leave out the screen dump on a timeout: the caller says what happened.
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let kb = rss_kb(&session);
    let peak = status_kb(&session, "VmHWM:");
    tmux(&["kill-session", "-t", &session]);
    if ok {
        println!(
            "{name:<44} {ms:>9.0} ms   RSS {:>7.1} MB, peak {:>7.1} MB ({:.2}x the body)",
            kb as f64 / 1024.0,
            peak as f64 / 1024.0,
            (peak * 1024) as f64 / BIG_BODY as f64
        );
    }
    ok.then_some((ms, kb))
}

/// Launches `cmd` in a fresh 120x40 session; returns ms until every needle is on screen, and the RSS (kB) after 1 s idle.
fn measure(cmd: &str, needles: &[&str], rss: bool) -> Option<(f64, u64)> {
    let session = format!("cb-startup-{}", std::process::id());
    tmux(&["kill-session", "-t", &session]);
    let t = Instant::now();
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "120",
        "-y",
        "40",
        cmd,
    ]);
    let ms = wait_screen(&session, needles, 20).then(|| t.elapsed().as_secs_f64() * 1000.0);
    let mut kb = 0;
    if rss && ms.is_some() {
        std::thread::sleep(Duration::from_secs(1));
        let pid = tmux(&["display", "-p", "-t", &session, "#{pane_pid}"]);
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", pid.trim())).unwrap_or_default();
        kb = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
    }
    tmux(&["kill-session", "-t", &session]);
    ms.map(|m| (m, kb))
}

/// How many of the functions `link/hot-functions.txt` lays out first the binary still has (`nm`):
/// the rest were renamed or moved since the list was made, and sit wherever the linker put them.
fn hot_functions_found(bin: &str) {
    let list = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("link/hot-functions.txt");
    let Ok(listed) = std::fs::read_to_string(&list) else {
        println!(
            "no {}: the binary is linked in the compiler's order",
            list.display()
        );
        return;
    };
    let Ok(out) = Command::new("nm").args(["--defined-only", bin]).output() else {
        println!("nm not found: cannot tell how many listed functions the binary has");
        return;
    };
    let names = String::from_utf8_lossy(&out.stdout);
    let have: std::collections::HashSet<&str> = names
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    let listed: Vec<&str> = listed.lines().collect();
    let found = listed.iter().filter(|n| have.contains(*n)).count();
    println!(
        "hot functions laid out first: {found} of the {} listed are in the binary (link/hot-functions.sh remakes the list)",
        listed.len()
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// One way of starting: its name, the pane's command, and what is on screen once it is up.
struct Start<'a> {
    name: &'a str,
    cmd: String,
    needles: &'a [&'a str],
}

/// Each start `RUNS` times, taking turns (the floor and certbench see the same moments of a busy
/// machine); per start, the median time and the idle RSS of its first run.
fn series(starts: &[Start]) -> Vec<Option<(f64, u64)>> {
    let mut times = vec![Vec::new(); starts.len()];
    let mut rss = vec![0; starts.len()];
    let mut failed = vec![false; starts.len()];
    for i in 0..RUNS {
        for (k, s) in starts.iter().enumerate() {
            if failed[k] {
                continue;
            }
            match measure(&s.cmd, s.needles, i == 0) {
                Some((ms, kb)) => {
                    if i == 0 {
                        rss[k] = kb;
                    }
                    times[k].push(ms);
                }
                None => failed[k] = true,
            }
        }
    }
    starts
        .iter()
        .zip(times)
        .zip(rss)
        .zip(failed)
        .map(|(((s, times), rss), failed)| {
            if failed {
                return None;
            }
            let m = median(times);
            println!(
                "{:<44} median {m:>7.1} ms   idle RSS {:>7.1} MB",
                s.name,
                rss as f64 / 1024.0
            );
            Some((m, rss))
        })
        .collect()
}

fn main() {
    // One tmux server for the whole run, as a user's tmux is already running: without a session
    // of its own, each measured session would start (and time) a new server.
    let keeper = format!("cb-keeper-{}", std::process::id());
    tmux(&["new-session", "-d", "-s", &keeper, "sleep 3600"]);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let profiles = dir.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    let ks = Keystore::open(&home);
    let pki = Pki::new("Bench CA");
    for i in 0..50 {
        let c = pki.client(&format!("client-{i:02}"), Days::default());
        ks.import_pem(
            &format!("key-{i:02}"),
            c.cert_pem.as_bytes(),
            c.key_pem.as_bytes(),
            None,
            "bench",
        )
        .unwrap();
    }
    let posting = dir.path().join("posting");
    std::fs::create_dir_all(&posting).unwrap();
    for i in 0..200 {
        let p = Profile {
            name: format!("profile-{i:03}"),
            url: format!("https://api.example.test/v1/items/{i}"),
            credential: Some(format!("key-{:02}", i % 50)),
            ..Profile::default()
        };
        p.save(&profiles).unwrap();
        std::fs::write(
            posting.join(format!("profile-{i:03}.posting.yaml")),
            format!(
                "name: profile-{i:03}\nmethod: GET\nurl: https://api.example.test/v1/items/{i}\n"
            ),
        )
        .unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_certbench");
    let marker = dir.path().join("marker.txt");
    std::fs::write(&marker, "READY-MARKER\n").unwrap();

    hot_functions_found(bin);
    println!(
        "start-up to first full frame in tmux (120x40), {RUNS} runs each in turns, 200 profiles, 50 keys"
    );
    let measured = series(&[
        Start {
            name: "reference: `cat` a marker (tmux + polling)",
            cmd: format!("cat {}; exec sleep 30", marker.display()),
            needles: &["READY-MARKER"],
        },
        Start {
            name: "certbench",
            cmd: format!(
                "CERTBENCH_HOME={} exec {bin} --profiles {}",
                home.display(),
                profiles.display()
            ),
            needles: &["profile-000", "Enter edit"],
        },
    ]);
    let (floor, ours) = (measured[0], measured[1]);
    if let (Some((f, _)), Some((o, _))) = (floor, ours) {
        println!("certbench above the floor: {:.1} ms", o - f);
    }
    let posting_bin = std::env::var("POSTING_BIN").unwrap_or_else(|_| "posting".into());
    let have_posting = Command::new(&posting_bin)
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    if have_posting {
        let theirs = series(&[Start {
            name: "Posting (same 200 requests as a collection)",
            cmd: format!("exec {posting_bin} --collection {}", posting.display()),
            needles: &["profile-000"],
        }])[0];
        if let (Some((o, ro)), Some((p, rp))) = (ours, theirs) {
            println!(
                "Posting / certbench: start-up {:.1}x, idle RSS {:.1}x",
                p / o,
                rp as f64 / ro.max(1) as f64
            );
        }
    } else {
        println!(
            "Posting not found (pip install posting; or set POSTING_BIN): no peer figure this run"
        );
    }

    // 20 MB JSON, send key to body on screen.
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("big.json"), demo::large_json(BIG_BODY)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(&www)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 for the static file server");
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = format!("http://127.0.0.1:{port}/big.json");
    let big_profiles = dir.path().join("big-profiles");
    Profile {
        name: "big".into(),
        url: url.clone(),
        ..Profile::default()
    }
    .save(&big_profiles)
    .unwrap();
    println!("20 MB JSON over HTTP, send key to the first item on screen (3 runs each, median):");
    let mut ours_big = Vec::new();
    let mut theirs_big = Vec::new();
    let mut posting_stuck = false;
    for _ in 0..3 {
        if let Some(r) = big_body(
            "certbench",
            &format!(
                "CERTBENCH_HOME={} exec {bin} --profiles {}",
                home.display(),
                big_profiles.display()
            ),
            "Enter edit",
            &[&["Enter"]],
            "C-r",
        ) {
            ours_big.push(r);
        }
        if have_posting && !posting_stuck {
            match big_body(
                "Posting",
                &format!("exec {posting_bin} --collection {}", posting.display()),
                "Enter a URL",
                &[&["-l", url.as_str()]],
                "C-j",
            ) {
                Some(r) => theirs_big.push(r),
                None => {
                    println!(
                        "Posting: no body on screen 180 s after the send key; not tried again"
                    );
                    posting_stuck = true;
                }
            }
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    tmux(&["kill-session", "-t", &keeper]);
    let med = |v: &[(f64, u64)]| median(v.iter().map(|x| x.0).collect());
    if !ours_big.is_empty() && !theirs_big.is_empty() {
        println!(
            "Posting / certbench on 20 MB: {:.1}x the time, {:.1}x the RSS",
            med(&theirs_big) / med(&ours_big),
            theirs_big[0].1 as f64 / ours_big[0].1.max(1) as f64
        );
    }
}
