//! The Request tab in a real terminal: the request as it would be sent, as sent, and after an edit.

use crate::common::tmux::{demo_session, select_profile, tmux, wait_for, wait_gone};

#[test]
fn the_request_tab_shows_the_resolved_request_before_and_after_a_send() {
    let session = format!("certbench-request-{}", std::process::id());
    let _session = demo_session(&session, 80, 24);
    select_profile(&session, "echo-orders");
    wait_for(&session, "Request: echo-orders", 5);
    // Before any send: `p` shows the form's request resolved, with what the client adds.
    tmux(&["send-keys", "-t", &session, "p"]);
    let screen = wait_for(&session, "as it would be sent now", 10);
    assert!(
        screen.contains("https://localhost:") && screen.contains("/echo?status"),
        "the URL is resolved (no ${{base_url}}) with its query: {screen}"
    );
    assert!(!screen.contains("${base_url}/echo?"), "{screen}");
    assert!(screen.contains("Accept: application/json"), "{screen}");
    assert!(screen.contains("(added by the client)"), "{screen}");
    // The key and its reason and the trust are further down: scroll.
    tmux(&["send-keys", "-t", &session, "j", "j", "j", "j"]);
    let screen = wait_for(&session, "key: demo (named by the profile)", 5);
    assert!(
        screen.contains("trust: demo-ca and the system's roots"),
        "{screen}"
    );
    // After the send, the same tab is the request as sent, with its history number.
    tmux(&["send-keys", "-t", &session, "g", "C-r"]);
    let screen = wait_for(&session, "as sent (history #", 20);
    assert!(screen.contains("200 OK"), "{screen}");
    // An edit of the URL makes it the request as it would be sent again, with the edit.
    // Shift-Tab to the form puts the cursor in the URL field (Enter there would send).
    tmux(&["send-keys", "-t", &session, "BTab", "End"]);
    tmux(&["send-keys", "-t", &session, "-l", "&extra=1"]);
    let screen = wait_for(&session, "as it would be sent now", 10);
    let screen = if screen.contains("extra=1") {
        screen
    } else {
        wait_for(&session, "extra=1", 5)
    };
    assert!(!screen.contains("as sent (history #"), "{screen}");
    tmux(&["kill-session", "-t", &session]);
}

#[test]
fn the_trust_picker_trusts_what_the_server_presents_for_the_profile() {
    let session = format!("certbench-trustpick-{}", std::process::id());
    let _session = demo_session(&session, 80, 24);
    select_profile(&session, "echo-orders");
    wait_for(&session, "Request: echo-orders", 5);
    // T lists the trusted certificates, the profile's own marked.
    tmux(&["send-keys", "-t", &session, "T"]);
    let screen = wait_for(&session, "[x] demo-ca", 10);
    assert!(screen.contains("Trusted:"), "{screen}");
    // u: what the demo server presents, with its SHA-256, not trusted yet.
    tmux(&["send-keys", "-t", &session, "u"]);
    let screen = wait_for(&session, "SHA-256", 10);
    assert!(screen.contains("none of these is trusted yet"), "{screen}");
    assert!(screen.contains("CN=localhost (as localhost)"), "{screen}");
    // Enter stores it and the profile trusts it.
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, "echo-orders trusts it now", 10);
    // The list is read again: the new one is there, marked.
    wait_for(&session, "[x] localhost", 10);
    tmux(&["send-keys", "-t", &session, "Escape"]);
    // The title was marked before the picker closed: wait for the picker itself to go.
    wait_gone(&session, "u the server's", 5);
    wait_for(&session, "Request: echo-orders *", 5);
    tmux(&["send-keys", "-t", &session, "p"]);
    wait_for(&session, "as it would be sent now", 10);
    tmux(&["send-keys", "-t", &session, "j", "j", "j", "j", "j"]);
    wait_for(
        &session,
        "trust: demo-ca, localhost and the system's roots",
        10,
    );
    tmux(&["send-keys", "-t", &session, "C-r"]);
    wait_for(&session, "200 OK", 20);
}

