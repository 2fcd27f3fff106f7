//! `grpc list URL` and `grpc describe URL SYMBOL`: what a gRPC server offers, read from its
//! reflection (or the `.proto` files or protoset given) over the same keys, trust and routes as
//! `send`; and the gRPC flags `send` takes (`--proto`, `--import-path`, `--protoset`, messages).

use std::path::Path;

use clap::{Args, Subcommand};

use super::send::SendArgs;
use engine::request::grpc::is_grpc;
use engine::request::profile::Profile;

#[derive(Subcommand, Debug)]
pub enum GrpcCmd {
    /// List the services and methods a server offers (its reflection, or --proto / --protoset): `grpc list grpcs://HOST:PORT`
    List(Box<SendArgs>),
    /// Show a service, method, message or enum in proto syntax, with a JSON request to start from: `grpc describe grpcs://HOST:PORT package.Service/Method`
    Describe(Box<DescribeArgs>),
}

#[derive(Args, Debug)]
pub struct DescribeArgs {
    #[command(flatten)]
    pub send: SendArgs,
    /// package.Service, package.Service/Method, package.Message or package.Enum (omit it to describe every service)
    #[arg(value_name = "SYMBOL")]
    pub symbol: Option<String>,
}

pub fn grpc(dir: &Path, cmd: GrpcCmd) -> i32 {
    let mut args = match cmd {
        GrpcCmd::List(args) => SendArgs {
            grpc_list: true,
            ..*args
        },
        GrpcCmd::Describe(d) => SendArgs {
            grpc_describe: Some(d.symbol.unwrap_or_default()),
            ..d.send
        },
    };
    args.no_history = true;
    super::runtime().block_on(super::send::send(dir, &args))
}

/// The gRPC flags on `p`: the schema's source, and the messages (`--message`, else the lines of
/// stdin when it is not a terminal and no `--data` was given) when the URL is `grpc(s)://`.
pub fn apply_flags(p: &mut Profile, args: &SendArgs) -> Result<(), String> {
    let path = |p: &std::path::PathBuf| p.display().to_string();
    p.grpc.proto.extend(args.proto.iter().map(path));
    p.grpc.import_path.extend(args.import_path.iter().map(path));
    if let Some(set) = &args.protoset {
        p.grpc.protoset = Some(path(set));
    }
    let grpc_url = url::Url::parse(&p.url).is_ok_and(|u| is_grpc(u.scheme()));
    if !grpc_url {
        return Ok(());
    }
    // `--message` was read as a WebSocket's; on a gRPC URL each is a request message.
    p.grpc.messages.append(&mut p.websocket.messages);
    let given = !p.grpc.messages.is_empty() || args.data.is_some() || args.data_file.is_some();
    if !given && !args.grpc_list && args.grpc_describe.is_none() {
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
