//! Fuzz target: session JWT verification with a fixed keyring. Arbitrary text never verifies,
//! and a valid token verifies only untouched (any edit, cut or extension is refused).
#![no_main]

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use nectr_application::ports::SessionSigner;
use nectr_crypto::{JwtSessionSigner, Keyring, SecretKey};
use nectr_domain::{SessionClaims, SessionId, Timestamp, UserId};

const NOW: i64 = 1_750_000_000;

/// A fixed master key (32 distinct bytes).
fn key(n: u8) -> SecretKey {
    let bytes: Vec<u8> = (0_u8..32)
        .map(|i| i.wrapping_mul(8).wrapping_add(n).wrapping_mul(0x9d))
        .collect();
    SecretKey::parse(&STANDARD.encode(bytes)).expect("the fixed key is valid")
}

static SIGNER: LazyLock<JwtSessionSigner> =
    LazyLock::new(|| JwtSessionSigner::new(&Keyring::new(key(1), vec![key(2)])));

/// One token this keyring issued, valid at `NOW`.
static TOKEN: LazyLock<String> = LazyLock::new(|| {
    SIGNER.sign(&SessionClaims {
        session_id: SessionId::parse("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0")
            .expect("a session id"),
        user_id: UserId::new(42).expect("a user id"),
        issued_at: Timestamp::from_unix_seconds(NOW),
        expires_at: Timestamp::from_unix_seconds(NOW + 3600),
    })
});

fn verifies(token: &str) -> bool {
    SIGNER
        .verify(token, Timestamp::from_unix_seconds(NOW))
        .is_ok()
}

fuzz_target!(|input: (&str, Vec<(u16, u8)>, Option<u16>, &str)| {
    let (text, edits, cut, tail) = input;
    assert!(!verifies(text) || text == TOKEN.as_str());

    // The valid token with bytes changed, maybe cut short, maybe extended.
    let mut bytes = TOKEN.as_bytes().to_vec();
    for (index, mask) in edits {
        let at = usize::from(index) % bytes.len();
        bytes[at] ^= mask;
    }
    if let Some(cut) = cut {
        bytes.truncate(usize::from(cut));
    }
    bytes.extend_from_slice(tail.as_bytes());
    if let Ok(mutated) = String::from_utf8(bytes) {
        assert!(!verifies(&mutated) || mutated == *TOKEN);
    }
});
