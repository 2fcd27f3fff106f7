//! Finding things in the workbench: the profile filter, the command palette, the first screen.

use crossterm::event::KeyCode;

use engine::request::vars::Vars;
use tui::state::{Pane, Popup, RespTab, State};
use tui::update::update;

use crate::common::tui::{ctrl, key, loaded, screen, typed};

fn five() -> State {
    let mut s = State::new("profiles".into(), Vars::new());
    loaded(
        &mut s,
        &[
            ("accounts", "https://bank.example/accounts"),
            ("create-order", "https://shop.example/orders"),
            ("echo", "https://echo.example/"),
            ("orders-xml", "https://shop.example/orders.xml"),
            ("token", "https://auth.example/token"),
        ],
    );
    s
}

#[test]
fn slash_filters_the_profiles_by_name_and_url_and_esc_clears_it() {
    let mut s = five();
    update(&mut s, key(KeyCode::Char('/')));
    assert!(
        s.typing(),
        "keys now go to the filter, never run as commands"
    );
    // `shop` is in two URLs; `q` and `n` are typed, not quit or new.
    typed(&mut s, "shop");
    assert_eq!(s.profiles.visible(), vec![1, 3]);
    assert_eq!(s.profiles.selected().unwrap().name, "create-order");
    assert_eq!(s.form.base.name, "create-order", "the selection is shown");
    let text = screen(&s, 80, 24);
    assert!(text.contains("Profiles [shop]"), "{text}");
    assert!(text.contains("/shop_"), "{text}");
    assert!(!text.contains("accounts"), "{text}");
    // Enter keeps the filter; ↓ moves among the profiles shown only.
    update(&mut s, key(KeyCode::Enter));
    assert!(!s.typing());
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.profiles.selected().unwrap().name, "orders-xml");
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.profiles.selected().unwrap().name, "orders-xml");
    update(&mut s, key(KeyCode::Up));
    assert_eq!(s.profiles.selected().unwrap().name, "create-order");
    // A filter that holds nothing says so; Esc in the list clears it.
    update(&mut s, key(KeyCode::Char('/')));
    typed(&mut s, "zzz");
    assert!(s.profiles.visible().is_empty());
    let text = screen(&s, 80, 24);
    assert!(text.contains("nothing matches"), "{text}");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.profiles.visible().len(), 5);
    assert!(!screen(&s, 80, 24).contains("Profiles ["));
}

#[test]
fn the_palette_lists_every_action_with_its_key_and_does_the_one_picked() {
    let mut s = five();
    update(&mut s, ctrl('p'));
    assert!(matches!(s.popup, Some(Popup::Palette(_))));
    let text = screen(&s, 80, 24);
    assert!(text.contains("Send the request"), "{text}");
    assert!(text.contains("Ctrl-R"), "{text}");
    // Typing filters (any case, each word), Enter does it in its pane.
    typed(&mut s, "WRAP");
    let text = screen(&s, 80, 24);
    assert!(text.contains("Wrap long lines"), "{text}");
    assert!(!text.contains("Send the request"), "{text}");
    assert!(!s.wrap);
    update(&mut s, key(KeyCode::Enter));
    assert!(s.popup.is_none());
    assert!(s.wrap, "the action ran");
    assert_eq!(s.focus, Pane::Response);
    // An action of the profile list, picked with ↓: the Request tab.
    update(&mut s, ctrl('p'));
    typed(&mut s, "request");
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.resp_tab, RespTab::Request);
    // Every action's keys are listed with it, and an unknown word lists none.
    update(&mut s, ctrl('p'));
    typed(&mut s, "no such action");
    assert!(screen(&s, 80, 24).contains("no action holds what is typed"));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.popup.is_none());
    assert!(!s.quit);
}

