//! The workbench without a terminal: feed messages to update(), assert state and effects; render into TestBackend.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyModifiers};

use crate::common::tui::{ctrl, key, screen, typed};
use engine::history::Summary;
use engine::history::compare;
use engine::request::profile::Profile;
use engine::request::profile_dir::LoadedProfile;
use engine::request::vars::Vars;
use tui::message::{After, Message};
use tui::state::{BodyLines, CompareView, EntryRef, Leave, Pane, Popup, State};
use tui::update::{Effect, Side, update};

/// A history line as the store would give it (id 0: not recorded).
/// A history line; id 0 stands for a send that was not recorded.
fn summary(id: i64) -> Summary {
    Summary {
        id: (id > 0).then_some(id),
        at_ms: 1_700_000_000_000 + id,
        profile: "echo".into(),
        key: Some("demo".into()),
        key_sha256: None,
        method: "GET".into(),
        url: "https://localhost:1/echo".into(),
        status: Some(200),
        error_kind: None,
        status_is_error: false,
        duration_ms: 12.0,
    }
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
            stamp: None,
            name: "echo".into(),
            path: "echo.toml".into(),
            result: Ok(p),
        }]),
    );
    s
}

#[test]
fn send_then_result_is_shown_and_stale_results_are_dropped() {
    let env = crate::common::Env::new();
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
    let lines = ex.view.lines().cloned().unwrap_or_default();
    update(
        &mut s,
        Message::SendDone {
            id: first,
            result: Arc::new(Ok(ex.clone())),
            lines: lines.clone(),
            summary: Box::new(summary(1)),
            extras: Default::default(),
        },
    );
    assert!(
        s.history.rows().is_empty(),
        "a superseded result is dropped"
    );
    update(
        &mut s,
        Message::SendDone {
            id: second,
            result: Arc::new(Ok(ex)),
            lines,
            summary: Box::new(summary(2)),
            extras: Default::default(),
        },
    );
    assert_eq!(s.history.rows().len(), 1);
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
    assert!(matches!(s.popup, Some(Popup::Unsaved(Leave::Quit))));
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
        matches!(fx.as_slice(), [Effect::SaveProfile { profile: p, .. }] if p.name == "echo"),
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
            .error_for(tui::state::Field::Tab, None)
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
    // Every row, seen on screen as the selection moves down through the tab.
    let mut text = screen(&s, 200, 60);
    for _ in 0..20 {
        update(&mut s, key(KeyCode::Down));
        text.push_str(&screen(&s, 200, 60));
    }
    while s.option_row != tui::options::OptionRow::MutualTls {
        update(&mut s, key(KeyCode::Up));
    }
    for label in [
        "Proxy",
        "Pin",
        "Resolve",
        "Connect to",
        "Body kept up to",
        "HTTP version",
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
    assert!(text.contains("F5 send"), "{text}");
    update(&mut s, key(KeyCode::Esc));
    let fx = update(&mut s, ctrl('k'));
    assert_eq!(fx, vec![Effect::LoadKeys]);
    assert!(screen(&s, 80, 24).contains("Keys: Enter use"));
    update(&mut s, key(KeyCode::Char('a')));
    assert!(screen(&s, 80, 24).contains("PKCS#12"));
    // A wrong password comes back as an error in the wizard, the input kept.
    update(
        &mut s,
        Message::Imported(Err(tui::state::ImportFailed {
            step: tui::state::ImportStep::Password,
            message: "wrong password for x.p12: check it and try again".into(),
        })),
    );
    let text = screen(&s, 80, 24);
    assert!(text.contains("wrong password"), "{text}");
}

#[test]
fn tls_failure_is_explained_in_the_response_pane() {
    let env = crate::common::Env::new();
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
            result: Arc::new(Err(failure)),
            lines: BodyLines::default(),
            summary: Box::new(summary(0)),
            extras: Default::default(),
        },
    );
    let text = screen(&s, 80, 24);
    assert!(text.contains("no client certificate was sent"), "{text}");
    assert!(text.contains("requires a client"), "{text}");
    // The whole story, from a real failure of the demo server, names its kind.
    update(&mut s, key(KeyCode::Char('!')));
    let text = screen(&s, 80, 24);
    assert!(text.contains("kind: client_cert_required"), "{text}");
    assert!(text.contains("The handshake"), "{text}");
}

#[test]
fn body_lines_index_serves_any_line() {
    let b = BodyLines::plain(
        bytes::Bytes::from_static(b"a\nbb\n\nccc"),
        &engine::budget::Budget::unlimited(),
    )
    .unwrap();
    assert_eq!(b.len(), 4);
    assert_eq!(
        (b.line(0), b.line(1), b.line(2), b.line(3), b.line(9)),
        (
            "a".into(),
            "bb".into(),
            "".into(),
            "ccc".into(),
            String::new()
        )
    );
}

