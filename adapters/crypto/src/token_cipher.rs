//! Sealing provider tokens for storage with AES-256-GCM, bound to their owner.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use nectr_application::ports::{CipherError, TokenCipher};
use nectr_domain::{EncryptedToken, Identity, KeyId, ProviderTokens};
use secrecy::ExposeSecret as _;
use zeroize::Zeroizing;

use crate::keyring::DerivedKeys;
use crate::{Keyring, random};

/// AES-GCM's standard 96-bit nonce. Random nonces of this size stay safe for far more seals
/// than one key will ever see (the bound is about 2³² per key).
const NONCE_LEN: usize = 12;

/// Start of the associated data: names the purpose and format version, so a sealed token can
/// never be taken for another kind of sealed value.
const AAD_PREFIX: &str = "nectr-auth/github-token/v1/";

/// The [`TokenCipher`] for the `users` table: AES-256-GCM under keys derived from the keyring.
pub struct AesGcmTokenCipher {
    current: (KeyId, Aes256Gcm),
    previous: Vec<(KeyId, Aes256Gcm)>,
}

impl AesGcmTokenCipher {
    /// Seals with the keyring's current key; opens with any key in it.
    pub fn new(keyring: &Keyring) -> Self {
        let cipher =
            |keys: &DerivedKeys| (keys.id().clone(), Aes256Gcm::new(keys.token_key().into()));
        Self {
            current: cipher(keyring.current()),
            previous: keyring.previous().map(cipher).collect(),
        }
    }

    fn cipher_for(&self, id: &KeyId) -> Option<&Aes256Gcm> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|(key_id, _)| key_id == id)
            .map(|(_, cipher)| cipher)
    }
}

/// The provider whose people were the only ones before providers became pluggable: their
/// tokens were bound to the bare GitHub id, and still are, so those tokens keep opening.
const FIRST_PROVIDER: &str = "github";

/// Binds a sealed value to its owner: moved to another person's row, it no longer opens.
/// Only numeric GitHub subjects (all GitHub ids are) keep the bare form, so no subject can
/// spell another provider's binding (`gitlab/7` at GitHub against `7` at GitLab).
fn associated_data(owner: &Identity) -> Vec<u8> {
    let subject = owner.subject.as_str();
    if owner.provider.as_str() == FIRST_PROVIDER && subject.bytes().all(|b| b.is_ascii_digit()) {
        format!("{AAD_PREFIX}{}", owner.subject).into_bytes()
    } else {
        format!("{AAD_PREFIX}{}/{}", owner.provider, owner.subject).into_bytes()
    }
}

impl TokenCipher for AesGcmTokenCipher {
    fn seal(&self, tokens: &ProviderTokens, owner: &Identity) -> EncryptedToken {
        let (key_id, cipher) = &self.current;
        let mut nonce = [0_u8; NONCE_LEN];
        random::fill(&mut nonce);
        let aad = associated_data(owner);
        let plaintext = tokens.to_sealable();
        let payload = Payload {
            msg: plaintext.expose_secret().as_bytes(),
            aad: &aad,
        };
        let ciphertext = cipher
            .encrypt((&nonce).into(), payload)
            .expect("AES-GCM seals up to 64 GiB; provider tokens are at most a few KiB");
        EncryptedToken::new(key_id.clone(), nonce.to_vec(), ciphertext)
            .expect("a 12-byte nonce and a non-empty token sealed with a 16-byte tag are valid")
    }

    fn open(
        &self,
        sealed: &EncryptedToken,
        owner: &Identity,
    ) -> Result<ProviderTokens, CipherError> {
        let cipher = self
            .cipher_for(sealed.key_id())
            .ok_or(CipherError::UnknownKey)?;
        let nonce: &[u8; NONCE_LEN] = sealed
            .nonce()
            .try_into()
            .map_err(|_| CipherError::Corrupt)?;
        let aad = associated_data(owner);
        let payload = Payload {
            msg: sealed.ciphertext(),
            aad: &aad,
        };
        let plaintext = Zeroizing::new(
            cipher
                .decrypt(nonce.into(), payload)
                .map_err(|_| CipherError::Corrupt)?,
        );
        // It authenticated, so it is what was sealed; these checks only guard against a
        // value sealed by something other than `seal`.
        let text = std::str::from_utf8(&plaintext).map_err(|_| CipherError::Corrupt)?;
        ProviderTokens::from_sealable(text).map_err(|_| CipherError::Corrupt)
    }

