//! Key files made by tools other than ours (openssl options, keytool, certtool, Python, node-forge),
//! generated at test time, imported, then used against a real mTLS server that must see their subject.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::Env;
use crate::common::servers::{Port, Running, start};
use engine::keys::keystore::KeyError;

/// The embedded server (for what it verifies) plus a folder with its CA's files for other tools.
struct Lab {
    env: Env,
    dir: tempfile::TempDir,
}

fn run(dir: &Path, prog: &str, args: &[&str]) -> String {
    let out = Command::new(prog)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{prog} must be installed (bash .ci/run installs it): {e}"));
    assert!(
        out.status.success(),
        "{prog} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn openssl(dir: &Path, args: &[&str]) {
    run(dir, "openssl", args);
}

impl Lab {
    fn new() -> Lab {
        let env = Env::new();
        let dir = tempfile::tempdir().unwrap();
        let ca = &env.demo.pki.ca;
        std::fs::write(dir.path().join("ca.pem"), &ca.cert_pem).unwrap();
        std::fs::write(dir.path().join("ca.key"), &ca.key_pem).unwrap();
        std::fs::write(dir.path().join("srv.pem"), &env.demo.server_cert.cert_pem).unwrap();
        std::fs::write(dir.path().join("srv.key"), &env.demo.server_cert.key_pem).unwrap();
        std::fs::write(
            dir.path().join("client.ext"),
            "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n",
        )
        .unwrap();
        Lab { env, dir }
    }

    /// An openssl SEC1 EC key on a named curve, in `file`.
    fn ec_key(&self, curve: &str, file: &str) {
        openssl(
            self.d(),
            &["ecparam", "-name", curve, "-genkey", "-noout", "-out", file],
        );
    }

    fn d(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.d().join(name)
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Issues `<stem>.pem` for the key in `key_file` from the server's CA (CN = stem), with openssl.
    fn issue(&self, key_file: &str, stem: &str) {
        let csr = format!("{stem}.csr");
        let pem = format!("{stem}.pem");
        openssl(
            self.d(),
            &[
                "req",
                "-new",
                "-key",
                key_file,
                "-subj",
                &format!("/CN={stem}"),
                "-out",
                &csr,
            ],
        );
        self.sign_csr(&csr, &pem);
    }

    fn sign_csr(&self, csr: &str, pem: &str) {
        openssl(
            self.d(),
            &[
                "x509",
                "-req",
                "-in",
                csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-out",
                pem,
                "-days",
                "60",
                "-extfile",
                "client.ext",
            ],
        );
    }

    /// Sends with key `name` to the embedded server and returns the client CN it saw.
    fn seen_by_embedded(&self, name: &str) -> String {
        let mut p = self.env.profile("/echo");
        p.credential = Some(name.into());
        let body = self.env.json(&p);
        body["client_cert"]["cn"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn import_p12(
        &self,
        name: &str,
        file: &str,
        password: Option<&str>,
    ) -> Result<String, KeyError> {
        self.env
            .ks
            .import_p12(name, &self.read(file), password, file)
            .map(|i| i.key_type)
    }

    fn import_pem(
        &self,
        name: &str,
        cert: &str,
        key: &str,
        password: Option<&str>,
    ) -> Result<String, KeyError> {
        self.env
            .ks
            .import_pem(name, &self.read(cert), &self.read(key), password, key)
            .map(|i| i.key_type)
    }
}

/// A real `openssl s_server -www` requiring a client certificate: it verifies what rustls+ring does not (P-521, Ed448, RSA-PSS, RSA 1024).
struct SServer {
    _server: Running,
    url: String,
}

fn s_server(lab: &Lab) -> SServer {
    s_server_for(lab, "ca.pem")
}

/// An `openssl s_server` that accepts client certificates issued by the CA in `client_ca`.
fn s_server_for(lab: &Lab, client_ca: &str) -> SServer {
    let (server, port) = start("openssl s_server", Port::FromOs, |port| {
        let mut c = Command::new("openssl");
        c.args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
            .args(["-cert", "srv.pem", "-key", "srv.key"])
            .args(["-CAfile", client_ca, "-Verify", "1", "-www", "-quiet"])
            .current_dir(lab.d());
        c
    });
    SServer {
        _server: server,
        url: format!("https://127.0.0.1:{port}/"),
    }
}

fn seen_by_s_server(lab: &Lab, server: &SServer, name: &str) -> String {
    let mut p = lab.env.profile("/");
    p.url = server.url.clone();
    p.credential = Some(name.into());
    let ex = lab.env.ok(&p);
    String::from_utf8_lossy(&ex.body).into_owned()
}

#[test]
fn pkcs12_from_openssl_every_pbe_and_mac() {
    let lab = Lab::new();
    openssl(lab.d(), &["genrsa", "-out", "rsa.key", "2048"]);
    lab.issue("rsa.key", "o-rsa");
    // (file, extra pkcs12 arguments, password)
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "sha1-3des",
            &[
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ],
            "pw",
        ),
        (
            "sha1-2des",
            &[
                "-legacy",
                "-keypbe",
                "PBE-SHA1-2DES",
                "-certpbe",
                "PBE-SHA1-2DES",
            ],
            "pw",
        ),
        (
            "rc2-40",
            &[
                "-legacy",
                "-keypbe",
                "PBE-SHA1-RC2-40",
                "-certpbe",
                "PBE-SHA1-RC2-40",
            ],
            "pw",
        ),
        (
            "rc2-128",
            &[
                "-legacy",
                "-keypbe",
                "PBE-SHA1-RC2-128",
                "-certpbe",
                "PBE-SHA1-RC2-128",
            ],
            "pw",
        ),
        (
            "aes128-sha512mac",
            &[
                "-keypbe",
                "AES-128-CBC",
                "-certpbe",
                "AES-128-CBC",
                "-macalg",
                "sha512",
            ],
            "pw",
        ),
        (
            "aes192-sha384mac",
            &[
                "-keypbe",
                "AES-192-CBC",
                "-certpbe",
                "AES-192-CBC",
                "-macalg",
                "sha384",
            ],
            "pw",
        ),
        (
            "pbes2-3des-sha224mac",
            &[
                "-keypbe",
                "DES-EDE3-CBC",
                "-certpbe",
                "DES-EDE3-CBC",
                "-macalg",
                "sha224",
            ],
            "pw",
        ),
        ("nomac", &["-nomac"], "pw"),
        ("empty-password", &[], ""),
        ("unencrypted-certs", &["-certpbe", "NONE"], "pw"),
    ];
    for (file, extra, pw) in cases {
        let out = format!("{file}.p12");
        let pass = format!("pass:{pw}");
        let mut args = vec![
            "pkcs12",
            "-export",
            "-in",
            "o-rsa.pem",
            "-inkey",
            "rsa.key",
            "-certfile",
            "ca.pem",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-out", &out, "-passout", &pass]);
        openssl(lab.d(), &args);
        let given = (!pw.is_empty()).then_some(*pw);
        let kind = lab
            .import_p12(file, &out, given)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(kind, "RSA 2048", "{file}");
        assert_eq!(lab.seen_by_embedded(file), "o-rsa", "{file}");
        let chain = lab.env.ks.show(file).unwrap().chain;
        assert_eq!(chain.len(), 2, "{file}: leaf then CA");
        assert_eq!(chain[1].subject_cn, "certbench demo CA", "{file}");
    }
    // A wrong password is named as such, for PBES1 and PBES2 files alike.
    for file in ["sha1-3des", "aes128-sha512mac", "nomac"] {
        let err = lab
            .import_p12("x", &format!("{file}.p12"), Some("nope"))
            .unwrap_err();
        assert!(
            matches!(err, KeyError::WrongPassword { .. }),
            "{file}: {err}"
        );
    }
    // No password given for a protected file: asked for, not called wrong.
    let err = lab.import_p12("x", "sha1-3des.p12", None).unwrap_err();
    assert!(matches!(err, KeyError::PasswordNeeded { .. }), "{err}");
}

#[test]
fn encrypted_pkcs8_every_prf_and_cipher_and_pbes1() {
    let lab = Lab::new();
    lab.ec_key("prime256v1", "ec.key");
    lab.issue("ec.key", "p8-ec");
    let cases: &[(&str, &[&str])] = &[
        (
            "sha1-aes128",
            &["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"],
        ),
        (
            "sha224-aes192",
            &["-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA224"],
        ),
        (
            "sha256-aes256",
            &["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256"],
        ),
        ("sha384-des3", &["-v2", "des3", "-v2prf", "hmacWithSHA384"]),
        (
            "sha512-des",
            &[
                "-provider",
                "legacy",
                "-provider",
                "default",
                "-v2",
                "des-cbc",
                "-v2prf",
                "hmacWithSHA512",
            ],
        ),
        ("pbes1-3des", &["-v1", "PBE-SHA1-3DES"]),
        (
            "pbes1-rc2-40",
            &[
                "-provider",
                "legacy",
                "-provider",
                "default",
                "-v1",
                "PBE-SHA1-RC2-40",
            ],
        ),
        (
            "pbes1-rc2-128",
            &[
                "-provider",
                "legacy",
                "-provider",
                "default",
                "-v1",
                "PBE-SHA1-RC2-128",
            ],
        ),
        (
            "pbes1-md5-des",
            &[
                "-provider",
                "legacy",
                "-provider",
                "default",
                "-v1",
                "PBE-MD5-DES",
            ],
        ),
        (
            "pbes1-sha1-des",
            &[
                "-provider",
                "legacy",
                "-provider",
                "default",
                "-v1",
                "PBE-SHA1-DES",
            ],
        ),
    ];
    for (name, extra) in cases {
        let out = format!("{name}.p8.pem");
        let mut args = vec![
            "pkcs8", "-topk8", "-in", "ec.key", "-out", &out, "-passout", "pass:k3y",
        ];
        args.extend_from_slice(extra);
        openssl(lab.d(), &args);
        let kind = lab
            .import_pem(name, "p8-ec.pem", &out, Some("k3y"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(kind, "ECDSA P-256", "{name}");
        assert_eq!(lab.seen_by_embedded(name), "p8-ec", "{name}");
        let err = lab
            .import_pem("x", "p8-ec.pem", &out, Some("wrong"))
            .unwrap_err();
        assert!(
            matches!(err, KeyError::WrongPassword { .. }),
            "{name}: {err}"
        );
    }
    // The same, as DER.
    openssl(
        lab.d(),
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "ec.key",
            "-outform",
            "DER",
            "-out",
            "k.p8.der",
            "-passout",
            "pass:k3y",
            "-v1",
            "PBE-SHA1-3DES",
        ],
    );
    lab.import_pem("der", "p8-ec.pem", "k.p8.der", Some("k3y"))
        .unwrap();
    let err = lab
        .import_pem("x", "p8-ec.pem", "k.p8.der", None)
        .unwrap_err();
    assert!(matches!(err, KeyError::PasswordNeeded { .. }), "{err}");
}

#[test]
fn legacy_openssl_encrypted_pem_rsa_and_ec() {
    let lab = Lab::new();
    openssl(lab.d(), &["genrsa", "-out", "rsa.key", "2048"]);
    lab.ec_key("secp384r1", "ec.key");
    lab.issue("rsa.key", "legacy-rsa");
    lab.issue("ec.key", "legacy-ec");
    for cipher in ["aes128", "aes192", "aes256", "des3", "des"] {
        let rsa_out = format!("rsa-{cipher}.pem");
        let ec_out = format!("ec-{cipher}.pem");
        let flag = format!("-{cipher}");
        let legacy: &[&str] = if cipher == "des" {
            &["-provider", "legacy", "-provider", "default"]
        } else {
            &[]
        };
        let mut a = vec![
            "rsa",
            "-traditional",
            "-in",
            "rsa.key",
            "-out",
            &rsa_out,
            "-passout",
            "pass:old",
            &flag,
        ];
        a.extend_from_slice(legacy);
        openssl(lab.d(), &a);
        let mut a = vec![
            "ec", "-in", "ec.key", "-out", &ec_out, "-passout", "pass:old", &flag,
        ];
        a.extend_from_slice(legacy);
        openssl(lab.d(), &a);
        assert!(
            String::from_utf8_lossy(&lab.read(&rsa_out)).contains("DEK-Info"),
            "{cipher}: traditional form"
        );
        let name = format!("rsa-{cipher}");
        lab.import_pem(&name, "legacy-rsa.pem", &rsa_out, Some("old"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(lab.seen_by_embedded(&name), "legacy-rsa");
        let name = format!("ec-{cipher}");
        assert_eq!(
            lab.import_pem(&name, "legacy-ec.pem", &ec_out, Some("old"))
                .unwrap(),
            "ECDSA P-384"
        );
        assert_eq!(lab.seen_by_embedded(&name), "legacy-ec");
        let err = lab
            .import_pem("x", "legacy-ec.pem", &ec_out, Some("bad"))
            .unwrap_err();
        assert!(
            matches!(err, KeyError::WrongPassword { .. }),
            "{cipher}: {err}"
        );
    }
    let err = lab
        .import_pem("x", "legacy-rsa.pem", "rsa-aes256.pem", None)
        .unwrap_err();
    assert!(matches!(err, KeyError::PasswordNeeded { .. }), "{err}");
}

#[test]
fn ec_keys_with_explicit_parameters_or_without_public_key() {
    let lab = Lab::new();
    for (curve, expect) in [("prime256v1", "ECDSA P-256"), ("secp384r1", "ECDSA P-384")] {
        let key = format!("{curve}-explicit.key");
        openssl(
            lab.d(),
            &[
                "ecparam",
                "-name",
                curve,
                "-param_enc",
                "explicit",
                "-genkey",
                "-noout",
                "-out",
                &key,
            ],
        );
        // openssl refuses to sign a CSR with explicit parameters in some builds: issue from the named form.
        let named = format!("{curve}-named.key");
        openssl(
            lab.d(),
            &[
                "ec",
                "-in",
                &key,
                "-param_enc",
                "named_curve",
                "-out",
                &named,
            ],
        );
        lab.issue(&named, curve);
        let cert = format!("{curve}.pem");
        assert_eq!(
            lab.import_pem(&format!("{curve}-sec1"), &cert, &key, None)
                .unwrap(),
            expect
        );
        assert_eq!(lab.seen_by_embedded(&format!("{curve}-sec1")), curve);
        let p8 = format!("{curve}-explicit.p8");
        openssl(
            lab.d(),
            &["pkcs8", "-topk8", "-nocrypt", "-in", &key, "-out", &p8],
        );
        assert_eq!(
            lab.import_pem(&format!("{curve}-p8"), &cert, &p8, None)
                .unwrap(),
            expect
        );
        assert_eq!(lab.seen_by_embedded(&format!("{curve}-p8")), curve);
    }
    // PKCS#8 with an ECPrivateKey that has no public key (what Java keytool writes).
    lab.ec_key("prime256v1", "full.key");
    lab.issue("full.key", "no-pub");
    let sec1 = pem::parse(lab.read("full.key")).unwrap();
    std::fs::write(
        lab.path("no-pub.p8.pem"),
        pem::encode(&pem::Pem::new(
            "PRIVATE KEY",
            strip_public_key(sec1.contents()),
        )),
    )
    .unwrap();
    assert_eq!(
        lab.import_pem("no-pub", "no-pub.pem", "no-pub.p8.pem", None)
            .unwrap(),
        "ECDSA P-256"
    );
    assert_eq!(lab.seen_by_embedded("no-pub"), "no-pub");
}

/// Re-encodes a SEC1 P-256 key as PKCS#8 whose ECPrivateKey holds only version and scalar.
fn strip_public_key(sec1: &[u8]) -> Vec<u8> {
    use der::asn1::{ObjectIdentifier, OctetString};
    use der::{Decode, Encode, Sequence};
    #[derive(Sequence)]
    struct Bare {
        version: u8,
        private_key: OctetString,
    }
    let scalar = p256::SecretKey::from_sec1_der(sec1).unwrap().to_bytes();
    let scalar = OctetString::new(scalar.to_vec()).unwrap();
    let inner = Bare {
        version: 1,
        private_key: scalar,
    }
    .to_der()
    .unwrap();
    let curve = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    let info = pkcs8::PrivateKeyInfoRef {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
            parameters: Some(der::asn1::AnyRef::from(&curve)),
        },
        private_key: der::asn1::OctetStringRef::new(&inner).unwrap(),
        public_key: None,
    };
    let out = info.to_der().unwrap();
    assert!(pkcs8::PrivateKeyInfoRef::from_der(&out).is_ok());
    out
}

#[test]
fn keys_ring_cannot_sign_work_against_openssl_s_server() {
    let lab = Lab::new();
    let server = s_server(&lab);
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "p521",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-521",
                "-out",
                "p521.key",
            ],
            "ECDSA P-521",
        ),
        (
            "ed448",
            &["genpkey", "-algorithm", "ED448", "-out", "ed448.key"],
            "Ed448",
        ),
        (
            "rsa-pss",
            &[
                "genpkey",
                "-algorithm",
                "RSA-PSS",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "rsa-pss.key",
            ],
            "RSA-PSS 2048",
        ),
        (
            "rsa1024",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:1024",
                "-out",
                "rsa1024.key",
            ],
            "RSA 1024",
        ),
    ];
    for (name, generate, expect) in cases {
        openssl(lab.d(), generate);
        let key = format!("{name}.key");
        lab.issue(&key, name);
        assert_eq!(
            lab.import_pem(name, &format!("{name}.pem"), &key, None)
                .unwrap(),
            *expect
        );
        let page = seen_by_s_server(&lab, &server, name);
        assert!(
            page.contains(&format!("Subject: CN={name}")),
            "{name}: s_server saw {page}"
        );
    }
    let info = lab.env.ks.show("rsa1024").unwrap();
    assert!(info.leaf.weak_key(), "a 1024-bit key is flagged weak");
}

#[test]
fn java_keytool_pkcs12_ec_and_rsa() {
    let lab = Lab::new();
    for (alias, alg) in [
        ("kt-ec", &["-keyalg", "EC", "-groupname", "secp256r1"][..]),
        ("kt-rsa", &["-keyalg", "RSA", "-keysize", "2048"][..]),
    ] {
        let store = format!("{alias}.p12");
        let base = [
            "-keystore",
            store.as_str(),
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit",
        ];
        let dname = format!("CN={alias}");
        let mut a = vec![
            "-genkeypair",
            "-alias",
            alias,
            "-dname",
            &dname,
            "-validity",
            "30",
        ];
        a.extend_from_slice(alg);
        a.extend_from_slice(&base);
        run(lab.d(), "keytool", &a);
        let csr = format!("{alias}.csr");
        let mut a = vec!["-certreq", "-alias", alias, "-file", &csr];
        a.extend_from_slice(&base);
        run(lab.d(), "keytool", &a);
        let pem = format!("{alias}.pem");
        lab.sign_csr(&csr, &pem);
        let chain = format!("{alias}-chain.pem");
        let mut both = lab.read(&pem);
        both.extend(lab.read("ca.pem"));
        std::fs::write(lab.path(&chain), both).unwrap();
        let mut a = vec!["-importcert", "-noprompt", "-alias", alias, "-file", &chain];
        a.extend_from_slice(&base);
        run(lab.d(), "keytool", &a);
        lab.import_p12(alias, &store, Some("changeit"))
            .unwrap_or_else(|e| panic!("{alias}: {e}"));
        assert_eq!(lab.seen_by_embedded(alias), alias);
    }
}

#[test]
fn gnutls_certtool_null_empty_and_real_passwords() {
    let lab = Lab::new();
    run(
        lab.d(),
        "certtool",
        &[
            "--generate-privkey",
            "--key-type",
            "ecdsa",
            "--curve",
            "secp256r1",
            "--outfile",
            "gt.key",
        ],
    );
    lab.issue("gt.key", "gnutls");
    for (name, pw_args, given) in [
        ("null", &["--null-password"][..], None),
        ("empty", &["--empty-password"][..], None),
        ("real", &["--password", "gt-pass"][..], Some("gt-pass")),
    ] {
        let out = format!("{name}.p12");
        let mut a = vec![
            "--to-p12",
            "--load-privkey",
            "gt.key",
            "--load-certificate",
            "gnutls.pem",
            "--p12-name",
            "gt",
            "--outder",
            "--outfile",
            &out,
        ];
        a.extend_from_slice(pw_args);
        run(lab.d(), "certtool", &a);
        lab.import_p12(name, &out, given)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(lab.seen_by_embedded(name), "gnutls", "{name}");
    }
}

#[test]
fn python_cryptography_pkcs12() {
    let lab = Lab::new();
    openssl(
        lab.d(),
        &["genpkey", "-algorithm", "ED25519", "-out", "py.key"],
    );
    lab.issue("py.key", "python");
    let script = r#"
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography import x509
key = serialization.load_pem_private_key(open("py.key","rb").read(), None)
cert = x509.load_pem_x509_certificate(open("python.pem","rb").read())
ca = x509.load_pem_x509_certificate(open("ca.pem","rb").read())
F = serialization.PrivateFormat.PKCS12
variants = {
  "best": serialization.BestAvailableEncryption(b"py-pass"),
  "legacy": F.encryption_builder().kdf_rounds(50000).key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1()).build(b"py-pass"),
  "aes": F.encryption_builder().kdf_rounds(2048).key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256()).build(b"py-pass"),
  "none": serialization.NoEncryption(),
}
for n, enc in variants.items():
    open(n + ".p12", "wb").write(pkcs12.serialize_key_and_certificates(b"py", key, cert, [ca], enc))
