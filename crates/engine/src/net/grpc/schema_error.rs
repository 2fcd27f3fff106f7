//! Why a gRPC schema could not be had from `.proto` files or the server's reflection.

/// Why a gRPC schema could not be had from `.proto` files or the server's reflection.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("cannot read {}: no such file", .0.display())]
    NoSuchFile(std::path::PathBuf),
    /// A `.proto` file that does not compile, or an import not found.
    #[error("{0}")]
    Compile(#[from] protox::Error),
    #[error("{0}")]
    Descriptors(#[from] prost_reflect::DescriptorError),
    #[error("the server sent a file descriptor that does not decode: {0}")]
    UndecodableFile(prost::DecodeError),
    #[error(
        "the schema takes more than {limit} files: give the profile a protoset ([grpc] protoset) instead"
    )]
    TooManyFiles { limit: usize },
    /// The compile was stopped before it ended.
    #[error("{0}")]
    Stopped(tokio::task::JoinError),
}
