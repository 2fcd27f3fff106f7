//! The live log under a stream: 10,000 events in one second's worth of batches (20 batches of
//! 500, as the send's batching hands them over every 50 ms), each taken by `update` and drawn
//! into ratatui's TestBackend at 80x24; then a PageUp through the log while it runs. The target:
//! a frame under 16 ms, so 10,000 events a second leave the workbench responsive.
//! Run: `cargo bench -p certbench-tui --bench live`.

use std::time::{Duration, Instant};

use engine::body::events::{StreamEvent, StreamItem};
use engine::request::profile::Profile;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui::live::LiveEntry;
use tui::message::Message;
use tui::state::{Pane, State};

fn main() {
    let mut s = State::new("profiles".into(), engine::request::vars::Vars::new());
    let profile = Profile {
        name: "feed".into(),
        url: "https://x/events".into(),
        ..Profile::default()
    };
    s.form = tui::form::Form::from_profile(&profile);
    let _ = tui::update::update(
        &mut s,
        Message::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('r'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    let id = s.in_flight.as_ref().expect("a send in flight").id;
    s.focus = Pane::Response;
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (batches, per) = (20usize, 500usize);
    let mut worst = Duration::ZERO;
    let mut total = Duration::ZERO;
    let mut n = 0u64;
    for _ in 0..batches {
        // Made as the send's task makes them: off the clock, which is the workbench's part.
        let entries: Vec<LiveEntry> = (0..per)
            .map(|_| {
                n += 1;
                LiveEntry::of(&StreamItem::Event(StreamEvent {
                    at_ms: n,
                    event: "order".into(),
                    data: format!("{{\"order\":{n},\"status\":\"shipped\",\"items\":[1,2,3]}}"),
                    id: n.to_string(),
                    retry_ms: None,
                }))
            })
            .collect();
        let t = Instant::now();
        let _ = tui::update::update(
            &mut s,
            Message::StreamBatch {
                id,
                received: n,
                websocket: false,
                entries,
            },
        );
        term.draw(|f| tui::view::draw(f, &s)).unwrap();
        let took = t.elapsed();
        worst = worst.max(took);
        total += took;
    }
    let mut page_worst = Duration::ZERO;
    for _ in 0..50 {
        let t = Instant::now();
        let _ = tui::update::update(
            &mut s,
            Message::Key(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::PageUp,
                crossterm::event::KeyModifiers::NONE,
            )),
        );
        term.draw(|f| tui::view::draw(f, &s)).unwrap();
        page_worst = page_worst.max(t.elapsed());
    }
    let events = batches * per;
    println!(
        "live log: {events} events in {batches} batches: take + draw {:.2} ms a batch on average, worst {:.2} ms ({:.0} events/s of the workbench's time); PageUp while running: worst {:.2} ms of 50; the ring holds {}",
        total.as_secs_f64() * 1000.0 / batches as f64,
        worst.as_secs_f64() * 1000.0,
        events as f64 / total.as_secs_f64(),
        page_worst.as_secs_f64() * 1000.0,
        s.in_flight.as_ref().map_or(0, |f| f.live.entries.len()),
    );
}
