//! The Request tab in a real terminal: the request as it would be sent, as sent, and after an edit.

use crate::common::tmux::{demo_session, select_profile, tmux, wait_for};

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
