//! The token cipher through its port: round trips of lasting and expiring bundles, owner
//! binding (person and provider), tokens sealed by the previous version, tampering, rotation
//! and redaction.

use std::sync::Arc;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use nectr_application::ports::{CipherError, TokenCipher};
use nectr_crypto::{AesGcmTokenCipher, Keyring, SecretKey};
use nectr_domain::{
    AccessToken, EncryptedToken, Identity, KeyId, ProviderId, ProviderTokens, RefreshToken,
    Subject, Timestamp,
};
use sha2::Sha256;

const TOKEN: &str = "gho_16C7e42F292c6912E7710c838347Ae178B4a";
const EXPIRING: &str = "ghu_8dXq1VbNmZ0pLk3RtYw7sJcA2eHf9uGi6oKx";
const REFRESH: &str = "ghr_Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz0Xc5Vb7Nm9Pq2Rs4Tu";
const ACCESS_DEADLINE: i64 = 1_750_028_800;
const REFRESH_DEADLINE: i64 = 1_765_580_800;

fn token() -> ProviderTokens {
    ProviderTokens::lasting(AccessToken::new(TOKEN.to_owned()).expect("a valid token"))
}

/// What a GitHub app with expiring tokens (or GitLab) hands over: every field set.
fn expiring() -> ProviderTokens {
    ProviderTokens {
        access: AccessToken::new(EXPIRING.to_owned()).expect("a valid token"),
        access_expires_at: Some(Timestamp::from_unix_seconds(ACCESS_DEADLINE)),
        refresh: Some(RefreshToken::new(REFRESH.to_owned()).expect("a valid refresh token")),
        refresh_expires_at: Some(Timestamp::from_unix_seconds(REFRESH_DEADLINE)),
    }
}

fn at(provider: &str, id: i64) -> Identity {
    Identity::new(
        ProviderId::parse(provider).expect("a provider id"),
        Subject::from_number(id).expect("a positive id"),
    )
}

fn owner(id: i64) -> Identity {
    at("github", id)
}

fn copy(key: &SecretKey) -> SecretKey {
    SecretKey::parse(&key.encode()).expect("an encoded key parses")
}

fn cipher(current: &SecretKey, previous: &[&SecretKey]) -> Arc<dyn TokenCipher> {
    let previous = previous.iter().map(|k| copy(k)).collect();
    Arc::new(AesGcmTokenCipher::new(&Keyring::new(
        copy(current),
        previous,
    )))
}

/// Every field of a bundle, comparable (`ProviderTokens` is not `PartialEq`: it holds secrets).
type Fields = (String, Option<i64>, Option<String>, Option<i64>);

fn fields(tokens: &ProviderTokens) -> Fields {
    (
        tokens.access.expose().to_owned(),
        tokens.access_expires_at.map(Timestamp::unix_seconds),
        tokens.refresh.as_ref().map(|r| r.expose().to_owned()),
        tokens.refresh_expires_at.map(Timestamp::unix_seconds),
    )
}

fn lasting(access: &str) -> Fields {
    (access.to_owned(), None, None, None)
}

fn opened(result: Result<ProviderTokens, CipherError>) -> Result<Fields, String> {
    result.map(|t| fields(&t)).map_err(|e| format!("{e:?}"))
}

/// The sealed value with one bit of nonce or ciphertext flipped.
fn flipped(sealed: &EncryptedToken, in_nonce: bool, index: usize) -> EncryptedToken {
    let mut nonce = sealed.nonce().to_vec();
    let mut ciphertext = sealed.ciphertext().to_vec();
    let bytes = if in_nonce {
        &mut nonce
    } else {
        &mut ciphertext
    };
    bytes[index] ^= 0x01;
    EncryptedToken::new(sealed.key_id().clone(), nonce, ciphertext).expect("sizes unchanged")
}

/// A fixed master key's bytes (32 distinct values, so never weak).
fn master_bytes() -> [u8; 32] {
    let mut bytes = [0_u8; 32];
    for (byte, i) in bytes.iter_mut().zip(0_u8..) {
        *byte = i.wrapping_mul(8).wrapping_add(1).wrapping_mul(0x9d);
    }
    bytes
}

