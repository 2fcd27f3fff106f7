//! The schema a call is written and read with: asked of the server's reflection service (v1,
//! else v1alpha), compiled from `.proto` files at run time, or read from a protoset.

use super::schema_error::SchemaError;
use bytes::BytesMut;
use prost::Message;
use prost_reflect::DescriptorPool;

use super::reflection::{Answer, Ask, FileGather, ReflectionRequest, ReflectionResponse, SERVICES};
use super::status::GrpcCode;
use super::wire::{RpcAnswer, rpc};
use crate::budget::Budget;
use crate::diagnose::failure::Failure;
use crate::diagnose::fix::Fix;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;
use crate::net::client::ClientEntry;
use crate::request::grpc::{PreparedGrpc, SchemaSource};
use crate::request::prepare::PreparedRequest;

/// The most bytes of a protoset or a reflection answer.
const SCHEMA_LIMIT: usize = 64 << 20;

/// A schema, and the services the server says it offers (reflection only).
pub struct Schema {
    pub pool: DescriptorPool,
    pub services: Option<Vec<String>>,
}

/// The schema for `plan`: from its files, or from the server.
pub async fn load(
    entry: &ClientEntry,
    req: &PreparedRequest,
    plan: &PreparedGrpc,
    budget: &Budget,
) -> Result<Schema, Failure> {
    match &plan.schema {
        SchemaSource::Reflection => reflect(entry, req, plan, budget).await,
        SchemaSource::Protos {
            files,
            import_paths,
        } => {
            let (files, paths) = (files.clone(), import_paths.clone());
            let pool = tokio::task::spawn_blocking(move || compile(&files, &paths))
                .await
                .unwrap_or_else(|e| Err(SchemaError::Stopped(e)))
                .map_err(schema_failure)?;
            Ok(Schema {
                pool,
                services: None,
            })
        }
        SchemaSource::Protoset(path) => {
            let bytes = crate::home::read_bounded(path, SCHEMA_LIMIT as u64)
                .map_err(|e| schema_failure(format!("cannot read {}: {e}", path.display())))?;
            let pool = DescriptorPool::decode(bytes.as_slice()).map_err(|e| {
                schema_failure(format!(
                    "{} is not a protoset (a FileDescriptorSet): {e}",
                    path.display()
                ))
            })?;
            Ok(Schema {
                pool,
                services: None,
            })
        }
    }
}

/// `.proto` files compiled with their imports (the well-known types are built in).
pub fn compile(
    files: &[std::path::PathBuf],
    import_paths: &[std::path::PathBuf],
) -> Result<DescriptorPool, SchemaError> {
    for f in files {
        if !f.is_file() {
            return Err(SchemaError::NoSuchFile(f.clone()));
        }
    }
    let mut includes: Vec<std::path::PathBuf> = import_paths.to_vec();
    // A file's own folder is searched too, as protoc does when no path is given.
    for f in files {
        let dir = f
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if !includes.iter().any(|i| i == dir) {
            includes.push(dir.to_path_buf());
        }
    }
    let mut compiler = protox::Compiler::new(&includes)?;
    compiler.include_imports(true);
    compiler.open_files(files)?;
    Ok(DescriptorPool::from_file_descriptor_set(
        compiler.file_descriptor_set(),
    )?)
}

