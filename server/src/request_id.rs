//! A request id for every request: the caller's `X-Request-Id` when it is a sensible token
//! (a proxy or the frontend set it, so logs on both sides match), else a new one. It is on
//! the request's log span and echoed in the answer's `X-Request-Id`.

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderName;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The caller's id when it is acceptable, else a fresh one.
pub fn of(request: &ServiceRequest) -> String {
    request
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map_or_else(fresh, str::to_owned)
}

/// Up to 128 characters of letters, digits and `-_.:`: enough for UUIDs and trace ids, and
/// nothing that could forge a log line.
fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// 128 bits as 32 hex characters: a counter run through SipHash under a key drawn once from
/// the OS, so ids are unique within the process, unpredictable across processes, and cost no
/// system call (a `getrandom` per request was a measurable part of the session check).
fn fresh() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    static KEY: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const HEX: &[u8; 16] = b"0123456789abcdef";

    let key = KEY.get_or_init(std::collections::hash_map::RandomState::new);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let half = |lane: u8| {
        let mut hasher = key.build_hasher();
        hasher.write_u64(n);
        hasher.write_u8(lane);
        hasher.finish()
    };
    let mut id = String::with_capacity(32);
    for word in [half(0), half(1)] {
        for byte in word.to_be_bytes() {
            id.push(char::from(HEX[usize::from(byte >> 4)]));
            id.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_tokens_are_taken_from_the_caller() {
        assert!(acceptable("3f2a-11ee:b9d1.7"));
        assert!(!acceptable(""));
        assert!(!acceptable("a b"));
        assert!(!acceptable("x\ninjected=1"));
        assert!(!acceptable(&"a".repeat(129)));
    }

    #[test]
    fn fresh_ids_are_32_hex_characters_and_differ() {
        let (a, b) = (fresh(), fresh());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
