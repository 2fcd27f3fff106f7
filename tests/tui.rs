//! The workbench without a terminal: feed messages to update(), assert state and effects; render into TestBackend.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use certbench::core::profile::{LoadedProfile, Profile};
use certbench::core::vars::Vars;
use certbench::tui::message::Message;
use certbench::tui::state::{BodyLines, Pane, Popup, State};
use certbench::tui::update::{Effect, update};
use certbench::tui::view;

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn state_with_profile() -> State {
    let mut s = State::new("profiles".into(), Vars::new());
    let p = Profile {
        name: "echo".into(),
        url: "https://localhost:1/echo".into(),
        ..Profile::default()
    };
    update(
        &mut s,
        Message::ProfilesLoaded(vec![LoadedProfile {
            name: "echo".into(),
            path: "echo.toml".into(),
            result: Ok(p),
        }]),
    );
    s
}

fn screen(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, s)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

#[test]
fn send_then_result_is_shown_and_stale_results_are_dropped() {
    let env = common::Env::new();
    let mut s = state_with_profile();
    let fx = update(&mut s, ctrl('r'));
    let Some(Effect::Send { id: first, .. }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    // A second send supersedes the first: the first is cancelled.
    let fx = update(&mut s, key(KeyCode::F(5)));
    assert!(fx.contains(&Effect::Cancel { id: first }), "{fx:?}");
    let second = s.in_flight.as_ref().unwrap().id;
    assert!(screen(&s, 80, 24).contains("sending"));
    let ex = env.ok(&env.profile("/json"));
    let lines = BodyLines::new(ex.view.text().to_string());
    update(
        &mut s,
        Message::SendDone {
            id: first,
            result: Box::new(Ok((ex.clone(), lines.clone()))),
        },
    );
    assert!(s.history.is_empty(), "a superseded result is dropped");
    update(
        &mut s,
        Message::SendDone {
            id: second,
            result: Box::new(Ok((ex, lines))),
        },
    );
    assert_eq!(s.history.len(), 1);
    assert!(s.in_flight.is_none());
    let text = screen(&s, 80, 24);
    assert!(text.contains("200 OK"), "{text}");
    assert!(text.contains("\"orders\""), "{text}");
}

#[test]
fn esc_cancels_the_request_in_flight() {
    let mut s = state_with_profile();
    update(&mut s, ctrl('r'));
    let id = s.in_flight.as_ref().unwrap().id;
    assert_eq!(
        update(&mut s, key(KeyCode::Esc)),
        vec![Effect::Cancel { id }]
    );
    assert!(s.in_flight.is_none());
}

#[test]
fn unsaved_change_guard_on_quit() {
    let mut s = state_with_profile();
    update(&mut s, key(KeyCode::Enter)); // open the profile into the form, focus on the URL
    assert_eq!(s.focus, Pane::Form);
    update(&mut s, key(KeyCode::Char('q'))); // typed into the URL, not a quit
    assert!(!s.quit);
    assert!(s.form.dirty);
    assert!(s.form.url.lines()[0].ends_with('q'));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Char('q')));
    assert!(matches!(s.popup, Some(Popup::ConfirmQuit)));
    assert!(!s.quit);
    update(&mut s, key(KeyCode::Char('y')));
    assert!(s.quit);
}

#[test]
fn ctrl_s_saves_the_form_profile() {
    let mut s = state_with_profile();
    update(&mut s, key(KeyCode::Enter));
    let fx = update(&mut s, ctrl('s'));
    assert!(
        matches!(fx.as_slice(), [Effect::SaveProfile(p)] if p.name == "echo"),
        "{fx:?}"
    );
}

#[test]
fn invalid_headers_json_is_shown_at_the_field_and_blocks_send() {
    let mut s = state_with_profile();
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, ctrl('n')); // to the tab content: Headers
    for c in "oops".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    assert!(
        s.form
            .error_for(certbench::tui::state::Field::Tab, None)
            .is_some_and(|e| e.contains("Headers"))
    );
    assert!(update(&mut s, ctrl('r')).is_empty());
    assert!(screen(&s, 80, 24).contains("invalid JSON"));
}

#[test]
fn every_option_of_the_design_is_in_the_form() {
    let mut s = state_with_profile();
    update(&mut s, key(KeyCode::Enter));
    for _ in 0..3 {
        update(&mut s, ctrl('t'));
    }
    let text = screen(&s, 200, 60);
    for label in [
        "Use Mutual TLS",
        "Evaluate non-2xx/3xx as errors",
        "Parse response",
        "Follow redirects",
        "Follow all redirects",
        "Query arrays",
        "Request compressed content",
        "Share cookies",
        "Verify server certificate",
        "Timeout",
        "Trusted certificates",
    ] {
        assert!(text.contains(label), "{label} missing:\n{text}");
    }
    // Space toggles the selected switch; +/- move the timeout within 1..300.
    update(&mut s, key(KeyCode::Char(' ')));
    assert_eq!(s.form.base.options.mutual_tls, Some(true));
}

#[test]
fn help_overlay_and_key_picker_render_at_80x24() {
    let mut s = state_with_profile();
    update(&mut s, key(KeyCode::Char('?')));
    let text = screen(&s, 80, 24);
    assert!(text.contains("Ctrl-R / F5 send"), "{text}");
    update(&mut s, key(KeyCode::Esc));
    let fx = update(&mut s, ctrl('k'));
    assert_eq!(fx, vec![Effect::LoadKeys]);
    assert!(screen(&s, 80, 24).contains("Credential keys"));
    update(&mut s, key(KeyCode::Char('a')));
    assert!(screen(&s, 80, 24).contains("PKCS#12"));
    // A wrong password comes back as an error in the wizard, the input kept.
    update(
        &mut s,
        Message::Imported(Err(
            "wrong password for x.p12: check it and try again".into()
        )),
    );
    let text = screen(&s, 80, 24);
    assert!(text.contains("wrong password"), "{text}");
}

#[test]
fn tls_failure_is_explained_in_the_response_pane() {
    let env = common::Env::new();
    let mut s = state_with_profile();
    update(&mut s, ctrl('r'));
    let id = s.in_flight.as_ref().unwrap().id;
    let mut p = env.profile("/echo");
    p.credential = None;
    let failure = env.err(&p);
    update(
        &mut s,
        Message::SendDone {
            id,
            result: Box::new(Err(failure)),
        },
    );
    let text = screen(&s, 80, 24);
    assert!(text.contains("client_cert_required"), "{text}");
    assert!(text.contains("requires a client"), "{text}");
}

#[test]
fn body_lines_index_serves_any_line() {
    let b = BodyLines::new("a\nbb\n\nccc".into());
    assert_eq!(b.len(), 4);
    assert_eq!(
        (b.line(0), b.line(1), b.line(2), b.line(3), b.line(9)),
        ("a", "bb", "", "ccc", "")
    );
}
