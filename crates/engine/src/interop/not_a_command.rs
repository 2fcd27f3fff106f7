//! Why a pasted command line (curl, grpcurl) cannot become a profile.

/// A pasted command that cannot become a profile, and where it goes wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NotACommand {
    #[error("the command's quotes do not close: paste the whole command")]
    UnclosedQuote,
    /// The first word is not the program (`curl`, `grpcurl`).
    #[error("not a {program} command: it should start with {program}")]
    OtherProgram { program: &'static str },
    /// `$NAME` in a word that is used as it is (a method, a header name, a number).
    #[error("${0} is not set in this environment")]
    UnsetVariable(String),
    /// An option, as written, that takes a value and was given none.
    #[error("{0} needs a value")]
    NeedsValue(String),
    /// A header without `name: value`, with the option that gave it.
    #[error("{option} {header:?}: expected 'name: value'")]
    Header {
        option: &'static str,
        header: String,
    },
    #[error("-u needs a URL with a scheme (https://...), not {0:?}")]
    UserWithoutScheme(String),
    /// An option whose value is not the number it takes, and what the number counts.
    #[error("{option} {value:?}: not a number of {unit}")]
    NotANumber {
        option: &'static str,
        value: String,
        unit: &'static str,
    },
    #[error("-F {0:?}: write name=value or name=@file")]
    FormPart(String),
    #[error("--form-string {0:?}: write name=text")]
    FormString(String),
    #[error("the curl command names no URL")]
    NoUrl,
    #[error("no address: grpcurl [flags] HOST:PORT package.Service/Method")]
    NoAddress,
    #[error(
        "no method: import grpcurl takes a call (grpcurl ... HOST:PORT package.Service/Method)"
    )]
    NoMethod,
    /// `grpcurl list` or `describe`: a question, not a call.
    #[error(
        "grpcurl {verb} is not a call: a profile is one call (certbench lists and describes {address}'s methods itself)"
    )]
    NotACall { verb: String, address: String },
    #[error("{0:?} is not package.Service/Method")]
    NotAMethod(String),
    /// The profile the command became breaks a profile's rules.
    #[error(transparent)]
    Profile(#[from] crate::request::profile_error::ProfileError),
}
