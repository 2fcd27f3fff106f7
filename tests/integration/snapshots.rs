//! View snapshots (insta) of the workbench at 80x24 in TestBackend: idle, sending, 200 JSON, 404,
//! TLS failure explained, key picker, import wizard with a wrong-password error, help, comparison.
//! Responses are built here with fixed timings and the state's clock fixed, so the pictures do not move.
//! Review changes with `cargo insta review` (or INSTA_UPDATE=always cargo test --test snapshots).

use engine::diagnose::kind::DiagnosisKind;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use engine::diagnose::Failure;
use engine::exchange::{self, Diagnosis, Exchange, Timing, TlsFacts};
use engine::history::Summary;
use engine::history::compare;
use engine::keys::keystore::Keystore;
use engine::request::profile::Profile;
use engine::request::profile_dir::LoadedProfile;
use engine::request::vars::Vars;
use tui::message::Message;
use tui::state::{BodyLines, CompareView, Popup, State};
use tui::update::update;
use tui::view;

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// The screen as text.
fn screen(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, s)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            let row: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
            row + "\n"
        })
        .collect()
}

fn state() -> State {
    let mut s = State::new("profiles".into(), Vars::new());
    // The clock is the state's: a fixed day after every entry here.
    s.now = tui::clock::Now::at(1_800_000_000_000);
    s.no_color = true;
    let profiles = ["create-order", "echo-orders", "orders-json"]
        .iter()
        .map(|n| LoadedProfile {
            stamp: None,
            name: n.to_string(),
            path: format!("{n}.toml").into(),
            result: Ok(Profile {
                name: n.to_string(),
                url: "https://api.example.test/v2/orders".into(),
                credential: Some("acme".into()),
                ..Profile::default()
            }),
        })
        .collect();
    update(&mut s, Message::ProfilesLoaded(profiles));
    update(&mut s, Message::Resize(80, 24));
    s
}

fn tls() -> TlsFacts {
    TlsFacts {
        server_name: "api.example.test".into(),
        version: Some("TLSv1.3".into()),
        cipher: Some("TLS13_AES_256_GCM_SHA384".into()),
        key_exchange: Some("X25519".into()),
        client_cert_requested: true,
        acceptable_ca_names: vec!["CN=Acme Client CA".into()],
        client_cert_sent: Some("CN=acme-client".into()),
        verified_by: Some("webpki".into()),
        ..TlsFacts::default()
    }
}

fn response(status: u16, reason: &str, body: &str) -> Exchange {
    let body = bytes::Bytes::from(body.to_string());
    Exchange {
        method: "GET".into(),
        url: "https://api.example.test/v2/orders".into(),
        status,
        reason: reason.into(),
        http_version: "HTTP/2.0".into(),
        headers: vec![("content-type".into(), "application/json".into())],
        encoded_size: body.len(),
        decoded_size: body.len(),
        content_encoding: None,
        view: exchange::build_view(
            &body,
            Some("application/json"),
            true,
            &engine::budget::Budget::unlimited(),
        )
        .unwrap(),
        body,
        redirects: vec![],
        tls: Some(tls()),
        timing: Timing {
            total_ms: 41.5,
            headers_ms: 40.0,
            body_ms: 1.5,
            new_connections: 1,
            dns_ms: 0.5,
            connect_ms: 1.0,
            tls_ms: 6.5,
            request_ms: 0.0,
            wait_ms: 32.0,
            download_ms: 1.5,
            process_ms: 0.0,
            ..Timing::default()
        },
        status_is_error: status >= 400,
        warnings: vec![],
        incomplete: None,
        saved_to: None,
        stream: None,
        grpc: None,
    }
}

fn summary(id: i64, status: Option<u16>) -> Summary {
    Summary {
        id: Some(id),
        at_ms: 1_763_000_000_000,
        profile: "echo-orders".into(),
        key: Some("acme".into()),
        key_sha256: None,
        method: "GET".into(),
        url: "https://api.example.test/v2/orders".into(),
        status,
        error_kind: status
            .is_none()
            .then_some(DiagnosisKind::ClientCertRequired),
        status_is_error: status.is_none_or(|s| s >= 400),
        duration_ms: 41.5,
    }
}

