//! The session-signer port: the session cookie's value.

use nectr_domain::{SessionClaims, Timestamp};

#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// Bad signature, unknown key, wrong algorithm, malformed, expired or not yet valid.
    /// The reason is for logs only; people see one message.
    #[error("invalid session token: {0}")]
    Invalid(&'static str),
}

/// Signs and verifies session tokens.
///
/// # Errors
/// `verify` returns `SignerError::Invalid` for anything but a well-formed token signed by a
/// configured key and valid at `now`.
pub trait SessionSigner: Send + Sync + 'static {
    fn sign(&self, claims: &SessionClaims) -> String;

    fn verify(&self, token: &str, now: Timestamp) -> Result<SessionClaims, SignerError>;
}
