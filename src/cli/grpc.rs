//! `grpc list URL` and `grpc describe URL SYMBOL`: what a gRPC server offers, read from its
//! reflection (or the `.proto` files or protoset given) over the same keys, trust and routes as
//! `send`.

use std::path::Path;

use clap::{Args, Subcommand};

use super::send::SendArgs;

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
