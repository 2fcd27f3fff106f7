//! The headless command line: keys, trust, profiles, send, run, import/export, demo; the stable
//! contract for scripts. Each command lives in its own file; this one parses and dispatches.

#[macro_use]
mod stdout;
mod completion;
mod curl;
mod demo;
mod exit;
mod fixes;
mod grpc;
mod grpc_flags;
mod history;
mod import;
mod json;
mod key_output;
mod key_renewal;
mod keys;
mod messages;
mod output;
mod pins;
mod run;
mod send;
mod send_body;
mod table;
mod trust_url;

use engine::request::profile_dir;
use keys::with_password;
pub use keys::{KeysCmd, PasswordArgs, TrustCmd};
pub use send::{SendArgs, scope_for};

use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand};

use engine::home;
use engine::keys::keystore::Keystore;
use engine::request::vars::Vars;

use exit::{EXIT_OK, EXIT_USAGE};

#[derive(Parser, Debug)]
#[command(
    name = "certbench",
    version,
    about = "A workbench for HTTP APIs that authenticate clients with certificates (mutual TLS)"
)]
pub struct Cli {
    /// Profiles folder (default: $CERTBENCH_PROFILES, else ./profiles if present, else the home folder's)
    #[arg(long, global = true, env = "CERTBENCH_PROFILES")]
    pub profiles: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `import FILE...`, or `import curl ...`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub cmd: Option<curl::ImportCmd>,
    #[command(flatten)]
    pub files: import::ImportFilesArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Send a request (a profile, flags, or both) and print the response
    Send(Box<SendArgs>),
    /// Run profiles or folders of them as a suite: dependency order, in parallel, JUnit/JSON reports
    Run(run::RunArgs),
    /// Make profiles from something else: `import FILE...` (a Postman collection, its environments, a Newman certificate list), or `import curl 'curl ...'`
    Import(ImportArgs),
    /// Turn a profile into something else: `export curl PROFILE`
    #[command(subcommand)]
    Export(curl::ExportCmd),
    /// gRPC servers: `grpc list URL` (services and methods), `grpc describe URL SYMBOL`; calls are `send grpcs://HOST:PORT/package.Service/Method --data JSON`
    #[command(subcommand)]
    Grpc(grpc::GrpcCmd),
    /// Credential keys: import, list, show, export, delete, check
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Trusted server certificates and private CAs
    #[command(subcommand)]
    Trust(TrustCmd),
    /// Saved request profiles
    #[command(subcommand)]
    Profiles(ProfilesCmd),
    /// Recorded sends: list, show, diff, delete, clear
    #[command(subcommand)]
    History(history::HistoryCmd),
    /// Start the embedded mTLS demo server and open the workbench on it (--serve: server only)
    Demo(DemoArgs),
    /// Print a shell completion script that completes commands, options and the names of profiles, keys and environments: `certbench completions bash > /etc/bash_completion.d/certbench`
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `certbench man | man -l -`
    Man,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Run only the server, print its URL and how to use it
    #[arg(long)]
    pub serve: bool,
    /// Port for the server (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

#[derive(Subcommand, Debug)]
pub enum ProfilesCmd {
    /// List profiles (a broken one is listed with its error)
    List,
    /// Print a profile as TOML
    Show {
        /// The profile's name
        name: String,
    },
}

/// Commands where a profiles folder means nothing: `--profiles` is taken there (it is global)
/// but not shown in their help.
const NO_PROFILES: [&str; 5] = ["history", "demo", "completions", "man", "trust"];

/// The command line's definition, as parsing, help, completion and the manual page use it.
pub fn command() -> clap::Command {
    // Where the folder means nothing, each command (and the commands under it) gets its own
    // hidden `--profiles`, so the global one is not shown there; it is still taken (and unused).
    fn hide(cmd: clap::Command) -> clap::Command {
        let subs: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        let mut cmd = cmd.arg(
            clap::Arg::new("profiles")
                .long("profiles")
                .value_name("DIR")
                .value_parser(clap::value_parser!(std::path::PathBuf))
                .hide(true),
        );
        for name in subs {
            cmd = cmd.mut_subcommand(name, hide);
        }
        cmd
    }
    let mut cmd = Cli::command();
    for name in NO_PROFILES {
        cmd = cmd.mut_subcommand(name, hide);
    }
    cmd
}

// `send` and `run` wait on their futures in frames of their own: inlined into `main`, the
// futures made its frame 57 KB, and every start (the workbench's too) touched those stack pages.
#[inline(never)]
fn send_command(profiles_dir: &std::path::Path, args: &send::SendArgs) -> i32 {
    runtime().block_on(send::send(profiles_dir, args))
}

#[inline(never)]
fn run_command(profiles_dir: &std::path::Path, args: &run::RunArgs) -> i32 {
    runtime().block_on(run::run(profiles_dir, &home::home_dir(), args))
}

/// The workbench's `--profiles` when the command line asks for the workbench and nothing else: no
/// arguments (the folder from `CERTBENCH_PROFILES` or the default), or just `--profiles DIR`.
/// Then clap's tree of every command is not built: 900,000 instructions and 240 KB of heap at
/// each start, for arguments there is nothing to check in. Anything else, an empty
/// `CERTBENCH_PROFILES` among it, goes to clap.
fn workbench_only(
    args: &[std::ffi::OsString],
    env_profiles: Option<std::ffi::OsString>,
) -> Option<Option<PathBuf>> {
    match args {
        [] => match env_profiles {
            None => Some(None),
            Some(dir) if !dir.is_empty() => Some(Some(dir.into())),
            Some(_) => None,
        },
        [flag, dir] if flag == "--profiles" && !dir.is_empty() => {
            (!dir.as_encoded_bytes().starts_with(b"-")).then(|| Some(dir.into()))
        }
        // A folder name that is not UTF-8 after `=` goes to clap.
        [one] => one
            .to_str()?
            .strip_prefix("--profiles=")
            .filter(|dir| !dir.is_empty())
            .map(|dir| Some(dir.into())),
        _ => None,
    }
}

/// Parses the command line and runs it; returns the exit code.
pub fn main() -> i32 {
    // A shell asking what TAB completes to: answered, and the process ends there.
    completion::answer_if_asked(command);
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if let Some(profiles) = workbench_only(&args, std::env::var_os("CERTBENCH_PROFILES")) {
        let profiles_dir = home::profiles_dir(profiles.as_deref());
        return tui::run(&profiles_dir, &home::home_dir(), Vars::new(), None);
    }
    let cli = match command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let profiles_dir = home::profiles_dir(cli.profiles.as_deref());
    match cli.command {
        None => tui::run(&profiles_dir, &home::home_dir(), Vars::new(), None),
        Some(Command::Demo(args)) => demo::run(args.serve, args.port),
        Some(Command::Send(args)) => send_command(&profiles_dir, &args),
        Some(Command::Import(args)) => match args.cmd {
            Some(cmd) => curl::import(&profiles_dir, &keystore(), cmd),
            None => import::import(&profiles_dir, &keystore(), &args.files),
        },
        Some(Command::Export(cmd)) => curl::export(&profiles_dir, &keystore(), cmd),
        Some(Command::Run(args)) => run_command(&profiles_dir, &args),
        Some(Command::Grpc(cmd)) => grpc::grpc(&profiles_dir, cmd),
        Some(Command::Keys(cmd)) => keys::keys(cmd, &profiles_dir),
        Some(Command::Trust(cmd)) => keys::trust(cmd),
        Some(Command::Profiles(cmd)) => profiles(&profiles_dir, cmd),
        Some(Command::History(cmd)) => history::run(cmd),
        Some(Command::Completions { shell }) => match completion::registration(shell) {
            Ok(out) => {
                stdout::write_all(&out);
                EXIT_OK
            }
            Err(e) => fail(e),
        },
        Some(Command::Man) => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(command()).render(&mut out) {
                Ok(()) => {
                    stdout::write_all(&out);
                    EXIT_OK
                }
                Err(e) => {
                    errln!("error: cannot write the manual page: {e}");
                    EXIT_USAGE
                }
            }
        }
    }
}