#[test]
fn the_first_screen_without_profiles_says_what_to_do_and_a_new_url_starts_empty() {
    let mut s = State::new("profiles".into(), Vars::new());
    loaded(&mut s, &[]);
    let text = screen(&s, 80, 24);
    for said in [
        "No profiles yet",
        "new request",
        "a curl command",
        "import a",
        "collection",
        "every key",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
    update(&mut s, key(KeyCode::Char('n')));
    assert_eq!(s.focus, Pane::Form);
    assert_eq!(s.form.url.lines().join(""), "");
}

#[test]
fn a_message_gives_the_key_bar_back_after_a_few_seconds_or_the_next_key() {
    use std::time::Duration;
    use tui::clock::Now;
    use tui::message::Message;
    let mut s = five();
    let at = |from: Now, secs: u64| Now {
        unix_ms: from.unix_ms + 1000 * secs as i64,
        instant: from.instant + Duration::from_secs(secs),
    };
    // `e` without environments says how to make one.
    update(&mut s, key(KeyCode::Char('e')));
    assert!(s.message.is_some());
    assert!(s.animates(), "ticks run while a message may expire");
    let start = s.now;
    update(&mut s, Message::Tick(at(start, 2)));
    assert!(s.message.is_some(), "still there after 2 s");
    update(&mut s, Message::Tick(at(start, 6)));
    assert!(s.message.is_none(), "gone after 5 s");
    assert!(
        screen(&s, 80, 24).contains("Ctrl-P palette"),
        "the key bar is back"
    );
    assert!(!s.animates());
    // The next key takes it away sooner.
    update(&mut s, key(KeyCode::Char('e')));
    assert!(s.message.is_some());
    update(&mut s, key(KeyCode::Down));
    assert!(s.message.is_none());
}

#[test]
fn an_untrusted_server_is_told_to_open_the_trust_picker() {
    let env = crate::common::Env::new();
    let mut p = env.profile("/echo");
    p.trust.clear();
    let failure = env.err(&p);
    assert_eq!(failure.diagnosis.kind, "server_cert_untrusted");
    let hint = tui::fixes::hint(&failure.diagnosis);
    assert!(hint.contains("press T"), "{hint}");
    assert!(
        !hint.contains("certbench trust add"),
        "TUI words, not a CLI command: {hint}"
    );
    // The picker: Enter on what the server presented asks to store it; the form then trusts it.
    let mut s = five();
    update(&mut s, key(KeyCode::Char('T')));
    assert!(matches!(s.popup, Some(Popup::Trust(_))));
    let fx = update(&mut s, key(KeyCode::Char('u')));
    assert!(
        matches!(fx.as_slice(), [tui::update::Effect::FetchPresented(_)]),
        "{fx:?}"
    );
    let der = pem::parse(&env.demo.server_cert.cert_pem)
        .unwrap()
        .into_contents();
    let presented = tui::trust_picker::Presented {
        subject: "CN=localhost".into(),
        issuer: "CN=certbench demo CA".into(),
        sha256: "AA".into(),
        expiry: "expires in 364 days".into(),
        is_ca: false,
        name: "localhost".into(),
        der: der.clone(),
    };
    update(
        &mut s,
        tui::message::Message::ChainPresented(Ok(vec![presented])),
    );
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [tui::update::Effect::AddTrustedDer { name, der: d }] if name == "localhost" && *d == der),
        "{fx:?}"
    );
    update(
        &mut s,
        tui::message::Message::TrustChanged {
            result: Ok("trusted localhost".into()),
            added: Some("localhost".into()),
        },
    );
    assert_eq!(s.form.base.trust, vec!["localhost".to_string()]);
    assert!(s.form.dirty);
    // Enter on a listed one takes it away again.
    update(
        &mut s,
        tui::message::Message::TrustedLoaded(vec![tui::trust_picker::Trusted {
            name: "localhost".into(),
            about: Ok("CN=localhost".into()),
        }]),
    );
    update(&mut s, key(KeyCode::Enter));
    assert!(s.form.base.trust.is_empty());
}

#[test]
fn the_options_show_the_effective_key_trust_and_proxy_and_edit_the_route_rows() {
    use tui::options::{Effective, OptionRow};
    let mut s = five();
    let p = s.form.base.clone();
    // No key named: what an environment gives is said, with where it comes from.
    let eff = Effective {
        implied_key: Some(("acme".into(), "from env staging".into())),
        env: Some("staging".into()),
        env_trust: vec!["acme-ca".into()],
        env_proxy: Some("http://proxy.corp:3128".into()),
    };
    assert_eq!(
        OptionRow::MutualTls.note(&p, &eff).unwrap(),
        "on: key acme, from env staging"
    );
    assert!(
        OptionRow::Trust
            .note(&p, &eff)
            .unwrap()
            .starts_with("acme-ca (env staging)")
    );
    assert_eq!(
        OptionRow::Proxy.note(&p, &eff).unwrap(),
        "http://proxy.corp:3128 (env staging)"
    );
    // The route rows take text, checked as a send checks it.
    let mut p = p;
    assert!(OptionRow::Proxy.set_text(&mut p, "ftp://x").is_err());
    OptionRow::Proxy
        .set_text(&mut p, "socks5h://127.0.0.1:1080")
        .unwrap();
    assert_eq!(p.options.proxy.as_deref(), Some("socks5h://127.0.0.1:1080"));
    assert!(
        OptionRow::Resolve
            .set_text(&mut p, "api:443:not-an-ip")
            .is_err()
    );
    OptionRow::Resolve
        .set_text(&mut p, "api.test:443:10.0.0.7, b.test:443:10.0.0.8")
        .unwrap();
    assert_eq!(p.options.resolve.len(), 2);
    assert!(OptionRow::MaxBody.set_text(&mut p, "1 B").is_err());
    OptionRow::MaxBody.set_text(&mut p, "64MiB").unwrap();
    assert!(OptionRow::Pin.set_text(&mut p, "md5//x").is_err());
    // Through the keys: Enter on the proxy row, type, Enter.
    update(&mut s, key(KeyCode::Enter));
    for _ in 0..3 {
        update(&mut s, ctrl('t'));
    }
    while s.option_row != OptionRow::Proxy {
        update(&mut s, key(KeyCode::Down));
    }
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.popup, Some(Popup::OptionText { .. })));
    typed(&mut s, "http://127.0.0.1:8899");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.popup.is_none());
    assert_eq!(
        s.form.base.options.proxy.as_deref(),
        Some("http://127.0.0.1:8899")
    );
    assert!(s.form.dirty);
}