#[test]
fn history_pane_opens_marks_compares_filters_and_deletes_from_the_store() {
    let mut s = state_with_profile();
    update(
        &mut s,
        Message::HistoryLoaded(Ok(vec![summary(7), summary(5), summary(3)])),
    );
    s.focus = Pane::History;
    assert_eq!(s.history.rows().len(), 3);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        fx,
        vec![Effect::OpenEntry {
            id: 7,
            then: After::Show
        }]
    );
    assert_eq!(
        update(&mut s, key(KeyCode::Char('r'))),
        vec![Effect::OpenEntry {
            id: 7,
            then: After::Rerun
        }]
    );
    // c with nothing marked explains itself.
    assert!(update(&mut s, key(KeyCode::Char('c'))).is_empty());
    assert!(s.message.as_ref().unwrap().text().contains("mark two"));
    update(&mut s, key(KeyCode::Char('m')));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Char('m')));
    assert_eq!(
        s.history.marked(),
        [EntryRef::Stored(7), EntryRef::Stored(3)]
    );
    let text = screen(&s, 80, 24);
    assert!(text.contains("*"), "{text}");
    match update(&mut s, key(KeyCode::Char('c'))).as_slice() {
        [Effect::Compare { a, b, labels, .. }] => {
            assert_eq!((a, b), (&Side::Stored(7), &Side::Stored(3)));
            assert!(labels.0.starts_with("#7 echo"), "{labels:?}");
        }
        other => panic!("expected one Compare, got {other:?}"),
    }
    // Filter: typed in place, applied with Enter.
    update(&mut s, key(KeyCode::Char('/')));
    typed(&mut s, "status:4xx q");
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        vec![Effect::LoadHistory("status:4xx q".into())]
    );
    assert_eq!(s.history.filter().applied(), "status:4xx q");
    assert!(!s.history.filter().is_typing());
    // Delete asks first.
    assert!(s.history.select(1));
    assert!(update(&mut s, key(KeyCode::Char('d'))).is_empty());
    assert!(matches!(s.popup, Some(Popup::ConfirmDeleteEntry(5))));
    assert_eq!(
        update(&mut s, key(KeyCode::Char('y'))),
        vec![Effect::DeleteEntry(5)]
    );
    update(&mut s, key(KeyCode::Char('D')));
    assert!(
        update(&mut s, key(KeyCode::Esc)).is_empty(),
        "Esc keeps history"
    );
    assert_eq!(s.history.rows().len(), 3);
}

#[test]
fn unrecorded_sends_stay_listed_and_reload_keeps_them() {
    let env = crate::common::Env::new();
    let mut s = state_with_profile();
    update(&mut s, ctrl('r'));
    let id = s.in_flight.as_ref().unwrap().id;
    let ex = env.ok(&env.profile("/json"));
    update(
        &mut s,
        Message::SendDone {
            id,
            result: Arc::new(Ok(ex)),
            lines: BodyLines::default(),
            summary: Box::new(summary(0)),
            extras: Default::default(),
        },
    );
    assert_eq!(s.history.rows()[0].entry, EntryRef::Local(1), "a local id");
    assert!(s.history.rows()[0].held.is_some());
    update(&mut s, Message::HistoryLoaded(Ok(vec![summary(4)])));
    assert_eq!(s.history.rows().len(), 2);
    s.focus = Pane::History;
    let local = s
        .history
        .rows()
        .iter()
        .position(|r| r.entry == EntryRef::Local(1))
        .unwrap();
    assert!(s.history.select(local));
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "shown from memory"
    );
    assert_eq!(s.shown.as_ref().unwrap().id, EntryRef::Local(1));
}

#[test]
fn comparison_view_jumps_between_changes_and_adds_ignore_paths() {
    let env = crate::common::Env::new();
    let a = Arc::new(env.send(&env.profile("/json")));
    let b = Arc::new(env.send(&env.profile("/json")));
    let cmp = compare::compare(&a, &b, &[]);
    assert!(!cmp.is_equal());
    let view = CompareView {
        labels: ("#1 key demo".into(), "#2 key other".into()),
        a: a.clone(),
        b: b.clone(),
        ignore: vec![],
        cmp,
        scroll: 0,
        input: None,
    };
    let mut s = state_with_profile();
    update(&mut s, Message::Compared(Ok(Box::new(view))));
    let narrow = screen(&s, 80, 24);
    assert!(narrow.contains("DIFFERENT"), "{narrow}");
    assert!(narrow.contains("- ") && narrow.contains("+ "), "{narrow}");
    let wide = screen(&s, 200, 60);
    assert!(wide.contains("requestId"), "{wide}");
    update(&mut s, key(KeyCode::Char('n')));
    match &s.popup {
        Some(Popup::Compare(v)) => assert!(v.scroll > 0, "n jumps to the first change"),
        _ => panic!("the comparison stays open"),
    }
    update(&mut s, key(KeyCode::Char('i')));
    typed(&mut s, ".requestId");
    match update(&mut s, key(KeyCode::Enter)).as_slice() {
        [
            Effect::Compare {
                ignore,
                a: Side::Held(x),
                ..
            },
        ] => {
            assert_eq!(ignore, &vec!["$..requestId".to_string()]);
            assert!(Arc::ptr_eq(x, &a));
        }
        other => panic!("expected a recompare, got {other:?}"),
    }
    // Recomputed with both noisy fields ignored: equal.
    let cmp = compare::compare(&a, &b, &["$..requestId".into(), "$.timestamp".into()]);
    assert!(cmp.is_equal(), "{cmp:?}");
}

#[test]
fn key_picker_sends_with_two_keys_and_profiles_rename() {
    let mut s = state_with_profile();
    s.form.base.credential = Some("demo".into());
    update(&mut s, ctrl('k'));
    update(
        &mut s,
        Message::KeysLoaded(vec![
            ("demo".into(), Err("not needed here".into())),
            ("other".into(), Err("not needed here".into())),
        ]),
    );
    update(&mut s, key(KeyCode::Down));
    match update(&mut s, key(KeyCode::Char('c'))).as_slice() {
        [Effect::SendPair { other, profile, .. }] => {
            assert_eq!(other, "other");
            assert_eq!(profile.credential.as_deref(), Some("demo"));
        }
        other => panic!("expected SendPair, got {other:?}"),
    }
    assert!(s.in_flight.is_some());
    s.focus = Pane::Profiles;
    update(&mut s, key(KeyCode::Char('r')));
    assert!(matches!(s.popup, Some(Popup::RenameProfile(_))));
    typed(&mut s, "-v2");
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        vec![Effect::RenameProfile {
            from: "echo".into(),
            to: "echo-v2".into()
        }]
    );
    update(&mut s, key(KeyCode::Char('r')));
    typed(&mut s, "/bad");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(
        s.message.as_ref().unwrap().is_problem(),
        "a bad name is an error in place"
    );
}

