//! Fuzz target: `SecretKey::parse` (`SECRET_KEY`, `PREVIOUS_SECRET_KEYS`) never panics, and
//! accepts only 32 bytes written in one of the four base64 spellings, which it encodes back
//! to the same bytes.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use libfuzzer_sys::fuzz_target;
use nectr_crypto::SecretKey;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(key) = SecretKey::parse(text) else {
        return;
    };
    let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text.trim()).ok())
        .expect("an accepted key is base64");
    assert_eq!(decoded.len(), 32);
    assert_eq!(URL_SAFE_NO_PAD.decode(key.encode()).ok(), Some(decoded));
    let again = SecretKey::parse(&key.encode()).expect("an encoded key parses");
    assert_eq!(again.encode(), key.encode());
});