/// Asks the server's reflection: the services it offers, then the files describing them.
async fn reflect(
    entry: &ClientEntry,
    req: &PreparedRequest,
    plan: &PreparedGrpc,
    budget: &Budget,
) -> Result<Schema, Failure> {
    let (service, listed) = ask_first(entry, req, budget).await?;
    let names: Vec<String> = match listed {
        Answer::Services(list) => list.service.into_iter().map(|s| s.name).collect(),
        _ => Vec::new(),
    };
    let mut gather = FileGather::default();
    let wanted: Vec<String> = match (&plan.describe, &plan.call) {
        (Some(symbol), _) if !symbol.is_empty() => vec![symbol.replace('/', ".")],
        (Some(_), _) => names.clone(),
        (None, Some(call)) => vec![call.service.clone()],
        (None, None) => names.clone(),
    };
    for symbol in wanted.iter().filter(|s| !s.starts_with("grpc.reflection.")) {
        // A method's name is not a symbol every server looks up: its service's is, one level up.
        let mut name = symbol.as_str();
        loop {
            let asked = Ask::FileContainingSymbol(name.to_string());
            if let Answer::Files(files) = ask(entry, req, service, asked, budget).await? {
                gather
                    .take(&files.file_descriptor_proto)
                    .map_err(schema_failure)?;
                break;
            }
            // A symbol the server does not know: the schema stays without it and the call
            // says which names there are.
            match name.rsplit_once('.') {
                Some((parent, _)) => name = parent,
                None => break,
            }
        }
    }
    while let Some(file) = gather.missing() {
        match ask(
            entry,
            req,
            service,
            Ask::FileByFilename(file.clone()),
            budget,
        )
        .await?
        {
            Answer::Files(files) if !files.file_descriptor_proto.is_empty() => {
                gather
                    .take(&files.file_descriptor_proto)
                    .map_err(schema_failure)?;
            }
            _ => {
                return Err(schema_failure(format!(
                    "the server's reflection does not give {file}, which its schema imports"
                )));
            }
        }
    }
    let pool = DescriptorPool::from_file_descriptor_set(gather.into_set())
        .map_err(|e| schema_failure(format!("the server's schema does not hold together: {e}")))?;
    Ok(Schema {
        pool,
        services: Some(names),
    })
}

/// Lists the services with the first reflection service the server offers; which one it was.
async fn ask_first(
    entry: &ClientEntry,
    req: &PreparedRequest,
    budget: &Budget,
) -> Result<(&'static str, Answer), Failure> {
    for service in SERVICES {
        let answer = exchange(
            entry,
            req,
            service,
            Ask::ListServices(String::new()),
            budget,
        )
        .await?;
        if answer.code == Some(GrpcCode::UNIMPLEMENTED) {
            continue;
        }
        return Ok((service, first_answer(answer)?));
    }
    Err(Failure::plain(
        Diagnosis::new(
            DiagnosisKind::GrpcNoReflection,
            "the server does not offer reflection (grpc.reflection.v1 and v1alpha are both unimplemented), so certbench cannot read its schema from it",
            "",
        )
        .with_step(Fix::GiveProtoFiles),
    ))
}

async fn ask(
    entry: &ClientEntry,
    req: &PreparedRequest,
    service: &str,
    what: Ask,
    budget: &Budget,
) -> Result<Answer, Failure> {
    first_answer(exchange(entry, req, service, what, budget).await?)
}

async fn exchange(
    entry: &ClientEntry,
    req: &PreparedRequest,
    service: &str,
    what: Ask,
    budget: &Budget,
) -> Result<RpcAnswer, Failure> {
    let mut body = BytesMut::new();
    super::frame::encode(&ReflectionRequest::new(what).encode_to_vec(), &mut body);
    rpc(
        entry,
        req,
        service,
        body.freeze(),
        SCHEMA_LIMIT,
        budget,
        None,
    )
    .await
}

/// The one answer of a reflection exchange, or why there is none.
fn first_answer(answer: RpcAnswer) -> Result<Answer, Failure> {
    let decoded = answer
        .messages
        .first()
        .and_then(|m| ReflectionResponse::decode(m.as_ref()).ok())
        .and_then(|r| r.answer);
    match decoded {
        Some(Answer::Error(e)) if e.error_code != 5 => Err(schema_failure(format!(
            "the server's reflection refused: {} ({})",
            e.error_message,
            GrpcCode(e.error_code.unsigned_abs()).name()
        ))),
        Some(a) => Ok(a),
        None => {
            let code = answer.code.unwrap_or(GrpcCode(2));
            let said = match answer.message.as_str() {
                "" => String::new(),
                m => format!(": {m}"),
            };
            Err(schema_failure(format!(
                "the server's reflection answered nothing ({}{said})",
                code.name()
            )))
        }
    }
}

fn schema_failure(message: impl std::fmt::Display) -> Failure {
    Failure::plain(
        Diagnosis::new(DiagnosisKind::GrpcSchemaUnreadable, message.to_string(), "")
            .with_step(Fix::GiveProtoFiles),
    )
}
