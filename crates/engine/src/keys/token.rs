//! Keys that never leave a PKCS#11 token (smart card, YubiKey PIV, HSM; SoftHSM2 to try): the
//! reference the keystore keeps, the module, the PIN, and a rustls signing key that signs on
//! the token.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub use super::token_error::{TokenError, TokenProblem};
use super::token_signer::{KeyKind, TokenKey};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::slot::Slot;
use rustls::sign::SigningKey;
use serde::{Deserialize, Serialize};

/// What the keystore records for a token key (`keys/NAME/pkcs11.toml`): never the PIN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRef {
    pub module: PathBuf,
    /// The token's label.
    pub token: String,
    /// The key's label (CKA_LABEL), when the URI names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The key's id (CKA_ID) in hex, when the URI names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The parts of a `pkcs11:` URI (RFC 7512) certbench uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uri {
    pub token: Option<String>,
    pub object: Option<String>,
    pub id: Option<Vec<u8>>,
    pub module_path: Option<PathBuf>,
}

/// Parses `pkcs11:token=...;object=...;id=%01` (percent-encoded values). A PIN in the URI is
/// refused: it would be stored and printed with it.
pub fn parse_uri(uri: &str) -> Result<Uri, BadUri> {
    let rest = uri
        .trim()
        .strip_prefix("pkcs11:")
        .ok_or_else(|| BadUri::NotPkcs11(uri.to_string()))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let decode = |v: &str| percent_encoding::percent_decode_str(v).collect::<Vec<u8>>();
    let text = |v: &str| String::from_utf8_lossy(&decode(v)).into_owned();
    let mut out = Uri::default();
    for attr in path.split(';').filter(|a| !a.is_empty()) {
        let (k, v) = attr
            .split_once('=')
            .ok_or_else(|| BadUri::NoEquals(attr.to_string()))?;
        match k {
            "token" => out.token = Some(text(v)),
            "object" => out.object = Some(text(v)),
            "id" => out.id = Some(decode(v)),
            "type"
            | "serial"
            | "manufacturer"
            | "model"
            | "library-manufacturer"
            | "library-description"
            | "library-version"
            | "slot-id"
            | "slot-description"
            | "slot-manufacturer" => {}
            other => return Err(BadUri::UnknownAttribute(other.to_string())),
        }
    }
    for q in query.split('&').filter(|q| !q.is_empty()) {
        let (k, v) = q.split_once('=').unwrap_or((q, ""));
        match k {
            "pin-value" | "pin-source" => {
                return Err(BadUri::Pin);
            }
            "module-path" => out.module_path = Some(PathBuf::from(text(v))),
            _ => {}
        }
    }
    if out.token.is_none() {
        return Err(BadUri::NoToken);
    }
    if out.object.is_none() && out.id.is_none() {
        return Err(BadUri::NoKey);
    }
    Ok(out)
}

/// A `pkcs11:` URI certbench cannot use, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadUri {
    #[error("{0:?} is not a pkcs11: URI (pkcs11:token=LABEL;object=KEY)")]
    NotPkcs11(String),
    #[error("{0:?} in the URI has no '='")]
    NoEquals(String),
    #[error("the URI attribute {0:?} is not one certbench reads")]
    UnknownAttribute(String),
    #[error("a PIN in the URI would be stored with it: give it apart from the URI")]
    Pin,
    #[error("the URI names no token: add token=LABEL (p11tool --list-tokens shows them)")]
    NoToken,
    #[error("the URI names no key: add object=LABEL or id=%XX")]
    NoKey,
}

/// The module to load: `--module`, else CERTBENCH_PKCS11_MODULE, else p11-kit's proxy.
pub fn module_path(flag: Option<&Path>) -> Result<PathBuf, TokenError> {
    let chosen = flag
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("CERTBENCH_PKCS11_MODULE").map(PathBuf::from))
        .or_else(|| {
            [
                "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so",
                "/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so",
                "/usr/lib/p11-kit-proxy.so",
                "/usr/lib64/p11-kit-proxy.so",
            ]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
        });
    match chosen {
        Some(p) if p.is_file() || !p.is_absolute() => trusted_module(&p),
        Some(p) => Err(TokenError::new(
            TokenProblem::ModuleMissing,
            format!(
                "the PKCS#11 module {} does not exist: give the token vendor's module (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)",
                p.display()
            ),
        )),
        None => Err(TokenError::new(
            TokenProblem::ModuleMissing,
            "no PKCS#11 module: give the token vendor's, or install p11-kit",
        )),
    }
}

