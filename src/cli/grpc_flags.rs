//! The gRPC flags `send` takes (`--proto`, `--import-path`, `--protoset`) and a call's
//! messages from `--message` or the lines of stdin, put on the profile being sent.

use std::path::{Path, PathBuf};

use engine::request::grpc::is_grpc;
use engine::request::profile::Profile;

/// `send`'s gRPC flags, as given.
pub struct GrpcFlags<'a> {
    pub proto: &'a [PathBuf],
    pub import_path: &'a [PathBuf],
    pub protoset: Option<&'a Path>,
    /// A body was given (`--data`, `--data-file`): it is the one message.
    pub data_given: bool,
    /// Only a listing or a description: no message is read.
    pub no_call: bool,
}

/// The gRPC flags on `p`: the schema's source, and the messages (`--message`, else the lines of
/// stdin when it is not a terminal and no `--data` was given) when the URL is `grpc(s)://`.
pub fn apply_flags(p: &mut Profile, args: &GrpcFlags<'_>) -> Result<(), String> {
    let path = |p: &PathBuf| p.display().to_string();
    p.grpc.proto.extend(args.proto.iter().map(path));
    p.grpc.import_path.extend(args.import_path.iter().map(path));
    if let Some(set) = args.protoset {
        p.grpc.protoset = Some(set.display().to_string());
    }
    let grpc_url = url::Url::parse(&p.url).is_ok_and(|u| is_grpc(u.scheme()));
    if !grpc_url {
        return Ok(());
    }
    // `--message` was read as a WebSocket's; on a gRPC URL each is a request message.
    p.grpc.messages.append(&mut p.websocket.messages);
    let given = !p.grpc.messages.is_empty() || args.data_given;
    if !given && !args.no_call {
        p.grpc.messages = stdin_messages()?;
    }
    Ok(())
}

/// The most bytes read from stdin as messages.
const STDIN_LIMIT: u64 = 64 << 20;

/// Each non-empty line of stdin (NDJSON) as a message, when stdin is not a terminal.
fn stdin_messages() -> Result<Vec<String>, String> {
    use std::io::{IsTerminal, Read};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(Vec::new());
    }
    let mut text = String::new();
    stdin
        .lock()
        .take(STDIN_LIMIT + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the messages on stdin: {e}"))?;
    if text.len() as u64 > STDIN_LIMIT {
        return Err(format!(
            "stdin holds more than {STDIN_LIMIT} bytes of messages: send fewer at once"
        ));
    }
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}