"#;
    run(lab.d(), "python3", &["-c", script]);
    for (name, pw) in [
        ("best", Some("py-pass")),
        ("legacy", Some("py-pass")),
        ("aes", Some("py-pass")),
        ("none", None),
    ] {
        assert_eq!(
            lab.import_p12(name, &format!("{name}.p12"), pw)
                .unwrap_or_else(|e| panic!("{name}: {e}")),
            "Ed25519"
        );
        assert_eq!(lab.seen_by_embedded(name), "python", "{name}");
    }
}

/// node-forge from the npm registry, installed once under target/ (bash .ci/run does it up front).
fn node_forge() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools");
    if !dir.join("node_modules/node-forge").is_dir() {
        std::fs::create_dir_all(&dir).unwrap();
        run(
            &dir,
            "npm",
            &[
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                ".",
                "node-forge@1",
            ],
        );
    }
    dir.join("node_modules")
}

#[test]
fn node_forge_pkcs12_without_local_key_id_and_key_matching_second_certificate() {
    let lab = Lab::new();
    // node-forge reads and re-encodes only RSA certificates correctly: an RSA CA issues this leaf,
    // and a real openssl s_server that trusts that CA checks it.
    let d = lab.d();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "rsa-ca.key",
            "-out",
            "rsa-ca.pem",
            "-subj",
            "/CN=forge CA",
            "-days",
            "30",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "other.key",
            "-out",
            "other.pem",
            "-subj",
            "/CN=other",
            "-days",
            "30",
        ],
    );
    openssl(d, &["genrsa", "-traditional", "-out", "nf.key", "2048"]);
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "nf.key",
            "-subj",
            "/CN=forge",
            "-out",
            "nf.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "nf.csr",
            "-CA",
            "rsa-ca.pem",
            "-CAkey",
            "rsa-ca.key",
            "-out",
            "forge.pem",
            "-days",
            "30",
            "-extfile",
            "client.ext",
        ],
    );
    let server = s_server_for(&lab, "rsa-ca.pem");
    let script = r#"