/// The async runtime of a command. It needs a few file handles of its own: without them (a
/// `ulimit -n` of a handful) the command says so and exits, never panics.
pub fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            errln!(
                "error: cannot start: {e}; this process has too few file handles or threads left (raise ulimit -n)"
            );
            std::process::exit(EXIT_USAGE);
        }
    }
}

fn fail(message: impl std::fmt::Display) -> i32 {
    errln!("error: {message}");
    EXIT_USAGE
}

fn keystore() -> Keystore {
    Keystore::open(&home::home_dir())
}

fn profiles(dir: &Path, cmd: ProfilesCmd) -> i32 {
    match cmd {
        ProfilesCmd::List => {
            let all = profile_dir::load_dir(dir);
            if all.is_empty() {
                errln!("no profiles in {}", dir.display());
            }
            let mut broken = false;
            for p in all {
                match p.result {
                    Ok(pr) => outln!("{:<24} {:<7} {}", p.name, pr.method, pr.url),
                    Err(e) => {
                        broken = true;
                        outln!("{:<24} BROKEN  {e}", p.name);
                    }
                }
            }
            if broken { EXIT_USAGE } else { EXIT_OK }
        }
        ProfilesCmd::Show { name } => match profile_dir::find(dir, &name) {
            Ok(p) => {
                out!("{}", p.to_toml());
                EXIT_OK
            }
            Err(e) => fail(e),
        },
    }
}

