//! What the server touches directly: keygen output, randomness, and redacted debug output.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use nectr_application::ports::RandomSource;
use nectr_crypto::{AesGcmTokenCipher, JwtSessionSigner, KeyError, Keyring, OsRandom, SecretKey};

/// Ways key bytes could appear in text, whole or as any 8-byte window.
fn encodings(secret: &[u8]) -> Vec<String> {
    let mut out = vec![
        STANDARD.encode(secret),
        URL_SAFE.encode(secret),
        format!("{secret:?}"),
        format!("{secret:x?}"),
    ];
    for window in secret.windows(8) {
        out.push(STANDARD_NO_PAD.encode(window));
        out.push(URL_SAFE_NO_PAD.encode(window));
        out.push(window.iter().map(|b| format!("{b:02x}")).collect());
        out.push(window.iter().map(|b| format!("{b:02X}")).collect());
    }
    out
}

#[test]
fn keygen_output_is_43_characters_and_parses_back() {
    let key = SecretKey::generate();
    let text = key.encode();
    assert_eq!(text.len(), 43);
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    let again = SecretKey::parse(&text).expect("keygen output parses");
    assert_eq!(again.encode(), text);
    assert_ne!(SecretKey::generate().encode(), text);
}

#[test]
fn a_key_in_standard_base64_is_the_same_key() {
    let key = SecretKey::generate();
    let bytes = URL_SAFE_NO_PAD.decode(key.encode()).expect("base64url");
    let standard = SecretKey::parse(&format!("{}\n", STANDARD.encode(&bytes))).expect("parses");
    assert_eq!(standard.encode(), key.encode());
}

#[test]
fn key_errors_match_what_the_server_reports() {
    assert_eq!(SecretKey::parse("?").err(), Some(KeyError::NotBase64));
    assert_eq!(
        SecretKey::parse("AAAA").err(),
        Some(KeyError::WrongLength(3))
    );
    assert_eq!(
        SecretKey::parse(&"A".repeat(43)).err(),
        Some(KeyError::Weak)
    );
}

#[test]
fn debug_output_never_contains_key_material() {
    let (current, previous) = (SecretKey::generate(), SecretKey::generate());
    let secrets: Vec<Vec<u8>> = [&current, &previous]
        .iter()
        .map(|k| URL_SAFE_NO_PAD.decode(k.encode()).expect("base64url"))
        .collect();
    let mut shown = vec![format!("{current:?}"), format!("{previous:?}")];
    let ring = Keyring::new(
        SecretKey::parse(&current.encode()).expect("parses"),
        vec![SecretKey::parse(&previous.encode()).expect("parses")],
    );
    shown.push(format!("{ring:?}"));
    shown.push(format!("{:?}", AesGcmTokenCipher::new(&ring)));
    shown.push(format!("{:?}", JwtSessionSigner::new(&ring)));
    shown.push(format!("{:?}", ring.clone()));
    for text in &shown {
        for secret in &secrets {
            for encoding in encodings(secret) {
                assert!(!text.contains(&encoding), "{text} contains {encoding}");
            }
        }
    }
}

#[test]
fn os_random_tokens_are_43_characters_and_distinct() {
    let tokens: HashSet<String> = (0..256).map(|_| OsRandom.token()).collect();
    assert_eq!(tokens.len(), 256);
    assert!(tokens.iter().all(|t| t.len() == 43));
    assert!(
        tokens
            .iter()
            .all(|t| nectr_domain::StateToken::parse(t).is_ok())
    );
}
