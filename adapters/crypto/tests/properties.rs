//! Property tests of the crypto adapter's parsers of outside input: `SecretKey::parse`,
//! session JWT verification and sealed-token opening accept their own well-formed values only,
//! and never panic on anything else. Sealed provider-token bundles come back exactly, for
//! their identity only, and never show in `Debug`.

use base64::Engine as _;
use base64::engine::GeneralPurpose;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use nectr_application::ports::{CipherError, SessionSigner, SignerError, TokenCipher};
use nectr_crypto::{AesGcmTokenCipher, JwtSessionSigner, KeyError, Keyring, SecretKey};
use nectr_domain::{
    AccessToken, EncryptedToken, Identity, KeyId, ProviderId, ProviderTokens, RefreshToken,
    SessionClaims, SessionId, Subject, Timestamp, UserId,
};
use proptest::prelude::*;
use serde_json::{Value, json};

const NOW: i64 = 1_750_000_000;

/// The four spellings `SecretKey::parse` accepts.
const ENGINES: [(&str, GeneralPurpose); 4] = [
    ("standard", STANDARD),
    ("standard, unpadded", STANDARD_NO_PAD),
    ("url-safe", URL_SAFE),
    ("url-safe, unpadded", URL_SAFE_NO_PAD),
];

/// A fixed, valid master key; different `n` give different keys.
fn key(n: u8) -> SecretKey {
    let mut bytes = [0_u8; 32];
    for (byte, i) in bytes.iter_mut().zip(0_u8..) {
        *byte = i.wrapping_mul(8).wrapping_add(n).wrapping_mul(0x9d);
    }
    SecretKey::parse(&URL_SAFE_NO_PAD.encode(bytes)).expect("the fixed key is valid")
}

/// The keyring every test uses: key 1 current, key 2 still accepted.
fn keyring() -> Keyring {
    Keyring::new(key(1), vec![key(2)])
}

fn key_id_of(n: u8) -> KeyId {
    Keyring::new(key(n), vec![]).current_key_id()
}

/// The documented rule for weak keys: fewer than 16 distinct bytes, or all printable ASCII.
fn is_weak(bytes: &[u8]) -> bool {
    let mut distinct = bytes.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() < 16 || bytes.iter().all(|b| (0x20..=0x7e).contains(b))
}

/// Text as it arrives from outside: any Unicode, arbitrary bytes decoded leniently, or text in
/// the alphabets the parsers read.
fn outside_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..200)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        "[A-Za-z0-9+/_=-]{0,100}",
        "[ \\t\\n]{0,2}[A-Za-z0-9+/_-]{42,45}={0,3}[ \\t\\r\\n]{0,2}",
        "[A-Za-z0-9_-]{1,120}\\.[A-Za-z0-9_-]{1,200}\\.[A-Za-z0-9_.-]{1,60}",
    ]
}

/// 32-byte keys: random ones, and weak ones of both kinds.
fn key_bytes() -> impl Strategy<Value = [u8; 32]> {
    prop_oneof![
        any::<[u8; 32]>(),
        // Few distinct values (1 to 20: around the 16 threshold).
        (
            proptest::collection::vec(any::<u8>(), 1..=20),
            any::<[u8; 32]>()
        )
            .prop_map(|(values, picks)| picks.map(|p| values[usize::from(p) % values.len()])),
        // Printable ASCII only: a password written as base64.
        proptest::array::uniform32(0x20_u8..=0x7e),
    ]
}

fn padded(text: String, before: &str, after: &str) -> String {
    format!("{before}{text}{after}")
}

fn signer(ring: &Keyring) -> JwtSessionSigner {
    JwtSessionSigner::new(ring)
}

fn claims() -> impl Strategy<Value = SessionClaims> {
    (
        1..=i64::MAX,
        "[A-Za-z0-9_-]{43}",
        0..=NOW,
        (NOW + 1)..=(NOW + 1_000_000_000),
    )
        .prop_map(|(user, sid, iat, exp)| SessionClaims {
            session_id: SessionId::parse(&sid).expect("43 base64url characters"),
            user_id: UserId::new(user).expect("positive"),
            issued_at: Timestamp::from_unix_seconds(iat),
            expires_at: Timestamp::from_unix_seconds(exp),
        })
}

fn verify(ring: &Keyring, token: &str) -> Result<SessionClaims, SignerError> {
    signer(ring).verify(token, Timestamp::from_unix_seconds(NOW))
}