#[test]
fn key_picker_tests_a_key_against_the_form_url() {
    let env = crate::common::Env::new();
    let mut s = state_with_profile();
    s.form.url = ratatui_textarea::TextArea::new(vec![format!("{}/echo", env.server.url)]);
    s.form.base.trust = vec!["demo-ca".into()];
    update(&mut s, ctrl('k'));
    update(
        &mut s,
        Message::KeysLoaded(vec![("demo".into(), Err("-".into()))]),
    );
    let fx = update(&mut s, key(KeyCode::Char('t')));
    let profile = match fx.as_slice() {
        [Effect::CheckKey(p)] => p.clone(),
        other => panic!("expected CheckKey, got {other:?}"),
    };
    assert_eq!(profile.credential.as_deref(), Some("demo"));
    assert!(screen(&s, 80, 24).contains("Checking key demo"));
    // Run the probe as the effect runner does, against the real server.
    let req = engine::request::prepare::prepare(&profile, &Vars::new()).unwrap();
    let report = env
        .rt
        .block_on(engine::keys::check::check_key(&env.transport, &req));
    assert!(report.accepted, "{:?}", report.diagnosis);
    update(
        &mut s,
        Message::KeyChecked {
            name: "demo".into(),
            accepted: true,
            lines: vec![format!("ACCEPTED: {} accepts key demo", req.url)],
        },
    );
    let text = screen(&s, 80, 24);
    assert!(
        text.contains("accepted") && text.contains("ACCEPTED"),
        "{text}"
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(matches!(s.popup, Some(Popup::Keys { .. })));
}

/// A state showing a real /large body (JSON, many lines) from the demo server.
fn showing_large(env: &crate::common::Env) -> State {
    let mut s = state_with_profile();
    update(&mut s, ctrl('r'));
    let id = s.in_flight.as_ref().unwrap().id;
    let ex = env.ok(&env.profile("/large/20000"));
    let lines = ex.view.lines().cloned().unwrap_or_default();
    update(
        &mut s,
        Message::SendDone {
            id,
            result: Arc::new(Ok(ex)),
            lines,
            summary: Box::new(summary(9)),
            extras: Default::default(),
        },
    );
    s.focus = Pane::Response;
    s
}

#[test]
fn body_search_raw_and_wrap() {
    let env = crate::common::Env::new();
    let mut s = showing_large(&env);
    let total = s.body_lines().unwrap().len();
    assert!(total > 100, "pretty JSON has many lines ({total})");
    let last_key = {
        let l = s.body_lines().unwrap();
        (0..total)
            .rev()
            .map(|i| l.line(i))
            .find(|t| t.contains("\"id\""))
            .unwrap()
            .trim()
            .trim_end_matches(',')
            .to_string()
    };
    update(&mut s, key(KeyCode::Char('/')));
    assert!(screen(&s, 80, 24).contains("Enter finds"));
    typed(&mut s, &last_key);
    update(&mut s, key(KeyCode::Enter));
    let hit = s.scroll;
    assert!(hit > 50, "found far down ({hit})");
    assert!(s.body_lines().unwrap().line(hit).contains(&last_key));
    let text = screen(&s, 80, 24);
    assert!(text.contains(&last_key), "{text}");
    // N goes back to an earlier "id" line, n comes forward again.
    s.search_term = "\"id\"".into();
    update(&mut s, key(KeyCode::Char('N')));
    assert!(s.scroll < hit);
    let before = s.scroll;
    update(&mut s, key(KeyCode::Char('n')));
    assert!(s.scroll > before);
    s.search_term = "no-such-text-here".into();
    update(&mut s, key(KeyCode::Char('n')));
    assert!(s.message.as_ref().unwrap().text().contains("not found"));

    // Raw: the body as received (compact JSON: one line).
    update(&mut s, key(KeyCode::Char('r')));
    assert!(s.raw);
    assert_eq!(s.body_lines().unwrap().len(), 1);
    // Wrap on: the one long line fills the pane instead of being cut.
    update(&mut s, key(KeyCode::Char('z')));
    let wrapped = screen(&s, 80, 24);
    let rows_with_json = wrapped.lines().filter(|l| l.contains("\"id\"")).count();
    assert!(rows_with_json > 3, "{wrapped}");
    update(&mut s, key(KeyCode::Char('r')));
    assert!(!s.raw);
}

#[test]
fn mouse_clicks_focus_panes_and_pick_rows() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut s = state_with_profile();
    update(&mut s, Message::Resize(100, 30));
    update(
        &mut s,
        Message::HistoryLoaded(Ok(vec![summary(3), summary(2), summary(1)])),
    );
    let click = |col, row| {
        Message::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let screen_area = ratatui::layout::Rect::new(0, 0, 100, 30);
    let a = tui::layout::areas(screen_area, false, false);
    update(&mut s, click(a.history.x + 3, a.history.y + 3));
    assert_eq!(s.focus, Pane::History);
    assert_eq!(s.history.selected(), 2);
    // The history focused is wider: the response is clicked where it is drawn now.
    let wide = tui::layout::areas(screen_area, false, true);
    assert!(wide.history.width > a.history.width);
    update(&mut s, click(wide.response.x + 5, wide.response.y + 2));
    assert_eq!(s.focus, Pane::Response);
    update(&mut s, click(a.profiles.x + 2, a.profiles.y + 1));
    assert_eq!(s.focus, Pane::Profiles);
    assert_eq!(s.profiles.selected_index(), 0);
    let wheel = Message::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollUp,
        column: a.history.x + 2,
        row: a.history.y + 2,
        modifiers: KeyModifiers::NONE,
    });
    update(&mut s, wheel);
    assert_eq!(
        s.history.selected(),
        1,
        "the wheel moves the list it is over"
    );
}

