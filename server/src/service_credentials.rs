//! The credentials other Nectr services present to the internal API, and the rule that
//! browsers never get in.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, COOKIE, ORIGIN};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::api_error::ApiError;

/// The configured credentials, kept only as digests so comparing them takes the same time
/// whatever the presented value, and memory holds no usable copy.
pub struct ServiceCredentials(Vec<[u8; 32]>);

/// Headers every browser sends on its own and no service client does.
const BROWSER_HEADERS: [&str; 3] = ["sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest"];

impl ServiceCredentials {
    pub fn new(tokens: &[SecretString]) -> Self {
        Self(
            tokens
                .iter()
                .map(|t| Sha256::digest(t.expose_secret().as_bytes()).into())
                .collect(),
        )
    }

    /// Lets the request through only with a configured credential and nothing a browser
    /// would send.
    ///
    /// # Errors
    /// 404 when the internal API is off, 403 for a browser's request, 401 without a valid
    /// credential.
    pub fn check(&self, request: &HttpRequest) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "The internal API is off: the operator enables it by setting INTERNAL_API_TOKENS.",
            ));
        }
        let headers = request.headers();
        if headers.contains_key(ORIGIN)
            || headers.contains_key(COOKIE)
            || BROWSER_HEADERS.iter().any(|h| headers.contains_key(*h))
        {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "This endpoint is for Nectr's own services and refuses requests from browsers (with Origin, Sec-Fetch-* or Cookie headers).",
            )
            .with_reason("browser_refused"));
        }
        let presented = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| Sha256::digest(t.trim().as_bytes()));
        let Some(presented) = presented else {
            return Err(unauthorized(
                "Missing service credential: send `Authorization: Bearer <one of INTERNAL_API_TOKENS>`.",
            ));
        };
        // Every configured digest is compared in full, so timing says nothing about which
        // one, or how much of one, matched.
        let matched = self.0.iter().fold(false, |found, known| {
            let difference = known
                .iter()
                .zip(presented.iter())
                .fold(0_u8, |acc, (a, b)| acc | (a ^ b));
            found | (difference == 0)
        });
        if matched {
            Ok(())
        } else {
            Err(unauthorized(
                "Invalid service credential: it is not one of INTERNAL_API_TOKENS.",
            ))
        }
    }
}

fn unauthorized(detail: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, detail).with_reason("invalid_service_credential")
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn credentials() -> ServiceCredentials {
        ServiceCredentials::new(&[
            SecretString::from("x".repeat(40)),
            SecretString::from(TOKEN),
        ])
    }

    fn status(result: Result<(), ApiError>) -> Option<u16> {
        result
            .err()
            .map(|e| actix_web::ResponseError::status_code(&e).as_u16())
    }

    #[test]
    fn a_configured_credential_gets_in() {
        let request = TestRequest::default()
            .insert_header((AUTHORIZATION, format!("Bearer {TOKEN}")))
            .to_http_request();
        assert_eq!(status(credentials().check(&request)), None);
    }

    #[test]
    fn anything_else_is_refused() {
        let wrong = TestRequest::default()
            .insert_header((AUTHORIZATION, format!("Bearer {TOKEN}x")))
            .to_http_request();
        assert_eq!(status(credentials().check(&wrong)), Some(401));
        let none = TestRequest::default().to_http_request();
        assert_eq!(status(credentials().check(&none)), Some(401));
        let basic = TestRequest::default()
            .insert_header((AUTHORIZATION, format!("Basic {TOKEN}")))
            .to_http_request();
        assert_eq!(status(credentials().check(&basic)), Some(401));
    }

    #[test]
    fn browsers_are_refused_even_with_the_credential() {
        for (name, value) in [
            ("origin", "http://localhost:3000"),
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-mode", "cors"),
            ("cookie", "access_token=x"),
        ] {
            let request = TestRequest::default()
                .insert_header((AUTHORIZATION, format!("Bearer {TOKEN}")))
                .insert_header((name, value))
                .to_http_request();
            assert_eq!(status(credentials().check(&request)), Some(403), "{name}");
        }
    }

    #[test]
    fn without_credentials_the_api_is_off() {
        let request = TestRequest::default()
            .insert_header((AUTHORIZATION, format!("Bearer {TOKEN}")))
            .to_http_request();
        assert_eq!(
            status(ServiceCredentials::new(&[]).check(&request)),
            Some(404)
        );
    }
}