/// A module is code this process runs: only by an absolute path (a relative one would load
/// whatever the working folder holds), resolved through its symlinks to a regular file that
/// nobody but its owner can change.
pub fn trusted_module(path: &Path) -> Result<PathBuf, TokenError> {
    use std::os::unix::fs::PermissionsExt;
    let refuse = |why: String| TokenError::new(TokenProblem::ModuleMissing, why);
    if !path.is_absolute() {
        return Err(refuse(format!(
            "the PKCS#11 module {} is a relative path, which would load whatever that folder holds when certbench runs elsewhere: give its absolute path (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)",
            path.display()
        )));
    }
    let real = std::fs::canonicalize(path).map_err(|e| {
        refuse(format!(
            "the PKCS#11 module {} cannot be found: {e}",
            path.display()
        ))
    })?;
    let meta = std::fs::metadata(&real)
        .map_err(|e| refuse(format!("the PKCS#11 module {}: {e}", real.display())))?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "the PKCS#11 module {} is not a regular file",
            real.display()
        )));
    }
    let writable_by_others = |m: &std::fs::Metadata| m.permissions().mode() & 0o002 != 0;
    let folder_open = real
        .parent()
        .and_then(|d| std::fs::metadata(d).ok())
        .is_some_and(|m| writable_by_others(&m) && m.permissions().mode() & 0o1000 == 0);
    if writable_by_others(&meta) || folder_open {
        return Err(refuse(format!(
            "the PKCS#11 module {} (or its folder) can be changed by any user, so certbench will not load it: chmod o-w it",
            real.display()
        )));
    }
    Ok(real)
}

/// Modules are initialised once per process and shared.
fn module(path: &Path) -> Result<Pkcs11, TokenError> {
    let path = &trusted_module(path)?;
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut loaded = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(m) = loaded.get(path) {
        return Ok(m.clone());
    }
    let missing = |e: CkError| {
        TokenError::new(
            TokenProblem::ModuleMissing,
            format!("cannot load the PKCS#11 module {}: {e}", path.display()),
        )
    };
    let m = Pkcs11::new(path).map_err(missing)?;
    match m.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(missing(e)),
    }
    loaded.insert(path.to_path_buf(), m.clone());
    Ok(m)
}

fn slot_of(m: &Pkcs11, token: &str) -> Result<Slot, TokenError> {
    let slots = m
        .get_slots_with_token()
        .map_err(|e| TokenError::from_ck(e, "listing its slots", token))?;
    let mut seen = Vec::new();
    for slot in slots {
        if let Ok(info) = m.get_token_info(slot) {
            let label = info.label().trim().to_string();
            if label == token {
                return Ok(slot);
            }
            seen.push(label);
        }
    }
    Err(TokenError::new(
        TokenProblem::TokenNotFound,
        format!(
            "no token labelled {token:?} is present{}: insert it, or check the label",
            if seen.is_empty() {
                String::new()
            } else {
                format!(" (present: {})", seen.join(", "))
            }
        ),
    ))
}

