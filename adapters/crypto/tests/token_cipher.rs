//! The token cipher through its port: round trips, owner binding, tampering and rotation.

use std::sync::Arc;

use nectr_application::ports::{CipherError, TokenCipher};
use nectr_crypto::{AesGcmTokenCipher, Keyring, SecretKey};
use nectr_domain::{AccessToken, EncryptedToken, GithubId, KeyId};

const TOKEN: &str = "gho_16C7e42F292c6912E7710c838347Ae178B4a";

fn token() -> AccessToken {
    AccessToken::new(TOKEN.to_owned()).expect("a valid token")
}

fn owner(id: i64) -> GithubId {
    GithubId::new(id).expect("a positive id")
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

fn opened(result: Result<AccessToken, CipherError>) -> Result<String, String> {
    result
        .map(|t| t.expose().to_owned())
        .map_err(|e| format!("{e:?}"))
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

#[test]
fn seal_then_open_round_trips() {
    let key = SecretKey::generate();
    let cipher = cipher(&key, &[]);
    let big = owner(i64::MAX);
    let sealed = cipher.seal(&token(), big);
    assert_eq!(opened(cipher.open(&sealed, big)), Ok(TOKEN.to_owned()));
    assert_eq!(
        sealed.key_id(),
        &Keyring::new(copy(&key), vec![]).current_key_id()
    );
}

#[test]
fn each_seal_uses_a_fresh_nonce() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    let (a, b) = (
        cipher.seal(&token(), owner(7)),
        cipher.seal(&token(), owner(7)),
    );
    assert_ne!(a.nonce(), b.nonce());
    assert_ne!(a.ciphertext(), b.ciphertext());
}

#[test]
fn a_token_sealed_for_one_person_does_not_open_for_another() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    let sealed = cipher.seal(&token(), owner(1001));
    assert_eq!(
        opened(cipher.open(&sealed, owner(1002))),
        Err("Corrupt".to_owned())
    );
    // Decimal owner ids are not confused by a shared prefix.
    assert!(cipher.open(&sealed, owner(100)).is_err());
    assert!(cipher.open(&sealed, owner(10011)).is_err());
}

#[test]
fn any_flipped_bit_makes_it_corrupt() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    let sealed = cipher.seal(&token(), owner(5));
    for index in 0..sealed.nonce().len() {
        let tampered = flipped(&sealed, true, index);
        assert_eq!(
            opened(cipher.open(&tampered, owner(5))),
            Err("Corrupt".to_owned())
        );
    }
    // Every byte of the ciphertext, including the 16-byte tag at the end.
    for index in 0..sealed.ciphertext().len() {
        let tampered = flipped(&sealed, false, index);
        assert_eq!(
            opened(cipher.open(&tampered, owner(5))),
            Err("Corrupt".to_owned())
        );
    }
}

#[test]
fn relabelling_the_key_id_makes_it_corrupt() {
    let (old, new) = (SecretKey::generate(), SecretKey::generate());
    let cipher = cipher(&new, &[&old]);
    let sealed = cipher.seal(&token(), owner(5));
    let old_id = Keyring::new(copy(&old), vec![]).current_key_id();
    let relabelled = EncryptedToken::new(
        old_id,
        sealed.nonce().to_vec(),
        sealed.ciphertext().to_vec(),
    )
    .expect("valid sizes");
    assert_eq!(
        opened(cipher.open(&relabelled, owner(5))),
        Err("Corrupt".to_owned())
    );
}

#[test]
fn rotation_keeps_old_tokens_readable_while_the_old_key_is_listed() {
    let (old, new) = (SecretKey::generate(), SecretKey::generate());
    let sealed_before = cipher(&old, &[]).seal(&token(), owner(9));

    let rotated = cipher(&new, &[&old]);
    assert_eq!(
        opened(rotated.open(&sealed_before, owner(9))),
        Ok(TOKEN.to_owned())
    );
    let resealed = rotated.seal(&token(), owner(9));
    assert_ne!(resealed.key_id(), sealed_before.key_id());

    let old_key_dropped = cipher(&new, &[]);
    assert_eq!(
        opened(old_key_dropped.open(&sealed_before, owner(9))),
        Err("UnknownKey".to_owned())
    );
    assert_eq!(
        opened(old_key_dropped.open(&resealed, owner(9))),
        Ok(TOKEN.to_owned())
    );
}

#[test]
fn an_id_no_key_has_is_unknown() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    let sealed = cipher.seal(&token(), owner(3));
    let stranger = EncryptedToken::new(
        KeyId::parse("00000000deadbeef").expect("valid id"),
        sealed.nonce().to_vec(),
        sealed.ciphertext().to_vec(),
    )
    .expect("valid sizes");
    assert_eq!(
        opened(cipher.open(&stranger, owner(3))),
        Err("UnknownKey".to_owned())
    );
}

#[test]
fn the_sealed_form_does_not_show_the_token() {
    let cipher = cipher(&SecretKey::generate(), &[]);
    let sealed = cipher.seal(&token(), owner(3));
    assert!(!format!("{sealed:?}").contains(TOKEN));
    let text = String::from_utf8_lossy(sealed.ciphertext()).into_owned();
    assert!(!text.contains(&TOKEN[4..12]));
}