#[cfg(test)]
mod help_tests {
    /// Every option and argument of every command says what it does in `--help`.
    #[test]
    fn every_option_has_a_help_line() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") || arg.is_hide_set() {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::command(), "certbench", &mut missing);
        assert!(
            missing.is_empty(),
            "{} without help:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    /// `--profiles` shows where a profiles folder is used, and only there (it is still taken
    /// everywhere, so a script that passes it to every command keeps working).
    #[test]
    fn the_profiles_option_shows_only_where_it_applies() {
        let shows = |path: &[&str]| {
            let mut cmd = super::command();
            cmd.build();
            for name in path {
                cmd = cmd.find_subcommand(name).cloned().unwrap();
            }
            cmd.get_arguments()
                .any(|a| a.get_id() == "profiles" && !a.is_hide_set())
        };
        for path in [&["send"][..], &["run"], &["import"], &["profiles", "list"]] {
            assert!(shows(path), "{path:?}");
        }
        for path in [
            &["history"][..],
            &["history", "list"],
            &["demo"],
            &["man"],
            &["trust", "add"],
        ] {
            assert!(!shows(path), "{path:?}");
        }
        let parsed = super::command().try_get_matches_from([
            "certbench",
            "history",
            "list",
            "--profiles",
            "x",
        ]);
        assert!(parsed.is_ok(), "still taken: {parsed:?}");
    }

    /// The workbench's way past clap takes only command lines clap reads the same way.
    #[test]
    fn the_workbench_shortcut_agrees_with_clap() {
        use clap::FromArgMatches;
        let os = |args: &[&str]| -> Vec<std::ffi::OsString> {
            args.iter().map(std::ffi::OsString::from).collect()
        };
        for args in [
            &["--profiles", "p"][..],
            &["--profiles=p"],
            &["--profiles", "a b/c"],
            &["--profiles=--x"],
        ] {
            let taken = super::workbench_only(&os(args), None);
            let matches = super::command()
                .try_get_matches_from(std::iter::once("certbench").chain(args.iter().copied()))
                .unwrap();
            let cli = super::Cli::from_arg_matches(&matches).unwrap();
            assert!(cli.command.is_none(), "{args:?}");
            assert_eq!(taken, Some(cli.profiles), "{args:?}");
        }
        for args in [
            &["send"][..],
            &["x"],
            &["-h"],
            &["--help"],
            &["--version"],
            &["--profiles"],
            &["--profiles", "-x"],
            &["--profiles", ""],
            &["--profiles="],
            &["--profiles", "p", "send"],
            &["--profiles", "p", "--profiles", "q"],
        ] {
            assert_eq!(super::workbench_only(&os(args), None), None, "{args:?}");
        }
        assert_eq!(super::workbench_only(&[], None), Some(None));
        assert_eq!(
            super::workbench_only(&[], Some("d".into())),
            Some(Some("d".into()))
        );
        assert_eq!(super::workbench_only(&[], Some("".into())), None);
    }
}