impl TokenRef {
    fn template(&self, class: ObjectClass) -> Vec<Attribute> {
        let mut t = vec![Attribute::Class(class)];
        if let Some(label) = &self.object {
            t.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        if let Some(id) = self.id.as_deref().and_then(|h| hex::decode(h).ok()) {
            t.push(Attribute::Id(id));
        }
        t
    }

    fn what(&self) -> String {
        match (&self.object, &self.id) {
            (Some(l), _) => format!("key {l:?} on token {}", self.token),
            (None, Some(id)) => format!("key id {id} on token {}", self.token),
            (None, None) => format!("a key on token {}", self.token),
        }
    }

    /// The certificates the token holds for this key (public objects: no PIN needed).
    pub fn certificates(&self) -> Result<Vec<Vec<u8>>, TokenError> {
        let m = module(&self.module)?;
        let slot = slot_of(&m, &self.token)?;
        let session = m
            .open_ro_session(slot)
            .map_err(|e| TokenError::from_ck(e, "opening a session", &self.token))?;
        let found = session
            .find_objects(&self.template(ObjectClass::CERTIFICATE))
            .map_err(|e| TokenError::from_ck(e, "looking for the certificate", &self.token))?;
        let mut out = Vec::new();
        for h in found {
            if let Ok(attrs) = session.get_attributes(h, &[AttributeType::Value])
                && let Some(Attribute::Value(der)) = attrs.into_iter().next()
            {
                out.push(der);
            }
        }
        Ok(out)
    }

    /// Logs in with `pin` and finds the private key; the signing key for rustls, whose schemes
    /// follow the certificate's key and the token's mechanisms.
    pub fn open(&self, pin: &str, leaf_der: &[u8]) -> Result<Arc<dyn SigningKey>, TokenError> {
        let m = module(&self.module)?;
        let slot = slot_of(&m, &self.token)?;
        let session = m
            .open_ro_session(slot)
            .map_err(|e| TokenError::from_ck(e, "opening a session", &self.token))?;
        match session.login(UserType::User, Some(&pin.to_string().into())) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => return Err(TokenError::from_ck(e, "logging in", &self.token)),
        }
        let key = session
            .find_objects(&self.template(ObjectClass::PRIVATE_KEY))
            .map_err(|e| TokenError::from_ck(e, "looking for the key", &self.token))?
            .into_iter()
            .next()
            .ok_or_else(|| {
                TokenError::new(
                    TokenProblem::KeyNotFound,
                    format!(
                        "{} is not there (or not visible with this PIN): list the keys with `p11tool --list-privkeys --login`",
                        self.what()
                    ),
                )
            })?;
        let mechanisms = m
            .get_mechanism_list(slot)
            .map_err(|e| TokenError::from_ck(e, "listing its mechanisms", &self.token))?;
        let kind = KeyKind::of_certificate(leaf_der).ok_or_else(|| {
            TokenError::new(
                TokenProblem::CannotSign,
                "the certificate's key is neither RSA nor ECDSA P-256/P-384, which is what certbench signs with on a token",
            )
        })?;
        let schemes = kind.schemes(&mechanisms);
        if schemes.is_empty() {
            return Err(TokenError::new(
                TokenProblem::CannotSign,
                format!(
                    "token {} has no mechanism to sign with this key ({}): it needs CKM_RSA_PKCS / CKM_RSA_PKCS_PSS or CKM_ECDSA",
                    self.token,
                    kind.name()
                ),
            ));
        }
        Ok(Arc::new(TokenKey::new(
            session,
            key,
            self.token.clone(),
            kind,
            schemes,
        )))
    }
}

/// What a `pkcs11:` URI refers to, ready to record: the reference (its module from `module`,
/// the URI's module-path, the environment or p11-kit) and the certificate chain (`cert`, else
/// the token's certificates for that key).
pub fn reference_for(
    uri: &str,
    module: Option<&Path>,
    cert: Option<Vec<rustls::pki_types::CertificateDer<'static>>>,
) -> Result<(TokenRef, Vec<rustls::pki_types::CertificateDer<'static>>), TokenError> {
    let parsed =
        parse_uri(uri).map_err(|e| TokenError::new(TokenProblem::BadUri, e.to_string()))?;
    let module = module_path(module.or(parsed.module_path.as_deref()))?;
    let reference = TokenRef {
        module,
        token: parsed.token.unwrap_or_default(),
        object: parsed.object,
        id: parsed.id.map(hex::encode),
    };
    let chain = match cert {
        Some(c) => c,
        None => {
            let found = reference.certificates()?;
            if found.is_empty() {
                return Err(TokenError::new(
                    TokenProblem::CertificateMissing,
                    format!(
                        "token {} holds no certificate for this key: give it from a file",
                        reference.token
                    ),
                ));
            }
            found
                .into_iter()
                .map(rustls::pki_types::CertificateDer::from)
                .collect()
        }
    };
    Ok((reference, chain))
}