fn finish(s: &mut State, result: Result<Exchange, Failure>, id: i64) {
    update(s, ctrl('r'));
    let flight = s.in_flight.as_ref().unwrap().id;
    let status = result.as_ref().ok().map(|e| e.status);
    let lines = match &result {
        Ok(ex) => ex.view.lines().cloned().unwrap_or_default(),
        Err(_) => BodyLines::default(),
    };
    update(
        s,
        Message::SendDone {
            id: flight,
            result: Arc::new(result),
            lines,
            summary: Box::new(summary(id, status)),
            extras: Default::default(),
        },
    );
}

#[test]
fn idle() {
    insta::assert_snapshot!(screen(&state(), 80, 24));
}

#[test]
fn sending() {
    let mut s = state();
    update(&mut s, ctrl('r'));
    let started = s.in_flight.as_ref().unwrap().started;
    s.now.instant = started + std::time::Duration::from_millis(1500);
    insta::assert_snapshot!(screen(&s, 80, 24));
}

#[test]
fn ok_200_json() {
    let mut s = state();
    finish(
        &mut s,
        Ok(response(
            200,
            "OK",
            r#"{"orders":[{"id":1,"status":"open","total":12.5},{"id":2,"status":"paid","total":99.0}],"next":null}"#,
        )),
        1,
    );
    insta::assert_snapshot!(screen(&s, 80, 24));
}

