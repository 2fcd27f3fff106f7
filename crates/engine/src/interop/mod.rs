//! Other tools' words: curl commands in and out, the shell words they are written in, and
//! collections from Postman, Newman, Insomnia, Bruno, OpenAPI, `.http` files and HAR.

pub mod bruno;
pub mod collection;
pub mod collection_write;
pub mod curl;
pub mod curl_export;
pub mod curl_files;
pub mod curl_options;
pub mod format;
pub mod grpcurl;
pub mod grpcurl_export;
pub mod har;
pub mod http_file;
pub mod import_files;
pub mod insomnia;
pub mod newman;
pub mod not_a_command;
pub mod not_imported;
pub mod openapi;
pub mod opencollection;
pub mod postman;
pub mod postman_env;
pub mod shell_words;
pub mod yaml;
