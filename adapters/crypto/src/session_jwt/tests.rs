//! Unit tests of the session signer that need its derived keys: hand-made tokens that are
//! correctly signed yet must be refused, so each test reaches the check it is about.

use josekit::jws::{HS512, RS256};
use serde_json::json;

use super::*;
use crate::test_keys::{all_encodings, assert_shows_no_key_material, key};

const NOW: i64 = 1_750_000_000;
const SID: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0";

fn ring() -> Keyring {
    Keyring::new(key(1), vec![key(2)])
}

fn current(ring: &Keyring) -> &DerivedKeys {
    ring.current()
}

fn previous(ring: &Keyring) -> &DerivedKeys {
    ring.previous().next().expect("the ring has a previous key")
}

fn now() -> Timestamp {
    Timestamp::from_unix_seconds(NOW)
}

fn b64(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn header(keys: &DerivedKeys) -> serde_json::Value {
    json!({"typ": "JWT", "alg": "HS256", "kid": keys.id().as_str()})
}

fn payload() -> serde_json::Value {
    json!({"sub": "42", "sid": SID, "iat": NOW, "exp": NOW + 3600})
}

/// A token with any header and payload, signed by `signer` over the usual signing input.
fn craft_with(
    header: &serde_json::Value,
    payload: &serde_json::Value,
    signer: &dyn JwsSigner,
) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature = signer.sign(input.as_bytes()).expect("signing works");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// A token signed with the real HS256 key of `keys`, whatever its header says.
fn craft(header: &serde_json::Value, payload: &serde_json::Value, keys: &DerivedKeys) -> String {
    craft_with(header, payload, &Hs256Key::new(keys).signer)
}

fn reason(result: Result<SessionClaims, SignerError>) -> Option<&'static str> {
    match result {
        Ok(_) => None,
        Err(SignerError::Invalid(reason)) => Some(reason),
    }
}

fn verify(token: &str) -> Option<&'static str> {
    reason(JwtSessionSigner::new(&ring()).verify(token, now()))
}

#[test]
fn hand_made_tokens_in_our_format_verify() {
    let ring = ring();
    let signer = JwtSessionSigner::new(&ring);
    for keys in [current(&ring), previous(&ring)] {
        let claims = signer.verify(&craft(&header(keys), &payload(), keys), now());
        assert_eq!(claims.map(|c| c.user_id.get()).ok(), Some(42));
    }
}

#[test]
fn the_signing_key_is_derived_not_the_master_key() {
    let ring = ring();
    let token = JwtSessionSigner::new(&ring).sign(&SessionClaims {
        session_id: SessionId::parse(SID).expect("valid"),
        user_id: UserId::new(42).expect("valid"),
        issued_at: now(),
        expires_at: now().plus_seconds(60),
    });
    let (input, signature) = token.rsplit_once('.').expect("three parts");
    let with_master = HS256.signer_from_bytes(key(1).expose()).expect("32 bytes");
    let master_signature = with_master.sign(input.as_bytes()).expect("signs");
    assert_ne!(URL_SAFE_NO_PAD.encode(master_signature), signature);
}

#[test]
fn a_header_without_kid_means_the_current_key_only() {
    let ring = ring();
    let no_kid = json!({"typ": "JWT", "alg": "HS256"});
    assert_eq!(verify(&craft(&no_kid, &payload(), current(&ring))), None);
    assert_eq!(
        verify(&craft(&no_kid, &payload(), previous(&ring))),
        Some("bad signature")
    );
}

#[test]
fn kid_must_name_a_configured_key_and_match_the_signature() {
    let ring = ring();
    let signed_by_current_named_previous =
        craft(&header(previous(&ring)), &payload(), current(&ring));
    assert_eq!(
        verify(&signed_by_current_named_previous),
        Some("bad signature")
    );
    let unknown = json!({"typ": "JWT", "alg": "HS256", "kid": "0123456789abcdef"});
    assert_eq!(
        verify(&craft(&unknown, &payload(), current(&ring))),
        Some("unknown key id")
    );
    let numeric = json!({"typ": "JWT", "alg": "HS256", "kid": 7});
    assert_eq!(
        verify(&craft(&numeric, &payload(), current(&ring))),
        Some("key id is not a string")
    );
}

#[test]
fn alg_none_is_refused() {
    let ring = ring();
    let kid = current(&ring).id().as_str();
    for alg in ["none", "None", "NONE"] {
        let header = json!({"typ": "JWT", "alg": alg, "kid": kid});
        let unsigned = format!("{}.{}.", b64(&header), b64(&payload()));
        assert_eq!(verify(&unsigned), Some("a part is not unpadded base64url"));
        // Even with a valid HS256 signature attached, the header decides nothing.
        let signed = craft(&header, &payload(), current(&ring));
        assert_eq!(verify(&signed), Some("algorithm is not HS256"));
    }
    let mut header = JwsHeader::new();
    header.set_key_id(kid);
    let payload = JwtPayload::from_map(payload().as_object().cloned().unwrap_or_default())
        .expect("valid claims");
    let josekit_unsecured = jwt::encode_unsecured(&payload, &header).expect("encodes");
    assert!(verify(&josekit_unsecured).is_some());
}

#[test]
fn hs512_with_the_right_key_is_refused() {
    let ring = ring();
    let keys = current(&ring);
    // HMAC zero-pads short keys to the block size, so this is HMAC-SHA512 under our very key:
    // exactly what someone holding the key but choosing another algorithm would produce.
    let mut padded = [0_u8; 64];
    padded[..32].copy_from_slice(keys.jwt_key());
    let hs512 = HS512.signer_from_bytes(padded).expect("64 bytes");
    let header = json!({"typ": "JWT", "alg": "HS512", "kid": keys.id().as_str()});
    assert_eq!(
        verify(&craft_with(&header, &payload(), &hs512)),
        Some("algorithm is not HS256")
    );
}