/// The URIs of the certificates on the module's tokens (public objects: no PIN), to pick from.
pub fn discover(module_flag: Option<&Path>) -> Result<Vec<String>, TokenError> {
    let path = module_path(module_flag)?;
    let m = module(&path)?;
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut out = Vec::new();
    let slots = m
        .get_slots_with_token()
        .map_err(|e| TokenError::from_ck(e, "listing its slots", "?"))?;
    for slot in slots {
        let Ok(info) = m.get_token_info(slot) else {
            continue;
        };
        let label = info.label().trim().to_string();
        let Ok(session) = m.open_ro_session(slot) else {
            continue;
        };
        let certs = session
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
            .unwrap_or_default();
        for h in certs {
            let attrs = session
                .get_attributes(h, &[AttributeType::Label, AttributeType::Id])
                .unwrap_or_default();
            for a in attrs {
                match a {
                    Attribute::Label(l) if !l.is_empty() => out.push(format!(
                        "pkcs11:token={};object={}",
                        enc(&label),
                        enc(&String::from_utf8_lossy(&l))
                    )),
                    _ => {}
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Where a token's PIN comes from, asked once per token and kept in memory for the session.
pub trait PinSource: Send + Sync {
    /// The PIN for `token`, or None when none can be had (no flag, no terminal).
    fn pin(&self, token: &str) -> Option<String>;
    /// The PIN was wrong: forget it, so the next try asks again.
    fn forget(&self, _token: &str) {}
}

/// The PINs a session was given, by token, in memory only (zeroed when dropped). Each interface's
/// PIN source asks its own way and keeps the answer here.
#[derive(Debug, Default)]
pub struct KeptPins {
    known: Mutex<HashMap<String, zeroize::Zeroizing<String>>>,
}

impl KeptPins {
    /// The PIN kept for `token`, else the one `ask` gets (then kept).
    pub fn get_or(&self, token: &str, ask: impl FnOnce() -> Option<String>) -> Option<String> {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pin) = known.get(token) {
            return Some(pin.to_string());
        }
        let pin = ask()?;
        known.insert(token.to_string(), zeroize::Zeroizing::new(pin.clone()));
        Some(pin)
    }

    pub fn forget(&self, token: &str) {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token);
    }
}

/// No PIN source: a token key then fails with `token_pin_needed`.
#[derive(Debug, Default)]
pub struct NoPins;

impl PinSource for NoPins {
    fn pin(&self, _: &str) -> Option<String> {
        None
    }
}

/// Opens a token key with a PIN from `pins` (forgotten when wrong).
pub fn open_with(
    reference: &TokenRef,
    leaf_der: &[u8],
    pins: &dyn PinSource,
) -> Result<Arc<dyn SigningKey>, TokenError> {
    let pin = pins.pin(&reference.token).ok_or_else(|| {
        TokenError::new(
            TokenProblem::PinNeeded,
            format!("token {} needs its PIN", reference.token),
        )
    })?;
    let opened = reference.open(&pin, leaf_der);
    if let Err(e) = &opened
        && matches!(e.problem, TokenProblem::PinWrong | TokenProblem::PinLocked)
    {
        pins.forget(&reference.token);
    }
    opened
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_name_a_token_and_a_key_and_never_carry_a_pin() {
        let u = parse_uri("pkcs11:token=My%20Token;object=client%20key;id=%01%a2;type=private")
            .unwrap();
        assert_eq!(u.token.as_deref(), Some("My Token"));
        assert_eq!(u.object.as_deref(), Some("client key"));
        assert_eq!(u.id, Some(vec![0x01, 0xa2]));
        let m =
            parse_uri("pkcs11:token=t;id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so").unwrap();
        assert_eq!(
            m.module_path,
            Some(PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"))
        );
        assert!(parse_uri("pkcs11:token=t;object=k?pin-value=1234").is_err());
        assert!(parse_uri("pkcs11:object=k").is_err());
        assert!(parse_uri("pkcs11:token=t").is_err());
        assert!(parse_uri("file:///x").is_err());
        assert!(module_path(Some(Path::new("/no/such/module.so"))).is_err());
    }
}
