//! OpenSSL's traditional encrypted PEM keys (`Proc-Type: 4,ENCRYPTED` + `DEK-Info`), as `openssl genrsa -aes256` writes.

use md5::Digest;
use zeroize::Zeroizing;

use super::pbe;
use crate::keys::keyerror::KeyError;

/// Decrypts the body of a PEM section whose headers say it is encrypted; returns the inner DER.
pub fn decrypt(
    block: &pem::Pem,
    password: Option<&str>,
    what: &str,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let dek = block.headers().get("DEK-Info").unwrap_or_default();
    let (cipher, iv_hex) = dek.split_once(',').unwrap_or((dek, ""));
    let cipher = cipher.trim().to_ascii_uppercase();
    let key_len = match cipher.as_str() {
        "AES-128-CBC" => 16,
        "AES-192-CBC" => 24,
        "AES-256-CBC" => 32,
        "DES-EDE3-CBC" => 24,
        "DES-CBC" => 8,
        _ => {
            return Err(KeyError::Unsupported {
                algorithm: format!("legacy OpenSSL PEM encryption {cipher:?} (DEK-Info)"),
                hint: "convert it: `openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-pk8.pem` and import that".into(),
            });
        }
    };
    let iv = parse_hex(iv_hex.trim()).ok_or_else(|| KeyError::Format {
        what: what.into(),
        format: "encrypted PEM key".into(),
        reason: format!("DEK-Info IV {iv_hex:?} is not hex"),
    })?;
    if iv.len() < 8 {
        return Err(KeyError::Format {
            what: what.into(),
            format: "encrypted PEM key".into(),
            reason: "DEK-Info IV is shorter than 8 bytes".into(),
        });
    }
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Err(KeyError::PasswordNeeded { what: what.into() });
    };
    let key = bytes_to_key(password.as_bytes(), &iv[..8], key_len);
    pbe::cbc_decrypt_named(&cipher, &key, &iv, block.contents())
        .ok_or_else(|| KeyError::WrongPassword { what: what.into() })
}

/// OpenSSL's EVP_BytesToKey with MD5 and one round: D_i = MD5(D_{i-1} || password || salt).
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut prev: Vec<u8> = Vec::new();
    while out.len() < len {
        prev = md5::Md5::new()
            .chain_update(&prev)
            .chain_update(password)
            .chain_update(salt)
            .finalize()
            .to_vec();
        out.extend_from_slice(&prev);
    }
    out.truncate(len);
    out
}

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
