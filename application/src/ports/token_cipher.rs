//! The token-cipher port: sealing provider tokens for storage.

use nectr_domain::{EncryptedToken, Identity, ProviderTokens};

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    /// No configured key has the id the value was sealed with (the key was rotated away).
    #[error("the token was sealed with a key that is no longer configured")]
    UnknownKey,
    /// The value does not open: corrupted, tampered with, or sealed for another owner.
    #[error("the sealed token does not open")]
    Corrupt,
}

/// Authenticated encryption of a person's provider tokens, bound to their identity.
///
/// # Errors
/// `open` returns `CipherError::UnknownKey` when no configured key matches the sealed value's
/// key id, and `CipherError::Corrupt` when it does not authenticate (including when `owner`
/// differs from the one it was sealed for) or does not hold provider tokens.
pub trait TokenCipher: Send + Sync + 'static {
    /// Seals under the current key with a fresh nonce. Infallible for valid input.
    fn seal(&self, tokens: &ProviderTokens, owner: &Identity) -> EncryptedToken;

    fn open(
        &self,
        sealed: &EncryptedToken,
        owner: &Identity,
    ) -> Result<ProviderTokens, CipherError>;

    /// Whether `sealed` was sealed under the current key (no re-sealing needed).
    fn is_current(&self, sealed: &EncryptedToken) -> bool;
}