/// The token key and key id of a master key, derived independently of the adapter as the
/// crate's README specifies (HKDF-SHA256, salt `nectr-auth/hkdf-salt/v1`).
fn derived_token_key(master: &[u8; 32]) -> ([u8; 32], KeyId) {
    let hkdf = Hkdf::<Sha256>::new(Some(b"nectr-auth/hkdf-salt/v1"), master);
    let mut token_key = [0_u8; 32];
    hkdf.expand(b"nectr-auth/v1/github-token/aes-256-gcm", &mut token_key)
        .expect("32 bytes");
    let mut id = [0_u8; 8];
    hkdf.expand(b"nectr-auth/v1/key-id", &mut id)
        .expect("8 bytes");
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    (token_key, KeyId::parse(&hex).expect("lowercase hex"))
}

/// Seals `token` exactly as the version before identity providers did: the bare token under
/// the derived token key, with the owner's GitHub id as associated data.
fn sealed_by_previous_version(master: &[u8; 32], token: &str, github_id: i64) -> EncryptedToken {
    let (token_key, key_id) = derived_token_key(master);
    let nonce = [0x5a_u8; 12];
    let aad = format!("nectr-auth/github-token/v1/{github_id}");
    let ciphertext = Aes256Gcm::new((&token_key).into())
        .encrypt(
            (&nonce).into(),
            Payload {
                msg: token.as_bytes(),
                aad: aad.as_bytes(),
            },
        )
        .expect("a short token seals");
    EncryptedToken::new(key_id, nonce.to_vec(), ciphertext).expect("valid sizes")
}

/// What the previous version's `open` would read from `sealed`: the plaintext under the
/// derived token key with its associated data, or `None`.
fn opened_by_previous_version(
    master: &[u8; 32],
    sealed: &EncryptedToken,
    github_id: i64,
) -> Option<String> {
    let (token_key, key_id) = derived_token_key(master);
    if sealed.key_id() != &key_id {
        return None;
    }
    let nonce: &[u8; 12] = sealed.nonce().try_into().ok()?;
    let aad = format!("nectr-auth/github-token/v1/{github_id}");
    let plaintext = Aes256Gcm::new((&token_key).into())
        .decrypt(
            nonce.into(),
            Payload {
                msg: sealed.ciphertext(),
                aad: aad.as_bytes(),
            },
        )
        .ok()?;
    String::from_utf8(plaintext).ok()
}

fn fixed_master() -> SecretKey {
    SecretKey::parse(&URL_SAFE_NO_PAD.encode(master_bytes())).expect("the fixed key is valid")
}

#[test]
fn seal_then_open_round_trips() {
    let key = SecretKey::generate();
    let cipher = cipher(&key, &[]);
    let big = owner(i64::MAX);
    let sealed = cipher.seal(&token(), &big);
    assert_eq!(opened(cipher.open(&sealed, &big)), Ok(lasting(TOKEN)));
    assert_eq!(
        sealed.key_id(),
        &Keyring::new(copy(&key), vec![]).current_key_id()
    );
}

#[test]
fn an_expiring_bundle_with_refresh_token_and_deadlines_round_trips_exactly() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    let expected = (
        EXPIRING.to_owned(),
        Some(ACCESS_DEADLINE),
        Some(REFRESH.to_owned()),
        Some(REFRESH_DEADLINE),
    );
    for person in [owner(42), at("gitlab", 42)] {
        let sealed = cipher.seal(&expiring(), &person);
        assert_eq!(opened(cipher.open(&sealed, &person)), Ok(expected.clone()));
    }

    // Partly filled bundles keep exactly which fields were absent.
    let partial = [
        ProviderTokens {
            refresh: None,
            refresh_expires_at: None,
            ..expiring()
        },
        ProviderTokens {
            access_expires_at: None,
            refresh_expires_at: None,
            ..expiring()
        },
        ProviderTokens {
            access_expires_at: None,
            ..expiring()
        },
        ProviderTokens {
            refresh: None,
            ..expiring()
        },
    ];
    for tokens in partial {
        let sealed = cipher.seal(&tokens, &owner(42));
        assert_eq!(
            opened(cipher.open(&sealed, &owner(42))),
            Ok(fields(&tokens))
        );
    }
}