#[test]
fn not_found_404() {
    let mut s = state();
    finish(
        &mut s,
        Ok(response(404, "Not Found", r#"{"error":"no such order"}"#)),
        2,
    );
    insta::assert_snapshot!(screen(&s, 80, 24));
}

#[test]
fn tls_failure_explained() {
    let mut s = state();
    let mut f = Failure::plain(Diagnosis::new(
        DiagnosisKind::ClientCertRequired,
        "the server requires a client certificate and none was sent: no credential key is selected",
        "credential = \"NAME\" in the profile does the same",
    )
    .with_step(engine::exchange::Fix::PickKey));
    f.tls = Some(TlsFacts {
        client_cert_sent: None,
        ..tls()
    });
    f.chain = vec![
        "error sending request".into(),
        "received fatal alert: CertificateRequired".into(),
    ];
    finish(&mut s, Err(f), 3);
    let text = screen(&s, 80, 24);
    // The cause in words on the response's status line, whole at 80 columns.
    assert!(
        text.contains("✗ no client certificate was sent  ! story"),
        "{text}"
    );
    insta::assert_snapshot!(text);
    // `!` opens the whole story: the cause, the fix, the handshake; Esc closes it.
    update(&mut s, key(KeyCode::Char('!')));
    let text = screen(&s, 80, 24);
    for said in [
        "What happened",
        "The fix",
        "The handshake",
        "kind: client_cert_required",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
    insta::assert_snapshot!("problem_view_80x24", text);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.popup.is_none());
}

fn keystore_with_keys() -> (tempfile::TempDir, Keystore) {
    let home = tempfile::tempdir().unwrap();
    let ks = Keystore::open(home.path());
    let pki = demo::Pki::new("Acme Client CA");
    for (name, cn) in [("acme", "acme-client"), ("acme-next", "acme-client-2027")] {
        let c = pki.client(cn, demo::Days { from: -1, to: 400 });
        ks.import_pem(
            name,
            c.cert_pem.as_bytes(),
            c.key_pem.as_bytes(),
            None,
            name,
        )
        .unwrap();
    }
    (home, ks)
}

#[test]
fn key_picker() {
    let (_home, ks) = keystore_with_keys();
    let mut s = state();
    update(&mut s, ctrl('k'));
    let keys = ks
        .list()
        .into_iter()
        .map(|(n, r)| (n, r.map_err(|e| e.to_string())))
        .collect();
    update(&mut s, Message::KeysLoaded(keys));
    // Made "400 days from now" a moment ago: a second tick may already make it 399.
    insta::assert_snapshot!(screen(&s, 80, 24).replace("in 399 days", "in 400 days"));
}

#[test]
fn import_wizard_wrong_password() {
    let mut s = state();
    update(&mut s, ctrl('k'));
    update(&mut s, key(KeyCode::Char('a')));
    update(&mut s, key(KeyCode::Enter));
    for c in "client.p12".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    update(&mut s, key(KeyCode::Enter));
    for c in "nope".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    update(&mut s, key(KeyCode::Enter));
    for c in "acme".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    update(&mut s, key(KeyCode::Enter));
    update(
        &mut s,
        Message::Imported(Err(tui::state::ImportFailed {
            step: tui::state::ImportStep::Password,
            message: "wrong password for client.p12: the MAC does not verify; type it again".into(),
        })),
    );
    assert!(matches!(s.popup, Some(Popup::Import(_))));
    insta::assert_snapshot!(screen(&s, 80, 24));
}

#[test]
fn help_overlay() {
    let mut s = state();
    update(&mut s, key(KeyCode::F(1)));
    insta::assert_snapshot!(screen(&s, 80, 24));
}

#[test]
fn comparison_unified_and_side_by_side() {
    let a = Arc::new(Ok(response(
        200,
        "OK",
        r#"{"cn":"acme-client","orders":[1,2],"requestId":"a"}"#,
    )));
    let b = Arc::new(Ok(response(
        403,
        "Forbidden",
        r#"{"cn":"acme-client-2027","orders":[],"requestId":"b"}"#,
    )));
    let ignore = vec!["$.requestId".to_string()];
    let cmp = compare::compare(&a, &b, &ignore);
    let mut s = state();
    update(
        &mut s,
        Message::Compared(Ok(Box::new(CompareView {
            labels: ("#1 key acme".into(), "#2 key acme-next".into()),
            a,
            b,
            ignore,
            cmp,
            scroll: 0,
            input: None,
        }))),
    );
    insta::assert_snapshot!("comparison_80x24", screen(&s, 80, 24));
    insta::assert_snapshot!("comparison_140x24", screen(&s, 140, 24));
}

#[test]
fn timing_waterfall() {
    let mut s = state();
    finish(&mut s, Ok(response(200, "OK", r#"{"ok":true}"#)), 1);
    s.resp_tab = tui::state::RespTab::Timing;
    let text = screen(&s, 80, 24);
    assert!(text.contains("wait"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn unsaved_edits_and_a_changed_file_ask_at_80x24() {
    let mut s = state();
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char('x')));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Char('q')));
    insta::assert_snapshot!("unsaved_edits_80x24", screen(&s, 80, 24));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, Message::SaveConflict);
    insta::assert_snapshot!("changed_on_disk_80x24", screen(&s, 80, 24));
}

#[test]
fn palette_profile_filter_and_request_tab_at_80x24() {
    use engine::request::seen::{RequestSeen, Seen};
    let mut s = state();
    update(&mut s, ctrl('p'));
    insta::assert_snapshot!("palette_80x24", screen(&s, 80, 24));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Char('/')));
    for c in "json".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    insta::assert_snapshot!("profile_filter_80x24", screen(&s, 80, 24));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char('p')));
    let profile = s.form.to_profile().unwrap();
    let req = engine::request::prepare::prepare(&profile, &Vars::new()).unwrap();
    let seen = RequestSeen::of(&req, Seen::WouldSend);
    update(&mut s, Message::Previewed(Ok(Box::new(seen))));
    let text = screen(&s, 80, 24);
    assert!(text.contains("as it would be sent now"), "{text}");
    insta::assert_snapshot!("request_tab_80x24", text);
}

