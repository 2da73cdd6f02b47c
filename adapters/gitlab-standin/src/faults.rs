//! The endpoints a test can single out, and how the kit's faults look coming from GitLab:
//! `Status` with GitLab's JSON error body, `{"message": "502 Bad Gateway"}`, `Garbage` as an
//! HTML page that is not JSON, and `RateLimited` as a 429 with `Retry-After`, GitLab's
//! `RateLimit-*` headers and a plain-text body.

use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::{FaultAnswer, wait_out};
use serde_json::json;

use crate::state::Shared;

/// The endpoints the stand-in serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /oauth/authorize`
    Authorize,
    /// `POST /oauth/token`
    Token,
    /// `POST /oauth/revoke`
    Revoke,
    /// `GET /api/v4/user`
    User,
    /// `GET /api/v4/groups`
    Groups,
}

/// Seconds a rate-limited client is told to wait.
const RETRY_AFTER: u64 = 60;

/// Records the request, then applies the endpoint's fault: `Some` is the answer to send instead
/// of the normal one.
pub(crate) async fn arrive(
    shared: &Shared,
    endpoint: Option<Endpoint>,
    req: &HttpRequest,
    body: &[u8],
) -> Option<HttpResponse> {
    // The reset time is read on arrival, before any waiting, as GitLab stamps it.
    let (fault, now) = {
        let mut inner = shared.lock();
        let fault = inner.traffic.arrive(endpoint, req, body);
        (fault, inner.epoch_seconds())
    };
    match wait_out(fault?).await? {
        FaultAnswer::Status(status) => {
            let reason = status.canonical_reason().unwrap_or("Error");
            Some(
                HttpResponse::build(status)
                    .json(json!({ "message": format!("{} {reason}", status.as_u16()) })),
            )
        }
        FaultAnswer::Garbage => Some(
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body("<!DOCTYPE html><html><head><title>GitLab is not responding (502)</title></head><body><h1>502</h1><h3>Whoops, GitLab is taking too much time to respond.</h3></body></html>"),
        ),
        FaultAnswer::RateLimited => Some(
            HttpResponse::TooManyRequests()
                .content_type("text/plain")
                .insert_header(("retry-after", RETRY_AFTER.to_string()))
                .insert_header(("ratelimit-name", "throttle_authenticated_api"))
                .insert_header(("ratelimit-limit", "2000"))
                .insert_header(("ratelimit-observed", "2001"))
                .insert_header(("ratelimit-remaining", "0"))
                .insert_header(("ratelimit-reset", (now + RETRY_AFTER).to_string()))
                .body("Retry later\n"),
        ),
    }
}
