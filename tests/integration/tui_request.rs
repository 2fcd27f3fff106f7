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