#[test]
fn options_variables_trust_and_history_at_80x24() {
    use engine::request::variables::{VarSeen, VarSource};
    let mut s = state();
    // The Options tab, its route rows, and a route row being typed.
    update(&mut s, key(KeyCode::Enter));
    for _ in 0..3 {
        update(&mut s, ctrl('t'));
    }
    while s.option_row != tui::options::OptionRow::Proxy {
        update(&mut s, key(KeyCode::Down));
    }
    insta::assert_snapshot!("options_tab_80x24", screen(&s, 80, 24));
    update(&mut s, key(KeyCode::Enter));
    for c in "socks5h://127.0.0.1:1080".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    insta::assert_snapshot!("option_text_80x24", screen(&s, 80, 24));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Esc));
    // The variables, each with its source.
    update(&mut s, key(KeyCode::Char('v')));
    update(
        &mut s,
        Message::Variables(vec![
            VarSeen {
                name: "base_url".into(),
                shown: "https://api.example.test".into(),
                secret: false,
                source: VarSource::Environment("staging".into()),
                shadowed: vec![VarSource::File],
            },
            VarSeen {
                name: "token".into(),
                shown: "•••• (40 characters)".into(),
                secret: true,
                source: VarSource::Captured {
                    by: "get-token".into(),
                },
                shadowed: Vec::new(),
            },
        ]),
    );
    insta::assert_snapshot!("variables_80x24", screen(&s, 80, 24));
    update(&mut s, key(KeyCode::Esc));
    // The trust picker.
    update(&mut s, key(KeyCode::Char('T')));
    update(
        &mut s,
        Message::TrustedLoaded(vec![tui::trust_picker::Trusted {
            name: "acme-ca".into(),
            about: Ok("CN=Acme Client CA, expires in 300 days".into()),
        }]),
    );
    insta::assert_snapshot!("trust_picker_80x24", screen(&s, 80, 24));
    update(&mut s, key(KeyCode::Esc));
    // The history, focused: wide enough for its lines.
    finish(&mut s, Ok(response(200, "OK", r#"{"ok":true}"#)), 1);
    update(&mut s, key(KeyCode::Char('4')));
    insta::assert_snapshot!("history_focused_80x24", screen(&s, 80, 24));
}

/// The smaller popups, each at 80x24: a token's PIN, rename, the confirmations, the raw error,
/// a key check's report and the gRPC method picker.
#[test]
fn every_small_popup_at_80x24() {
    use engine::net::grpc::describe::MethodInfo;
    use tui::state::MethodPicker;
    let mut s = state();
    let mut pin = ratatui_textarea::TextArea::default();
    pin.set_mask_char('*');
    pin.insert_str("1234");
    let popups: Vec<(&str, Popup)> = vec![
        (
            "pin_80x24",
            Popup::Pin {
                token: "YubiKey PIV #1234".into(),
                input: Box::new(pin),
            },
        ),
        (
            "rename_80x24",
            Popup::RenameProfile(Box::new(ratatui_textarea::TextArea::new(vec![
                "create-order-v2".into(),
            ]))),
        ),
        ("confirm_delete_profile_80x24", Popup::ConfirmDeleteProfile),
        ("confirm_clear_history_80x24", Popup::ConfirmClearHistory),
        (
            "key_check_80x24",
            Popup::KeyCheck {
                name: "acme".into(),
                url: "https://api.example.test/v2/orders".into(),
                accepted: Some(false),
                lines: vec![
                    "TLSv1.3 with api.example.test".into(),
                    "the server asked for a client certificate from: CN=Other CA".into(),
                    "REJECTED: the server does not know the CA of key acme".into(),
                ],
            },
        ),
        (
            "grpc_methods_80x24",
            Popup::GrpcMethods(Box::new(MethodPicker {
                methods: Some(Ok(vec![MethodInfo {
                    method: "routeguide.RouteGuide/GetFeature".into(),
                    input: "routeguide.Point".into(),
                    output: "routeguide.Feature".into(),
                    client_streaming: false,
                    server_streaming: false,
                    template: "{}".into(),
                }])),
                filter: "get".into(),
                selected: 0,
            })),
        ),
    ];
    for (name, popup) in popups {
        s.popup = Some(popup);
        let text = screen(&s, 80, 24);
        insta::assert_snapshot!(name, text);
    }
}
