//! History at 10,000 entries: open + first screen (50 rows) in process and as a whole
//! `certbench history list` process, against reference floors measured in the same run
//! (a bare SQLite open + SELECT; `certbench --version`). Run: `cargo bench --bench history`.

use std::process::Command;
use std::time::{Duration, Instant};

use demo::{self, Demo};
use engine::history::{Filter, History, Limits, Record};
use engine::keys::keystore::Keystore;
use engine::net::transport::Transport;
use engine::request::prepare;
use engine::request::profile::Profile;
use engine::request::vars::Vars;

const ENTRIES: usize = 10_000;
const SCREEN: usize = 50;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(mut f: impl FnMut(), runs: usize) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let d = Demo::new();
    let server = rt.block_on(demo::start(d.config(), 0)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let ks = Keystore::open(home.path());
    d.import_into(&ks).unwrap();
    let transport = Transport::new(ks);
    let limits = Limits {
        keep: ENTRIES,
        ..Limits::default()
    };
    let hist = History::open(home.path(), limits).unwrap();
    let mut results = Vec::new();
    for path in ["/json", "/echo", "/xml", "/status/404"] {
        let p = Profile {
            name: path.trim_start_matches('/').replace('/', "-"),
            url: format!("{}{path}", server.url),
            credential: Some("demo".into()),
            trust: vec!["demo-ca".into()],
            ..Profile::default()
        };
        let req = prepare::prepare(&p, &Vars::new()).unwrap();
        let result = rt.block_on(transport.send(&req));
        results.push((p, req, result));
    }
    let t = Instant::now();
    for i in 0..ENTRIES {
        let (p, req, result) = &results[i % results.len()];
        hist.record(&Record {
            profile: p,
            request: req,
            result,
            key_sha256: Some("ab".repeat(32)),
        })
        .unwrap();
    }
    let fill = t.elapsed();
    drop(hist);
    let db = home.path().join("history.db");
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);

    let ours = time(
        || {
            let h = History::open(home.path(), limits).unwrap();
            let rows = h.list(&Filter::default(), SCREEN).unwrap();
            assert_eq!(rows.len(), SCREEN);
        },
        50,
    );
    let filtered = time(
        || {
            let h = History::open(home.path(), limits).unwrap();
            let rows = h.list(&Filter::parse("status:4xx"), SCREEN).unwrap();
            assert_eq!(rows.len(), SCREEN);
        },
        50,
    );
    let floor = time(
        || {
            let c = rusqlite::Connection::open(&db).unwrap();
            let mut st = c
                .prepare("SELECT id, at_ms, profile, key_name, method, url, status FROM entries ORDER BY id DESC LIMIT 50")
                .unwrap();
            let n = st.query_map([], |r| r.get::<_, i64>(0)).unwrap().count();
            assert_eq!(n, SCREEN);
        },
        50,
    );
    let bin = env!("CARGO_BIN_EXE_certbench");
    let run = |args: &[&str]| {
        let ok = Command::new(bin)
            .args(args)
            .env("CERTBENCH_HOME", home.path())
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok);
    };
    let process = time(|| run(&["history", "list", "--limit", "50"]), 20);
    let version = time(|| run(&["--version"]), 20);

    println!(
        "history with {ENTRIES} entries ({:.1} MB file); filled in {:.0} ms ({:.2} ms per record)",
        size as f64 / 1e6,
        ms(fill),
        ms(fill) / ENTRIES as f64
    );
    println!(
        "open + first {SCREEN} rows, median of 50:    {:.2} ms",
        ms(ours)
    );
    println!(
        "open + first {SCREEN} rows of status:4xx:     {:.2} ms",
        ms(filtered)
    );
    println!(
        "reference: bare SQLite open + SELECT:      {:.2} ms  (ours is {:.1}x)",
        ms(floor),
        ms(ours) / ms(floor)
    );
    println!(
        "`certbench history list`, whole process:   {:.2} ms",
        ms(process)
    );
    println!(
        "reference: `certbench --version` process:  {:.2} ms  (list adds {:.2} ms)",
        ms(version),
        ms(process) - ms(version)
    );
}