    fn is_current(&self, sealed: &EncryptedToken) -> bool {
        sealed.key_id() == &self.current.0
    }
}

impl std::fmt::Debug for AesGcmTokenCipher {
    /// Key ids only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let previous: Vec<&str> = self.previous.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("AesGcmTokenCipher")
            .field("current", &self.current.0.as_str())
            .field("previous", &previous)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::{assert_shows_no_key_material, key};

    use nectr_domain::{AccessToken, ProviderId, Subject};

    fn token() -> ProviderTokens {
        ProviderTokens::lasting(
            AccessToken::new("gho_16C7e42F292c6912E7710c838347Ae178B4a".to_owned())
                .expect("a valid token"),
        )
    }

    fn owner(id: i64) -> Identity {
        owner_at("github", id)
    }

    fn owner_at(provider: &str, id: i64) -> Identity {
        Identity::new(
            ProviderId::parse(provider).expect("a provider id"),
            Subject::from_number(id).expect("a positive id"),
        )
    }

    #[test]
    fn associated_data_names_purpose_and_owner() {
        // GitHub people keep the binding their tokens were sealed with before other providers.
        assert_eq!(
            associated_data(&owner(583_231)),
            b"nectr-auth/github-token/v1/583231".to_vec()
        );
        assert_eq!(
            associated_data(&owner_at("gitlab", 583_231)),
            b"nectr-auth/github-token/v1/gitlab/583231".to_vec()
        );
    }

    #[test]
    fn the_same_id_at_another_provider_does_not_open() {
        let cipher = AesGcmTokenCipher::new(&Keyring::new(key(1), vec![]));
        let sealed = cipher.seal(&token(), &owner(7));
        assert!(cipher.open(&sealed, &owner_at("gitlab", 7)).is_err());
    }

    #[test]
    fn no_github_subject_spells_another_providers_binding() {
        let cipher = AesGcmTokenCipher::new(&Keyring::new(key(1), vec![]));
        let spelled = Identity::new(
            ProviderId::parse("github").expect("a provider id"),
            Subject::parse("gitlab/7").expect("a subject"),
        );
        assert_ne!(
            associated_data(&spelled),
            associated_data(&owner_at("gitlab", 7))
        );
        let sealed = cipher.seal(&token(), &owner_at("gitlab", 7));
        assert!(cipher.open(&sealed, &spelled).is_err());
    }

    #[test]
    fn sealed_value_is_not_the_plaintext_under_any_key() -> Result<(), CipherError> {
        let ring = Keyring::new(key(1), vec![]);
        let cipher = AesGcmTokenCipher::new(&ring);
        let sealed = cipher.seal(&token(), &owner(1));
        assert_eq!(sealed.nonce().len(), 12);
        assert_eq!(
            sealed.ciphertext().len(),
            token().access.expose().len() + 16
        );
        let body = token().access.expose().as_bytes()[4..].to_vec();
        assert!(
            !sealed
                .ciphertext()
                .windows(8)
                .any(|w| body.windows(8).any(|b| b == w))
        );
        assert_eq!(
            cipher.open(&sealed, &owner(1))?.access.expose(),
            token().access.expose()
        );
        Ok(())
    }

    #[test]
    fn token_key_is_the_derived_one_not_the_master() {
        let ring = Keyring::new(key(1), vec![]);
        let sealed = AesGcmTokenCipher::new(&ring).seal(&token(), &owner(1));
        let with_master = Aes256Gcm::new(key(1).expose().into());
        let aad = associated_data(&owner(1));
        let nonce: &[u8; 12] = sealed.nonce().try_into().expect("12 bytes");
        let opened = with_master.decrypt(
            nonce.into(),
            Payload {
                msg: sealed.ciphertext(),
                aad: &aad,
            },
        );
        assert!(opened.is_err());
    }

    #[test]
    fn debug_shows_no_key_material() {
        let ring = Keyring::new(key(1), vec![key(2)]);
        assert_shows_no_key_material(&format!("{:?}", AesGcmTokenCipher::new(&ring)), &ring);
    }
}