/// Ways to damage a valid compact JWS.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte with a value from 1 to 127, so the text stays ASCII.
    FlipByte {
        index: usize,
        mask: u8,
    },
    /// Replace one character with any other.
    ReplaceChar {
        index: usize,
        with: char,
    },
    Truncate {
        len: usize,
    },
    Append(String),
    /// Reorder the three parts (any order but the original).
    Reorder(usize),
    /// Re-encode the header with another `alg`, keeping payload and signature.
    OtherAlg(Value),
    /// The same header fields, serialized differently.
    ReencodeHeader,
    /// `alg: none` with the signature removed.
    Unsigned,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let other_alg = prop_oneof![
        prop::sample::select(vec![
            "none",
            "None",
            "HS384",
            "HS512",
            "RS256",
            "ES256",
            "PS256",
            "EdDSA",
            "hs256",
            "HS256 ",
            " HS256",
            "HS256\u{0}",
            ""
        ])
        .prop_map(Value::from),
        any::<String>()
            .prop_filter("not HS256", |a| a != "HS256")
            .prop_map(Value::from),
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(json!(["HS256"])),
        Just(json!({"alg": "HS256"})),
    ];
    prop_oneof![
        (any::<usize>(), 1_u8..=127).prop_map(|(index, mask)| Mutation::FlipByte { index, mask }),
        (any::<usize>(), any::<char>())
            .prop_map(|(index, with)| Mutation::ReplaceChar { index, with }),
        any::<usize>().prop_map(|len| Mutation::Truncate { len }),
        prop_oneof![any::<String>(), "[A-Za-z0-9_.=-]{1,8}"]
            .prop_filter("non-empty", |s| !s.is_empty())
            .prop_map(Mutation::Append),
        (1_usize..6).prop_map(Mutation::Reorder),
        other_alg.prop_map(Mutation::OtherAlg),
        Just(Mutation::ReencodeHeader),
        Just(Mutation::Unsigned),
    ]
}

fn header_of(token: &str) -> serde_json::Map<String, Value> {
    let part = token.split('.').next().unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .expect("our header is base64url");
    serde_json::from_slice(&bytes).expect("our header is a JSON object")
}

fn with_header(token: &str, header: &Value) -> String {
    let rest = token.split_once('.').map_or("", |(_, rest)| rest);
    format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header.to_string()))
}

fn apply(token: &str, mutation: &Mutation) -> String {
    match mutation {
        Mutation::FlipByte { index, mask } => {
            let mut bytes = token.as_bytes().to_vec();
            let at = index % bytes.len();
            bytes[at] ^= mask;
            String::from_utf8(bytes).expect("ASCII stays ASCII")
        }
        Mutation::ReplaceChar { index, with } => {
            let at = index % token.len();
            token
                .chars()
                .enumerate()
                .map(|(i, c)| if i == at { *with } else { c })
                .collect()
        }
        Mutation::Truncate { len } => token[..len % token.len()].to_owned(),
        Mutation::Append(tail) => format!("{token}{tail}"),
        Mutation::Reorder(which) => {
            let parts: Vec<&str> = token.split('.').collect();
            let orders = [
                [0, 1, 2],
                [0, 2, 1],
                [1, 0, 2],
                [1, 2, 0],
                [2, 0, 1],
                [2, 1, 0],
            ];
            let order = orders[*which % orders.len()];
            order.map(|i| parts[i]).join(".")
        }
        Mutation::OtherAlg(alg) => {
            let mut header = header_of(token);
            header.insert("alg".into(), alg.clone());
            with_header(token, &Value::Object(header))
        }
        Mutation::ReencodeHeader => {
            let header = header_of(token);
            let pretty = serde_json::to_string_pretty(&header).expect("serializable");
            let rest = token.split_once('.').map_or("", |(_, rest)| rest);
            format!("{}.{rest}", URL_SAFE_NO_PAD.encode(pretty))
        }
        Mutation::Unsigned => {
            let mut header = header_of(token);
            header.insert("alg".into(), Value::from("none"));
            let unsigned = with_header(token, &Value::Object(header));
            let end = unsigned.rfind('.').map_or(unsigned.len(), |i| i + 1);
            unsigned[..end].to_owned()
        }
    }
}

/// A GitHub person, by GitHub's numeric id.
fn owner(id: i64) -> Identity {
    Identity::new(
        ProviderId::parse("github").expect("a provider id"),
        Subject::from_number(id).expect("a positive id"),
    )
}

