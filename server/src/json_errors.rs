//! Every error answer as `{"detail": …}`, including those made by middleware we do not own
//! (actix-cors answers a refused preflight in plain text).

use actix_web::HttpResponse;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::CONTENT_TYPE;

/// Rewrites a 4xx/5xx answer that carries a framework error and whose body is not JSON into
/// `{"detail"}` with the same status, using the error's message. Answers built on purpose
/// (our JSON errors, pages of a mounted development stand-in) carry no error and pass as they
/// are.
pub fn rewrite<B: MessageBody>(response: ServiceResponse<B>) -> ServiceResponse<EitherBody<B>> {
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response.map_into_left_body();
    }
    let detail = response.response().error().map_or_else(
        || {
            status
                .canonical_reason()
                .unwrap_or("Request refused")
                .to_owned()
        },
        |e| format!("{e}."),
    );
    tracing::debug!(http.status = status.as_u16(), %detail, "request refused by middleware");
    let (request, original) = response.into_parts();
    let mut json = HttpResponse::build(status);
    // Keep what the middleware set (CORS and security headers), but not its content type.
    for (name, value) in original.headers() {
        if name != CONTENT_TYPE {
            json.append_header((name.clone(), value.clone()));
        }
    }
    ServiceResponse::new(request, json.json(serde_json::json!({ "detail": detail })))
        .map_into_right_body()
}
