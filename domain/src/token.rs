//! The identity provider's access token, in the clear (only ever in memory) and sealed (the
//! only form that is stored).

use secrecy::{ExposeSecret, SecretString};

use crate::DomainError;

/// A provider access token in the clear. It is kept as a `SecretString`, so it is zeroed when
/// dropped and redacted in debug output.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl AccessToken {
    /// # Errors
    /// `DomainError::Malformed` for an empty or oversized value, or one with whitespace or
    /// control characters (it is sent in an `Authorization` header).
    pub fn new(value: String) -> Result<Self, DomainError> {
        let ok =
            !value.is_empty() && value.len() <= 4096 && value.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(SecretString::from(value)))
        } else {
            Err(DomainError::Malformed {
                what: "access token",
                rule: "1 to 4096 printable ASCII characters without spaces",
            })
        }
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Which key sealed a token: a short fingerprint of the key, never the key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyId(String);

impl KeyId {
    /// # Errors
    /// `DomainError::Malformed` unless 1 to 64 characters of lowercase hex.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let ok = (1..=64).contains(&text.len())
            && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(DomainError::Malformed {
                what: "key id",
                rule: "1 to 64 lowercase hex characters",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An access token sealed with an AEAD cipher: which key, the nonce, and ciphertext with tag.
#[derive(Clone, PartialEq, Eq)]
pub struct EncryptedToken {
    key_id: KeyId,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

/// AES-GCM's nonce and tag sizes, which every sealed value must respect.
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

impl EncryptedToken {
    /// # Errors
    /// `DomainError::Malformed` for a nonce that is not 12 bytes or a ciphertext shorter than
    /// its 16-byte tag.
    pub fn new(key_id: KeyId, nonce: Vec<u8>, ciphertext: Vec<u8>) -> Result<Self, DomainError> {
        if nonce.len() != NONCE_LEN {
            return Err(DomainError::Malformed {
                what: "sealed token",
                rule: "a 12-byte nonce",
            });
        }
        if ciphertext.len() <= TAG_LEN {
            return Err(DomainError::Malformed {
                what: "sealed token",
                rule: "a ciphertext longer than its 16-byte tag",
            });
        }
        Ok(Self {
            key_id,
            nonce,
            ciphertext,
        })
    }

    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    pub fn nonce(&self) -> &[u8] {
        &self.nonce
    }

    pub fn ciphertext(&self) -> &[u8] {
        &self.ciphertext
    }
}

impl std::fmt::Debug for EncryptedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedToken")
            .field("key_id", &self.key_id)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_token_rejects_empty_and_whitespace() {
        assert!(AccessToken::new(String::new()).is_err());
        assert!(AccessToken::new("gho_abc def".into()).is_err());
        assert!(AccessToken::new("gho_abc\n".into()).is_err());
        assert!(AccessToken::new("x".repeat(4097)).is_err());
        assert!(AccessToken::new("gho_16C7e42F292c6912E7710c838347Ae178B4a".into()).is_ok());
    }

    #[test]
    fn access_token_debug_is_redacted() -> Result<(), DomainError> {
        let token = AccessToken::new("gho_secretvalue".into())?;
        assert!(!format!("{token:?}").contains("secretvalue"));
        Ok(())
    }

    #[test]
    fn sealed_token_checks_nonce_and_tag_sizes() -> Result<(), DomainError> {
        let key = KeyId::parse("0a1b")?;
        assert!(EncryptedToken::new(key.clone(), vec![0; 11], vec![0; 40]).is_err());
        assert!(EncryptedToken::new(key.clone(), vec![0; 12], vec![0; 16]).is_err());
        assert!(EncryptedToken::new(key, vec![0; 12], vec![0; 17]).is_ok());
        Ok(())
    }

    #[test]
    fn key_id_is_lowercase_hex() {
        assert!(KeyId::parse("deadbeef").is_ok());
        assert!(KeyId::parse("DEADBEEF").is_err());
        assert!(KeyId::parse("").is_err());
        assert!(KeyId::parse("xyz").is_err());
    }
}
