//! Fuzz target: opening sealed provider tokens with a fixed keyring. Arbitrary key ids,
//! nonces and ciphertexts never open, and a real sealed value (a lasting GitHub token, or an
//! expiring GitLab token with its refresh token) opens only untouched, only for its owner
//! (provider and subject), and then exactly as sealed.
#![no_main]

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use nectr_application::ports::TokenCipher;
use nectr_crypto::{AesGcmTokenCipher, Keyring, SecretKey};
use nectr_domain::{
    AccessToken, EncryptedToken, Identity, KeyId, ProviderId, ProviderTokens, RefreshToken,
    Subject, Timestamp,
};

const OWNER: i64 = 583_231;
const PROVIDERS: [&str; 3] = ["github", "gitlab", "gitlab-self"];

/// A fixed master key (32 distinct bytes).
fn key(n: u8) -> SecretKey {
    let bytes: Vec<u8> = (0_u8..32)
        .map(|i| i.wrapping_mul(8).wrapping_add(n).wrapping_mul(0x9d))
        .collect();
    SecretKey::parse(&STANDARD.encode(bytes)).expect("the fixed key is valid")
}

static CIPHER: LazyLock<AesGcmTokenCipher> =
    LazyLock::new(|| AesGcmTokenCipher::new(&Keyring::new(key(1), vec![key(2)])));

/// What is sealed for `OWNER` at each of the first two providers.
fn bundle(provider: &str) -> ProviderTokens {
    let token = |text: &str| AccessToken::new(text.to_owned()).expect("a valid token");
    if provider == "github" {
        ProviderTokens::lasting(token("gho_16C7e42F292c6912E7710c838347Ae178B4a"))
    } else {
        ProviderTokens {
            access: token("glpat-8dXq1VbNmZ0pLk3RtYw7"),
            access_expires_at: Some(Timestamp::from_unix_seconds(1_750_007_200)),
            refresh: Some(RefreshToken::new("Qw3Er5Ty7Ui9Op1As2Df4Gh6".to_owned()).expect("valid")),
            refresh_expires_at: None,
        }
    }
}

/// Every field of a bundle, comparable.
type Fields = (String, Option<i64>, Option<String>, Option<i64>);

fn fields(tokens: &ProviderTokens) -> Fields {
    (
        tokens.access.expose().to_owned(),
        tokens.access_expires_at.map(Timestamp::unix_seconds),
        tokens.refresh.as_ref().map(|r| r.expose().to_owned()),
        tokens.refresh_expires_at.map(Timestamp::unix_seconds),
    )
}

/// One value sealed by this keyring for `OWNER` at `github`, and one at `gitlab`.
static SEALED: LazyLock<[EncryptedToken; 2]> = LazyLock::new(|| {
    [0, 1].map(|at| CIPHER.seal(&bundle(PROVIDERS[at]), &owner(PROVIDERS[at], OWNER)))
});

fn owner(provider: &str, id: i64) -> Identity {
    Identity::new(
        ProviderId::parse(provider).expect("a provider id"),
        Subject::from_number(id).expect("a positive id"),
    )
}

type Input<'a> = (&'a str, Vec<u8>, Vec<u8>, i64, Vec<(u16, u8)>, bool, u8, u8);

fuzz_target!(|input: Input<'_>| {
    let (key_id, nonce, ciphertext, owner_id, edits, use_real_key_id, sealed_at, open_at) = input;
    let owner_id = owner_id.checked_abs().unwrap_or(1).max(1);
    let sealed_at = usize::from(sealed_at % 2);
    let open_at = usize::from(open_at) % PROVIDERS.len();
    let opener = owner(PROVIDERS[open_at], owner_id);
    let real = &SEALED[sealed_at];

    // Anything at all, with a key id that may name a configured key.
    let key_id = if use_real_key_id {
        Ok(real.key_id().clone())
    } else {
        KeyId::parse(key_id)
    };
    if let Ok(key_id) = key_id
        && let Ok(forged) = EncryptedToken::new(key_id, nonce, ciphertext)
    {
        assert!(CIPHER.open(&forged, &opener).is_err() || SEALED.contains(&forged));
    }

    // The real value with bytes of its nonce and ciphertext changed.
    let mut nonce = real.nonce().to_vec();
    let mut ciphertext = real.ciphertext().to_vec();
    for (index, mask) in edits {
        let index = usize::from(index) % (nonce.len() + ciphertext.len());
        match index.checked_sub(nonce.len()) {
            None => nonce[index] ^= mask,
            Some(at) => ciphertext[at] ^= mask,
        }
    }
    let mutated =
        EncryptedToken::new(real.key_id().clone(), nonce, ciphertext).expect("sizes are unchanged");
    let opened = CIPHER.open(&mutated, &opener).ok();
    let untouched_for_its_owner = mutated == *real && owner_id == OWNER && open_at == sealed_at;
    assert_eq!(opened.is_some(), untouched_for_its_owner);
    if let Some(tokens) = opened {
        assert_eq!(fields(&tokens), fields(&bundle(PROVIDERS[sealed_at])));
    }
});
