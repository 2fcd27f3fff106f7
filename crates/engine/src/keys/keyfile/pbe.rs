//! Password-based decryption of key material: PBES2 (any PRF; AES, 3DES, DES) and PBES1 (PKCS#12 and PKCS#5 v1).

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, InnerIvInit, KeyInit};
use der::asn1::{AnyRef, OctetStringRef};
use der::{Decode, Encode, Sequence};
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use sha1::Digest;
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier};
use zeroize::Zeroizing;

/// Above this many KDF rounds a file is refused: a hostile file must not pin a core for minutes.
pub const MAX_ITERATIONS: u64 = 10_000_000;

/// A password as the user gave it, or the absence of one (which PKCS#12 tells apart from "").
#[derive(Clone)]
pub struct Password {
    text: Zeroizing<String>,
    /// GnuTLS `--null-password`: the PKCS#12 KDF sees no bytes at all, not an empty BMPString.
    null: bool,
}

impl Password {
    pub fn new(text: &str) -> Password {
        Password {
            text: Zeroizing::new(text.to_string()),
            null: false,
        }
    }

    /// The passwords to try when none was given: the empty string, then the absent password.
    pub fn none_given() -> Vec<Password> {
        vec![
            Password::new(""),
            Password {
                text: Zeroizing::new(String::new()),
                null: true,
            },
        ]
    }

    /// The candidates for a given password: itself, and for "" also the absent password.
    pub fn candidates(given: Option<&str>) -> Vec<Password> {
        match given {
            None | Some("") => Password::none_given(),
            Some(p) => vec![Password::new(p)],
        }
    }

