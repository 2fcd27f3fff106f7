//! The interactive workbench (ratatui): profiles, request form, key picker, response, history.

pub mod clock;
pub mod editor;
pub mod effects;
pub mod fixes;
pub mod form;
pub mod headline;
pub mod input;
pub mod layout;
pub mod live;
pub mod message;
pub mod options;
pub mod palette;
pub mod pane;
pub mod state;
pub mod terminal;
pub mod trust_picker;
pub mod update;
pub mod view;

use std::path::Path;
use std::time::Duration;

use tokio::sync::mpsc;

use engine::request::vars::Vars;
use message::Message;
use state::State;

/// Opens the workbench on `profiles_dir` with the keystore in `home`; returns the exit code.
pub fn run(
    profiles_dir: &Path,
    home: &Path,
    vars: Vars,
    rt: Option<tokio::runtime::Handle>,
) -> i32 {
    use std::io::IsTerminal;
    // Raw mode needs a terminal on both ends; without one (`ssh host certbench`, a pipe) say so
    // before a single escape sequence is written.
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        eprintln!(
            "error: the workbench needs a terminal (use ssh -t); for scripts use certbench send or run (certbench demo --serve runs the demo server alone)"
        );
        return 1;
    }
    // The first frame comes before anything else is opened: the profiles' names from one
    // directory read, the panes and the key bar. The runtime, the keystore and the history follow.
    // `vars` are the start's own values (the demo's base_url): above an environment's. The
    // state keeps them with vars.toml's, to show which key a URL is bound to.
    let mut shown_vars = vars.clone();
    let _ = shown_vars.load_file(&profiles_dir.join("vars.toml"));
    let mut state = State::new(profiles_dir.to_path_buf(), shown_vars);
    // How close to its end a key is flagged: CERTBENCH_EXPIRY_DAYS, else 14 days.
    if let Some(days) = std::env::var("CERTBENCH_EXPIRY_DAYS")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|d| *d > 0)
    {
        state.expiry_days = days;
    }
    let listed = engine::request::profile_dir::list_dir(profiles_dir)
        .iter()
        .map(|p| engine::request::profile_dir::listed_name(p))
        .collect();
    update::update(&mut state, Message::ProfilesListed(listed));
    let mut terminal = match terminal::init() {
        Ok(t) => t,
        Err(e) => {
            terminal::restore();
            terminal::say(format_args!("error: cannot set up the terminal: {e}"));
            return 1;
        }
    };
    if let Ok(size) = terminal.size() {
        update::update(&mut state, Message::Resize(size.width, size.height));
    }
    if let Err(e) = terminal.draw(|f| view::draw(f, &state)) {
        terminal::close(terminal);
        terminal::say(format_args!("error: cannot draw: {e}"));
        return 1;
    }
    let owned = match rt {
        Some(_) => None,
        None => match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(rt) => Some(rt),
            Err(e) => {
                terminal::close(terminal);
                terminal::say(format_args!("error: cannot start the async runtime: {e}"));
                return 1;
            }
        },
    };
    let handle = rt.unwrap_or_else(|| {
        owned
            .as_ref()
            .expect("runtime built above")
            .handle()
            .clone()
    });
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = effects::Runner::new(
        handle.clone(),
        tx.clone(),
        home,
        profiles_dir.to_path_buf(),
        vars,
    );
    runner.run(update::Effect::LoadProfiles);
    runner.run(update::Effect::LoadKeys);
    runner.run(update::Effect::LoadHistory(String::new()));
    runner.run(update::Effect::LoadSurroundings);
    let input = input::Input::spawn(tx.clone());
    let (animating, animating_rx) = tokio::sync::watch::channel(false);
    spawn_ticks(&handle, tx.clone(), animating_rx);
    spawn_signals(&handle, tx.clone());
    let mut code = 0;
    // The first frame is on screen already: each turn waits, handles what came, then draws.
    loop {
        let Some(first) = handle.block_on(rx.recv()) else {
            break;
        };
        let mut next = Some(first);
        // Handle everything queued before drawing again.
        while let Some(msg) = next {
            if let Message::Quit { code: c } = msg {
                state.quit = true;
                code = c;
            }
            state.now = clock::Now::read();
            for effect in update::update(&mut state, msg) {
                match effect {
                    // The terminal goes to the editor until it exits; nothing else runs meanwhile.
                    update::Effect::ExternalEdit {
                        target,
                        text,
                        suffix,
                    } => {
                        input.pause();
                        terminal::suspend();
                        let result = editor::edit(&text, suffix);
                        terminal::resume();
                        let _ = terminal.clear();
                        input.resume();
                        let _ = tx.send(Message::Edited { target, result });
                    }
                    other => runner.run(other),
                }
            }
            next = rx.try_recv().ok();
        }
        if state.quit {
            break;
        }
        // Ticks only while something moves on screen: an idle workbench never wakes up.
        animating.send_if_modified(|on| std::mem::replace(on, state.animates()) != *on);
        if let Err(e) = terminal.draw(|f| view::draw(f, &state)) {
            terminal::close(terminal);
            terminal::say(format_args!("error: cannot draw: {e}"));
            return 1;
        }
    }
    runner.cancel_all();
    terminal::close(terminal);
    // Work that is still winding down must not hold the exit (a hang-up gives no second chance).
    if let Some(rt) = owned {
        rt.shutdown_background();
    }
    code
}

/// A Tick every 100 ms while `animating` says so (a send in flight); none otherwise.
fn spawn_ticks(
    rt: &tokio::runtime::Handle,
    tx: mpsc::UnboundedSender<Message>,
    mut animating: tokio::sync::watch::Receiver<bool>,
) {
    rt.spawn(async move {
        loop {
            if animating.wait_for(|on| *on).await.is_err() {
                break;
            }
            let mut every = tokio::time::interval(Duration::from_millis(100));
            while *animating.borrow() {
                every.tick().await;
                if tx.send(Message::Tick(clock::Now::read())).is_err() {
                    return;
                }
            }
        }
    });
}

/// SIGTERM and SIGHUP (what an SSH drop sends) end the TUI like a quit, with 128 + the signal.
fn spawn_signals(rt: &tokio::runtime::Handle, tx: mpsc::UnboundedSender<Message>) {
    use tokio::signal::unix::{SignalKind, signal};
    for (kind, code) in [(SignalKind::terminate(), 143), (SignalKind::hangup(), 129)] {
        let tx = tx.clone();
        rt.spawn(async move {
            if let Ok(mut sig) = signal(kind) {
                sig.recv().await;
                let _ = tx.send(Message::Quit { code });
            }
        });
    }
}