#[test]
fn a_focused_history_pane_is_wide_enough_for_time_status_method_and_name() {
    let mut s = five();
    s.now = tui::clock::Now::at(1_800_000_000_000);
    let summary = engine::history::Summary {
        id: Some(7),
        at_ms: 1_800_000_000_000 - 60_000,
        profile: "create-order-for-acme".into(),
        key: Some("acme".into()),
        key_sha256: None,
        method: "POST".into(),
        url: "https://shop.example/orders".into(),
        status: Some(201),
        error_kind: None,
        status_is_error: false,
        duration_ms: 12.0,
    };
    update(
        &mut s,
        tui::message::Message::HistoryLoaded(Ok(vec![summary])),
    );
    let narrow = screen(&s, 80, 24);
    assert!(!narrow.contains("POST create-order-for-acme"), "{narrow}");
    // Tab to the history pane: its column widens on a narrow screen, the whole line shows.
    while s.focus != Pane::History {
        update(&mut s, key(KeyCode::Tab));
    }
    let wide = screen(&s, 80, 24);
    assert!(wide.contains(" 201 POST create-order-for-acme"), "{wide}");
}

#[test]
fn keys_typed_while_the_profiles_are_read_wait_for_them() {
    use tui::message::Message;
    let mut s = State::new("profiles".into(), Vars::new());
    update(
        &mut s,
        Message::ProfilesListed(vec!["accounts".into(), "echo".into()]),
    );
    // Ctrl-R before the files are read: nothing is sent from the empty form.
    assert!(update(&mut s, ctrl('r')).is_empty());
    assert!(s.in_flight.is_none());
    // Once read, it sends the profile on screen.
    let mut effects = Vec::new();
    let list = [
        ("accounts", "https://bank.example/accounts"),
        ("echo", "https://echo.example/"),
    ];
    let loaded: Vec<_> = list
        .iter()
        .map(|(n, u)| engine::request::profile_dir::LoadedProfile {
            stamp: None,
            name: n.to_string(),
            path: format!("{n}.toml").into(),
            result: Ok(engine::request::profile::Profile {
                name: n.to_string(),
                url: u.to_string(),
                ..Default::default()
            }),
        })
        .collect();
    effects.extend(update(&mut s, Message::ProfilesLoaded(loaded)));
    assert!(
        matches!(effects.as_slice(), [tui::update::Effect::Send { profile, .. }] if profile.name == "accounts"),
        "{effects:?}"
    );
}

#[test]
fn digits_jump_to_panes_and_never_type_into_a_field() {
    let mut s = five();
    update(&mut s, key(KeyCode::Char('4')));
    assert_eq!(s.focus, Pane::History);
    update(&mut s, key(KeyCode::Char('3')));
    assert_eq!(s.focus, Pane::Response);
    update(&mut s, key(KeyCode::Char('2')));
    assert_eq!(s.focus, Pane::Form);
    assert!(!s.typing(), "the form waits for Enter");
    let url = s.form.url.lines().join("");
    update(&mut s, key(KeyCode::Char('1')));
    assert_eq!(s.focus, Pane::Profiles);
    assert_eq!(s.form.url.lines().join(""), url);
    // While typing in a field, a digit is text.
    update(&mut s, key(KeyCode::Enter));
    assert!(s.typing());
    update(&mut s, key(KeyCode::Char('3')));
    assert_eq!(s.focus, Pane::Form);
    assert!(s.form.url.lines().join("").ends_with('3'));
}