#[test]
fn a_click_in_a_scrolled_profile_list_picks_the_row_drawn_there() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut s = State::new("profiles".into(), Vars::new());
    let loaded = (0..40)
        .map(|i| LoadedProfile {
            stamp: None,
            name: format!("p{i:02}"),
            path: format!("p{i:02}.toml").into(),
            result: Ok(Profile {
                name: format!("p{i:02}"),
                url: "https://localhost:1/".into(),
                ..Profile::default()
            }),
        })
        .collect();
    update(&mut s, Message::ProfilesLoaded(loaded));
    update(&mut s, Message::Resize(80, 24));
    s.focus = Pane::Profiles;
    for _ in 0..30 {
        update(&mut s, key(KeyCode::Down));
    }
    assert_eq!(s.profiles.selected_index(), 30);
    let a = tui::layout::areas(ratatui::layout::Rect::new(0, 0, 80, 24), false, false);
    // The name drawn on the list's second row, read off the screen.
    let text = screen(&s, 80, 24);
    let row = text.lines().nth(usize::from(a.profiles.y) + 2).unwrap();
    let drawn = row
        .split_whitespace()
        .find(|w| w.trim_start_matches(['│', '>']).starts_with('p'))
        .map(|w| w.trim_start_matches(['│', '>']).to_string())
        .unwrap();
    update(
        &mut s,
        Message::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: a.profiles.x + 3,
            row: a.profiles.y + 2,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(s.profiles.selected().unwrap().name, drawn, "{text}");
    assert_ne!(s.profiles.selected_index(), 1, "the scroll offset counts");
}

#[test]
fn an_empty_filtered_history_says_the_filter_hides_everything() {
    let mut s = state_with_profile();
    s.focus = Pane::History;
    update(&mut s, key(KeyCode::Char('/')));
    typed(&mut s, "status:5xx");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, Message::HistoryLoaded(Ok(vec![])));
    let text = screen(&s, 80, 24);
    assert!(text.contains("nothing matches"), "{text}");
    assert!(!text.contains("no sends yet"), "{text}");
}

#[test]
fn form_errors_carry_the_tab_that_shows_them() {
    use tui::state::{Field, FormTab};
    let mut s = state_with_profile();
    update(&mut s, key(KeyCode::Enter));
    s.form.base.body.kind = engine::request::profile::BodyType::Form;
    s.form.body.insert_str("no equals sign");
    s.form.validate();
    let err = s.form.to_profile().unwrap_err();
    assert_eq!(err.tab, Some(FormTab::Body), "{err}");
    assert!(err.message.contains("needs key=value"), "{err}");
    assert!(s.form.error_for(Field::Tab, Some(FormTab::Body)).is_some());
    assert!(s.form.error_for(Field::Tab, Some(FormTab::Query)).is_none());
}

#[test]
fn every_option_row_changes_exactly_its_own_option() {
    use strum::IntoEnumIterator;
    use tui::options::OptionRow;
    let option_rows = |p: &engine::request::profile::Profile| -> Vec<(&str, String)> {
        OptionRow::iter().map(|r| (r.label(), r.value(p))).collect()
    };
    let mut s = state_with_profile();
    update(&mut s, key(KeyCode::Enter));
    for _ in 0..3 {
        update(&mut s, ctrl('t'));
    }
    let rows = option_rows(&s.form.base).len();
    assert_eq!(
        rows, 17,
        "the rows of design.md's options, the HTTP version, timeout, body limit, proxy, pin, resolve, connect-to and trust"
    );
    for (row, which) in OptionRow::iter().enumerate() {
        assert_eq!(s.option_row, which, "Down moves one row");
        let before = option_rows(&s.form.base);
        update(&mut s, key(KeyCode::Char(' ')));
        // A text row opens its line to type in, the trust row the trust picker.
        let opens = which.is_text() || which == OptionRow::Trust;
        assert_eq!(s.popup.is_some(), opens, "row {row}");
        if opens {
            update(&mut s, key(KeyCode::Esc));
        }
        let after = option_rows(&s.form.base);
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            let label = b.0;
            if i == row && !opens {
                assert_ne!(b.1, a.1, "Space on row {row} ({label}) changes it");
            } else {
                assert_eq!(
                    b.1, a.1,
                    "Space on row {row} leaves row {i} ({label}) alone"
                );
            }
        }
        if which == OptionRow::Timeout {
            // The timeout: + and - move it by one second.
            let t = s.form.base.options.timeout_secs;
            update(&mut s, key(KeyCode::Char('-')));
            assert_eq!(s.form.base.options.timeout_secs, t - 1);
            update(&mut s, key(KeyCode::Char('+')));
            assert_eq!(s.form.base.options.timeout_secs, t);
        }
        update(&mut s, key(KeyCode::Down));
    }
}

