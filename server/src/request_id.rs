//! A request id for every request: the caller's `X-Request-Id` when it is a sensible token
//! (a proxy or the frontend set it, so logs on both sides match), else a new one. It is on
//! the request's log span and echoed in the answer's `X-Request-Id`.

use actix_web::Error;
use actix_web::HttpMessage as _;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn assign(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = request
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map_or_else(fresh, str::to_owned);
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.call(request).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    Ok(response)
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

/// 128 random bits as 32 hex characters.
fn fresh() -> String {
    let mut bytes = [0_u8; 16];
    // A request id needs no cryptographic strength; all zeros on a failing generator still
    // serves (the OS generator failing would stop sign-ins long before this).
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
