//! A token's PIN in the workbench: asked in a popup by the send that needs it, then kept in
//! memory for the session.

use tokio::sync::mpsc::UnboundedSender;

use crate::message::Message;
use engine::keys::token::KeptPins;

/// A token's PIN in the workbench: the send that needs it asks the screen (a masked popup) and
/// waits for the answer; then it is kept in memory for the session, never written.
pub struct TuiPins {
    tx: UnboundedSender<Message>,
    answers: std::sync::Mutex<std::sync::mpsc::Receiver<Option<String>>>,
    answer_tx: std::sync::mpsc::Sender<Option<String>>,
    kept: KeptPins,
}

impl TuiPins {
    pub fn new(tx: UnboundedSender<Message>) -> TuiPins {
        let (answer_tx, answers) = std::sync::mpsc::channel();
        TuiPins {
            tx,
            answers: std::sync::Mutex::new(answers),
            answer_tx,
            kept: KeptPins::default(),
        }
    }

    pub fn answer(&self, pin: Option<String>) {
        let _ = self.answer_tx.send(pin);
    }
}

impl engine::keys::token::PinSource for TuiPins {
    fn pin(&self, token: &str) -> Option<String> {
        self.kept.get_or(token, || {
            // One question at a time; the send waits (a worker thread) while the user types.
            let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
            while answers.try_recv().is_ok() {}
            let _ = self.tx.send(Message::PinNeeded {
                token: token.to_string(),
            });
            answers
                .recv_timeout(std::time::Duration::from_secs(300))
                .ok()
                .flatten()
        })
    }

    fn forget(&self, token: &str) {
        self.kept.forget(token);
    }
}
