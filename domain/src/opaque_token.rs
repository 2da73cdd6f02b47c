//! Random opaque tokens that travel through browsers: the OAuth `state`, the browser binding
//! nonce and the session id.
//!
//! They are all 256 bits from the operating system's generator, written as unpadded
//! base64url (43 characters). Parsing anything that comes back from outside checks that
//! form first, so an oversized or odd value never reaches a database query.

use crate::DomainError;

/// Length of 32 bytes as unpadded base64url.
const ENCODED_LEN: usize = 43;

fn check(text: &str, what: &'static str) -> Result<(), DomainError> {
    let well_formed = text.len() == ENCODED_LEN
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if well_formed {
        Ok(())
    } else {
        Err(DomainError::Malformed {
            what,
            rule: "43 characters of unpadded base64url (256 random bits)",
        })
    }
}

macro_rules! opaque_token {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// # Errors
            /// `DomainError::Malformed` unless `text` is 43 characters of unpadded base64url.
            pub fn parse(text: &str) -> Result<Self, DomainError> {
                check(text, $what).map(|()| Self(text.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        // These values grant something (a sign-in attempt, a session), so they stay out of
        // debug output and logs.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

opaque_token!(
    /// The OAuth `state` parameter of one sign-in attempt.
    StateToken,
    "OAuth state"
);
opaque_token!(
    /// A random value kept in an HttpOnly cookie that ties sign-in attempts to the browser that
    /// started them, so a `state` (and code) sent to someone else's browser is worthless.
    BrowserBinding,
    "browser binding"
);
opaque_token!(
    /// The server-side id of a session, carried in the session JWT so the session can be
    /// revoked.
    SessionId,
    "session id"
);

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0";

    #[test]
    fn accepts_43_base64url_characters() {
        assert_eq!(StateToken::parse(GOOD).map(|s| s.as_str().len()), Ok(43));
        assert!(SessionId::parse(GOOD).is_ok());
        assert!(BrowserBinding::parse(GOOD).is_ok());
    }

    #[test]
    fn rejects_other_lengths_and_characters() {
        assert!(StateToken::parse("").is_err());
        assert!(StateToken::parse(&GOOD[..42]).is_err());
        assert!(StateToken::parse(&format!("{GOOD}A")).is_err());
        assert!(StateToken::parse(&GOOD.replace('0', "+")).is_err());
        assert!(StateToken::parse(&GOOD.replace('0', "=")).is_err());
        assert!(StateToken::parse(&GOOD.replace('a', "é")).is_err());
        assert!(StateToken::parse(&"x".repeat(10_000)).is_err());
    }

    #[test]
    fn debug_output_hides_the_value() {
        let shown = format!("{:?}", SessionId::parse(GOOD));
        assert!(!shown.contains(GOOD), "{shown}");
    }
}
