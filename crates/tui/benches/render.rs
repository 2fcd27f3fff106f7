//! The body view under load, drawn into ratatui's TestBackend at 120x40: a 20 MB compact JSON
//! body, and 200 KB bodies nested 100,000 deep (JSON and XML). For each: index once (as on
//! arrival), first frame, a PageDown redraw in the middle, and the peak RSS growth over the
//! body itself. Run: `cargo bench --bench render`.

use std::time::{Duration, Instant};

use engine::budget::Budget;
use engine::exchange::{Exchange, build_view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui::state::{Pane, Shown, State};

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets the kernel's peak-RSS mark, so the next reading is this case's own peak.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Figures {
    lines: usize,
    index: Duration,
    first: Duration,
    page_worst: Duration,
    peak_growth_kb: u64,
}

fn run(body: bytes::Bytes, content_type: &str) -> Figures {
    reset_peak();
    let before = status_kb("VmRSS:");
    let t = Instant::now();
    let view = build_view(&body, Some(content_type), true, &Budget::unlimited()).expect("view");
    let index = t.elapsed();
    let lines = view.lines().cloned().unwrap_or_default();
    let total = lines.len();
    let mut s = State::new("profiles".into(), engine::request::vars::Vars::new());
    s.focus = Pane::Response;
    let ex = Exchange {
        method: "GET".into(),
        url: "https://x/".into(),
        status: 200,
        reason: "OK".into(),
        http_version: "HTTP/2.0".into(),
        headers: vec![],
        decoded_size: body.len(),
        encoded_size: body.len(),
        body: body.clone(),
        content_encoding: None,
        view,
        redirects: vec![],
        tls: None,
        timing: Default::default(),
        status_is_error: false,
        warnings: vec![],
        incomplete: None,
        saved_to: None,
        stream: None,
        grpc: None,
    };
    s.shown = Some(Box::new(Shown {
        profile: Default::default(),
        id: tui::state::EntryRef::Local(1),
        result: std::sync::Arc::new(Ok(ex)),
        lines,
        raw_lines: None,
        verdict: None,
        request: None,
    }));
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let t = Instant::now();
    term.draw(|f| tui::view::draw(f, &s)).unwrap();
    let first = t.elapsed();
    s.scroll = total / 2;
    let mut page_worst = Duration::ZERO;
    for _ in 0..50 {
        s.scroll += 30;
        let t = Instant::now();
        term.draw(|f| tui::view::draw(f, &s)).unwrap();
        page_worst = page_worst.max(t.elapsed());
    }
    let peak_growth_kb = status_kb("VmHWM:").saturating_sub(before);
    drop(s);
    Figures {
        lines: total,
        index,
        first,
        page_worst,
        peak_growth_kb,
    }
}

fn report(name: &str, body_len: usize, f: &Figures) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name}: {} lines; index {:.0} ms, first frame {:.2} ms (first screen {:.0} ms), PageDown worst of 50 {:.2} ms; peak RSS growth {:.1} MB = {:.2}x the body",
        f.lines,
        ms(f.index),
        ms(f.first),
        ms(f.index + f.first),
        ms(f.page_worst),
        f.peak_growth_kb as f64 / 1024.0,
        (f.peak_growth_kb * 1024) as f64 / body_len as f64,
    );
}

/// The hand-written indexer against the crates that pretty-print JSON, on the same body: jsonxf
/// (a streaming formatter) and serde_json (parse, then `to_string_pretty`). Each of those makes
/// a full pretty copy before a first line can be shown; the index only records where lines start.
fn versus_crates(body: &bytes::Bytes) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let best = |f: &dyn Fn() -> usize| {
        (0..3)
            .map(|_| {
                reset_peak();
                let before = status_kb("VmRSS:");
                let t = Instant::now();
                let n = f();
                (t.elapsed(), n, status_kb("VmHWM:").saturating_sub(before))
            })
            .min_by_key(|r| r.0)
            .unwrap()
    };
    let text = std::str::from_utf8(body).expect("UTF-8");
    let ours = best(&|| {
        build_view(body, Some("application/json"), true, &Budget::unlimited())
            .expect("view")
            .lines()
            .map_or(0, |l| l.len())
    });
    let xf = best(&|| jsonxf::pretty_print(text).expect("jsonxf").len());
    let serde = best(&|| {
        let v: serde_json::Value = serde_json::from_str(text).expect("serde");
        serde_json::to_string_pretty(&v).expect("pretty").len()
    });
    for (name, r) in [
        ("certbench index", ours),
        ("jsonxf::pretty_print", xf),
        ("serde_json parse + to_string_pretty", serde),
    ] {
        println!(
            "  {name}: {:.0} ms ({:.2}x certbench), peak RSS growth {:.1} MB",
            ms(r.0),
            r.0.as_secs_f64() / ours.0.as_secs_f64(),
            r.2 as f64 / 1024.0
        );
    }
}

fn main() {
    let large = bytes::Bytes::from(demo::large_json(20 * 1024 * 1024));
    let f = run(large.clone(), "application/json");
    report("20 MB compact JSON", large.len(), &f);
    println!("20 MB compact JSON, ready to show (best of 3):");
    versus_crates(&large);
    drop(large);

    let depth = 100_000;
    let deep_json = bytes::Bytes::from(format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
    let f = run(deep_json.clone(), "application/json");
    report("200 KB JSON nested 100,000 deep", deep_json.len(), &f);

    let deep_xml = bytes::Bytes::from(format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth)));
    let f = run(deep_xml.clone(), "application/xml");
    report("700 KB XML nested 100,000 deep", deep_xml.len(), &f);
}
