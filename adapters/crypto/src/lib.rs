//! Key handling for nectr-auth: the keyring, token sealing, session JWTs and OS randomness.
#![doc = include_str!("../README.md")]

mod keyring;
mod random;
mod secret_key;
mod session_jwt;
#[cfg(test)]
mod test_keys;
mod token_cipher;

pub use keyring::Keyring;
pub use random::OsRandom;
pub use secret_key::{KeyError, SecretKey};
pub use session_jwt::JwtSessionSigner;
pub use token_cipher::AesGcmTokenCipher;
