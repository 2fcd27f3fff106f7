//! `certbench demo`: the embedded mTLS server, a throw-away home with its key and CA, and the workbench on it.

use std::path::{Path, PathBuf};

use demo::{self, Demo};
use engine::keys::keystore::Keystore;
use engine::request::vars::Vars;

/// The example profiles, for when `./profiles` is not there (an installed binary).
const EXAMPLES: [(&str, &str); 12] = [
    ("vars.toml", include_str!("../../profiles/vars.toml")),
    (
        "get-token.toml",
        include_str!("../../profiles/get-token.toml"),
    ),
    (
        "accounts.toml",
        include_str!("../../profiles/accounts.toml"),
    ),
    (
        "environments/local.toml",
        include_str!("../../profiles/environments/local.toml"),
    ),
    (
        "echo-orders.toml",
        include_str!("../../profiles/echo-orders.toml"),
    ),
    (
        "orders-json.toml",
        include_str!("../../profiles/orders-json.toml"),
    ),
    (
        "order-events.toml",
        include_str!("../../profiles/order-events.toml"),
    ),
    (
        "echo-socket.toml",
        include_str!("../../profiles/echo-socket.toml"),
    ),
    (
        "orders-xml.toml",
        include_str!("../../profiles/orders-xml.toml"),
    ),
    (
        "create-order.toml",
        include_str!("../../profiles/create-order.toml"),
    ),
    (
        "form-login.toml",
        include_str!("../../profiles/form-login.toml"),
    ),
    (
        "upload-multipart.toml",
        include_str!("../../profiles/upload-multipart.toml"),
    ),
];

/// A temp home holding the demo key `demo` and trusted CA `demo-ca`; removed when dropped.
pub struct DemoHome {
    pub dir: tempfile::TempDir,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub ca: PathBuf,
}

pub fn demo_home(d: &Demo) -> Result<DemoHome, String> {
    let dir = tempfile::Builder::new()
        .prefix("certbench-demo-")
        .tempdir()
        .map_err(|e| format!("cannot make a temp folder: {e}"))?;
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).map_err(|e| e.to_string())?;
    let write = |name: &str, text: &str, mode: u32| -> Result<PathBuf, String> {
        let p = files.join(name);
        engine::home::write_atomic(&p, text.as_bytes(), mode).map_err(|e| e.to_string())?;
        Ok(p)
    };
    let client_cert = write("demo-client.pem", &d.client.cert_pem, 0o644)?;
    let client_key = write("demo-client.key", &d.client.key_pem, 0o600)?;
    let ca = write("demo-ca.pem", &d.pki.ca.cert_pem, 0o644)?;
    let ks = Keystore::open(dir.path());
    d.import_into(&ks).map_err(|e| e.to_string())?;
    // A second key from the same CA, for the rotation case: send with both and compare.
    let rotated = d
        .pki
        .client("certbench-demo-client-rotated", demo::Days::default());
    ks.import_pem(
        "demo-rotated",
        rotated.cert_pem.as_bytes(),
        rotated.key_pem.as_bytes(),
        None,
        "demo rotated key",
    )
    .map_err(|e| e.to_string())?;
    Ok(DemoHome {
        dir,
        client_cert,
        client_key,
        ca,
    })
}

/// `./profiles` when present, else the examples written into the demo home.
fn demo_profiles(home: &Path) -> Result<PathBuf, String> {
    let local = PathBuf::from("profiles");
    if local.join("echo-orders.toml").is_file() {
        return Ok(local);
    }
    let dir = home.join("profiles");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir.join("environments")).map_err(|e| e.to_string())?;
    for (name, text) in EXAMPLES {
        std::fs::write(dir.join(name), text).map_err(|e| e.to_string())?;
    }
    Ok(dir)
}

pub fn run(serve: bool, port: u16) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return super::fail(format!("cannot start the async runtime: {e}")),
    };
    let d = Demo::new();
    let server = match rt.block_on(demo::start(d.config(), port)) {
        Ok(s) => s,
        Err(e) => return super::fail(format!("{e}: pick another --port")),
    };
    let home = match demo_home(&d) {
        Ok(h) => h,
        Err(e) => return super::fail(e),
    };
    let profiles = match demo_profiles(home.dir.path()) {
        Ok(p) => p,
        Err(e) => return super::fail(e),
    };
    if serve {
        // Ctrl-C, SIGTERM and SIGHUP all end here, so the temporary home (with the demo's
        // private keys) is removed when `home` is dropped. The handlers are in place before
        // the banner tells anyone the server is up.
        use tokio::signal::unix::{SignalKind, signal};
        let signals = {
            let _in_runtime = rt.enter();
            (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
                signal(SignalKind::hangup()),
            )
        };
        let (Ok(mut int), Ok(mut term), Ok(mut hup)) = signals else {
            return super::fail("cannot listen for signals");
        };
        print_serve_help(&server.url, &home, &profiles);
        let code = rt.block_on(async {
            tokio::select! {
                _ = int.recv() => 130,
                _ = term.recv() => 143,
                _ = hup.recv() => 129,
            }
        });
        drop(server);
        drop(home);
        return code;
    }
    let mut vars = Vars::new();
    vars.set("base_url", &server.url);
    vars.set("socket_url", &socket_url(&server.url));
    let code = tui::run(&profiles, home.dir.path(), vars, Some(rt.handle().clone()));
    drop(server);
    code
}

/// The demo's WebSocket, on the same server as `base_url`.
pub fn socket_url(base_url: &str) -> String {
    format!("{}/socket", base_url.replacen("https://", "wss://", 1))
}

/// The serve banner; written with errors ignored, so a closed stdout (a reader that went away)
/// never stops the server.
fn print_serve_help(url: &str, home: &DemoHome, profiles: &Path) {
    let h = home.dir.path().display();
    let text = format!(
        "certbench demo server: {url} (requires a client certificate; Ctrl-C stops it)

Its client key and CA are imported into a temporary home:
  export CERTBENCH_HOME={h}
  certbench send echo-orders --profiles {profiles} --var base_url={url}
  certbench send {socket} --credential demo --trust demo-ca --message hello --max-messages 2
  certbench send --url {url}/echo --credential demo --trust demo-ca -v
  certbench send --url {url}/echo --credential demo --trust demo-ca --compare-key demo-rotated
  certbench history list

Or with curl:
  curl --cacert {ca} --cert {cert} --key {key} {url}/echo

Routes: /echo /json /xml /status/CODE /redirect/CODE?to=URL /loop /cookies/set?k=v /slow/MS /large/BYTES /gzip /binary /latin1 /broken-json /cut /events/N/MS /socket (WebSocket)
",
        socket = socket_url(url),
        profiles = profiles.display(),
        ca = home.ca.display(),
        cert = home.client_cert.display(),
        key = home.client_key.display(),
    );
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
