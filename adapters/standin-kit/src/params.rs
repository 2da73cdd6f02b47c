//! Reading what a client sends, where every provider reads it the same way: parameters,
//! HTTP Basic client credentials and the PKCE `S256` transform.

use std::collections::HashMap;

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// The first value of each parameter in a query or form string, decoded. Providers take the
/// first of a repeated parameter, so a client that sends two does not get the second honoured.
pub fn first_values(encoded: &str) -> HashMap<String, String> {
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(encoded.as_bytes()).into_owned() {
        params.entry(name).or_insert(value);
    }
    params
}

/// `client_id:client_secret` from an `Authorization: Basic …` header, the ID possibly empty
/// (providers differ on what an empty one means, so the stand-in decides).
pub fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The `S256` challenge of a PKCE verifier (RFC 7636): its SHA-256, base64url without padding.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::{basic_credentials, first_values, s256_challenge};

    #[test]
    fn the_first_of_a_repeated_parameter_wins() {
        let params = first_values("a=1&b=x%20y&a=2");
        assert_eq!(params["a"], "1");
        assert_eq!(params["b"], "x y");
    }

    #[test]
    fn basic_credentials_are_decoded() {
        // "id:se:cret": only the first colon separates.
        let req = TestRequest::default()
            .insert_header(("authorization", "basic aWQ6c2U6Y3JldA=="))
            .to_http_request();
        assert_eq!(
            basic_credentials(&req),
            Some(("id".to_owned(), "se:cret".to_owned()))
        );
        let bearer = TestRequest::default()
            .insert_header(("authorization", "Bearer aWQ6c2VjcmV0"))
            .to_http_request();
        assert_eq!(basic_credentials(&bearer), None);
    }

    #[test]
    fn s256_follows_rfc_7636_appendix_b() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
