//! The gRPC method picker's work: the form's server asked for its methods (its reflection, or
//! the profile's `.proto` files), off the screen's thread; the answer comes back as a message.

use tokio::sync::mpsc::UnboundedSender;

use super::Runner;
use crate::message::Message;
use engine::budget::Budget;
use engine::request::profile::Profile;

impl Runner {
    pub(super) fn list_grpc_methods(
        &mut self,
        tx: UnboundedSender<Message>,
        profile: Box<Profile>,
    ) {
        let (transport, scope) = (self.transport.clone(), self.scope.clone());
        self.rt.spawn(async move {
            let listed = match scope.prepare(&profile) {
                Err(f) => Err(f.diagnosis.message),
                Ok(mut req) => {
                    // Only the listing: no call, nothing recorded.
                    req.history = false;
                    if let Some(g) = req.grpc.as_mut() {
                        g.call = None;
                        g.describe = None;
                    }
                    match transport.send_within(&req, &Budget::unlimited()).await {
                        Ok(ex) => Ok(ex.grpc.map(|g| g.methods).unwrap_or_default()),
                        Err(f) => Err(format!(
                            "{} ({})",
                            f.diagnosis.message,
                            crate::fixes::hint(&f.diagnosis)
                        )),
                    }
                }
            };
            let _ = tx.send(Message::GrpcMethods(listed));
        });
    }
}