#[test]
fn the_import_wizard_returns_to_the_step_its_error_is_about() {
    use tui::effects::import_key;
    use tui::state::{ImportKind, ImportStep, Popup};
    // The step comes from the keystore's own error, for real files.
    let dir = tempfile::tempdir().unwrap();
    let ks = engine::keys::keystore::Keystore::open(dir.path());
    let pki = demo::Pki::new("Wizard CA");
    let client = pki.client("w", demo::Days::default());
    let cert = dir.path().join("c.pem");
    let key_pem = dir.path().join("k.pem");
    std::fs::write(&cert, &client.cert_pem).unwrap();
    std::fs::write(&key_pem, &client.key_pem).unwrap();
    let enc = dir.path().join("enc.pem");
    let o = std::process::Command::new("openssl")
        .args([
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:right",
        ])
        .arg("-in")
        .arg(&key_pem)
        .arg("-out")
        .arg(&enc)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pair = |k: &std::path::Path| format!("{},{}", cert.display(), k.display());
    let failed = |kind, path: &str, pw: &str, name: &str| {
        import_key(&ks, kind, path, pw, name).expect_err("this import fails")
    };
    let e = failed(ImportKind::PemPair, &pair(&enc), "wrong", "w");
    assert_eq!(e.step, ImportStep::Password, "{}", e.message);
    let e = failed(ImportKind::Pkcs12, "/nope.p12", "", "w");
    assert_eq!(e.step, ImportStep::Path, "{}", e.message);
    assert!(e.message.contains("/nope.p12"), "{}", e.message);
    import_key(&ks, ImportKind::PemPair, &pair(&enc), "right", "w").unwrap();
    // Another certificate under a taken name: back to the name step.
    let other = pki.client("w2", demo::Days::default());
    let (cert2, key2) = (dir.path().join("c2.pem"), dir.path().join("k2.pem"));
    std::fs::write(&cert2, &other.cert_pem).unwrap();
    std::fs::write(&key2, &other.key_pem).unwrap();
    let other_pair = format!("{},{}", cert2.display(), key2.display());
    let e = failed(ImportKind::PemPair, &other_pair, "", "w");
    assert_eq!(e.step, ImportStep::Name, "{}", e.message);
    let e = failed(ImportKind::PemPair, &pair(&key_pem), "", "../w");
    assert_eq!(e.step, ImportStep::Name, "{}", e.message);

    // The wizard goes back to that step, the error shown.
    let mut s = state_with_profile();
    update(&mut s, ctrl('k'));
    update(&mut s, key(KeyCode::Char('a')));
    let step = |s: &tui::state::State| match &s.popup {
        Some(Popup::Import(w)) => (w.step, w.error.clone().unwrap_or_default()),
        other => panic!("the wizard is open: {other:?}"),
    };
    // Tab on the path asks the runner to complete it; the answer lands only if the path is unchanged.
    update(&mut s, key(KeyCode::Enter));
    for c in "/tm".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    assert_eq!(
        update(&mut s, key(KeyCode::Tab)),
        vec![Effect::CompletePath("/tm".into())]
    );
    let path = |s: &tui::state::State| match &s.popup {
        Some(Popup::Import(w)) => w.path.lines().join(""),
        _ => String::new(),
    };
    update(
        &mut s,
        Message::PathCompleted {
            typed: "/elsewhere".into(),
            completed: "/elsewhere/".into(),
            matches: Vec::new(),
        },
    );
    assert_eq!(path(&s), "/tm", "a stale completion is dropped");
    update(
        &mut s,
        Message::PathCompleted {
            typed: "/tm".into(),
            completed: "/tmp/".into(),
            matches: vec!["tmp".into(), "tmpfs".into()],
        },
    );
    assert_eq!(path(&s), "/tmp/");
    // Several names left: the wizard lists them, and marks the field that takes the typing.
    let text = screen(&s, 80, 24);
    assert!(
        text.contains("Tab again after more letters: tmp  tmpfs"),
        "{text}"
    );
    assert!(text.contains("> file (Tab completes):"), "{text}");
    let wrong = failed(ImportKind::PemPair, &pair(&enc), "wrong", "v");
    update(&mut s, Message::Imported(Err(wrong)));
    assert_eq!(step(&s).0, ImportStep::Password);
    assert!(step(&s).1.contains("password"), "{}", step(&s).1);
}

#[test]
fn a_curl_command_pasted_into_the_url_field_becomes_the_request() {
    let mut s = state_with_profile();
    update(&mut s, key(KeyCode::Enter));
    // Clear the URL, then paste a two-line command: the `\` line break keeps reading.
    for _ in 0..80 {
        update(&mut s, key(KeyCode::Backspace));
    }
    typed(
        &mut s,
        "curl -X POST https://api.bank.test/v1/pay -H 'X-Req: 7' --cert client.pem --frobnicate \\",
    );
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "not sent yet"
    );
    typed(&mut s, "--data-raw '{\"a\":1}' --cacert ca.pem");
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(&fx[..], [Effect::ImportCurlFiles { cert: Some(c), cacert: Some(_) }] if c.cert == std::path::Path::new("client.pem")),
        "{fx:?}"
    );
    assert!(s.in_flight.is_none(), "a pasted command is not sent");
    let p = s.form.to_profile().unwrap();
    assert_eq!(p.method, "POST");
    assert_eq!(p.url, "https://api.bank.test/v1/pay");
    assert_eq!(p.name, "pay");
    // No key name is guessed from a file name: it comes back once the keystore placed it.
    assert_eq!(p.credential, None);
    assert!(p.trust.is_empty());
    assert_eq!(p.body.text.as_deref(), Some("{\"a\":1}"));
    let note = s.message.as_ref().unwrap().text().to_string();
    assert!(note.contains("not imported: --frobnicate"), "{note}");
    update(
        &mut s,
        Message::CurlFilesPlaced {
            key: Some("partner-client".into()),
            trust: Some("partner-ca".into()),
            said: "imported key partner-client (client holds a different certificate)".into(),
        },
    );
    let p = s.form.to_profile().unwrap();
    assert_eq!(p.credential.as_deref(), Some("partner-client"));
    assert_eq!(p.trust, vec!["partner-ca".to_string()]);
    assert!(s.form.dirty, "the pasted request is still unsaved");
}