#[test]
fn a_token_sealed_by_the_previous_version_opens_as_a_lasting_bundle() {
    let master = master_bytes();
    let adapter = cipher(&fixed_master(), &[]);
    // The independent derivation is the adapter's: it names the same key.
    let (_, key_id) = derived_token_key(&master);
    assert_eq!(
        key_id,
        Keyring::new(fixed_master(), vec![]).current_key_id()
    );

    for github_id in [1, 583_231, i64::MAX] {
        let stored = sealed_by_previous_version(&master, TOKEN, github_id);
        let opened_now = adapter.open(&stored, &owner(github_id));
        assert_eq!(opened(opened_now), Ok(lasting(TOKEN)), "{github_id}");
        assert_eq!(
            opened(adapter.open(&stored, &owner(2))),
            Err("Corrupt".to_owned())
        );
        assert_eq!(
            opened(adapter.open(&stored, &at("gitlab", github_id))),
            Err("Corrupt".to_owned())
        );
    }

    // Still readable when the key it was sealed with has become a previous key.
    let stored = sealed_by_previous_version(&master, TOKEN, 583_231);
    let rotated = cipher(&SecretKey::generate(), &[&fixed_master()]);
    assert_eq!(
        opened(rotated.open(&stored, &owner(583_231))),
        Ok(lasting(TOKEN))
    );
}

#[test]
fn a_lasting_github_token_is_still_sealed_as_the_previous_version_did() {
    // So the previous version, should it run again (a rollback), reads new seals too.
    let master = master_bytes();
    let sealed = cipher(&fixed_master(), &[]).seal(&token(), &owner(583_231));
    assert_eq!(
        opened_by_previous_version(&master, &sealed, 583_231),
        Some(TOKEN.to_owned())
    );
    assert_eq!(opened_by_previous_version(&master, &sealed, 583_232), None);
    // Another provider's person with the same number is bound differently.
    let gitlab = cipher(&fixed_master(), &[]).seal(&token(), &at("gitlab", 583_231));
    assert_eq!(opened_by_previous_version(&master, &gitlab, 583_231), None);
}

#[test]
fn the_same_number_at_another_provider_does_not_open() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    for tokens in [token(), expiring()] {
        let from_github = cipher.seal(&tokens, &at("github", 7));
        assert_eq!(
            opened(cipher.open(&from_github, &at("gitlab", 7))),
            Err("Corrupt".to_owned())
        );
        let from_gitlab = cipher.seal(&tokens, &at("gitlab", 7));
        assert_eq!(
            opened(cipher.open(&from_gitlab, &at("github", 7))),
            Err("Corrupt".to_owned())
        );
        // Neither does one provider's value open at a third one, and each opens at home.
        assert!(cipher.open(&from_gitlab, &at("gitlab-self", 7)).is_err());
        assert_eq!(
            opened(cipher.open(&from_github, &at("github", 7))),
            Ok(fields(&tokens))
        );
        assert_eq!(
            opened(cipher.open(&from_gitlab, &at("gitlab", 7))),
            Ok(fields(&tokens))
        );
    }
}

#[test]
fn each_seal_uses_a_fresh_nonce() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    let (a, b) = (
        cipher.seal(&token(), &owner(7)),
        cipher.seal(&token(), &owner(7)),
    );
    assert_ne!(a.nonce(), b.nonce());
    assert_ne!(a.ciphertext(), b.ciphertext());
}

#[test]
fn a_token_sealed_for_one_person_does_not_open_for_another() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    let sealed = cipher.seal(&token(), &owner(1001));
    assert_eq!(
        opened(cipher.open(&sealed, &owner(1002))),
        Err("Corrupt".to_owned())
    );
    // Decimal owner ids are not confused by a shared prefix.
    assert!(cipher.open(&sealed, &owner(100)).is_err());
    assert!(cipher.open(&sealed, &owner(10011)).is_err());
    // Nor at another provider, where the provider's name joins the subject.
    let sealed = cipher.seal(&expiring(), &at("gitlab", 1001));
    assert!(cipher.open(&sealed, &at("gitlab", 1002)).is_err());
    assert!(cipher.open(&sealed, &at("gitlab", 100)).is_err());
    assert!(cipher.open(&sealed, &at("gitlab", 10011)).is_err());
}

