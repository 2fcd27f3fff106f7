//! The server reflection protocol (`grpc.reflection.v1`, and `v1alpha` for servers that have
//! only the older one): the messages, and what certbench asks with them: the services a server
//! offers, and the files that describe a symbol with every file they import.
//!
//! The two message types are written here with prost's derive (eleven fields) rather than
//! taken from a crate: the crates that carry them bring a whole gRPC stack certbench does not
//! otherwise use.

use prost::Message;

use super::schema_error::SchemaError;
use prost_reflect::prost_types::{FileDescriptorProto, FileDescriptorSet};

/// The reflection services, newest first.
pub const SERVICES: [&str; 2] = [
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// The most files one schema may take from a server (imports followed).
pub const MAX_FILES: usize = 512;

#[derive(Clone, PartialEq, Message)]
pub struct ReflectionRequest {
    #[prost(string, tag = "1")]
    pub host: String,
    #[prost(oneof = "Ask", tags = "3, 4, 7")]
    pub ask: Option<Ask>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
pub enum Ask {
    #[prost(string, tag = "3")]
    FileByFilename(String),
    #[prost(string, tag = "4")]
    FileContainingSymbol(String),
    #[prost(string, tag = "7")]
    ListServices(String),
}

#[derive(Clone, PartialEq, Message)]
pub struct ReflectionResponse {
    #[prost(oneof = "Answer", tags = "4, 6, 7")]
    pub answer: Option<Answer>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
pub enum Answer {
    #[prost(message, tag = "4")]
    Files(FileDescriptors),
    #[prost(message, tag = "6")]
    Services(ServiceList),
    #[prost(message, tag = "7")]
    Error(ReflectionError),
}

#[derive(Clone, PartialEq, Message)]
pub struct FileDescriptors {
    #[prost(bytes = "vec", repeated, tag = "1")]
    pub file_descriptor_proto: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
pub struct ServiceList {
    #[prost(message, repeated, tag = "1")]
    pub service: Vec<ServiceName>,
}

#[derive(Clone, PartialEq, Message)]
pub struct ServiceName {
    #[prost(string, tag = "1")]
    pub name: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct ReflectionError {
    #[prost(int32, tag = "1")]
    pub error_code: i32,
    #[prost(string, tag = "2")]
    pub error_message: String,
}

impl ReflectionRequest {
    pub fn new(ask: Ask) -> ReflectionRequest {
        ReflectionRequest {
            host: String::new(),
            ask: Some(ask),
        }
    }
}

/// Files gathered from answers, until every import is among them.
#[derive(Debug, Default)]
pub struct FileGather {
    files: Vec<FileDescriptorProto>,
}

impl FileGather {
    /// Takes the files of an answer (each once, by name); an undecodable one is an error.
    pub fn take(&mut self, raw: &[Vec<u8>]) -> Result<(), SchemaError> {
        for bytes in raw {
            let file = FileDescriptorProto::decode(bytes.as_slice())
                .map_err(SchemaError::UndecodableFile)?;
            if !self.files.iter().any(|f| f.name == file.name) {
                self.files.push(file);
            }
        }
        if self.files.len() > MAX_FILES {
            return Err(SchemaError::TooManyFiles { limit: MAX_FILES });
        }
        Ok(())
    }

    /// An import no file gathered so far provides.
    pub fn missing(&self) -> Option<String> {
        self.files
            .iter()
            .flat_map(|f| f.dependency.iter())
            .find(|d| {
                !self
                    .files
                    .iter()
                    .any(|f| f.name.as_deref() == Some(d.as_str()))
            })
            .cloned()
    }

    pub fn into_set(self) -> FileDescriptorSet {
        FileDescriptorSet { file: self.files }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_encodes_as_grpcurl_sends_it_and_imports_are_followed() {
        let r = ReflectionRequest::new(Ask::ListServices(String::new()));
        // Field 7, length-delimited, empty: what every client sends to list services.
        assert_eq!(r.encode_to_vec(), [0x3a, 0x00]);
        let file = |name: &str, deps: &[&str]| {
            FileDescriptorProto {
                name: Some(name.into()),
                dependency: deps.iter().map(|d| d.to_string()).collect(),
                ..FileDescriptorProto::default()
            }
            .encode_to_vec()
        };
        let mut g = FileGather::default();
        g.take(&[file("a.proto", &["b.proto"])]).unwrap();
        assert_eq!(g.missing().as_deref(), Some("b.proto"));
        g.take(&[file("b.proto", &[]), file("a.proto", &["b.proto"])])
            .unwrap();
        assert_eq!(g.missing(), None);
        assert_eq!(g.into_set().file.len(), 2);
    }
}
