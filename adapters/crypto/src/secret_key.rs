//! The master secret (`SECRET_KEY`, `PREVIOUS_SECRET_KEYS`): parsing, generation, encoding.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use secrecy::{ExposeSecret, SecretBox};
use zeroize::Zeroizing;

use crate::random;

/// Length of a master key in bytes.
const KEY_LEN: usize = 32;

/// Fewer distinct byte values than this marks a key as weak (see [`KeyError::Weak`]).
const MIN_DISTINCT_BYTES: usize = 16;

/// People paste keys from many tools, so padding is optional in both alphabets. Trailing bits
/// must still be zero, so each key has exactly one spelling per alphabet.
const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Why a configured key was refused. Messages name the problem and the fix, never the key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The text is neither standard base64 nor base64url.
    #[error(
        "the secret key is not base64 or base64url text; generate one with `nectr-auth keygen`"
    )]
    NotBase64,
    /// The text decodes to this many bytes instead of 32.
    #[error(
        "the secret key decodes to {0} bytes instead of 32; generate one with `nectr-auth keygen`"
    )]
    WrongLength(usize),
    /// The 32 bytes are too regular to have come from a random generator: they hold fewer than
    /// 16 distinct byte values (all zeros, a short repeated pattern) or are all printable ASCII
    /// (a password or passphrase encoded as base64). 32 random bytes fail this test with a
    /// probability below 10⁻¹³.
    #[error(
        "the secret key does not look random (too few distinct bytes, or only printable text \
         such as an encoded password); generate one with `nectr-auth keygen`"
    )]
    Weak,
}

/// The 32 secret bytes of `SECRET_KEY` (or one of `PREVIOUS_SECRET_KEYS`).
///
/// Kept in a heap box that is zeroed when dropped (clones too); `Debug` shows nothing of it.
pub struct SecretKey(SecretBox<[u8; KEY_LEN]>);

impl SecretKey {
    /// Parses a key written as standard base64 or base64url, padded or not; surrounding
    /// whitespace (such as a trailing newline) is ignored.
    ///
    /// # Errors
    /// `KeyError::NotBase64` for text in neither alphabet, `KeyError::WrongLength` unless it
    /// decodes to 32 bytes, `KeyError::Weak` for bytes that do not look random.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let decoded = Zeroizing::new(
            STANDARD_ANY_PADDING
                .decode(text)
                .or_else(|_| URL_SAFE_ANY_PADDING.decode(text))
                .map_err(|_| KeyError::NotBase64)?,
        );
        if decoded.len() != KEY_LEN {
            return Err(KeyError::WrongLength(decoded.len()));
        }
        if is_weak(&decoded) {
            return Err(KeyError::Weak);
        }
        Ok(Self(SecretBox::init_with_mut(|key: &mut [u8; KEY_LEN]| {
            key.copy_from_slice(&decoded);
        })))
    }

    /// A fresh key from the operating system's generator.
    ///
    /// # Panics
    /// When the OS generator fails (there is no fallback).
    pub fn generate() -> Self {
        let key = SecretBox::init_with_mut(|key: &mut [u8; KEY_LEN]| {
            // A random key is weak with negligible probability; drawing again keeps
            // `generate` and `parse` in agreement even then.
            loop {
                random::fill(key);
                if !is_weak(key) {
                    break;
                }
            }
        });
        Self(key)
    }

    /// The key as unpadded base64url (43 characters), the form `nectr-auth keygen` prints.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.expose_secret())
    }

    /// The raw bytes, for key derivation only.
    pub(crate) fn expose(&self) -> &[u8; KEY_LEN] {
        self.0.expose_secret()
    }
}

