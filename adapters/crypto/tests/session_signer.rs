//! The session signer through its port: format, lifetime checks, rotation, hostile input.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nectr_application::ports::{SessionSigner, SignerError};
use nectr_crypto::{JwtSessionSigner, Keyring, SecretKey};
use nectr_domain::{SessionClaims, SessionId, Timestamp, UserId};
use serde_json::{Value, json};

const NOW: i64 = 1_750_000_000;
const SID: &str = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx";

fn copy(key: &SecretKey) -> SecretKey {
    SecretKey::parse(&key.encode()).expect("an encoded key parses")
}

fn signer(current: &SecretKey, previous: &[&SecretKey]) -> Arc<dyn SessionSigner> {
    let previous = previous.iter().map(|k| copy(k)).collect();
    Arc::new(JwtSessionSigner::new(&Keyring::new(
        copy(current),
        previous,
    )))
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(seconds)
}

fn claims(issued_at: i64, expires_at: i64) -> SessionClaims {
    SessionClaims {
        session_id: SessionId::parse(SID).expect("a valid session id"),
        user_id: UserId::new(4_294_967_297).expect("a positive id"),
        issued_at: at(issued_at),
        expires_at: at(expires_at),
    }
}

fn reason(result: Result<SessionClaims, SignerError>) -> Option<&'static str> {
    match result {
        Ok(_) => None,
        Err(SignerError::Invalid(reason)) => Some(reason),
    }
}

fn decode_part(part: &str) -> Value {
    let bytes = URL_SAFE_NO_PAD.decode(part).expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

#[test]
fn sign_then_verify_round_trips() {
    let signer = signer(&SecretKey::generate(), &[]);
    let claims = claims(NOW, NOW + 86_400);
    let token = signer.sign(&claims);
    assert_eq!(signer.verify(&token, at(NOW)).ok(), Some(claims.clone()));
    assert_eq!(signer.verify(&token, at(NOW + 86_399)).ok(), Some(claims));
}

#[test]
fn the_token_carries_exactly_the_documented_header_and_claims() {
    let key = SecretKey::generate();
    let token = signer(&key, &[]).sign(&claims(NOW, NOW + 3600));
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);

    let header = decode_part(parts[0]);
    let kid = Keyring::new(copy(&key), vec![]).current_key_id();
    assert_eq!(
        header,
        json!({"alg": "HS256", "typ": "JWT", "kid": kid.as_str()})
    );

    let payload = decode_part(parts[1]);
    assert_eq!(
        payload,
        json!({"sub": "4294967297", "sid": SID, "iat": NOW, "exp": NOW + 3600})
    );
    assert!(payload["sub"].is_string() && payload["sid"].is_string());
    assert!(payload["iat"].is_i64() && payload["exp"].is_i64());
    assert_eq!(
        URL_SAFE_NO_PAD.decode(parts[2]).map(|s| s.len()).ok(),
        Some(32)
    );
}

#[test]
fn tampering_breaks_the_signature() {
    let signer = signer(&SecretKey::generate(), &[]);
    let token = signer.sign(&claims(NOW, NOW + 3600));
    let parts: Vec<&str> = token.split('.').collect();

    let mut payload = decode_part(parts[1]);
    payload["sub"] = json!("1");
    let forged_payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert_eq!(
        reason(signer.verify(&forged, at(NOW))),
        Some("bad signature")
    );

    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("base64url");
    signature[0] ^= 0x80;
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(&signature)
    );
    assert_eq!(
        reason(signer.verify(&forged, at(NOW))),
        Some("bad signature")
    );

    let truncated = URL_SAFE_NO_PAD.encode(&signature[..31]);
    let forged = format!("{}.{}.{truncated}", parts[0], parts[1]);
    assert_eq!(
        reason(signer.verify(&forged, at(NOW))),
        Some("bad signature")
    );
}