#[test]
fn a_megabyte_pasted_into_the_body_arrives_whole_in_one_insert() {
    let mut s = state_with_profile();
    s.focus = Pane::Form;
    update(&mut s, ctrl('n'));
    update(&mut s, ctrl('n'));
    while s.form_tab != tui::state::FormTab::Body {
        update(&mut s, ctrl('t'));
    }
    let line = "{\"k\": \"0123456789abcdef0123456789abcdef0123456789abcdef\"}\n";
    let text = line.repeat((1 << 20) / line.len());
    let fx = update(&mut s, Message::Paste(text.clone()));
    assert!(fx.is_empty(), "a paste runs nothing: {fx:?}");
    assert_eq!(s.form.body.lines().join("\n"), text);
    assert!(s.form.dirty);
    // Elsewhere a paste is ignored, and said.
    s.focus = Pane::History;
    let fx = update(&mut s, Message::Paste("\t\tDy".into()));
    assert!(fx.is_empty());
    assert!(s.popup.is_none());
    assert!(s.message.as_ref().unwrap().text().contains("paste ignored"));
}

#[test]
fn moving_the_selection_shows_a_profile_and_esc_always_leaves_a_field() {
    let mut s = two_profiles();
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.form.base.name, "two", "the selection is shown");
    assert_eq!(s.focus, Pane::Profiles, "focus stays in the list");
    // Enter edits its URL; typing goes there; Ctrl-U clears the field.
    update(&mut s, key(KeyCode::Enter));
    assert!(s.typing());
    typed(&mut s, "x");
    assert!(s.form.dirty);
    update(&mut s, ctrl('u'));
    assert_eq!(s.form.url.lines().join(""), "");
    // Esc leaves the field (q is a command again), a second Esc returns to the list.
    update(&mut s, key(KeyCode::Esc));
    assert!(!s.typing());
    assert_eq!(s.focus, Pane::Form);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.focus, Pane::Profiles);
    // With unsaved edits, moving the selection keeps them and says so.
    update(&mut s, key(KeyCode::Up));
    assert_eq!(s.form.base.name, "two");
    assert!(s.message.as_ref().unwrap().text().contains("unsaved edits"));
    update(&mut s, key(KeyCode::Tab));
    assert!(
        s.message.is_none(),
        "a message lasts until the next key, then the key bar is back"
    );
}

fn two_profiles() -> State {
    let mut s = State::new("profiles".into(), Vars::new());
    update(&mut s, Message::ProfilesLoaded(loaded(&["one", "two"])));
    s.focus = Pane::Profiles;
    s
}

fn loaded(names: &[&str]) -> Vec<LoadedProfile> {
    names
        .iter()
        .map(|n| LoadedProfile {
            stamp: None,
            name: n.to_string(),
            path: format!("{n}.toml").into(),
            result: Ok(Profile {
                name: n.to_string(),
                url: format!("https://localhost:1/{n}"),
                ..Profile::default()
            }),
        })
        .collect()
}

/// Opening another profile with unsaved edits asks; Esc stays with the edits, `d` gives them up,
/// `s` saves them and opens the other only once the save has landed; a failed save stays.
#[test]
fn leaving_unsaved_edits_asks_save_discard_or_stay() {
    let mut s = two_profiles();
    assert_eq!(s.form.base.name, "one");
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "/edited");
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.form.base.name, "one", "moving never drops the edits");
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&s.popup, Some(Popup::Unsaved(Leave::Open(n))) if n == "two"));
    // Esc: stay, edits kept.
    update(&mut s, key(KeyCode::Esc));
    assert!(s.popup.is_none());
    assert!(s.form.dirty);
    assert!(s.form.url.lines()[0].ends_with("/edited"));
    // s: the save goes out; the form moves only when it has landed.
    update(&mut s, key(KeyCode::Enter));
    let fx = update(&mut s, key(KeyCode::Char('s')));
    assert!(
        matches!(fx.as_slice(), [Effect::SaveProfile { profile: p, .. }] if p.name == "one" && p.url.ends_with("/edited")),
        "{fx:?}"
    );
    assert_eq!(s.form.base.name, "one");
    update(
        &mut s,
        Message::Saved(Err("cannot write one.toml: disk full".into())),
    );
    assert_eq!(s.form.base.name, "one", "a failed save stays");
    assert!(s.form.dirty);
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char('s')));
    update(&mut s, Message::Saved(Ok("saved one.toml".into())));
    assert_eq!(s.form.base.name, "two");
    assert!(!s.form.dirty);
    // d: discard. A new profile (n) over unsaved edits asks too.
    typed(&mut s, "/x");
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Char('n')));
    assert!(matches!(&s.popup, Some(Popup::Unsaved(Leave::New))));
    update(&mut s, key(KeyCode::Char('d')));
    assert_eq!(s.form.base.name, "new-1");
}

/// Ctrl-S on a new profile keeps it in the form: the reloaded list selects it.
#[test]
fn a_new_profile_stays_open_after_its_save() {
    let mut s = two_profiles();
    update(&mut s, key(KeyCode::Char('n')));
    assert_eq!(s.form.base.name, "new-1");
    // The URL starts empty (a pasted curl becomes the request); without one there is nothing
    // to save, and the status line says so.
    assert_eq!(s.form.url.lines().join(""), "");
    assert!(update(&mut s, ctrl('s')).is_empty());
    let said = s.message.as_ref().map(|m| m.text().to_string());
    assert!(
        said.as_deref().is_some_and(|m| m.contains("url")),
        "{said:?}"
    );
    typed(&mut s, "https://api.example/new");
    let fx = update(&mut s, ctrl('s'));
    assert!(
        matches!(fx.as_slice(), [Effect::SaveProfile { profile: p, .. }] if p.name == "new-1"),
        "{fx:?}"
    );
    update(&mut s, Message::Saved(Ok("saved new-1.toml".into())));
    update(
        &mut s,
        Message::ProfilesLoaded(loaded(&["new-1", "one", "two"])),
    );
    assert_eq!(s.form.base.name, "new-1");
    assert_eq!(s.profiles.selected().unwrap().name, "new-1");
}