#[test]
fn any_flipped_bit_makes_it_corrupt() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    for tokens in [token(), expiring()] {
        let sealed = cipher.seal(&tokens, &owner(5));
        for index in 0..sealed.nonce().len() {
            let tampered = flipped(&sealed, true, index);
            assert_eq!(
                opened(cipher.open(&tampered, &owner(5))),
                Err("Corrupt".to_owned())
            );
        }
        // Every byte of the ciphertext, including the 16-byte tag at the end.
        for index in 0..sealed.ciphertext().len() {
            let tampered = flipped(&sealed, false, index);
            assert_eq!(
                opened(cipher.open(&tampered, &owner(5))),
                Err("Corrupt".to_owned())
            );
        }
    }
}

#[test]
fn relabelling_the_key_id_makes_it_corrupt() {
    let (old, new) = (SecretKey::generate(), SecretKey::generate());
    let cipher = cipher(&new, &[&old]);
    let sealed = cipher.seal(&token(), &owner(5));
    let old_id = Keyring::new(copy(&old), vec![]).current_key_id();
    let relabelled = EncryptedToken::new(
        old_id,
        sealed.nonce().to_vec(),
        sealed.ciphertext().to_vec(),
    )
    .expect("valid sizes");
    assert_eq!(
        opened(cipher.open(&relabelled, &owner(5))),
        Err("Corrupt".to_owned())
    );
}

#[test]
fn rotation_keeps_old_tokens_readable_while_the_old_key_is_listed() {
    let (old, new) = (SecretKey::generate(), SecretKey::generate());
    let sealed_before = cipher(&old, &[]).seal(&token(), &owner(9));
    let expiring_before = cipher(&old, &[]).seal(&expiring(), &at("gitlab", 9));

    let rotated = cipher(&new, &[&old]);
    assert_eq!(
        opened(rotated.open(&sealed_before, &owner(9))),
        Ok(lasting(TOKEN))
    );
    assert_eq!(
        opened(rotated.open(&expiring_before, &at("gitlab", 9))),
        Ok(fields(&expiring()))
    );
    assert!(!rotated.is_current(&sealed_before));
    let resealed = rotated.seal(&token(), &owner(9));
    assert_ne!(resealed.key_id(), sealed_before.key_id());
    assert!(rotated.is_current(&resealed));

    let old_key_dropped = cipher(&new, &[]);
    assert_eq!(
        opened(old_key_dropped.open(&sealed_before, &owner(9))),
        Err("UnknownKey".to_owned())
    );
    assert_eq!(
        opened(old_key_dropped.open(&expiring_before, &at("gitlab", 9))),
        Err("UnknownKey".to_owned())
    );
    assert_eq!(
        opened(old_key_dropped.open(&resealed, &owner(9))),
        Ok(lasting(TOKEN))
    );
}

#[test]
fn an_id_no_key_has_is_unknown() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    let sealed = cipher.seal(&token(), &owner(3));
    let stranger = EncryptedToken::new(
        KeyId::parse("00000000deadbeef").expect("valid id"),
        sealed.nonce().to_vec(),
        sealed.ciphertext().to_vec(),
    )
    .expect("valid sizes");
    assert_eq!(
        opened(cipher.open(&stranger, &owner(3))),
        Err("UnknownKey".to_owned())
    );
}

#[test]
fn the_sealed_form_does_not_show_the_token() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    for tokens in [token(), expiring()] {
        let sealed = cipher.seal(&tokens, &owner(3));
        let text = String::from_utf8_lossy(sealed.ciphertext()).into_owned();
        for secret in [TOKEN, EXPIRING, REFRESH] {
            assert!(!text.contains(&secret[4..12]), "{secret}");
        }
    }
}

#[test]
fn debug_of_sealed_and_opened_bundles_never_shows_a_token() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    for (tokens, person) in [
        (token(), owner(3)),
        (expiring(), owner(3)),
        (expiring(), at("gitlab", 3)),
    ] {
        let sealed = cipher.seal(&tokens, &person);
        let back = cipher.open(&sealed, &person).expect("opens for its owner");
        let shown = [
            format!("{sealed:?}"),
            format!("{sealed:#?}"),
            format!("{tokens:?}"),
            format!("{back:?}"),
            format!("{back:#?}"),
            format!("{:?}", Ok::<_, CipherError>(&back)),
        ];
        for text in &shown {
            for secret in [TOKEN, EXPIRING, REFRESH] {
                // The whole token, and its body without the well-known prefix.
                assert!(!text.contains(secret), "{text}");
                assert!(!text.contains(&secret[4..]), "{text}");
                assert!(!text.contains(&secret[4..12]), "{text}");
            }
        }
    }
}