/// Provider ids: the two known ones often, any valid one otherwise.
fn provider() -> impl Strategy<Value = ProviderId> {
    prop_oneof![
        1 => Just("github".to_owned()),
        1 => Just("gitlab".to_owned()),
        2 => "[a-z][a-z0-9-]{0,31}",
    ]
    .prop_map(|text| ProviderId::parse(&text).expect("a valid provider id"))
}

/// Subjects: numeric ids (GitHub, GitLab) and any printable text (an OpenID `sub`).
fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![
        (1..=i64::MAX).prop_map(|n| Subject::from_number(n).expect("positive")),
        "[0-9]{1,20}".prop_map(|t| Subject::parse(&t).expect("digits")),
        "[!-~]{1,64}".prop_map(|t| Subject::parse(&t).expect("printable ASCII")),
        ("[!-~]{1,16}", 65..=255_usize)
            .prop_map(|(seed, len)| Subject::parse(&cycled(&seed, len)).expect("printable")),
    ]
}

fn identity() -> impl Strategy<Value = Identity> {
    (provider(), subject()).prop_map(|(provider, subject)| Identity::new(provider, subject))
}

/// `seed` repeated to exactly `len` characters (`seed` is never empty).
fn cycled(seed: &str, len: usize) -> String {
    seed.chars().cycle().take(len).collect()
}

/// Access tokens of every allowed length.
fn access_token() -> impl Strategy<Value = AccessToken> {
    prop_oneof![
        4 => "[!-~]{1,64}",
        1 => ("[!-~]{1,64}", 65..=4096_usize).prop_map(|(seed, len)| cycled(&seed, len)),
    ]
    .prop_map(|text| AccessToken::new(text).expect("printable ASCII"))
}

/// Refresh tokens of every allowed length but `-`, which the sealed form uses for "no
/// refresh token" (no provider issues it; see `ProviderTokens::to_sealable`).
fn refresh_token() -> impl Strategy<Value = RefreshToken> {
    access_token()
        .prop_filter("not the absent marker", |t| t.expose() != "-")
        .prop_map(|t| RefreshToken::new(t.expose().to_owned()).expect("printable ASCII"))
}

fn deadline() -> impl Strategy<Value = Option<Timestamp>> {
    proptest::option::of(prop_oneof![
        (NOW - 1_000_000_000..=NOW + 1_000_000_000).prop_map(Timestamp::from_unix_seconds),
        any::<i64>().prop_map(Timestamp::from_unix_seconds),
    ])
}