/// The file behind the form changed on disk: a save comes back as a conflict (reload, overwrite
/// or stay); an unmodified form simply shows the new version.
#[test]
fn a_save_over_a_changed_file_asks_reload_overwrite_or_stay() {
    use engine::request::profile::FileStamp;
    let mut s = two_profiles();
    let mut list = loaded(&["one", "two"]);
    list[0].stamp = Some(FileStamp::of(b"v1"));
    update(&mut s, Message::ProfilesLoaded(list));
    assert_eq!(s.form.stamp, Some(FileStamp::of(b"v1")));
    // Unmodified: a reload (the window came back into focus) shows what is on disk now.
    assert_eq!(
        update(&mut s, Message::FocusGained),
        vec![Effect::LoadProfiles]
    );
    let mut list = loaded(&["one", "two"]);
    list[0].stamp = Some(FileStamp::of(b"v2"));
    if let Ok(p) = &mut list[0].result {
        p.url = "https://localhost:1/changed-elsewhere".into();
    }
    update(&mut s, Message::ProfilesLoaded(list.clone()));
    assert_eq!(
        s.form.url.lines()[0],
        "https://localhost:1/changed-elsewhere"
    );
    // Modified, and changed on disk again: said, and the save is made over the version opened.
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "/mine");
    list[0].stamp = Some(FileStamp::of(b"v3"));
    update(&mut s, Message::ProfilesLoaded(list));
    assert!(s.form.url.lines()[0].ends_with("/mine"), "edits kept");
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .text()
            .contains("changed on disk"),
        "{:?}",
        s.message
    );
    let fx = update(&mut s, ctrl('s'));
    assert!(
        matches!(fx.as_slice(), [Effect::SaveProfile { over: Some(st), .. }] if *st == FileStamp::of(b"v2")),
        "{fx:?}"
    );
    update(&mut s, Message::SaveConflict);
    assert!(matches!(s.popup, Some(Popup::Conflict)));
    // Esc stays with the edits; o overwrites; r reloads.
    update(&mut s, key(KeyCode::Esc));
    assert!(s.form.dirty && s.popup.is_none());
    update(&mut s, Message::SaveConflict);
    let fx = update(&mut s, key(KeyCode::Char('o')));
    assert!(
        matches!(fx.as_slice(), [Effect::SaveProfile { over: None, profile }] if profile.url.ends_with("/mine")),
        "{fx:?}"
    );
    update(&mut s, Message::SaveConflict);
    let fx = update(&mut s, key(KeyCode::Char('r')));
    assert_eq!(fx, vec![Effect::LoadProfiles]);
    assert!(!s.form.dirty);
}

