//! The HTTP API: one handler per file, registered here.

// Visible to the crate so `openapi` can gather the handlers' annotations.
pub(crate) mod callback;
pub(crate) mod internal_token;
pub(crate) mod logout;
pub(crate) mod me;
pub(crate) mod organizations;
pub(crate) mod reconnect;
pub(crate) mod start;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, Route, web};

use nectr_application::StartedSignIn;

use crate::api_error::{ApiError, framework};
use crate::cookies::{BINDING_COOKIE, SESSION_COOKIE};
use crate::state::AppState;

/// Path segments under `/auth/` that are routes of their own, so no provider may be named so.
pub const RESERVED_PROVIDER_IDS: &[&str] = &["me", "logout"];

/// Registers every route; each path answers other methods with a JSON 405. The fixed paths
/// come first: `/auth/{provider}` would otherwise take `/auth/me`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get("/auth/me", me::me))
        .service(get("/auth/me/organizations", organizations::organizations))
        .service(post("/auth/logout", logout::logout))
        .service(get(
            "/internal/users/{user_id}/provider-token",
            internal_token::provider_token,
        ))
        .service(get("/openapi.json", crate::openapi::openapi_json))
        .service(get("/auth/{provider}", start::start))
        .service(get("/auth/{provider}/callback", callback::complete))
        .service(get("/auth/{provider}/reconnect", reconnect::reconnect));
}

/// The offered provider named by the path, or a 404 that lists the offered ones.
fn offered(state: &AppState, provider: &str) -> Result<(), ApiError> {
    if state.auth.providers().get(provider).is_some() {
        return Ok(());
    }
    let offered: Vec<String> = state
        .auth
        .providers()
        .iter()
        .map(|p| format!("/auth/{}", p.adapter.id()))
        .collect();
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "Not found: this service offers sign-in at {}.",
            offered.join(" and ")
        ),
    ))
}

/// `path` answering GET with `handler`; other methods get a JSON 405.
pub(crate) fn get<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    only(path, &Method::GET, web::get().to(handler))
}

/// `path` answering POST with `handler`; other methods get a JSON 405.
pub(crate) fn post<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    only(path, &Method::POST, web::post().to(handler))
}

/// `path` answering `route`, which takes `method`; other methods get a JSON 405 with the
/// `Allow` header RFC 9110 §15.5.6 asks for.
fn only(path: &str, method: &Method, route: Route) -> actix_web::Resource {
    let allow = HeaderValue::from_str(method.as_str()).unwrap_or(HeaderValue::from_static("GET"));
    web::resource(path)
        .route(route)
        .default_service(web::to(move |request: HttpRequest| {
            let allow = allow.clone();
            async move {
                let mut response = framework::method_not_allowed(request).await;
                response.headers_mut().insert(header::ALLOW, allow);
                response
            }
        }))
}

/// The value of the cookie `name`, read straight from the `Cookie` headers: parsing every
/// cookie (with percent-decoding) on each session check cost more than the rest of it. A
/// header with quotes, percent signs or non-ASCII bytes, which actix's parser would strip,
/// decode or refuse, is left to that parser. Otherwise both read the same, except that a
/// malformed pair (no `=`, or an empty name, which another site's script can set) makes
/// actix's parser drop every cookie, and here only that pair, so the person stays signed in.
/// A property test holds the two to this.
fn cookie_value(request: &HttpRequest, name: &str) -> Option<String> {
    let headers = || request.headers().get_all(actix_web::http::header::COOKIE);
    let plain = headers().all(|header| {
        let bytes = header.as_bytes();
        memchr::memchr2(b'%', b'"', bytes).is_none() && bytes.iter().all(u8::is_ascii)
    });
    if !plain {
        return request.cookie(name).map(|c| c.value().to_owned());
    }
    headers()
        .flat_map(|header| header.as_bytes().split(|&b| b == b';'))
        .filter_map(|pair| {
            let at = memchr::memchr(b'=', pair)?;
            Some((&pair[..at], &pair[at + 1..]))
        })
        .find(|(key, _)| key.trim_ascii() == name.as_bytes())
        .and_then(|(_, value)| std::str::from_utf8(value.trim_ascii()).ok())
        .map(str::to_owned)
}

fn session_cookie(request: &HttpRequest) -> Option<String> {
    cookie_value(request, SESSION_COOKIE)
}

fn binding_cookie(request: &HttpRequest) -> Option<String> {
    cookie_value(request, BINDING_COOKIE)
}

/// The redirect that starts an authorization at the provider, with the binding cookie that
/// ties the attempt to this browser.
fn to_provider(state: &AppState, started: &StartedSignIn) -> HttpResponse {
    found(&started.redirect_url)
        .cookie(state.cookies.binding(
            started.binding.as_str().to_owned(),
            started.ttl_seconds,
            started.provider.as_str(),
        ))
        .finish()
}

/// A 302 to `location`.
fn found(location: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Found();
    response.insert_header((actix_web::http::header::LOCATION, location));
    response
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use proptest::prelude::*;

    use super::*;

    /// What actix's own cookie parser says, for comparison.
    fn actix_reads(request: &HttpRequest, name: &str) -> Option<String> {
        request.cookie(name).map(|c| c.value().to_owned())
    }

    fn request_with(headers: &[String]) -> HttpRequest {
        let mut request = TestRequest::default();
        for header in headers {
            request = request.append_header((actix_web::http::header::COOKIE, header.as_str()));
        }
        request.to_http_request()
    }

    #[test]
    fn reads_the_session_cookie_among_others() {
        let request = request_with(&[
            "theme=dark; access_token=eyJ.abc.def-_; nectr_oauth_binding=b".to_owned(),
        ]);
        assert_eq!(
            cookie_value(&request, SESSION_COOKIE).as_deref(),
            Some("eyJ.abc.def-_")
        );
        assert_eq!(cookie_value(&request, BINDING_COOKIE).as_deref(), Some("b"));
        assert_eq!(cookie_value(&request, "missing"), None);
    }

    proptest! {
        /// Whatever the browser sends, the fast reader agrees with actix's parser wherever
        /// that parser reads the header at all.
        #[test]
        fn agrees_with_actix(
            headers in prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![
                        ("(access_token|nectr_oauth_binding|x|access_tokenx| access_token)",
                         "[A-Za-z0-9._%\\-\" =é]{0,12}")
                            .prop_map(|(k, v)| format!("{k}={v}")),
                        "[ a-z=]{0,4}",
                    ],
                    0..4,
                ).prop_map(|pairs| pairs.join(";")),
                0..3,
            )
        ) {
            let request = request_with(&headers);
            let actix_parses = request.cookies().is_ok();
            for name in [SESSION_COOKIE, BINDING_COOKIE] {
                let ours = cookie_value(&request, name);
                if actix_parses {
                    prop_assert_eq!(ours, actix_reads(&request, name), "headers {:?}", headers);
                } else {
                    // Only well-formed pairs are read; the first with the name wins.
                    let expected = headers
                        .iter()
                        .flat_map(|h| h.split(';'))
                        .filter_map(|pair| pair.split_once('='))
                        .find(|(k, _)| k.trim() == name)
                        .map(|(_, v)| v.trim().to_owned());
                    if headers.iter().all(|h| h.is_ascii() && !h.contains(['%', '"'])) {
                        prop_assert_eq!(ours, expected, "headers {:?}", headers);
                    }
                }
            }
        }
    }
}
