//! Client-certificate keys: key files, the keystore, placement by content, signers (software and PKCS#11), bindings and key checks.

pub mod bindings;
pub mod certinfo;
pub mod check;
pub mod keyerror;
pub mod keyfault;
pub mod keyfile;
mod keyread;
pub mod keystore;
pub mod linked;
pub mod placement;
pub mod renewal;
pub mod replace;
pub mod signer;
pub mod token;
mod token_error;
mod token_signer;
pub mod users;
