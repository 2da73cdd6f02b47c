//! The identity provider's access token, in the clear (only ever in memory) and sealed (the
//! only form that is stored).

use secrecy::{ExposeSecret, SecretString};

use crate::{DomainError, Timestamp};

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

/// A provider refresh token in the clear: the same rules and care as an access token.
#[derive(Clone)]
pub struct RefreshToken(AccessToken);

impl RefreshToken {
    /// # Errors
    /// As [`AccessToken::new`].
    pub fn new(value: String) -> Result<Self, DomainError> {
        AccessToken::new(value)
            .map(Self)
            .map_err(|_| DomainError::Malformed {
                what: "refresh token",
                rule: "1 to 4096 printable ASCII characters without spaces",
            })
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

/// Everything the provider gave us to act for a person: the access token, and for providers
/// that issue expiring tokens (GitHub apps that opted in, GitLab) its deadline and the
/// refresh token with its own deadline. This whole bundle is what gets sealed.
#[derive(Clone, Debug)]
pub struct ProviderTokens {
    pub access: AccessToken,
    pub access_expires_at: Option<Timestamp>,
    pub refresh: Option<RefreshToken>,
    pub refresh_expires_at: Option<Timestamp>,
}

/// Stands for a missing deadline or refresh token in the sealed form; no provider issues `-`
/// as a token.
const ABSENT: &str = "-";

impl ProviderTokens {
    /// A token that never expires and cannot be refreshed (GitHub's classic OAuth tokens).
    pub fn lasting(access: AccessToken) -> Self {
        Self {
            access,
            access_expires_at: None,
            refresh: None,
            refresh_expires_at: None,
        }
    }

    /// Whether the access token is dead or will be within `margin_seconds` of `now`.
    pub fn access_expires_within(&self, now: Timestamp, margin_seconds: i64) -> bool {
        self.access_expires_at
            .is_some_and(|end| end <= now.plus_seconds(margin_seconds))
    }

    /// The refresh token, if there is one and it is still live at `now`.
    pub fn live_refresh(&self, now: Timestamp) -> Option<&RefreshToken> {
        self.refresh
            .as_ref()
            .filter(|_| self.refresh_expires_at.is_none_or(|end| now < end))
    }

    /// Whether the refresh token is exactly `value`: how a stored pair is recognised as the one
    /// a refresh just used (and so retired).
    pub fn holds_refresh(&self, value: &str) -> bool {
        self.refresh.as_ref().is_some_and(|r| r.expose() == value)
    }

    /// The text that is sealed. A lasting token is sealed as the bare token, the form tokens
    /// stored before refresh existed already have; otherwise four space-separated fields
    /// (tokens never contain spaces).
    pub fn to_sealable(&self) -> SecretString {
        if self.refresh.is_none() && self.access_expires_at.is_none() {
            return SecretString::from(self.access.expose());
        }
        let time = |t: Option<Timestamp>| {
            t.map_or_else(|| ABSENT.to_owned(), |t| t.unix_seconds().to_string())
        };
        SecretString::from(format!(
            "{} {} {} {}",
            self.access.expose(),
            time(self.access_expires_at),
            self.refresh.as_ref().map_or(ABSENT, RefreshToken::expose),
            time(self.refresh_expires_at),
        ))
    }

    /// Reads what [`Self::to_sealable`] wrote.
    ///
    /// # Errors
    /// `DomainError::Malformed` for any other shape.
    pub fn from_sealable(text: &str) -> Result<Self, DomainError> {
        let malformed = || DomainError::Malformed {
            what: "sealed provider tokens",
            rule: "a token, or a token, deadline, refresh token and deadline",
        };
        let fields: Vec<&str> = text.split(' ').collect();
        match fields.as_slice() {
            [access] => Ok(Self::lasting(AccessToken::new((*access).to_owned())?)),
            [access, expires, refresh, refresh_expires] => {
                let time = |t: &str| -> Result<Option<Timestamp>, DomainError> {
                    if t == ABSENT {
                        return Ok(None);
                    }
                    t.parse()
                        .map(|s| Some(Timestamp::from_unix_seconds(s)))
                        .map_err(|_| malformed())
                };
                Ok(Self {
                    access: AccessToken::new((*access).to_owned())?,
                    access_expires_at: time(expires)?,
                    refresh: match *refresh {
                        ABSENT => None,
                        r => Some(RefreshToken::new(r.to_owned())?),
                    },
                    refresh_expires_at: time(refresh_expires)?,
                })
            }
            _ => Err(malformed()),
        }
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
    fn lasting_tokens_seal_as_the_bare_token() -> Result<(), DomainError> {
        let tokens = ProviderTokens::lasting(AccessToken::new("gho_abc".into())?);
        assert_eq!(tokens.to_sealable().expose_secret(), "gho_abc");
        let back = ProviderTokens::from_sealable("gho_abc")?;
        assert!(back.refresh.is_none() && back.access_expires_at.is_none());
        Ok(())
    }

    #[test]
    fn expiring_tokens_round_trip() -> Result<(), DomainError> {
        let tokens = ProviderTokens {
            access: AccessToken::new("ghu_a".into())?,
            access_expires_at: Some(Timestamp::from_unix_seconds(100)),
            refresh: Some(RefreshToken::new("ghr_b".into())?),
            refresh_expires_at: None,
        };
        let back = ProviderTokens::from_sealable(tokens.to_sealable().expose_secret())?;
        assert_eq!(back.access.expose(), "ghu_a");
        assert_eq!(
            back.access_expires_at,
            Some(Timestamp::from_unix_seconds(100))
        );
        assert_eq!(
            back.refresh.as_ref().map(RefreshToken::expose),
            Some("ghr_b")
        );
        assert_eq!(back.refresh_expires_at, None);
        assert!(back.holds_refresh("ghr_b") && !back.holds_refresh("ghr_c"));
        assert!(!ProviderTokens::from_sealable("ghu_a")?.holds_refresh("ghu_a"));
        assert!(back.access_expires_within(Timestamp::from_unix_seconds(40), 60));
        assert!(!back.access_expires_within(Timestamp::from_unix_seconds(39), 60));
        assert!(
            back.live_refresh(Timestamp::from_unix_seconds(1_000_000))
                .is_some()
        );
        assert!(ProviderTokens::from_sealable("a b c").is_err());
        assert!(ProviderTokens::from_sealable("a x - -").is_err());
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