const forge = require('node-forge'); const fs = require('fs');
const key = forge.pki.privateKeyFromPem(fs.readFileSync('nf.key', 'utf8'));
const leaf = forge.pki.certificateFromPem(fs.readFileSync('forge.pem', 'utf8'));
const other = forge.pki.certificateFromPem(fs.readFileSync('other.pem', 'utf8'));
for (const alg of ['aes256', '3des']) {
  // Another certificate first, the leaf second, and no localKeyID: pairing must go by public key.
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [other, leaf], 'nf-pass', {algorithm: alg, generateLocalKeyId: false});
  fs.writeFileSync('forge-' + alg + '.p12', Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}
"#;
    let out = Command::new("node")
        .args(["-e", script])
        .env("NODE_PATH", node_forge())
        .current_dir(lab.d())
        .output()
        .expect("node is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for alg in ["aes256", "3des"] {
        let name = format!("forge-{alg}");
        lab.import_p12(&name, &format!("{name}.p12"), Some("nf-pass"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let page = seen_by_s_server(&lab, &server, &name);
        assert!(
            page.contains("Subject: CN=forge"),
            "{name}: s_server saw {page}"
        );
        let chain = lab.env.ks.show(&name).unwrap().chain;
        assert_eq!(chain[0].subject_cn, "forge", "the leaf comes first");
    }
}

#[test]
fn refusals_name_the_cause() {
    let lab = Lab::new();
    openssl(
        lab.d(),
        &["genpkey", "-algorithm", "X448", "-out", "x448.key"],
    );
    openssl(lab.d(), &["genrsa", "-out", "rsa.key", "2048"]);
    lab.issue("rsa.key", "r");
    let err = lab
        .import_pem("x", "r.pem", "x448.key", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("X448") && err.contains("cannot sign"), "{err}");
    lab.ec_key("secp256k1", "k1.key");
    let err = lab
        .import_pem("x", "r.pem", "k1.key", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("secp256k1") && err.contains("P-521"), "{err}");
    // Another key than the certificate's.
    openssl(lab.d(), &["genrsa", "-out", "other.key", "2048"]);
    let err = lab.import_pem("x", "r.pem", "other.key", None).unwrap_err();
    assert!(matches!(err, KeyError::KeyMismatch { .. }), "{err}");
}
