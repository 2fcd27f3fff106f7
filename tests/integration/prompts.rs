//! At a terminal: `keys delete` names what uses the key and asks before it deletes; a wrong
//! password is asked for again, up to three times.

use crate::common::tmux::{new_session, tmux, wait_for, wait_for_count};
use crate::common::{Env, certbench_in};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A profiles folder where environment `prod` and profile `orders` name key `demo`.
fn users_of_demo(env: &Env) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(
        dir.path().join("environments/prod.toml"),
        "credential = \"demo\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("orders.toml"),
        "url = \"https://x\"\ncredential = \"demo\"\n",
    )
    .unwrap();
    let o = certbench_in(env, dir.path(), &["keys", "bind", "demo", "*.acme.test"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    dir
}

#[test]
fn keys_delete_names_its_users_and_asks_on_a_terminal() {
    let env = Env::new();
    let dir = users_of_demo(&env);
    // On a terminal: it says who uses the key and asks; "n" keeps it.
    let session = format!("certbench-keydel-{}", std::process::id());
    let cmd = format!(
        "cd {} && CERTBENCH_HOME={} {} --profiles . keys delete demo; echo EXITED-$?; sleep 20",
        dir.path().display(),
        env.home.path().display(),
        env!("CARGO_BIN_EXE_certbench"),
    );
    let _session = new_session(&session, 100, 20, &cmd);
    let screen = wait_for(&session, "delete key demo? [y/N]", 10);
    assert!(screen.contains("bound to *.acme.test"), "{screen}");
    assert!(screen.contains("the key of environment prod"), "{screen}");
    assert!(screen.contains("named by profile orders"), "{screen}");
    tmux(&["send-keys", "-t", &session, "n", "Enter"]);
    let screen = wait_for(&session, "EXITED-0", 10);
    assert!(screen.contains("nothing deleted"), "{screen}");
    assert!(env.ks.exists("demo").is_ok(), "the key is still there");
    // Without a terminal (a script), it says the same and deletes.
    let o = certbench_in(&env, dir.path(), &["keys", "delete", "demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bound to *.acme.test"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("deleted key demo"), "{}", stderr(&o));
    assert!(env.ks.exists("demo").is_err());
    // A name that is not there: did you mean, nothing asked.
    let o = certbench_in(&env, dir.path(), &["keys", "delete", "dem"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn a_wrong_password_at_the_terminal_is_asked_again_up_to_three_times() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let p12 = crate::common::demo_client_p12(&env, dir.path(), "right-pw");
    let session = format!("certbench-pw-{}", std::process::id());
    let run = |name: &str| {
        format!(
            "cd {} && CERTBENCH_HOME={} {} keys import {name} --p12 {}; echo EXITED-$?; sleep 20",
            dir.path().display(),
            env.home.path().display(),
            env!("CARGO_BIN_EXE_certbench"),
            p12.display(),
        )
    };
    // A typo, then the right one: imported.
    let guard = new_session(&session, 100, 20, &run("typed"));
    wait_for(&session, "password for", 10);
    tmux(&["send-keys", "-t", &session, "-l", "wrong-pw"]);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for(&session, "wrong password, try again", 10);
    tmux(&["send-keys", "-t", &session, "-l", "right-pw"]);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    let screen = wait_for(&session, "EXITED-0", 10);
    assert!(
        !screen.contains("right-pw"),
        "the password is never echoed: {screen}"
    );
    assert!(env.ks.exists("typed").is_ok(), "{screen}");
    drop(guard);
    // Three wrong ones: it gives up, saying why, and imports nothing.
    let session = format!("{session}-3");
    let _guard = new_session(&session, 100, 20, &run("never"));
    for asked in 1..=3 {
        wait_for_count(&session, "password for", asked, 10);
        tmux(&["send-keys", "-t", &session, "-l", "nope"]);
        tmux(&["send-keys", "-t", &session, "Enter"]);
    }
    let screen = wait_for(&session, "EXITED-1", 10);
    assert!(screen.contains("password"), "{screen}");
    assert!(env.ks.exists("never").is_err());
}
