//! Fuzz target: the domain's parsers of outside input (opaque tokens, PKCE verifier, ids,
//! provider and subject, access and refresh token, the sealed token bundle, profile, sealed
//! token) never panic and accept only their documented forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nectr_domain::{
    AccessToken, BrowserBinding, EncryptedToken, IdentityProfile, KeyId, PkceVerifier, ProviderId,
    ProviderTokens, RefreshToken, SessionId, StateToken, Subject, UserId,
};
use secrecy::ExposeSecret as _;

type Input<'a> = (
    &'a str,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<u8>,
    Vec<u8>,
);

fn base64url(text: &str) -> bool {
    text.len() == 43
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What `IdentityProfile::new` promises about every optional text it keeps.
fn clean(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.len() <= 1024 && !t.chars().any(char::is_control) && !t.trim().is_empty())
}

fuzz_target!(|input: Input<'_>| {
    let (text, name, email, avatar_url, nonce, ciphertext) = input;

    for (accepted, value) in [
        StateToken::parse(text).map(|t| t.as_str().to_owned()),
        BrowserBinding::parse(text).map(|t| t.as_str().to_owned()),
        SessionId::parse(text).map(|t| t.as_str().to_owned()),
    ]
    .into_iter()
    .map(|r| (r.is_ok(), r.ok()))
    {
        assert_eq!(accepted, base64url(text));
        assert!(value.is_none_or(|v| v == text));
    }

    let pkce = (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    assert_eq!(PkceVerifier::parse(text).is_ok(), pkce);

    if let Ok(id) = UserId::parse(text) {
        let digits = text.strip_prefix('+').unwrap_or(text);
        assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(digits.trim_start_matches('0'), id.to_string());
    }

    let hex = (1..=64).contains(&text.len())
        && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    assert_eq!(KeyId::parse(text).is_ok(), hex);

    let provider = (1..=32).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    assert_eq!(
        ProviderId::parse(text).map(|p| p.as_str() == text).ok(),
        provider.then_some(true)
    );

    let graphic = text.bytes().all(|b| b.is_ascii_graphic());
    let subject_ok = (1..=255).contains(&text.len()) && graphic;
    assert_eq!(
        Subject::parse(text).map(|s| s.as_str() == text).ok(),
        subject_ok.then_some(true)
    );

    let printable = (1..=4096).contains(&text.len()) && graphic;
    assert_eq!(AccessToken::new(text.to_owned()).is_ok(), printable);
    assert_eq!(RefreshToken::new(text.to_owned()).is_ok(), printable);

    // The stored form of a token bundle: one token, or four space-separated fields. Reading
    // it never panics, and what it reads is sealed as text that reads back the same (the
    // text itself may differ: `+5` becomes `5`, `tok - - -` the bare `tok`; a refresh
    // deadline without refresh token or access deadline is dropped).
    if let Ok(tokens) = ProviderTokens::from_sealable(text) {
        let again = tokens.to_sealable();
        let again = again.expose_secret();
        let fields: Vec<&str> = text.split(' ').collect();
        assert!(fields.len() == 1 || fields.len() == 4);
        assert_eq!(tokens.access.expose(), fields[0]);
        let reread = ProviderTokens::from_sealable(again).expect("its own output reads back");
        assert_eq!(reread.access.expose(), tokens.access.expose());
        assert_eq!(reread.access_expires_at, tokens.access_expires_at);
        assert_eq!(
            reread.refresh.as_ref().map(RefreshToken::expose),
            tokens.refresh.as_ref().map(RefreshToken::expose)
        );
        if tokens.refresh.is_some() || tokens.access_expires_at.is_some() {
            assert_eq!(reread.refresh_expires_at, tokens.refresh_expires_at);
        }
    }

    let username_ok = !text.is_empty() && text.len() <= 1024 && !text.chars().any(char::is_control);
    let subject = Subject::from_number(1).expect("1 is a subject");
    match IdentityProfile::new(subject, text.to_owned(), name, email, avatar_url) {
        Ok(profile) => {
            assert!(username_ok);
            assert_eq!(profile.username(), text);
            assert!(clean(profile.name()) && clean(profile.email()) && clean(profile.avatar_url()));
        }
        Err(_) => assert!(!username_ok),
    }

    let sizes_ok = nonce.len() == 12 && ciphertext.len() > 16;
    let key_id = KeyId::parse("0a1b").expect("a key id");
    assert_eq!(
        EncryptedToken::new(key_id, nonce, ciphertext).is_ok(),
        sizes_ok
    );
});