    pub fn utf8(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// BMPString (UTF-16BE) with the two-byte terminator, as the PKCS#12 KDF wants; empty when null.
    pub fn bmp(&self) -> Zeroizing<Vec<u8>> {
        if self.null {
            return Zeroizing::new(Vec::new());
        }
        let mut out: Vec<u8> = self
            .text
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        out.extend([0, 0]);
        Zeroizing::new(out)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PbeError {
    /// The scheme, in words, that no code here decrypts.
    Unsupported(String),
    /// Decryption produced garbage: almost always the wrong password.
    WrongPassword,
    /// The parameters are malformed or ask for too much work.
    Bad(String),
}

const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBE_SHA1_RC4_128: &str = "1.2.840.113549.1.12.1.1";
const PBE_SHA1_RC4_40: &str = "1.2.840.113549.1.12.1.2";
const PBE_SHA1_3DES: &str = "1.2.840.113549.1.12.1.3";
const PBE_SHA1_2DES: &str = "1.2.840.113549.1.12.1.4";
const PBE_SHA1_RC2_128: &str = "1.2.840.113549.1.12.1.5";
const PBE_SHA1_RC2_40: &str = "1.2.840.113549.1.12.1.6";
const PBE_MD5_DES: &str = "1.2.840.113549.1.5.3";
const PBE_MD5_RC2: &str = "1.2.840.113549.1.5.6";
const PBE_SHA1_DES: &str = "1.2.840.113549.1.5.10";
const PBE_SHA1_RC2: &str = "1.2.840.113549.1.5.11";

/// PBEParameter / pkcs-12PbeParams: SEQUENCE { salt OCTET STRING, iterations INTEGER }.
#[derive(Sequence)]
struct PbeParams<'a> {
    salt: &'a OctetStringRef,
    iterations: u64,
}

/// The scheme of an AlgorithmIdentifier in words, e.g. "PBES2 (PBKDF2 with hmacWithSHA1, AES-256-CBC)".
pub fn describe(alg: &AlgorithmIdentifierOwned) -> String {
    if alg.oid == PBES2 {
        return match pbes2_params(alg) {
            Ok(p) => describe_pbes2(&p),
            Err(_) => "PBES2 with unreadable parameters".into(),
        };
    }
    match alg.oid.to_string().as_str() {
        PBE_SHA1_3DES => "PBES1 pbeWithSHAAnd3-KeyTripleDES-CBC".into(),
        PBE_SHA1_2DES => "PBES1 pbeWithSHAAnd2-KeyTripleDES-CBC".into(),
        PBE_SHA1_RC2_128 => "PBES1 pbeWithSHAAnd128BitRC2-CBC".into(),
        PBE_SHA1_RC2_40 => "PBES1 pbeWithSHAAnd40BitRC2-CBC".into(),
        PBE_SHA1_RC4_128 => "PBES1 pbeWithSHAAnd128BitRC4".into(),
        PBE_SHA1_RC4_40 => "PBES1 pbeWithSHAAnd40BitRC4".into(),
        PBE_MD5_DES => "PBES1 pbeWithMD5AndDES-CBC".into(),
        PBE_MD5_RC2 => "PBES1 pbeWithMD5AndRC2-CBC".into(),
        PBE_SHA1_DES => "PBES1 pbeWithSHA1AndDES-CBC".into(),
        PBE_SHA1_RC2 => "PBES1 pbeWithSHA1AndRC2-CBC".into(),
        other => format!("encryption scheme with OID {other}"),
    }
}

fn pbes2_params(alg: &AlgorithmIdentifierOwned) -> Result<pkcs5::pbes2::Parameters, PbeError> {
    let any = alg
        .parameters
        .as_ref()
        .ok_or_else(|| PbeError::Bad("PBES2 without parameters".into()))?;
    let der = any.to_der().map_err(|e| PbeError::Bad(e.to_string()))?;
    let any = AnyRef::from_der(&der).map_err(|e| PbeError::Bad(e.to_string()))?;
    pkcs5::pbes2::Parameters::try_from(any).map_err(|e| {
        // pkcs5 names an unknown PRF or cipher only by its OID; say what we looked at.
        PbeError::Unsupported(format!(
            "PBES2 with a KDF or cipher this build does not know ({e})"
        ))
    })
}

fn describe_pbes2(p: &pkcs5::pbes2::Parameters) -> String {
    use pkcs5::pbes2::{EncryptionScheme as E, Kdf, Pbkdf2Prf as Prf};
    let kdf = match &p.kdf {
        Kdf::Pbkdf2(k) => {
            let prf = match k.prf {
                Prf::HmacWithSha1 => "hmacWithSHA1",
                Prf::HmacWithSha224 => "hmacWithSHA224",
                Prf::HmacWithSha256 => "hmacWithSHA256",
                Prf::HmacWithSha384 => "hmacWithSHA384",
                Prf::HmacWithSha512 => "hmacWithSHA512",
                _ => "an unnamed PRF",
            };
            format!("PBKDF2 with {prf}")
        }
        Kdf::Scrypt(_) => "scrypt".into(),
        _ => "an unnamed KDF".into(),
    };
    let cipher = match p.encryption {
        E::Aes128Cbc { .. } => "AES-128-CBC",
        E::Aes192Cbc { .. } => "AES-192-CBC",
        E::Aes256Cbc { .. } => "AES-256-CBC",
        E::Aes128Gcm { .. } => "AES-128-GCM",
        E::Aes256Gcm { .. } => "AES-256-GCM",
        E::DesEde3Cbc { .. } => "DES-EDE3-CBC",
        E::DesCbc { .. } => "DES-CBC",
        _ => "an unnamed cipher",
    };
    format!("PBES2 ({kdf}, {cipher})")
}

/// Decrypts `data` encrypted under `alg` with `password`.
pub fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    data: &[u8],
    password: &Password,
) -> Result<Zeroizing<Vec<u8>>, PbeError> {
    if alg.oid == PBES2 {
        return decrypt_pbes2(alg, data, password);
    }
    let oid = alg.oid.to_string();
    let params_der = alg
        .parameters
        .as_ref()
        .ok_or_else(|| PbeError::Bad(format!("{} without parameters", describe(alg))))?
        .to_der()
        .map_err(|e| PbeError::Bad(e.to_string()))?;
    let params = PbeParams::from_der(&params_der).map_err(|e| PbeError::Bad(e.to_string()))?;
    if params.iterations > MAX_ITERATIONS {
        return Err(PbeError::Bad(format!(
            "{} iterations is over the limit of {MAX_ITERATIONS}",
            params.iterations
        )));
    }
    let salt = params.salt.as_bytes();
    let rounds = params.iterations as i32;
    let p12 = |len: usize| -> (Zeroizing<Vec<u8>>, Zeroizing<Vec<u8>>) {
        let bmp = password.bmp();
        let key = derive_key::<sha1::Sha1>(&bmp, salt, Pkcs12KeyType::EncryptionKey, rounds, len);
        let iv = derive_key::<sha1::Sha1>(&bmp, salt, Pkcs12KeyType::Iv, rounds, 8);
        (Zeroizing::new(key), Zeroizing::new(iv))
    };
    let out = match oid.as_str() {
        PBE_SHA1_3DES => {
            let (k, iv) = p12(24);
            cbc_decrypt::<des::TdesEde3>(&k, &iv, data)
        }
        PBE_SHA1_2DES => {
            let (k, iv) = p12(16);
            cbc_decrypt::<des::TdesEde2>(&k, &iv, data)
        }
        PBE_SHA1_RC2_128 => {
            let (k, iv) = p12(16);
            cbc_decrypt::<rc2::Rc2>(&k, &iv, data)
        }
        PBE_SHA1_RC2_40 => {
            let (k, iv) = p12(5);
            cbc_decrypt::<rc2::Rc2>(&k, &iv, data)
        }
        PBE_MD5_DES | PBE_MD5_RC2 | PBE_SHA1_DES | PBE_SHA1_RC2 => {
            let dk = if oid == PBE_MD5_DES || oid == PBE_MD5_RC2 {
                pbkdf1::<md5::Md5>(password.utf8(), salt, params.iterations)
            } else {
                pbkdf1::<sha1::Sha1>(password.utf8(), salt, params.iterations)
            };
            let (k, iv) = dk.split_at(8);
            if oid == PBE_MD5_DES || oid == PBE_SHA1_DES {
                cbc_decrypt::<des::Des>(k, iv, data)
            } else {
                // PKCS#5 v1.5 RC2 uses an effective key length of 64 bits.
                cbc_decrypt_with(rc2::Rc2::new_with_eff_key_len(k, 64), iv, data)
            }
        }
        _ => return Err(PbeError::Unsupported(describe(alg))),
    };
    out.ok_or(PbeError::WrongPassword)
}

fn decrypt_pbes2(
    alg: &AlgorithmIdentifierOwned,
    data: &[u8],
    password: &Password,
) -> Result<Zeroizing<Vec<u8>>, PbeError> {
    use pkcs5::pbes2::Kdf;
    let params = pbes2_params(alg)?;
    match &params.kdf {
        Kdf::Pbkdf2(k) if u64::from(k.iteration_count) > MAX_ITERATIONS => {
            return Err(PbeError::Bad(format!(
                "{} PBKDF2 iterations is over the limit of {MAX_ITERATIONS}",
                k.iteration_count
            )));
        }
        // scrypt memory is 128 * r * N bytes: refuse more than 1 GiB.
        Kdf::Scrypt(s)
            if 128u128 * u128::from(s.block_size) * u128::from(s.cost_parameter) > 1 << 30 =>
        {
            return Err(PbeError::Bad(
                "scrypt parameters ask for more than 1 GiB of memory".into(),
            ));
        }
        _ => {}
    }
    params
        .decrypt(password.utf8(), data)
        .map(Zeroizing::new)
        .map_err(|e| match e {
            pkcs5::Error::UnsupportedAlgorithm { .. } => {
                PbeError::Unsupported(describe_pbes2(&params))
            }
            _ => PbeError::WrongPassword,
        })
}

/// PBKDF1 (RFC 8018 5.1): 16 bytes of DES/RC2 key and IV for the PKCS#5 v1 schemes.
fn pbkdf1<D: Digest>(password: &[u8], salt: &[u8], rounds: u64) -> Zeroizing<Vec<u8>> {
    let mut t = D::new()
        .chain_update(password)
        .chain_update(salt)
        .finalize()
        .to_vec();
    for _ in 1..rounds.max(1) {
        t = D::digest(&t).to_vec();
    }
    t.truncate(16);
    Zeroizing::new(t)
}

fn cbc_decrypt<C: BlockCipherDecrypt + KeyInit>(
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    cbc_decrypt_with(C::new_from_slice(key).ok()?, iv, data)
}

fn cbc_decrypt_with<C: BlockCipherDecrypt>(
    cipher: C,
    iv: &[u8],
    data: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let dec = cbc::Decryptor::<C>::inner_iv_slice_init(cipher, iv).ok()?;
    dec.decrypt_padded_vec::<Pkcs7>(data)
        .ok()
        .map(Zeroizing::new)
}

/// Used by the legacy PEM reader: CBC decryption with a key and IV it derived itself.
pub fn cbc_decrypt_named(
    cipher: &str,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    match cipher {
        "AES-128-CBC" => cbc_decrypt::<aes::Aes128>(key, iv, data),
        "AES-192-CBC" => cbc_decrypt::<aes::Aes192>(key, iv, data),
        "AES-256-CBC" => cbc_decrypt::<aes::Aes256>(key, iv, data),
        "DES-EDE3-CBC" => cbc_decrypt::<des::TdesEde3>(key, iv, data),
        "DES-CBC" => cbc_decrypt::<des::Des>(key, iv, data),
        _ => None,
    }
}