#[test]
fn the_variables_popup_shows_each_source_and_sets_one_for_the_session() {
    let session = format!("certbench-vars-{}", std::process::id());
    let _session = demo_session(&session, 80, 24);
    select_profile(&session, "echo-orders");
    wait_for(&session, "Request: echo-orders", 5);
    tmux(&["send-keys", "-t", &session, "v"]);
    // The demo gives base_url over vars.toml's.
    let screen = wait_for(&session, "base_url = https://localhost:", 10);
    assert!(screen.contains("(over vars.toml)"), "{screen}");
    // A new secret one: masked; then base_url set for the session.
    tmux(&["send-keys", "-t", &session, "n"]);
    tmux(&["send-keys", "-t", &session, "-l", "api_token=s3cret-value"]);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    let screen = wait_for(&session, "api_token = •••• (12 characters)", 10);
    assert!(!screen.contains("s3cret-value"), "{screen}");
    tmux(&["send-keys", "-t", &session, "j", "Enter", "C-u"]);
    tmux(&["send-keys", "-t", &session, "-l", "https://127.0.0.1:9"]);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, "base_url = https://127.0.0.1:9", 10);
    tmux(&["send-keys", "-t", &session, "Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(200));
    // The request as it would be sent uses it.
    tmux(&["send-keys", "-t", &session, "p"]);
    wait_for(&session, "https://127.0.0.1:9/echo?", 10);
}

#[test]
fn ctrl_e_opens_the_body_or_the_profile_in_the_editor_and_keeps_an_edit_that_does_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    // An editor that records what it was given, then edits it as a person would.
    let script = format!(
        r#"#!/bin/sh
f="$1"
n=$(ls {d}/seen-* 2>/dev/null | wc -l)
cp "$f" "{d}/seen-$n"
case "$f" in
  *.json|*.txt) sed -i 's/widget/gadget/' "$f" ;;
  *.toml)
    if [ ! -e {d}/broke ]; then touch {d}/broke; echo 'url = [' >> "$f"
    else sed -i -e '/^url = \[$/d' -e 's|^url = .*|url = "https://edited.example/orders"|' "$f"; fi ;;
esac
"#
    );
    let editor = dir.path().join("editor.sh");
    std::fs::write(&editor, script).unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let session = format!("certbench-editor-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_certbench");
    let root = env!("CARGO_MANIFEST_DIR");
    let cmd = format!(
        "cd {root} && EDITOR={} {bin} demo; echo CERTBENCH-EXITED-$?; sleep 20",
        editor.display()
    );
    let _session = crate::common::tmux::new_session(&session, 80, 24, &cmd);
    wait_for(&session, "echo-orders", 20);
    select_profile(&session, "create-order");
    wait_for(&session, "Request: create-order", 5);
    // The Body tab: its text goes to the editor and comes back edited.
    tmux(&["send-keys", "-t", &session, "Enter", "C-t", "C-t"]);
    wait_for(&session, "TYPING body", 5);
    tmux(&["send-keys", "-t", &session, "C-e"]);
    let screen = wait_for(&session, "gadget", 10);
    assert!(screen.contains("Request: create-order *"), "{screen}");
    let given = std::fs::read_to_string(dir.path().join("seen-0")).unwrap();
    assert!(given.contains("\"item\": \"widget\""), "{given}");
    // Elsewhere, the whole profile: an edit that does not read is kept, said, and opened again.
    tmux(&["send-keys", "-t", &session, "C-t", "C-t"]);
    wait_for(&session, "TYPING  Esc leave", 5);
    tmux(&["send-keys", "-t", &session, "C-e"]);
    wait_for(&session, "your edit is kept", 10);
    tmux(&["send-keys", "-t", &session, "C-e"]);
    wait_for(&session, "https://edited.example/orders", 10);
    let reopened = std::fs::read_to_string(dir.path().join("seen-2")).unwrap();
    assert!(
        reopened.ends_with("url = [\n"),
        "the kept edit came back: {reopened}"
    );
    // The workbench still answers keys and quits cleanly (the terminal is its own again).
    tmux(&["send-keys", "-t", &session, "Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(200));
    tmux(&["send-keys", "-t", &session, "Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(200));
    tmux(&["send-keys", "-t", &session, "q"]);
    wait_for(&session, "d discard them, then quit", 5);
    tmux(&["send-keys", "-t", &session, "d"]);
    wait_for(&session, "CERTBENCH-EXITED-0", 10);
}

#[test]
fn an_editor_that_cannot_run_says_so_and_changes_nothing() {
    let session = format!("certbench-noeditor-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_certbench");
    let root = env!("CARGO_MANIFEST_DIR");
    let cmd = format!("cd {root} && EDITOR=no-such-editor-here {bin} demo; sleep 20");
    let _session = crate::common::tmux::new_session(&session, 80, 24, &cmd);
    wait_for(&session, "echo-orders", 20);
    select_profile(&session, "accounts");
    tmux(&["send-keys", "-t", &session, "C-e"]);
    let screen = wait_for(&session, "cannot run no-such-editor-here: set $EDITOR", 10);
    assert!(
        !screen.contains("Request: accounts *"),
        "nothing changed: {screen}"
    );
    // The workbench has its terminal back: keys work.
    tmux(&["send-keys", "-t", &session, "j"]);
    wait_for(&session, "Request: create-order", 5);
}
