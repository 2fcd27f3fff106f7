//! Starting servers nobody here wrote (nginx, Apache, Node, gnutls-serv) on a free local port, and stopping them.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How a server is given its port.
#[derive(Clone, Copy)]
pub enum Port {
    /// It takes port 0 and the OS picks one; the port is read back from the socket the child
    /// holds, so no other process can ever be on it.
    FromOs,
    /// It refuses port 0 (nginx, Apache, tinyproxy): a port the OS just handed out is given to it,
    /// and it counts as started only once the listening socket on that port is the child's own. A
    /// child that lost the port to a parallel test is started again on another.
    Chosen,
}

/// Starts `what` with `command(port)` and returns it with the port it listens on, once it listens.
pub fn start(what: &str, port: Port, mut command: impl FnMut(u16) -> Command) -> (Running, u16) {
    for _ in 0..5 {
        let asked = match port {
            Port::FromOs => 0,
            Port::Chosen => os_port(),
        };
        let child = command(asked)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{what} is installed (bash .ci/run installs it): {e}"));
        let mut running = Running(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let held = held_ports(running.0.id());
            let found = if asked == 0 {
                held.first().copied()
            } else {
                held.contains(&asked).then_some(asked)
            };
            if let Some(p) = found {
                return (running, p);
            }
            if let Ok(Some(status)) = running.0.try_wait() {
                assert!(asked != 0, "{what} exited at start: {status}");
                break; // most likely the chosen port was taken meanwhile: another port
            }
            assert!(Instant::now() < deadline, "{what} did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("{what} exited at start five times, each on a port the OS had just handed out");
}

/// A port the OS hands out for loopback now, for a server that will not take port 0.
fn os_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The ports of the listening TCP sockets (IPv4 first, then IPv6) that process `pid` holds, read
/// from /proc: a socket is the child's when one of its file descriptors is that socket's inode.
pub fn held_ports(pid: u32) -> Vec<u16> {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    let inodes: Vec<String> = fds
        .flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .filter_map(|target| {
            let t = target.to_string_lossy();
            Some(t.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
        })
        .collect();
    let mut ports = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // cols: sl, local address, remote address, state (0A = LISTEN), ..., inode at 9
            if cols.len() > 9 && cols[3] == "0A" && inodes.iter().any(|i| i == cols[9]) {
                let port_hex = cols[1].rsplit(':').next().unwrap_or("");
                if let Ok(p) = u16::from_str_radix(port_hex, 16)
                    && !ports.contains(&p)
                {
                    ports.push(p);
                }
            }
        }
    }
    ports
}

/// A loopback port on which nothing listens and nothing can start to while the guard lives: the
/// socket is bound but never listens, so a connection to it is refused.
pub fn closed_port() -> (std::net::SocketAddr, tokio::net::TcpSocket) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    (socket.local_addr().unwrap(), socket)
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
    let (running, port) = start("node", Port::FromOs, |port| {
        let mut c = Command::new("node");
        c.args(["server.js", &port.to_string()]).current_dir(dir);
        c
    });
    (running, format!("https://localhost:{port}"))
}

/// nginx (Debian's package) with `ssl_verify_client on`: it completes the handshake whatever
/// certificate comes and refuses a bad one at the HTTP level, with its 400 pages.
pub fn nginx(
    dir: &Path,
    server_cert: &str,
    server_key: &str,
    client_ca: &str,
) -> (Running, String) {
    nginx_with(dir, server_cert, server_key, client_ca, "")
}

/// The same nginx with `locations` (nginx `location` blocks) in its server.
pub fn nginx_with(
    dir: &Path,
    server_cert: &str,
    server_key: &str,
    client_ca: &str,
    locations: &str,
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
    let d = dir.display();
    let (running, port) = start("nginx", Port::Chosen, |port| {
        let conf = format!(
            "daemon off;\nmaster_process off;\nuser root;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         server {{\n    listen 127.0.0.1:{port} ssl;\n    server_name localhost;\n    root {d}/www;\n\
         ssl_certificate {d}/srv.pem;\n    ssl_certificate_key {d}/srv.key;\n\
         ssl_client_certificate {d}/client-ca.pem;\n    ssl_verify_client on;\n{locations}\n  }}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let mut c = Command::new("nginx");
        c.args(["-e", &format!("{d}/error.log"), "-p", &format!("{d}"), "-c"])
            .arg(dir.join("nginx.conf"));
        c
    });
    (running, format!("https://localhost:{port}"))
}