#[test]
fn expiry_allows_thirty_seconds_of_clock_difference() {
    let signer = signer(&SecretKey::generate(), &[]);
    let token = signer.sign(&claims(NOW - 3600, NOW));
    assert!(signer.verify(&token, at(NOW - 1)).is_ok());
    assert!(signer.verify(&token, at(NOW)).is_ok());
    assert!(signer.verify(&token, at(NOW + 29)).is_ok());
    assert_eq!(reason(signer.verify(&token, at(NOW + 30))), Some("expired"));
    assert_eq!(
        reason(signer.verify(&token, at(NOW + 86_400))),
        Some("expired")
    );
}

#[test]
fn a_token_issued_in_the_future_is_refused_beyond_the_leeway() {
    let signer = signer(&SecretKey::generate(), &[]);
    let token = signer.sign(&claims(NOW + 30, NOW + 3600));
    assert!(signer.verify(&token, at(NOW)).is_ok());
    let token = signer.sign(&claims(NOW + 31, NOW + 3600));
    assert_eq!(
        reason(signer.verify(&token, at(NOW))),
        Some("issued in the future")
    );
}

#[test]
fn tokens_from_a_previous_key_still_verify() {
    let (old, new) = (SecretKey::generate(), SecretKey::generate());
    let before = signer(&old, &[]).sign(&claims(NOW, NOW + 3600));
    let rotated = signer(&new, &[&old]);
    assert_eq!(
        rotated.verify(&before, at(NOW)).ok(),
        Some(claims(NOW, NOW + 3600))
    );
    let after = rotated.sign(&claims(NOW, NOW + 3600));
    assert_ne!(after.split('.').next(), before.split('.').next(), "new kid");
    assert!(signer(&new, &[]).verify(&after, at(NOW)).is_ok());
}

#[test]
fn tokens_from_an_unknown_key_are_refused() {
    let (old, new) = (SecretKey::generate(), SecretKey::generate());
    let before = signer(&old, &[]).sign(&claims(NOW, NOW + 3600));
    let forgotten = signer(&new, &[]);
    assert_eq!(
        reason(forgotten.verify(&before, at(NOW))),
        Some("unknown key id")
    );
}

#[test]
fn garbage_is_refused_without_panicking() {
    let signer = signer(&SecretKey::generate(), &[]);
    let token = signer.sign(&claims(NOW, NOW + 3600));
    let huge = "a".repeat(1 << 20);
    let huge_parts = format!("{huge}.{huge}.{huge}");
    let inputs = [
        "",
        ".",
        "..",
        "...",
        "a.b",
        "a.b.c.d",
        "not a token",
        "é.é.é",
        "eyJ.eyJ.eyJ",
        "ey==.ey==.ey==",
        "%%%.%%%.%%%",
        "\0.\0.\0",
        huge.as_str(),
        huge_parts.as_str(),
    ];
    for input in inputs {
        assert!(signer.verify(input, at(NOW)).is_err(), "{input:.40}");
    }
    let (header_payload, _) = token.rsplit_once('.').expect("three parts");
    for input in [
        header_payload.to_owned(),
        format!("{token}."),
        format!("{token}.{}", token.split('.').nth(2).unwrap_or_default()),
        format!(".{token}"),
        format!("{token} "),
        format!(" {token}"),
        token.replace('.', ".."),
        format!("{header_payload}."),
    ] {
        assert!(signer.verify(&input, at(NOW)).is_err(), "{input}");
    }
}

#[test]
fn errors_carry_reasons_not_token_contents() {
    let signer = signer(&SecretKey::generate(), &[]);
    let token = signer.sign(&claims(NOW, NOW + 10));
    let err = signer.verify(&token, at(NOW + 3600)).err();
    let shown = format!(
        "{err:?} {}",
        err.as_ref().map(ToString::to_string).unwrap_or_default()
    );
    for part in token.split('.') {
        assert!(!shown.contains(part), "{shown}");
    }
    assert!(!shown.contains(SID));
}
