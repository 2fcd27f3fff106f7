//! The input thread: terminal events become Messages; it can be paused so another program
//! (the `$EDITOR` of Ctrl-E) has the terminal's input to itself.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::message::Message;

/// How long the thread waits for input before it looks whether it is asked to pause.
const POLL: Duration = Duration::from_millis(200);

#[derive(Debug, Default)]
struct Gate {
    /// Asked to pause.
    paused: bool,
    /// The thread is waiting at the gate, reading nothing.
    parked: bool,
}

/// The switch between the event loop and the input thread.
#[derive(Debug, Default, Clone)]
pub struct Input {
    gate: Arc<(Mutex<Gate>, Condvar)>,
}

impl Input {
    /// Starts the thread that reads the terminal's events and sends them on `tx`.
    pub fn spawn(tx: mpsc::UnboundedSender<Message>) -> Input {
        let input = Input::default();
        let gate = input.gate.clone();
        std::thread::spawn(move || {
            loop {
                {
                    let (lock, cv) = &*gate;
                    let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
                    while g.paused {
                        g.parked = true;
                        cv.notify_all();
                        g = cv.wait(g).unwrap_or_else(|e| e.into_inner());
                    }
                    g.parked = false;
                }
                let msg = match crossterm::event::poll(POLL) {
                    Ok(false) => continue,
                    Ok(true) => match crossterm::event::read() {
                        Ok(crossterm::event::Event::Key(k)) => Message::Key(k),
                        Ok(crossterm::event::Event::Mouse(m)) => Message::Mouse(m),
                        Ok(crossterm::event::Event::Resize(w, h)) => Message::Resize(w, h),
                        Ok(crossterm::event::Event::Paste(text)) => Message::Paste(text),
                        Ok(crossterm::event::Event::FocusGained) => Message::FocusGained,
                        Ok(_) => continue,
                        Err(_) => Message::Quit { code: 129 },
                    },
                    Err(_) => Message::Quit { code: 129 },
                };
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        input
    }

    /// Returns once the thread reads nothing more until [`Input::resume`].
    pub fn pause(&self) {
        let (lock, cv) = &*self.gate;
        let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
        g.paused = true;
        while !g.parked {
            g = cv.wait(g).unwrap_or_else(|e| e.into_inner());
        }
    }

    pub fn resume(&self) {
        let (lock, cv) = &*self.gate;
        let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
        g.paused = false;
        cv.notify_all();
    }
}