/// Esc on a stream with events asks it to stop (its send ends normally); Esc again cancels.
#[test]
fn esc_stops_a_stream_first_and_cancels_on_the_second_press() {
    let mut s = two_profiles();
    let fx = update(&mut s, ctrl('r'));
    let id = match fx.as_slice() {
        [Effect::Send { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    update(&mut s, batch(id, &["order {}"]));
    assert_eq!(
        update(&mut s, key(KeyCode::Esc)),
        vec![Effect::StopStream { id }]
    );
    assert!(s.in_flight.is_some(), "the send finishes with what arrived");
    assert_eq!(
        update(&mut s, key(KeyCode::Esc)),
        vec![Effect::Cancel { id }]
    );
    assert!(s.in_flight.is_none());
}

/// `e` without any environment says how to make one instead of switching to nothing.
#[test]
fn e_without_environments_says_how_to_make_one() {
    let mut s = two_profiles();
    let fx = update(&mut s, key(KeyCode::Char('e')));
    assert!(fx.is_empty(), "{fx:?}");
    let said = s.message.as_ref().unwrap().text();
    assert!(said.contains("profiles/environments/NAME.toml"), "{said}");
}

/// A batch of `n` events of send `id`, as the send's stream task hands them over.
fn batch(id: u64, data: &[&str]) -> Message {
    let entries = data
        .iter()
        .map(|d| {
            tui::live::LiveEntry::of(&engine::body::events::StreamItem::Event(
                engine::body::events::StreamEvent {
                    at_ms: 1,
                    event: "order".into(),
                    data: (*d).into(),
                    id: String::new(),
                    retry_ms: None,
                },
            ))
        })
        .collect();
    Message::StreamBatch {
        id,
        received: data.len() as u64,
        websocket: false,
        entries,
    }
}

/// On a WebSocket in flight, the response pane takes a typed message (Enter sends it, Esc
/// leaves the line without stopping anything), a saved one by its number, a ping and a close;
/// keys typed on the line never reach the rest of the workbench.
#[test]
fn a_websocket_in_flight_takes_typed_and_saved_messages_from_the_response_pane() {
    let mut s = two_profiles();
    let mut p = s.form.to_profile().unwrap();
    p.url = "wss://example.test/socket".into();
    p.websocket.messages = vec!["saved one".into()];
    s.form = tui::form::Form::from_profile(&p);
    let fx = update(&mut s, ctrl('r'));
    let id = match fx.as_slice() {
        [Effect::Send { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    s.focus = Pane::Response;
    use engine::body::messages::Outgoing;
    assert!(update(&mut s, key(KeyCode::Char('i'))).is_empty());
    assert!(s.typing(), "q and ? are text on the input line");
    typed(&mut s, "hi q?");
    assert!(!s.quit);
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        vec![Effect::SendMessage {
            id,
            out: Outgoing::Text("hi q?".into())
        }]
    );
    assert_eq!(
        update(&mut s, key(KeyCode::Char('1'))),
        vec![Effect::SendMessage {
            id,
            out: Outgoing::Text("saved one".into())
        }]
    );
    assert!(update(&mut s, key(KeyCode::Char('2'))).is_empty());
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .text()
            .contains("1 saved message")
    );
    update(&mut s, key(KeyCode::Char('i')));
    assert!(
        update(&mut s, key(KeyCode::Esc)).is_empty(),
        "Esc leaves the line only"
    );
    assert!(
        s.in_flight
            .as_ref()
            .is_some_and(|f| f.input.is_none() && !f.stopping)
    );
    assert_eq!(
        update(&mut s, key(KeyCode::Char('p'))),
        vec![Effect::SendMessage {
            id,
            out: Outgoing::Ping
        }]
    );
    // A typed /close says the code; /ping pings.
    update(&mut s, key(KeyCode::Char('i')));
    typed(&mut s, "/close 4000 done here");
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        vec![Effect::SendMessage {
            id,
            out: Outgoing::Close {
                code: 4000,
                reason: "done here".into()
            }
        }]
    );
    s.in_flight.as_mut().unwrap().stopping = false;
    assert_eq!(
        update(&mut s, key(KeyCode::Char('x'))),
        vec![Effect::SendMessage {
            id,
            out: Outgoing::Close {
                code: 1000,
                reason: String::new()
            }
        }]
    );
}

/// The live log keeps the last entries of a flood, follows the newest, and a pause holds the view.
#[test]
fn the_live_log_is_bounded_and_a_pause_holds_the_view() {
    let mut s = two_profiles();
    let fx = update(&mut s, ctrl('r'));
    let id = match fx.as_slice() {
        [Effect::Send { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    let many: Vec<String> = (0..3000).map(|i| i.to_string()).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    update(&mut s, batch(id, &many));
    let live = &s.in_flight.as_ref().unwrap().live;
    assert_eq!(live.entries.len(), tui::live::LIVE_RING);
    assert_eq!(live.visible().last().copied().unwrap().lines, ["2999"]);
    s.focus = Pane::Response;
    update(&mut s, key(KeyCode::Char('f')));
    update(&mut s, batch(id, &["new"]));
    let live = &s.in_flight.as_ref().unwrap().live;
    assert_eq!(
        live.visible().last().copied().unwrap().lines,
        ["2999"],
        "paused"
    );
    update(&mut s, key(KeyCode::Char('f')));
    let live = &s.in_flight.as_ref().unwrap().live;
    assert_eq!(live.visible().last().copied().unwrap().lines, ["new"]);
}

/// The import wizard's last kind takes a collection: the Newman example files, space-separated,
/// become a folder of profiles beside the others, and a bad path goes back to the path step.
#[test]
fn the_import_wizard_takes_a_collection() {
    let mut s = state_with_profile();
    update(&mut s, ctrl('k'));
    update(&mut s, key(KeyCode::Char('a')));
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Down));
    }
    match &s.popup {
        Some(Popup::Import(w)) => assert_eq!(w.kind, tui::state::ImportKind::Collection),
        other => panic!("the wizard is open: {other:?}"),
    }
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/postman");
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let ks = engine::keys::keystore::Keystore::open(home.path());
    let files = format!("{fixtures}/sample-collection.json {fixtures}/simple-variables.json");
    let said =
        tui::effects::import_collection(&ks, home.path(), profiles.path(), &files, "", "").unwrap();
    assert!(said.starts_with("imported 3 profiles into"), "{said}");
    assert!(
        profiles
            .path()
            .join("sample-postman-collection/environments/globals.toml")
            .is_file()
    );
    let e =
        tui::effects::import_collection(&ks, home.path(), profiles.path(), "/nope.json", "", "")
            .expect_err("no such file");
    assert_eq!(e.step, tui::state::ImportStep::Path, "{}", e.message);
}

/// `E` compares two environments and says so in its own words, not the two keys'.
#[test]
fn an_environment_comparison_is_worded_as_one() {
    use tui::message::Pair;
    let env = crate::common::Env::new();
    let a = Arc::new(env.send(&env.profile("/json")));
    let b = Arc::new(env.send(&env.profile("/json")));
    let cmp = compare::compare(&a, &b, &[]);
    for (of, said) in [
        (
            Pair::Environments,
            "the two environments answer differently",
        ),
        (Pair::Keys, "sent with both keys: the answers differ"),
    ] {
        let mut s = state_with_profile();
        s.envs = vec!["prod".into()];
        let fx = update(&mut s, key(KeyCode::Char('E')));
        assert!(
            matches!(fx.as_slice(), [Effect::SendEnvPair { .. }]),
            "{fx:?}"
        );
        let id = s.in_flight.as_ref().map(|f| f.id).unwrap();
        let view = CompareView {
            labels: ("env qa".into(), "env prod".into()),
            a: a.clone(),
            b: b.clone(),
            ignore: vec![],
            cmp: cmp.clone(),
            scroll: 0,
            input: None,
        };
        update(
            &mut s,
            Message::PairDone {
                id,
                of,
                sends: Vec::new(),
                compare: Box::new(view),
            },
        );
        let note = s.message.as_ref().map(|m| m.text().to_string());
        assert_eq!(note.as_deref(), Some(said));
    }
}