#[test]
fn rs256_headed_tokens_are_refused() {
    let ring = ring();
    let keys = current(&ring);
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": keys.id().as_str()});
    // Key confusion: an RS256 header over an HMAC made with our key.
    assert_eq!(
        verify(&craft(&header, &payload(), keys)),
        Some("algorithm is not HS256")
    );
    // A genuine RS256 signature from someone else's key pair.
    let pair = RS256.generate_key_pair(2048).expect("generates");
    let rs256 = RS256
        .signer_from_pem(pair.to_traditional_pem_private_key())
        .expect("loads");
    assert_eq!(
        verify(&craft_with(&header, &payload(), &rs256)),
        Some("algorithm is not HS256")
    );
}

#[test]
fn other_header_oddities_are_refused() {
    let ring = ring();
    let keys = current(&ring);
    let kid = keys.id().as_str();
    let cases = [
        (json!({"typ": "JWT", "kid": kid}), "algorithm is not HS256"),
        (
            json!({"alg": "hs256", "kid": kid}),
            "algorithm is not HS256",
        ),
        (
            json!({"alg": ["HS256"], "kid": kid}),
            "algorithm is not HS256",
        ),
        (
            json!({"alg": "HS256", "typ": "at+jwt", "kid": kid}),
            "type is not JWT",
        ),
        (
            json!({"alg": "HS256", "typ": 1, "kid": kid}),
            "type is not JWT",
        ),
        (
            json!({"alg": "HS256", "kid": kid, "crit": ["exp"], "exp": 1}),
            "critical header parameters are not supported",
        ),
        (json!(["HS256"]), "header is not a JSON object"),
    ];
    for (header, expected) in cases {
        assert_eq!(
            verify(&craft(&header, &payload(), keys)),
            Some(expected),
            "{header}"
        );
    }
    // `typ` may be left out, as RFC 7519 allows.
    let plain = json!({"alg": "HS256", "kid": kid});
    assert_eq!(verify(&craft(&plain, &payload(), keys)), None);
}

#[test]
fn ill_typed_or_missing_claims_are_refused_even_when_signed() {
    let ring = ring();
    let keys = current(&ring);
    let with = |name: &str, value: serde_json::Value| {
        let mut payload = payload();
        payload[name] = value;
        payload
    };
    let without = |name: &str| {
        let mut payload = payload();
        payload.as_object_mut().map(|claims| claims.remove(name));
        payload
    };
    let cases = [
        (with("sub", json!(42)), "malformed token"),
        (with("sub", json!("0")), "sub is not a user id"),
        (with("sub", json!("forty-two")), "sub is not a user id"),
        (without("sub"), "sub is missing or not a string"),
        (with("sid", json!("short")), "sid is not a session id"),
        (with("sid", json!(7)), "sid is missing or not a string"),
        (without("sid"), "sid is missing or not a string"),
        (with("iat", json!("1750000000")), "malformed token"),
        (
            with("exp", json!(1_750_003_600.5)),
            "a time claim is not a whole number of seconds",
        ),
        (without("iat"), "iat is missing"),
        (without("exp"), "exp is missing"),
        (with("nbf", json!(true)), "malformed token"),
        (json!("a string"), "malformed token"),
    ];
    for (payload, expected) in cases {
        let token = craft(&header(keys), &payload, keys);
        assert_eq!(verify(&token), Some(expected), "{payload}");
    }
}

#[test]
fn nbf_beyond_the_leeway_is_refused() {
    let ring = ring();
    let keys = current(&ring);
    let mut payload = payload();
    payload["nbf"] = json!(NOW + 31);
    assert_eq!(
        verify(&craft(&header(keys), &payload, keys)),
        Some("not yet valid")
    );
    payload["nbf"] = json!(NOW + 30);
    assert_eq!(verify(&craft(&header(keys), &payload, keys)), None);
}

#[test]
fn oversized_tokens_are_refused_before_parsing_even_if_signed() {
    let ring = ring();
    let keys = current(&ring);
    let mut payload = payload();
    payload["pad"] = json!("x".repeat(4000));
    assert_eq!(
        verify(&craft(&header(keys), &payload, keys)),
        Some("token too long")
    );
}

#[test]
fn non_canonical_base64_in_the_signature_is_refused() {
    let ring = ring();
    let keys = current(&ring);
    let token = craft(&header(keys), &payload(), keys);
    // A 32-byte signature ends in a character carrying 2 unused bits; setting them changes
    // the text but not the decoded bytes, which must not yield a second valid spelling.
    let last = token.chars().last().expect("non-empty");
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.find(last).expect("base64url");
    let sibling = alphabet.chars().nth(index | 1).expect("in range");
    assert_ne!(
        sibling, last,
        "the signature's last character should have zero low bits"
    );
    let altered = format!("{}{sibling}", &token[..token.len() - 1]);
    assert_eq!(verify(&altered), Some("a part is not unpadded base64url"));
}

#[test]
fn debug_shows_no_key_material() {
    let ring = ring();
    assert_shows_no_key_material(&format!("{:?}", JwtSessionSigner::new(&ring)), &ring);
    let verifier = format!("{:?}", Hs256Key::new(current(&ring)));
    for encoding in all_encodings(current(&ring).jwt_key()) {
        assert!(!verifier.contains(&encoding));
    }
}
