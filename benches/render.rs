//! A 20 MB JSON body: parse + pretty + line index (once, on arrival), first frame, and a PageDown redraw
//! in the middle, drawn into ratatui's TestBackend at 120x40. Run: `cargo bench --bench render`.

use std::time::Instant;

use certbench::core::exchange::build_view;
use certbench::tui::state::{BodyLines, Pane, State};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let body = bytes::Bytes::from(certbench::demo::large_json(20 * 1024 * 1024));
    let rss_before = rss_kb();
    let t = Instant::now();
    // As the app does: parse and pretty-print once, then the display takes the text.
    let mut view = build_view(&body, Some("application/json"), true);
    let lines = BodyLines::new(view.take_text());
    let prepared = t.elapsed();

    let mut s = State::new("profiles".into(), certbench::core::vars::Vars::new());
    s.focus = Pane::Response;
    let ex = certbench::core::exchange::Exchange {
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
    };
    let total_lines = lines.len();
    s.shown = Some(Box::new(certbench::tui::state::Shown {
        profile: Default::default(),
        id: -1,
        result: std::sync::Arc::new(Ok(ex)),
        lines,
        raw_lines: None,
    }));
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let t = Instant::now();
    term.draw(|f| certbench::tui::view::draw(f, &s)).unwrap();
    let first = t.elapsed();
    s.scroll = total_lines / 2;
    let mut worst = std::time::Duration::ZERO;
    for _ in 0..50 {
        s.scroll += 30;
        let t = Instant::now();
        term.draw(|f| certbench::tui::view::draw(f, &s)).unwrap();
        worst = worst.max(t.elapsed());
    }
    println!(
        "20 MB JSON ({total_lines} pretty lines): parse+pretty+index {:.0} ms, first frame {:.2} ms, PageDown in the middle worst of 50 {:.2} ms, RSS growth {} MB",
        prepared.as_secs_f64() * 1e3,
        first.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        (rss_kb().saturating_sub(rss_before)) / 1024
    );
}
