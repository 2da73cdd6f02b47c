//! One sign-in attempt in flight: its `state`, the browser it belongs to, its PKCE verifier
//! and its deadline.

use secrecy::{ExposeSecret, SecretString};

use crate::{DomainError, ProviderId, StateToken, Timestamp};

/// A PKCE code verifier (RFC 7636 §4.1): 43 to 128 unreserved characters.
#[derive(Clone)]
pub struct PkceVerifier(SecretString);

impl PkceVerifier {
    /// # Errors
    /// `DomainError::Malformed` outside RFC 7636's length and alphabet.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let ok = (43..=128).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if ok {
            Ok(Self(SecretString::from(text)))
        } else {
            Err(DomainError::Malformed {
                what: "PKCE verifier",
                rule: "43 to 128 characters of A-Z a-z 0-9 - . _ ~",
            })
        }
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PkceVerifier(<redacted>)")
    }
}

/// A stored sign-in attempt. `binding_digest` is a digest of the browser-binding cookie, so
/// the database never holds the cookie itself. `provider` is where the attempt was sent: its
/// callback is only accepted from that provider's callback route (a mix-up defence).
#[derive(Debug, Clone)]
pub struct OAuthState {
    pub token: StateToken,
    pub provider: ProviderId,
    pub binding_digest: String,
    pub pkce_verifier: Option<PkceVerifier>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What a used attempt hands back: where it was sent and its PKCE verifier.
#[derive(Debug, Clone)]
pub struct ConsumedState {
    pub provider: ProviderId,
    pub pkce_verifier: Option<PkceVerifier>,
}

impl OAuthState {
    /// An attempt is usable strictly before its deadline.
    pub fn is_live_at(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_verifier_follows_rfc_7636() {
        assert!(PkceVerifier::parse(&"a".repeat(42)).is_err());
        assert!(PkceVerifier::parse(&"a".repeat(43)).is_ok());
        assert!(PkceVerifier::parse(&"a~._-".repeat(25)).is_ok());
        assert!(PkceVerifier::parse(&"a".repeat(129)).is_err());
        assert!(PkceVerifier::parse(&format!("{}+", "a".repeat(43))).is_err());
    }

    #[test]
    fn state_is_live_until_its_deadline() -> Result<(), DomainError> {
        let state = OAuthState {
            token: StateToken::parse("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0")?,
            provider: crate::ProviderId::parse("github")?,
            binding_digest: "d".into(),
            pkce_verifier: None,
            created_at: Timestamp::from_unix_seconds(100),
            expires_at: Timestamp::from_unix_seconds(700),
        };
        assert!(state.is_live_at(Timestamp::from_unix_seconds(699)));
        assert!(!state.is_live_at(Timestamp::from_unix_seconds(700)));
        Ok(())
    }
}
