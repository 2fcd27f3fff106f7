//! Other tools' words: curl commands in and out, and the shell words they are written in.

pub mod curl;
pub mod curl_export;
pub mod curl_files;
pub mod curl_options;
pub mod shell_words;
