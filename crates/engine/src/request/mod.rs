//! Profiles and what they become: variables, environments, the prepared request, captures, expectations, chains and runs.

pub mod bad_expectation;
pub mod capture;
pub mod chain;
pub mod env_pair;
pub mod environment;
pub mod expect;
pub mod expect_stream;
pub mod file_stamp;
pub mod grpc;
pub mod json_check;
pub mod options;
pub mod prepare;
pub mod prepare_body;
pub mod prepare_error;
pub mod profile;
pub mod profile_check;
pub mod profile_dir;
pub mod profile_edit;
pub mod profile_error;
pub mod query;
pub mod runner;
pub mod seen;
pub mod variables;
pub mod vars;
pub mod websocket;
