//! Fixed keys and leak detectors shared by the unit tests.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use crate::{Keyring, SecretKey};

/// A fixed, valid master key; different `n` give different keys.
pub(crate) fn key(n: u8) -> SecretKey {
    let mut bytes = [0_u8; 32];
    for (byte, i) in bytes.iter_mut().zip(0_u8..) {
        // i * 8 + n is distinct for each i, and multiplying by an odd number keeps it so.
        *byte = i.wrapping_mul(8).wrapping_add(n).wrapping_mul(0x9d);
    }
    SecretKey::parse(&URL_SAFE_NO_PAD.encode(bytes)).expect("the test key is valid")
}

/// Ways `secret` could show up in text: whole-key encodings, and encodings of every 8-byte
/// window (so a partial leak is caught too).
pub(crate) fn all_encodings(secret: &[u8]) -> Vec<String> {
    let mut out = vec![
        STANDARD.encode(secret),
        URL_SAFE.encode(secret),
        format!("{secret:?}"),
        format!("{secret:x?}"),
        format!("{secret:X?}"),
    ];
    for window in secret.windows(8) {
        out.push(STANDARD_NO_PAD.encode(window));
        out.push(URL_SAFE_NO_PAD.encode(window));
        out.push(window.iter().map(|b| format!("{b:02x}")).collect());
        out.push(window.iter().map(|b| format!("{b:02X}")).collect());
    }
    out
}

/// Asserts that `shown` (some `Debug` output) names the ring's current key id but holds
/// none of its material: the master keys `key(1)` and `key(2)` it was built from, nor any
/// derived key, in any encoding.
pub(crate) fn assert_shows_no_key_material(shown: &str, ring: &Keyring) {
    assert!(shown.contains(ring.current_key_id().as_str()), "{shown}");
    for keys in ring.all() {
        for secret in [
            key(1).expose(),
            key(2).expose(),
            keys.token_key(),
            keys.jwt_key(),
        ] {
            for encoding in all_encodings(secret) {
                assert!(!shown.contains(&encoding), "{shown} contains {encoding}");
            }
        }
    }
}
