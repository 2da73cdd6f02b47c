//! Fuzz target: opening sealed GitHub tokens with a fixed keyring. Arbitrary key ids, nonces
//! and ciphertexts never open, and a real sealed value opens only untouched and only for its
//! owner.
#![no_main]

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use nectr_application::ports::TokenCipher;
use nectr_crypto::{AesGcmTokenCipher, Keyring, SecretKey};
use nectr_domain::{AccessToken, EncryptedToken, GithubId, KeyId};

const OWNER: i64 = 583_231;

/// A fixed master key (32 distinct bytes).
fn key(n: u8) -> SecretKey {
    let bytes: Vec<u8> = (0_u8..32)
        .map(|i| i.wrapping_mul(8).wrapping_add(n).wrapping_mul(0x9d))
        .collect();
    SecretKey::parse(&STANDARD.encode(bytes)).expect("the fixed key is valid")
}

static CIPHER: LazyLock<AesGcmTokenCipher> =
    LazyLock::new(|| AesGcmTokenCipher::new(&Keyring::new(key(1), vec![key(2)])));

/// One value sealed by this keyring for `OWNER`.
static SEALED: LazyLock<EncryptedToken> = LazyLock::new(|| {
    let token = AccessToken::new("gho_16C7e42F292c6912E7710c838347Ae178B4a".to_owned())
        .expect("a valid token");
    CIPHER.seal(&token, owner(OWNER))
});

fn owner(id: i64) -> GithubId {
    GithubId::new(id).expect("a positive id")
}

type Input<'a> = (&'a str, Vec<u8>, Vec<u8>, i64, Vec<(u16, u8)>, bool);

fuzz_target!(|input: Input<'_>| {
    let (key_id, nonce, ciphertext, owner_id, edits, use_real_key_id) = input;
    let owner_id = owner_id.checked_abs().unwrap_or(1).max(1);

    // Anything at all, with a key id that may name a configured key.
    let key_id = if use_real_key_id {
        Ok(SEALED.key_id().clone())
    } else {
        KeyId::parse(key_id)
    };
    if let Ok(key_id) = key_id
        && let Ok(forged) = EncryptedToken::new(key_id, nonce, ciphertext)
    {
        assert!(CIPHER.open(&forged, owner(owner_id)).is_err() || forged == *SEALED);
    }

    // The real value with bytes of its nonce and ciphertext changed.
    let mut nonce = SEALED.nonce().to_vec();
    let mut ciphertext = SEALED.ciphertext().to_vec();
    for (index, mask) in edits {
        let index = usize::from(index) % (nonce.len() + ciphertext.len());
        match index.checked_sub(nonce.len()) {
            None => nonce[index] ^= mask,
            Some(at) => ciphertext[at] ^= mask,
        }
    }
    let mutated = EncryptedToken::new(SEALED.key_id().clone(), nonce, ciphertext)
        .expect("sizes are unchanged");
    let opened = CIPHER.open(&mutated, owner(owner_id)).is_ok();
    assert_eq!(opened, mutated == *SEALED && owner_id == OWNER);
});
