//! Property tests of the domain's parsers of outside input: none panics on any input, each
//! accepts exactly its documented language, and secret-holding values never show in `Debug`.

use nectr_domain::{
    AccessToken, BrowserBinding, DomainError, EncryptedToken, IdentityProfile, KeyId, PkceVerifier,
    SessionId, StateToken, Subject, UserId,
};
use proptest::prelude::*;

/// A parsed opaque token, seen from outside: its text and its `Debug` output.
type Parsed = Result<(String, String), DomainError>;

/// The three opaque tokens (`state`, browser binding, session id) parsed from one text.
fn parse_opaque(text: &str) -> [Parsed; 3] {
    [
        StateToken::parse(text).map(|t| (t.as_str().to_owned(), format!("{t:?}"))),
        BrowserBinding::parse(text).map(|t| (t.as_str().to_owned(), format!("{t:?}"))),
        SessionId::parse(text).map(|t| (t.as_str().to_owned(), format!("{t:?}"))),
    ]
}

fn is_base64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

fn is_lower_hex(c: char) -> bool {
    matches!(c, '0'..='9' | 'a'..='f')
}

/// The documented language of the opaque tokens: 43 characters of base64url.
fn is_opaque_token(text: &str) -> bool {
    text.chars().count() == 43 && text.chars().all(is_base64url)
}

/// RFC 7636 §4.1: 43 to 128 unreserved characters.
fn is_pkce_verifier(text: &str) -> bool {
    (43..=128).contains(&text.chars().count()) && text.chars().all(is_unreserved)
}

fn is_key_id(text: &str) -> bool {
    (1..=64).contains(&text.chars().count()) && text.chars().all(is_lower_hex)
}

fn is_access_token(text: &str) -> bool {
    (1..=4096).contains(&text.len()) && text.chars().all(|c| c.is_ascii_graphic())
}

/// Text as it arrives from outside: any Unicode, or arbitrary bytes decoded leniently.
fn outside_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..160)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        "[A-Za-z0-9_~.+/=-]{0,140}",
    ]
}

/// `text` with the character at `index` (modulo its length) replaced by `with`.
fn replace_char(text: &str, index: usize, with: char) -> String {
    let at = index % text.chars().count().max(1);
    text.chars()
        .enumerate()
        .map(|(i, c)| if i == at { with } else { c })
        .collect()
}

/// `text` with `with` inserted before the character at `index` (modulo its length + 1).
fn insert_char(text: &str, index: usize, with: char) -> String {
    let at = index % (text.chars().count() + 1);
    let mut out: String = text.chars().take(at).collect();
    out.push(with);
    out.extend(text.chars().skip(at));
    out
}

/// Texts for profile fields: anything, control characters, and lengths around the 1024-byte
/// limit in multi-byte characters.
fn profile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z \\t\\n\\r\\x00\\x1b\\x7f\\x{85}\\x{9f}]{0,12}",
        "[a-zé山🐙 ]{1000,1030}",
        "[a-zé山🐙\\t\\x00\\x{85}]{1020,1100}",
        "[ \\t\\n]{0,5}",
    ]
}

/// `seed` repeated to exactly `len` characters (`seed` is never empty).
fn cycled(seed: &str, len: usize) -> String {
    seed.chars().cycle().take(len).collect()
}

/// Printable ASCII tokens of every allowed length, 4096 included, without generating thousands
/// of characters one by one.
fn printable_token() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[!-~]{1,64}",
        3 => ("[!-~]{1,64}", 65..=4096_usize).prop_map(|(seed, len)| cycled(&seed, len)),
        1 => "[!-~]{1,64}".prop_map(|seed| cycled(&seed, 4096)),
    ]
}

fn github_id() -> impl Strategy<Value = Subject> {
    (1..=i64::MAX).prop_map(|n| Subject::from_number(n).expect("a positive id"))
}

fn key_id() -> impl Strategy<Value = KeyId> {
    "[0-9a-f]{1,64}".prop_map(|text| KeyId::parse(&text).expect("lowercase hex is a key id"))
}

/// What `IdentityProfile::new` promises about every optional text it keeps.
fn assert_clean(field: &str, text: Option<&str>) -> Result<(), TestCaseError> {
    if let Some(text) = text {
        prop_assert!(text.len() <= 1024, "{field} is {} bytes", text.len());
        prop_assert!(
            !text.chars().any(char::is_control),
            "{field} has a control character: {text:?}"
        );
        prop_assert!(!text.trim().is_empty(), "{field} is blank: {text:?}");
    }
    Ok(())
}

