//! `certbench import curl 'curl ...'` and `certbench export curl PROFILE`: a curl command from
//! an API's docs becomes a profile with its files in the keystore, and back.

use engine::request::profile_dir;
use std::path::Path;

use clap::{Args, Subcommand};

use super::exit::EXIT_OK;
use super::{PasswordArgs, fail, with_password};
use engine::interop::curl::{self, Files};
use engine::keys::keystore::Keystore;
use engine::keys::placement::Placed;
use engine::request::profile::Profile;

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Make a profile from a curl command (its certificate and CA files go into the keystore)
    Curl(ImportCurlArgs),
    /// Make a gRPC profile from a grpcurl command (its -cert/-key and -cacert files go into the keystore)
    Grpcurl(ImportCurlArgs),
}

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// Print a curl command for a profile, with the keystore's certificate, key and CA files
    Curl(ExportCurlArgs),
    /// Print a grpcurl command for a gRPC profile (grpcs://), with the keystore's certificate, key and CA files
    Grpcurl(ExportCurlArgs),
}

#[derive(Args, Debug)]
pub struct ImportCurlArgs {
    /// The command (curl ... or grpcurl ...), quoted as one argument
    pub command: String,
    /// The profile's name (default: the URL's last path segment)
    #[arg(long)]
    pub name: Option<String>,
    /// Replace a profile of that name, and import even when some options are not mapped
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
}

#[derive(Args, Debug)]
pub struct ExportCurlArgs {
    /// The profile to print as a curl command
    pub profile: String,
    /// Prepare it in this environment (environments/NAME.toml)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// A variable, NAME=VALUE (repeatable)
    #[arg(long)]
    pub var: Vec<String>,
}

pub fn import(dir: &Path, ks: &Keystore, cmd: ImportCmd) -> i32 {
    let (args, parsed) = match cmd {
        ImportCmd::Curl(args) => {
            let parsed = curl::parse(&args.command);
            (args, parsed)
        }
        ImportCmd::Grpcurl(args) => {
            let parsed = engine::interop::grpcurl::parse(&args.command);
            (args, parsed)
        }
    };
    let imported = match parsed {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
    for u in &imported.unknown {
        errln!("not imported: {u}");
    }
    if !imported.unknown.is_empty() && !args.force {
        return fail(
            "the command has options certbench does not map (listed above): check them, then import again with --force to go without them",
        );
    }
    for i in &imported.ignored {
        errln!("ignored (it only changes what curl prints): {i}");
    }
    let mut p = imported.profile;
    if let Some(name) = &args.name {
        p.name = name.clone();
    }
    let path = dir.join(format!("{}.toml", p.name));
    if path.exists() && !args.force {
        return fail(format!(
            "a profile named {} already exists in {}: pick another --name, or --force to replace it",
            p.name,
            dir.display()
        ));
    }
    if let Some(files) = &imported.cert {
        match import_key(ks, files, &args.password) {
            Ok(name) => p.credential = Some(name),
            Err(e) => return fail(e),
        }
    }
    if let Some(ca) = &imported.cacert {
        match import_trust(ks, ca) {
            Ok(name) => p.trust = vec![name],
            Err(e) => return fail(e),
        }
    }
    if let Err(e) = p.validate() {
        return fail(e);
    }
    match p.save(dir) {
        Ok(path) => {
            errln!(
                "saved profile {} to {}{}",
                p.name,
                path.display(),
                p.credential
                    .as_deref()
                    .map(|k| format!(" (key {k})"))
                    .unwrap_or_default()
            );
            for var in &imported.env {
                errln!(
                    "the profile reads ${{env:{var}}} when sent (never stored): export {var}=... first"
                );
            }
            errln!("send it: certbench send {}", p.name);
            EXIT_OK
        }
        Err(e) => fail(e),
    }
}

/// Places the client certificate by its content; a password the command does not give comes
/// from --password-env / --password-file or a prompt, and is never stored.
fn import_key(ks: &Keystore, files: &curl::CertFiles, pw: &PasswordArgs) -> Result<String, String> {
    let what = files.cert.display().to_string();
    let (placed, info) =
        with_password(pw, &what, |password| curl::import_key(ks, files, password))?;
    let who = format!("{} ({})", info.leaf.subject_cn, info.leaf.expiry_words());
    match &placed {
        Placed::Reused { name } => {
            errln!("key {name} already holds this certificate ({who}): the profile uses it")
        }
        Placed::Stored { name, wanted } if name != wanted => errln!(
            "imported key {name} from {what}: {who}; key {wanted} holds a different certificate, so this one got its own name; the password is not stored"
        ),
        Placed::Stored { name, .. } => {
            errln!("imported key {name} from {what}: {who}; the password is not stored")
        }
    }
    Ok(placed.name().to_string())
}

fn import_trust(ks: &Keystore, ca: &Path) -> Result<String, String> {
    let placed = curl::import_trust(ks, ca).map_err(|e| e.to_string())?;
    match &placed {
        Placed::Reused { name } => errln!(
            "trusted certificate {name} already holds {}: the profile uses it",
            ca.display()
        ),
        Placed::Stored { name, wanted } if name != wanted => errln!(
            "trusted {name} from {} (trusted certificate {wanted} holds a different one)",
            ca.display()
        ),
        Placed::Stored { name, .. } => errln!("trusted {name} from {}", ca.display()),
    }
    Ok(placed.name().to_string())
}

pub fn export(dir: &Path, ks: &Keystore, cmd: ExportCmd) -> i32 {
    let (args, grpcurl) = match cmd {
        ExportCmd::Curl(args) => (args, false),
        ExportCmd::Grpcurl(args) => (args, true),
    };
    let p: Profile = match profile_dir::find(dir, &args.profile) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let scope = match super::scope_for(dir, &args.var, args.env.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let req = match scope.prepare(&p) {
        Ok(r) => r,
        Err(f) => return fail(f.diagnosis.message),
    };
    let mut files = Files::default();
    if let Some(name) = req.credential.as_deref().filter(|_| req.mutual_tls) {
        match ks.key_files(name) {
            Ok((cert, key)) => {
                files.cert = Some(cert);
                files.key = Some(key);
            }
            Err(e) => return fail(e),
        }
    }
    if let Some(first) = req.trust.first() {
        match ks.trust_file(first) {
            Ok(f) => files.cacert = Some(f),
            Err(e) => return fail(e),
        }
        if req.trust.len() > 1 {
            errln!(
                "warning: curl and grpcurl take one CA file: {first} is used, not {}",
                req.trust[1..].join(", ")
            );
        }
    }
    let exported = if grpcurl {
        match engine::interop::grpcurl_export::export(&req, &files) {
            Some(e) => e,
            None => {
                return fail(format!(
                    "{} is not a gRPC call: its URL is not grpcs://HOST:PORT/package.Service/Method (export curl prints it as curl)",
                    args.profile
                ));
            }
        }
    } else {
        curl::export(&req, Some(&p), &files)
    };
    for what in &exported.withheld {
        errln!("note: {what} is not printed: the command carries <redacted> in its place");
    }
    for var in &exported.env {
        errln!("note: the command reads ${var} from the environment, as the profile does");
    }
    outln!("{}", exported.command);
    EXIT_OK
}
