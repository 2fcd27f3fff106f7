//! Starting servers nobody here wrote (nginx, Apache, Node, gnutls-serv) on a free local port, and stopping them.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `port` takes connections; a child that exits first fails the test with `what`.
pub fn wait_for(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited at start: {status}");
        }
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A server process, killed when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Writes the demo server's certificate and key (`srv.pem`, `srv.key`) and its CA (`ca.pem`)
/// into `dir`, for servers that read files.
pub fn write_demo_files(env: &super::Env, dir: &Path) {
    for (file, text) in [
        ("srv.pem", &env.demo.server_cert.cert_pem),
        ("srv.key", &env.demo.server_cert.key_pem),
        ("ca.pem", &env.demo.pki.ca.cert_pem),
    ] {
        std::fs::write(dir.join(file), text).unwrap();
    }
}

/// Node running `script` (written to `dir/server.js`), given the port as its first argument.
pub fn node(dir: &Path, script: &str) -> (Running, String) {
    std::fs::write(dir.join("server.js"), script).unwrap();
    let port = free_port();
    let mut child = Command::new("node")
        .args(["server.js", &port.to_string()])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node is installed (bash .ci/run installs it)");
    wait_for(port, &mut child, "node");
    (Running(child), format!("https://localhost:{port}"))
}

/// nginx (Debian's package) with `ssl_verify_client on`: it completes the handshake whatever
/// certificate comes and refuses a bad one at the HTTP level, with its 400 pages.
pub fn nginx(
    dir: &Path,
    server_cert: &str,
    server_key: &str,
    client_ca: &str,
) -> (Running, String) {
    for (file, text) in [
        ("srv.pem", server_cert),
        ("srv.key", server_key),
        ("client-ca.pem", client_ca),
    ] {
        std::fs::write(dir.join(file), text).unwrap();
    }
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::write(dir.join("www/index.html"), "hello from nginx\n").unwrap();
    let port = free_port();
    let d = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\nuser root;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         server {{\n    listen 127.0.0.1:{port} ssl;\n    server_name localhost;\n    root {d}/www;\n\
         ssl_certificate {d}/srv.pem;\n    ssl_certificate_key {d}/srv.key;\n\
         ssl_client_certificate {d}/client-ca.pem;\n    ssl_verify_client on;\n  }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let mut child = Command::new("nginx")
        .args(["-e", &format!("{d}/error.log"), "-p", &format!("{d}"), "-c"])
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx is installed (bash .ci/run installs it)");
    wait_for(port, &mut child, "nginx");
    (Running(child), format!("https://localhost:{port}"))
}