proptest! {
    #[test]
    fn opaque_tokens_accept_only_43_base64url_characters(text in outside_text()) {
        for parsed in parse_opaque(&text) {
            prop_assert_eq!(parsed.is_ok(), is_opaque_token(&text), "{:?}", text);
        }
    }

    #[test]
    fn opaque_tokens_round_trip_and_hide_their_value(text in "[A-Za-z0-9_-]{43}") {
        let names = ["StateToken", "BrowserBinding", "SessionId"];
        for (parsed, name) in parse_opaque(&text).into_iter().zip(names) {
            let (value, shown) = parsed.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&value, &text);
            prop_assert_eq!(shown, format!("{name}(<redacted>)"));
        }
    }

    #[test]
    fn opaque_tokens_refuse_other_lengths(
        text in prop_oneof!["[A-Za-z0-9_-]{0,42}", "[A-Za-z0-9_-]{44,200}"],
    ) {
        for parsed in parse_opaque(&text) {
            prop_assert!(parsed.is_err(), "{:?}", text);
        }
    }

    #[test]
    fn opaque_tokens_refuse_one_foreign_character(
        text in "[A-Za-z0-9_-]{43}",
        index in any::<usize>(),
        foreign in any::<char>().prop_filter("outside base64url", |c| !is_base64url(*c)),
    ) {
        let near_miss = replace_char(&text, index, foreign);
        for parsed in parse_opaque(&near_miss) {
            prop_assert!(parsed.is_err(), "{:?}", near_miss);
        }
    }

    #[test]
    fn pkce_verifier_accepts_exactly_rfc_7636(text in outside_text()) {
        prop_assert_eq!(PkceVerifier::parse(&text).is_ok(), is_pkce_verifier(&text));
    }

    #[test]
    fn pkce_verifier_round_trips_and_hides_its_value(text in "[A-Za-z0-9._~-]{43,128}") {
        let verifier = PkceVerifier::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(verifier.expose(), text.as_str());
        prop_assert_eq!(format!("{verifier:?}"), "PkceVerifier(<redacted>)");
    }

    #[test]
    fn pkce_verifier_refuses_near_misses(
        short in "[A-Za-z0-9._~-]{0,42}",
        long in "[A-Za-z0-9._~-]{129,300}",
        valid in "[A-Za-z0-9._~-]{43,128}",
        index in any::<usize>(),
        foreign in any::<char>().prop_filter("reserved", |c| !is_unreserved(*c)),
    ) {
        prop_assert!(PkceVerifier::parse(&short).is_err());
        prop_assert!(PkceVerifier::parse(&long).is_err());
        prop_assert!(PkceVerifier::parse(&replace_char(&valid, index, foreign)).is_err());
    }

    #[test]
    fn user_id_round_trips_every_positive_id(value in 1..=i64::MAX) {
        let id = UserId::parse(&value.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(id.get(), value);
        prop_assert_eq!(id.to_string(), value.to_string());
    }

    #[test]
    fn user_id_refuses_zero_negative_and_oversized(
        not_positive in i64::MIN..=0,
        oversized in (i64::MAX as u64 + 1)..=u64::MAX,
        longer in "[1-9][0-9]{19,40}",
    ) {
        let refused = matches!(
            UserId::parse(&not_positive.to_string()),
            Err(DomainError::NotPositive { .. })
        );
        prop_assert!(refused, "{}", not_positive);
        prop_assert!(UserId::parse(&oversized.to_string()).is_err());
        prop_assert!(UserId::parse(&longer).is_err());
    }

    #[test]
    fn user_id_accepts_only_decimal_digits(text in outside_text()) {
        if let Ok(id) = UserId::parse(&text) {
            // An optional leading '+' is part of Rust's (and most languages') decimal syntax.
            let digits = text.strip_prefix('+').unwrap_or(&text);
            let decimal = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
            prop_assert!(decimal, "{:?}", text);
            prop_assert!(id.get() > 0);
            prop_assert_eq!(digits.trim_start_matches('0'), id.to_string());
        }
    }

    #[test]
    fn user_id_refuses_a_foreign_character(
        value in 1..=i64::MAX,
        index in any::<usize>(),
        foreign in any::<char>().prop_filter("not a digit", |c| !c.is_ascii_digit()),
    ) {
        let near_miss = insert_char(&value.to_string(), index, foreign);
        prop_assume!(!near_miss.starts_with('+'));
        prop_assert!(UserId::parse(&near_miss).is_err(), "{:?}", near_miss);
    }

    #[test]
    fn key_id_accepts_exactly_1_to_64_lowercase_hex(text in outside_text()) {
        prop_assert_eq!(KeyId::parse(&text).is_ok(), is_key_id(&text));
    }

    #[test]
    fn key_id_round_trips(text in "[0-9a-f]{1,64}") {
        let id = KeyId::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(id.as_str(), text.as_str());
    }

    #[test]
    fn key_id_refuses_near_misses(
        long in "[0-9a-f]{65,200}",
        valid in "[0-9a-f]{1,64}",
        index in any::<usize>(),
        foreign in any::<char>().prop_filter("not lowercase hex", |c| !is_lower_hex(*c)),
    ) {
        prop_assert!(KeyId::parse("").is_err());
        prop_assert!(KeyId::parse(&long).is_err());
        prop_assert!(KeyId::parse(&replace_char(&valid, index, foreign)).is_err());
    }

    #[test]
    fn access_token_accepts_exactly_printable_ascii(text in outside_text()) {
        prop_assert_eq!(AccessToken::new(text.clone()).is_ok(), is_access_token(&text));
    }

    #[test]
    fn access_token_round_trips_and_hides_its_value(text in printable_token()) {
        let token = AccessToken::new(text.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(token.expose(), text.as_str());
        prop_assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
    }

    #[test]
    fn access_token_refuses_near_misses(
        valid in printable_token(),
        long in ("[!-~]{1,64}", 4097..8200_usize).prop_map(|(seed, len)| cycled(&seed, len)),
        index in any::<usize>(),
        foreign in any::<char>().prop_filter("not printable ASCII", |c| !c.is_ascii_graphic()),
    ) {
        prop_assert!(AccessToken::new(String::new()).is_err());
        prop_assert!(AccessToken::new(long).is_err());
        prop_assert!(AccessToken::new(insert_char(&valid, index, foreign)).is_err());
    }

    #[test]
    fn identity_profile_never_panics_and_keeps_only_clean_texts(
        subject in github_id(),
        username in profile_text(),
        name in proptest::option::of(profile_text()),
        email in proptest::option::of(profile_text()),
        avatar_url in proptest::option::of(profile_text()),
        later_email in proptest::option::of(profile_text()),
    ) {
        let username_ok = !username.is_empty()
            && username.len() <= 1024
            && !username.chars().any(char::is_control);
        let result = IdentityProfile::new(
            subject.clone(),
            username.clone(),
            name.clone(),
            email.clone(),
            avatar_url.clone(),
        );
        prop_assert_eq!(result.is_ok(), username_ok, "{:?}", username);
        let Ok(profile) = result else { return Ok(()) };
        prop_assert_eq!(profile.subject(), &subject);
        prop_assert_eq!(profile.username(), username.as_str());
        assert_clean("name", profile.name())?;
        assert_clean("email", profile.email())?;
        assert_clean("avatar_url", profile.avatar_url())?;

        // A name is cleaned, never dropped: control characters become spaces, then it is cut
        // at a character boundary to 1024 bytes.
        if let Some(name) = &name {
            let cleaned: String =
                name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            let mut cut = cleaned.len().min(1024);
            while !cleaned.is_char_boundary(cut) {
                cut -= 1;
            }
            let expected = Some(&cleaned[..cut]).filter(|n| !n.trim().is_empty());
            prop_assert_eq!(profile.name(), expected);
        }
        // An email or avatar URL is kept exactly as sent, or dropped.
        for (sent, kept) in [(&email, profile.email()), (&avatar_url, profile.avatar_url())] {
            if let Some(kept) = kept {
                prop_assert_eq!(Some(kept), sent.as_deref());
            } else if let Some(sent) = sent {
                let usable = sent.len() <= 1024
                    && !sent.chars().any(char::is_control)
                    && !sent.trim().is_empty();
                prop_assert!(!usable, "{:?} was dropped", sent);
            }
        }

        let updated = profile.with_email(later_email.clone());
        assert_clean("email", updated.email())?;
        if let Some(kept) = updated.email() {
            prop_assert_eq!(Some(kept), later_email.as_deref());
        }
    }

    #[test]
    fn encrypted_token_checks_nonce_and_tag_sizes_only(
        key_id in key_id(),
        nonce in proptest::collection::vec(any::<u8>(), 0..40),
        ciphertext in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let valid = nonce.len() == 12 && ciphertext.len() > 16;
        let sealed = EncryptedToken::new(key_id.clone(), nonce.clone(), ciphertext.clone());
        prop_assert_eq!(sealed.is_ok(), valid);
        let Ok(sealed) = sealed else { return Ok(()) };
        prop_assert_eq!(sealed.key_id(), &key_id);
        prop_assert_eq!(sealed.nonce(), nonce.as_slice());
        prop_assert_eq!(sealed.ciphertext(), ciphertext.as_slice());

        // `Debug` shows the key id and the length, nothing that depends on the bytes.
        let blank = EncryptedToken::new(key_id, vec![0; 12], vec![0; ciphertext.len()])
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(format!("{sealed:?}"), format!("{blank:?}"));
    }
}