/// Bundles as providers hand them over: a lasting token, or an expiring one with or without
/// a refresh token, each deadline present or not. A refresh deadline comes only with a
/// refresh token (alone it means nothing, and a bundle without refresh token or access
/// deadline is sealed as the bare access token).
fn provider_tokens() -> impl Strategy<Value = ProviderTokens> {
    prop_oneof![
        access_token().prop_map(ProviderTokens::lasting),
        (
            access_token(),
            deadline(),
            proptest::option::of((refresh_token(), deadline())),
        )
            .prop_map(|(access, access_expires_at, refresh)| {
                let (refresh, refresh_expires_at) = refresh.unzip();
                ProviderTokens {
                    access,
                    access_expires_at,
                    refresh,
                    refresh_expires_at: refresh_expires_at.flatten(),
                }
            }),
    ]
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

/// Another token of the same length that differs from `text` at every position.
fn other_of_same_length(text: &str) -> String {
    text.chars()
        .map(|c| if c == 'x' { 'y' } else { 'x' })
        .collect()
}

/// The same bundle with other tokens of the same lengths in it.
fn with_other_tokens(tokens: &ProviderTokens) -> ProviderTokens {
    ProviderTokens {
        access: AccessToken::new(other_of_same_length(tokens.access.expose()))
            .expect("x and y only"),
        refresh: tokens
            .refresh
            .as_ref()
            .map(|r| RefreshToken::new(other_of_same_length(r.expose())).expect("x and y only")),
        ..tokens.clone()
    }
}

/// Ways to damage a sealed token.
#[derive(Debug, Clone)]
enum SealMutation {
    FlipNonce { index: usize, mask: u8 },
    FlipCiphertext { index: usize, mask: u8 },
    Truncate { len: usize },
    Append(Vec<u8>),
    KeyId(KeyId),
    Nonce([u8; 12]),
}

fn seal_mutation() -> impl Strategy<Value = SealMutation> {
    prop_oneof![
        (any::<usize>(), 1_u8..=255)
            .prop_map(|(index, mask)| SealMutation::FlipNonce { index, mask }),
        (any::<usize>(), 1_u8..=255)
            .prop_map(|(index, mask)| SealMutation::FlipCiphertext { index, mask }),
        any::<usize>().prop_map(|len| SealMutation::Truncate { len }),
        proptest::collection::vec(any::<u8>(), 1..40).prop_map(SealMutation::Append),
        prop_oneof![
            Just(key_id_of(2)),
            Just(key_id_of(3)),
            "[0-9a-f]{1,64}".prop_map(|t| KeyId::parse(&t).expect("lowercase hex")),
        ]
        .prop_map(SealMutation::KeyId),
        any::<[u8; 12]>().prop_map(SealMutation::Nonce),
    ]
}

/// The mutated value, or `None` when the mutation left it as it was or made it unbuildable.
fn apply_seal(sealed: &EncryptedToken, mutation: &SealMutation) -> Option<EncryptedToken> {
    let mut key_id = sealed.key_id().clone();
    let mut nonce = sealed.nonce().to_vec();
    let mut ciphertext = sealed.ciphertext().to_vec();
    match mutation {
        SealMutation::FlipNonce { index, mask } => nonce[index % 12] ^= mask,
        SealMutation::FlipCiphertext { index, mask } => {
            let at = index % ciphertext.len();
            ciphertext[at] ^= mask;
        }
        // At least 17 bytes remain, or the value is no `EncryptedToken` at all.
        SealMutation::Truncate { len } => {
            let keep = 17 + len % (ciphertext.len() - 16);
            ciphertext.truncate(keep);
        }
        SealMutation::Append(tail) => ciphertext.extend_from_slice(tail),
        SealMutation::KeyId(id) => key_id = id.clone(),
        SealMutation::Nonce(other) => nonce = other.to_vec(),
    }
    let mutated = EncryptedToken::new(key_id, nonce, ciphertext).ok()?;
    (&mutated != sealed).then_some(mutated)
}

proptest! {
    #[test]
    fn secret_key_parse_never_panics_and_accepts_only_32_bytes_of_base64(text in outside_text()) {
        let Ok(parsed) = SecretKey::parse(&text) else { return Ok(()) };
        let decoded = ENGINES
            .iter()
            .find_map(|(_, engine)| engine.decode(text.trim()).ok())
            .ok_or_else(|| TestCaseError::fail(format!("{text:?} is not base64")))?;
        prop_assert_eq!(decoded.len(), 32);
        prop_assert!(!is_weak(&decoded));
        prop_assert_eq!(parsed.encode(), URL_SAFE_NO_PAD.encode(&decoded));
    }

    #[test]
    fn every_key_in_every_spelling_parses_back_unless_weak(
        bytes in key_bytes(),
        engine in 0..ENGINES.len(),
        before in "[ \\t\\n]{0,2}",
        after in "[ \\t\\r\\n]{0,2}",
    ) {
        let (name, engine) = &ENGINES[engine];
        let text = padded(engine.encode(bytes), &before, &after);
        let parsed = SecretKey::parse(&text).map(|k| k.encode());
        if is_weak(&bytes) {
            prop_assert_eq!(parsed, Err(KeyError::Weak), "{}", name);
        } else {
            prop_assert_eq!(parsed, Ok(URL_SAFE_NO_PAD.encode(bytes)), "{}", name);
            let again = SecretKey::parse(&URL_SAFE_NO_PAD.encode(bytes)).map(|k| k.encode());
            prop_assert_eq!(again, Ok(URL_SAFE_NO_PAD.encode(bytes)));
        }
    }

    #[test]
    fn keys_of_other_lengths_are_refused_with_their_length(
        bytes in proptest::collection::vec(any::<u8>(), 0..100)
            .prop_filter("not 32", |b| b.len() != 32),
        engine in 0..ENGINES.len(),
    ) {
        let text = ENGINES[engine].1.encode(&bytes);
        let parsed = SecretKey::parse(&text).map(|k| k.encode());
        prop_assert_eq!(parsed, Err(KeyError::WrongLength(bytes.len())));
    }

    #[test]
    fn a_key_has_one_spelling_per_alphabet(
        bytes in any::<[u8; 32]>(),
        engine in 0..ENGINES.len(),
        stray in 1_u8..=3,
    ) {
        // 32 bytes are 43 symbols, whose last carries 2 unused bits: setting them gives text
        // that lenient decoders would read as the same key.
        let (name, engine) = &ENGINES[engine];
        let text = engine.encode(bytes);
        let alphabet: Vec<char> = if name.starts_with("url") {
            ('A'..='Z').chain('a'..='z').chain('0'..='9').chain(['-', '_']).collect()
        } else {
            ('A'..='Z').chain('a'..='z').chain('0'..='9').chain(['+', '/']).collect()
        };
        let last = text.chars().nth(42).ok_or_else(|| TestCaseError::fail("43 symbols"))?;
        let value = alphabet
            .iter()
            .position(|&c| c == last)
            .ok_or_else(|| TestCaseError::fail("in the alphabet"))?;
        prop_assert_eq!(value & 3, 0);
        let odd: String = text
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 42 { alphabet[value | usize::from(stray)] } else { c })
            .collect();
        let parsed = SecretKey::parse(&odd).map(|k| k.encode());
        prop_assert_eq!(parsed, Err(KeyError::NotBase64), "{}", odd);
    }

    #[test]
    fn a_foreign_character_inside_a_key_is_refused(
        bytes in any::<[u8; 32]>().prop_filter("not weak", |b| !is_weak(b)),
        engine in 0..ENGINES.len(),
        index in 1_usize..42,
        foreign in any::<char>().prop_filter("outside both alphabets", |c| {
            !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '='))
        }),
    ) {
        let text = ENGINES[engine].1.encode(bytes);
        let mut near_miss: String = text.chars().take(index).collect();
        near_miss.push(foreign);
        near_miss.extend(text.chars().skip(index));
        prop_assert_eq!(SecretKey::parse(&near_miss).map(|k| k.encode()), Err(KeyError::NotBase64));
    }

    #[test]
    fn session_tokens_verify_only_when_signed_by_a_configured_key(text in outside_text()) {
        prop_assert!(verify(&keyring(), &text).is_err(), "{:?}", text);
    }

    #[test]
    fn signed_claims_round_trip_under_current_and_previous_keys(claims in claims()) {
        let ring = keyring();
        let token = signer(&ring).sign(&claims);
        prop_assert_eq!(verify(&ring, &token).ok(), Some(claims.clone()));
        // Signed before a rotation that made key 1 a previous key.
        let rotated = Keyring::new(key(3), vec![key(1)]);
        prop_assert_eq!(verify(&rotated, &token).ok(), Some(claims.clone()));
        // Signed with a key this ring does not hold.
        let foreign = signer(&Keyring::new(key(3), vec![])).sign(&claims);
        prop_assert!(verify(&ring, &foreign).is_err());
    }

    #[test]
    fn session_tokens_hold_only_within_their_lifetime(
        claims in claims(),
        offset in -2_000_000_000_i64..2_000_000_000,
    ) {
        let ring = keyring();
        let token = signer(&ring).sign(&claims);
        let now = NOW + offset;
        let live = claims.expires_at.unix_seconds() > now - 30
            && claims.issued_at.unix_seconds() <= now + 30;
        let verified = signer(&ring).verify(&token, Timestamp::from_unix_seconds(now));
        prop_assert_eq!(verified.is_ok(), live);
    }

    #[test]
    fn any_change_to_a_session_token_is_refused(claims in claims(), mutation in mutation()) {
        let ring = keyring();
        let token = signer(&ring).sign(&claims);
        let mutated = apply(&token, &mutation);
        prop_assume!(mutated != token);
        prop_assert!(verify(&ring, &mutated).is_err(), "{:?} verified", mutated);
    }

    #[test]
    fn sealed_tokens_open_for_their_owner_only(
        token in access_token(),
        owner_id in 1..=i64::MAX,
        other_id in 1..=i64::MAX,
    ) {
        let ring = keyring();
        let cipher = AesGcmTokenCipher::new(&ring);
        let token = ProviderTokens::lasting(token);
        let sealed = cipher.seal(&token, &owner(owner_id));
        prop_assert_eq!(sealed.key_id(), &ring.current_key_id());
        let opened = cipher.open(&sealed, &owner(owner_id)).map(|t| fields(&t));
        prop_assert_eq!(opened.ok(), Some(fields(&token)));
        if other_id != owner_id {
            let foreign = cipher.open(&sealed, &owner(other_id));
            prop_assert!(matches!(foreign, Err(CipherError::Corrupt)));
        }
        // Sealed under key 2 before it was rotated out of the current slot.
        let older = AesGcmTokenCipher::new(&Keyring::new(key(2), vec![]));
        let older = older.seal(&token, &owner(owner_id));
        let opened = cipher.open(&older, &owner(owner_id)).map(|t| fields(&t));
        prop_assert_eq!(opened.ok(), Some(fields(&token)));
    }

    #[test]
    fn arbitrary_sealed_values_never_open(
        key_id in prop_oneof![
            Just(key_id_of(1)),
            Just(key_id_of(2)),
            "[0-9a-f]{1,64}".prop_map(|t| KeyId::parse(&t).expect("lowercase hex")),
        ],
        nonce in any::<[u8; 12]>(),
        ciphertext in proptest::collection::vec(any::<u8>(), 17..300),
        owner in identity(),
    ) {
        let known = [key_id_of(1), key_id_of(2)].contains(&key_id);
        let sealed = EncryptedToken::new(key_id, nonce.to_vec(), ciphertext)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let opened = AesGcmTokenCipher::new(&keyring()).open(&sealed, &owner);
        if known {
            prop_assert!(matches!(opened, Err(CipherError::Corrupt)));
        } else {
            prop_assert!(matches!(opened, Err(CipherError::UnknownKey)));
        }
    }

    #[test]
    fn any_change_to_a_sealed_value_is_refused(
        tokens in provider_tokens(),
        owner in identity(),
        mutation in seal_mutation(),
    ) {
        let cipher = AesGcmTokenCipher::new(&keyring());
        let sealed = cipher.seal(&tokens, &owner);
        let mutated = apply_seal(&sealed, &mutation);
        prop_assume!(mutated.is_some());
        let mutated = mutated.ok_or_else(|| TestCaseError::fail("assumed"))?;
        prop_assert!(cipher.open(&mutated, &owner).is_err(), "{:?} opened", mutation);
    }

    #[test]
    fn sealed_bundles_come_back_exactly_and_only_for_their_identity(
        tokens in provider_tokens(),
        owner in identity(),
        other_provider in provider(),
        other_subject in subject(),
    ) {
        let ring = keyring();
        let cipher = AesGcmTokenCipher::new(&ring);
        let sealed = cipher.seal(&tokens, &owner);
        prop_assert_eq!(sealed.key_id(), &ring.current_key_id());
        prop_assert!(cipher.is_current(&sealed));
        let opened = cipher.open(&sealed, &owner).map(|t| fields(&t));
        prop_assert_eq!(opened.ok(), Some(fields(&tokens)));

        // The same subject at another provider, another subject at the same provider, and a
        // subject that merely starts like the owner's.
        let elsewhere = Identity::new(other_provider, owner.subject.clone());
        let someone_else = Identity::new(owner.provider.clone(), other_subject);
        let longer = Subject::parse(&format!("{}0", owner.subject))
            .map(|s| Identity::new(owner.provider.clone(), s));
        for other in [Some(elsewhere), Some(someone_else), longer.ok()].into_iter().flatten() {
            if other == owner {
                continue;
            }
            let foreign = cipher.open(&sealed, &other);
            prop_assert!(matches!(foreign, Err(CipherError::Corrupt)), "{} opened", other);
        }

        // Sealed under key 2 before it was rotated out of the current slot.
        let older = AesGcmTokenCipher::new(&Keyring::new(key(2), vec![]));
        let older = older.seal(&tokens, &owner);
        prop_assert!(!cipher.is_current(&older));
        let opened = cipher.open(&older, &owner).map(|t| fields(&t));
        prop_assert_eq!(opened.ok(), Some(fields(&tokens)));
    }

    #[test]
    fn debug_of_sealed_and_opened_bundles_does_not_depend_on_the_tokens(
        tokens in provider_tokens(),
        owner in identity(),
    ) {
        let cipher = AesGcmTokenCipher::new(&keyring());
        let others = with_other_tokens(&tokens);
        let (sealed, sealed_others) = (cipher.seal(&tokens, &owner), cipher.seal(&others, &owner));
        let opened = cipher.open(&sealed, &owner).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let opened_others = cipher
            .open(&sealed_others, &owner)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        // The sealed form shows its key id and length; a bundle shows its deadlines and
        // whether it has a refresh token. Nothing else, so no token.
        prop_assert_eq!(format!("{sealed:?}"), format!("{sealed_others:?}"));
        prop_assert_eq!(format!("{tokens:?}"), format!("{others:?}"));
        prop_assert_eq!(format!("{opened:?}"), format!("{opened_others:?}"));
        prop_assert_eq!(format!("{opened:#?}"), format!("{opened_others:#?}"));
    }
}
