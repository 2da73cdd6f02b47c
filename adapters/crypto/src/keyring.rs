//! The keyring: the current master key and older ones, each turned into per-purpose keys.

use std::sync::Arc;

use hkdf::Hkdf;
use nectr_domain::KeyId;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::SecretKey;

/// HKDF-Extract salt. Master keys are already uniformly random, so a fixed salt only serves
/// to separate this scheme from any other use of the same bytes.
const SALT: &[u8] = b"nectr-auth/hkdf-salt/v1";

/// HKDF-Expand labels: one per purpose, so no derived key reveals anything about another.
const TOKEN_KEY_INFO: &[u8] = b"nectr-auth/v1/github-token/aes-256-gcm";
const JWT_KEY_INFO: &[u8] = b"nectr-auth/v1/session-jwt/hs256";
const KEY_ID_INFO: &[u8] = b"nectr-auth/v1/key-id";

/// Bytes of a key id: 64 bits make accidental collisions between a handful of configured keys
/// negligible, and a fingerprint this short reveals nothing usable about the key.
const KEY_ID_LEN: usize = 8;

/// What one master key yields: its id and one key per purpose. Zeroed when dropped.
pub(crate) struct DerivedKeys {
    id: KeyId,
    token_key: Zeroizing<[u8; 32]>,
    jwt_key: Zeroizing<[u8; 32]>,
}

impl DerivedKeys {
    fn derive(master: &SecretKey) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(SALT), master.expose());
        let id_bytes = expand::<KEY_ID_LEN>(&hkdf, KEY_ID_INFO);
        let hex: String = id_bytes.iter().map(|b| format!("{b:02x}")).collect();
        let id = KeyId::parse(&hex).expect("16 lowercase hex characters form a valid key id");
        Self {
            id,
            token_key: expand(&hkdf, TOKEN_KEY_INFO),
            jwt_key: expand(&hkdf, JWT_KEY_INFO),
        }
    }

    /// The master key's fingerprint (JWT `kid`, sealed tokens' key id).
    pub(crate) fn id(&self) -> &KeyId {
        &self.id
    }

    /// The AES-256-GCM key for provider tokens.
    pub(crate) fn token_key(&self) -> &[u8; 32] {
        &self.token_key
    }

    /// The HMAC-SHA256 key for session JWTs.
    pub(crate) fn jwt_key(&self) -> &[u8; 32] {
        &self.jwt_key
    }
}

fn expand<const N: usize>(hkdf: &Hkdf<Sha256>, info: &[u8]) -> Zeroizing<[u8; N]> {
    let mut out = Zeroizing::new([0_u8; N]);
    hkdf.expand(info, out.as_mut_slice())
        .expect("HKDF-SHA256 expands to at most 8160 bytes; these keys are far shorter");
    out
}

struct Keys {
    current: DerivedKeys,
    previous: Vec<DerivedKeys>,
}

/// The current master key (`SECRET_KEY`) and older ones (`PREVIOUS_SECRET_KEYS`).
///
/// New values are sealed and signed with the current key; values made with any key here are
/// still accepted, so the secret can be rotated without signing anyone out. Only derived keys
/// are kept: HKDF-SHA256 turns each master key into a token-encryption key, a session-JWT key
/// and a key id (a 16-character lowercase-hex fingerprint). Cloning shares the keys.
#[derive(Clone)]
pub struct Keyring(Arc<Keys>);

impl Keyring {
    /// Derives the keys of `current` and of each of `previous`. A previous key equal to the
    /// current one or to an earlier previous key is skipped.
    pub fn new(current: SecretKey, previous: Vec<SecretKey>) -> Self {
        let current = DerivedKeys::derive(&current);
        let mut older: Vec<DerivedKeys> = Vec::with_capacity(previous.len());
        for key in &previous {
            let derived = DerivedKeys::derive(key);
            let seen = derived.id == current.id || older.iter().any(|k| k.id == derived.id);
            if !seen {
                older.push(derived);
            }
        }
        Self(Arc::new(Keys {
            current,
            previous: older,
        }))
    }

    /// The id of the current key: new sealed tokens and session JWTs carry it.
    pub fn current_key_id(&self) -> KeyId {
        self.0.current.id.clone()
    }

    /// The keys new values are made with.
    pub(crate) fn current(&self) -> &DerivedKeys {
        &self.0.current
    }

    /// The older keys, still accepted but never used for new values.
    pub(crate) fn previous(&self) -> impl Iterator<Item = &DerivedKeys> {
        self.0.previous.iter()
    }

    /// Every key values are accepted from, the current one first.
    #[cfg(test)]
    pub(crate) fn all(&self) -> impl Iterator<Item = &DerivedKeys> {
        std::iter::once(self.current()).chain(self.previous())
    }
}

impl std::fmt::Debug for Keyring {
    /// Key ids only: they identify keys without revealing them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let previous: Vec<&str> = self.0.previous.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Keyring")
            .field("current", &self.0.current.id.as_str())
            .field("previous", &previous)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::{all_encodings, assert_shows_no_key_material, key};

    #[test]
    fn purposes_get_independent_keys() {
        let keys = DerivedKeys::derive(&key(1));
        assert_ne!(keys.token_key(), keys.jwt_key());
        assert_ne!(keys.token_key(), key(1).expose());
        assert_ne!(keys.jwt_key(), key(1).expose());
    }

    #[test]
    fn master_keys_get_different_derived_keys_and_ids() {
        let (a, b) = (DerivedKeys::derive(&key(1)), DerivedKeys::derive(&key(2)));
        assert_ne!(a.token_key(), b.token_key());
        assert_ne!(a.jwt_key(), b.jwt_key());
        assert_ne!(a.id(), b.id());
    }

    #[test]
    fn derivation_is_stable() {
        let (a, b) = (DerivedKeys::derive(&key(1)), DerivedKeys::derive(&key(1)));
        assert_eq!(a.id(), b.id());
        assert_eq!(a.token_key(), b.token_key());
        assert_eq!(a.jwt_key(), b.jwt_key());
    }

    #[test]
    fn key_ids_are_16_lowercase_hex_characters() {
        let id = Keyring::new(key(1), vec![]).current_key_id();
        assert_eq!(id.as_str().len(), 16);
        assert!(
            id.as_str()
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert!(
            !all_encodings(key(1).expose())
                .iter()
                .any(|e| e.contains(id.as_str()))
        );
    }

    #[test]
    fn current_key_comes_first_and_duplicates_are_dropped() {
        let ring = Keyring::new(key(1), vec![key(2), key(1), key(3), key(2)]);
        let ids: Vec<KeyId> = ring.all().map(|k| k.id().clone()).collect();
        let expected: Vec<KeyId> = [1, 2, 3]
            .into_iter()
            .map(|n| Keyring::new(key(n), vec![]).current_key_id())
            .collect();
        assert_eq!(ids, expected);
        assert_eq!(ring.current().id(), &expected[0]);
    }

    #[test]
    fn debug_shows_ids_but_no_key_material() {
        let ring = Keyring::new(key(1), vec![key(2)]);
        assert_shows_no_key_material(&format!("{ring:?}"), &ring);
    }
}