impl Clone for SecretKey {
    /// Copies into a fresh zeroizing box, so each clone is wiped on its own drop. The
    /// settings hand keys to the keyring by clone and keep their own.
    fn clone(&self) -> Self {
        Self(SecretBox::init_with_mut(|key: &mut [u8; KEY_LEN]| {
            key.copy_from_slice(self.expose());
        }))
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The rule documented on [`KeyError::Weak`].
fn is_weak(key: &[u8]) -> bool {
    let mut seen = [false; 256];
    for &b in key {
        seen[usize::from(b)] = true;
    }
    let distinct = seen.iter().filter(|&&s| s).count();
    let printable = key.iter().all(|b| (0x20..=0x7e).contains(b));
    distinct < MIN_DISTINCT_BYTES || printable
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};

    /// 32 bytes with every value distinct and several above 0x7f, so both alphabets differ.
    fn sample() -> [u8; 32] {
        let mut key = [0_u8; 32];
        for (byte, i) in key.iter_mut().zip(0_u8..) {
            // Multiplying by an odd number permutes the bytes, so all 32 stay distinct.
            *byte = i.wrapping_mul(8).wrapping_add(3).wrapping_mul(0x9d);
        }
        key
    }

    fn parsed(text: &str) -> Result<[u8; 32], KeyError> {
        SecretKey::parse(text).map(|k| *k.expose())
    }

    #[test]
    fn sample_is_not_weak_and_differs_between_alphabets() {
        assert!(!is_weak(&sample()));
        assert_ne!(STANDARD.encode(sample()), URL_SAFE.encode(sample()));
    }

    #[test]
    fn accepts_both_alphabets_with_or_without_padding() {
        let key = sample();
        for text in [
            STANDARD.encode(key),
            STANDARD.encode(key).trim_end_matches('=').to_owned(),
            URL_SAFE.encode(key),
            URL_SAFE_NO_PAD.encode(key),
        ] {
            assert_eq!(parsed(&text), Ok(key), "{text}");
        }
    }

    #[test]
    fn trims_surrounding_whitespace() {
        let text = format!("  {}\n", URL_SAFE_NO_PAD.encode(sample()));
        assert_eq!(parsed(&text), Ok(sample()));
        assert_eq!(
            parsed(&format!("\t{}\r\n", STANDARD.encode(sample()))),
            Ok(sample())
        );
    }

    #[test]
    fn rejects_wrong_lengths() {
        assert_eq!(parsed(""), Err(KeyError::WrongLength(0)));
        assert_eq!(parsed("   "), Err(KeyError::WrongLength(0)));
        assert_eq!(
            parsed(&URL_SAFE_NO_PAD.encode(&sample()[..31])),
            Err(KeyError::WrongLength(31))
        );
        let long: Vec<u8> = sample().iter().chain(sample().iter()).copied().collect();
        assert_eq!(
            parsed(&STANDARD.encode(long)),
            Err(KeyError::WrongLength(64))
        );
    }

    #[test]
    fn rejects_text_that_is_not_base64() {
        let good = URL_SAFE_NO_PAD.encode(sample());
        assert_eq!(parsed("not a key!"), Err(KeyError::NotBase64));
        assert_eq!(
            parsed(&format!("*{}", &good[1..])),
            Err(KeyError::NotBase64)
        );
        // Whitespace inside the key is a pasting accident, not something to guess around.
        assert_eq!(
            parsed(&format!("{} {}", &good[..20], &good[20..])),
            Err(KeyError::NotBase64)
        );
        // Mixing the two alphabets is neither.
        let mixed = format!("+_{}", &STANDARD.encode(sample())[2..]);
        assert_eq!(parsed(&mixed), Err(KeyError::NotBase64));
        assert_eq!(parsed("é"), Err(KeyError::NotBase64));
    }

    #[test]
    fn rejects_weak_keys() {
        let weak: [[u8; 32]; 4] = [
            [0; 32],
            [0xff; 32],
            std::array::from_fn(|i| [0xde, 0xad, 0xbe, 0xef][i % 4]),
            *b"correct horse battery staple!!!!",
        ];
        for key in weak {
            assert_eq!(
                parsed(&STANDARD.encode(key)),
                Err(KeyError::Weak),
                "{key:?}"
            );
        }
        // Many distinct characters, but still a sentence.
        let sentence = b"The quick brown fox jumps over 1";
        assert_eq!(
            parsed(&URL_SAFE_NO_PAD.encode(sentence)),
            Err(KeyError::Weak)
        );
    }

    #[test]
    fn generated_keys_encode_to_43_characters_and_parse_back() {
        let key = SecretKey::generate();
        let text = key.encode();
        assert_eq!(text.len(), 43);
        assert_eq!(parsed(&text), Ok(*key.expose()));
        assert_ne!(*SecretKey::generate().expose(), *key.expose());
    }

    #[test]
    fn errors_never_show_the_key_and_name_the_fix() {
        for err in [
            KeyError::NotBase64,
            KeyError::WrongLength(31),
            KeyError::Weak,
        ] {
            assert!(err.to_string().contains("nectr-auth keygen"), "{err}");
        }
        let text = "not a key!";
        let err = SecretKey::parse(text).err();
        assert!(!format!("{err:?}").contains(text));
    }

    #[test]
    fn clones_hold_the_same_key() -> Result<(), KeyError> {
        let key = SecretKey::parse(&URL_SAFE_NO_PAD.encode(sample()))?;
        assert_eq!(key.clone().expose(), key.expose());
        Ok(())
    }

    #[test]
    fn debug_is_redacted() {
        let key = SecretKey::parse(&URL_SAFE_NO_PAD.encode(sample()));
        let shown = format!("{key:?}");
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(!shown.contains(&URL_SAFE_NO_PAD.encode(sample())[..8]));
    }
}
