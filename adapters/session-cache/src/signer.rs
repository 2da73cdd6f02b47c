//! [`MemoizedSigner`]: session tokens verified once, then recognised.

use std::sync::Arc;

use nectr_application::ports::{SessionSigner, SignerError};
use nectr_domain::{SessionClaims, Timestamp};
use quick_cache::sync::Cache;

/// A [`SessionSigner`] that remembers the tokens it verified.
///
/// Safe because verification is a pure function of the token's exact bytes and the keys, and
/// the keys only change with a restart: an identical string carries the identical signature.
/// Only valid tokens are remembered, so forged or garbled cookies cannot fill the memory; a
/// remembered token is still refused from its `exp` on (checked exactly here; the wrapped
/// signer decides inside its leeway). The least used tokens make room for new ones once
/// `capacity` are remembered; they are verified again if they come back.
pub struct MemoizedSigner {
    inner: Arc<dyn SessionSigner>,
    verified: Cache<String, SessionClaims>,
}

impl MemoizedSigner {
    pub fn new(inner: Arc<dyn SessionSigner>, capacity: usize) -> Self {
        Self {
            inner,
            verified: Cache::new(capacity),
        }
    }
}

impl SessionSigner for MemoizedSigner {
    fn sign(&self, claims: &SessionClaims) -> String {
        self.inner.sign(claims)
    }

    fn verify(&self, token: &str, now: Timestamp) -> Result<SessionClaims, SignerError> {
        if let Some(claims) = self.verified.get(token)
            && claims.expires_at > now
        {
            return Ok(claims);
        }
        let claims = self.inner.verify(token, now)?;
        self.verified.insert(token.to_owned(), claims.clone());
        Ok(claims)
    }
}

#[cfg(test)]
#[path = "signer_tests.rs"]
mod tests;
