//! Randomness from the operating system's generator: keys, nonces and opaque tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nectr_application::ports::RandomSource;
use zeroize::Zeroizing;

/// Fills `buf` from the operating system's generator.
///
/// # Panics
/// When the generator fails. Every caller needs unguessable bytes (keys, nonces, session ids);
/// carrying on with anything weaker would be worse than stopping.
pub(crate) fn fill(buf: &mut [u8]) {
    if let Err(err) = getrandom::fill(buf) {
        panic!(
            "the operating system's random number generator failed ({err}); \
             refusing to continue without secure randomness"
        );
    }
}

/// The [`RandomSource`] backed by the operating system's generator (`getrandom`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    /// 32 bytes from the OS generator as 43 characters of unpadded base64url.
    ///
    /// # Panics
    /// When the OS generator fails; there is deliberately no fallback.
    fn token(&self) -> String {
        // The returned string is the secret; the raw bytes need not outlive it.
        let mut bytes = Zeroizing::new([0_u8; 32]);
        fill(bytes.as_mut_slice());
        URL_SAFE_NO_PAD.encode(bytes.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tokens_are_43_base64url_characters() {
        let token = OsRandom.token();
        assert_eq!(token.len(), 43);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert!(nectr_domain::SessionId::parse(&token).is_ok());
    }

    #[test]
    fn tokens_are_distinct() {
        let tokens: HashSet<String> = (0..1000).map(|_| OsRandom.token()).collect();
        assert_eq!(tokens.len(), 1000);
    }
}
