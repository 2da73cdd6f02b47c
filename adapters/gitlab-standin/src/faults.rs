//! The endpoints a test can single out, and the ways it can make them misbehave.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::record::RecordedRequest;
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

/// A way for an endpoint to misbehave, applied before its normal handling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Never answer (in practice: wait an hour).
    Hang,
    /// Answer this HTTP status with GitLab's JSON error body, `{"message": "502 Bad Gateway"}`
    /// (an invalid code answers 500).
    Status(u16),
    /// Answer HTTP 200 with an HTML page that is not JSON.
    Garbage,
    /// Answer 429 with `Retry-After` and GitLab's `RateLimit-*` headers and plain-text body.
    RateLimited,
}

const HANG_FOR: Duration = Duration::from_secs(3600);
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
    let (fault, now) = {
        let mut inner = shared.lock();
        inner
            .requests
            .push(RecordedRequest::capture(endpoint, req, body));
        let fault = endpoint.and_then(|e| inner.faults.get(&e).cloned());
        (fault, inner.epoch_seconds())
    };
    match fault? {
        Fault::Delay(pause) => {
            tokio::time::sleep(pause).await;
            None
        }
        Fault::Hang => {
            tokio::time::sleep(HANG_FOR).await;
            None
        }
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            Some(
                HttpResponse::build(status)
                    .json(json!({ "message": format!("{} {reason}", status.as_u16()) })),
            )
        }
        Fault::Garbage => Some(
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body("<!DOCTYPE html><html><head><title>GitLab is not responding (502)</title></head><body><h1>502</h1><h3>Whoops, GitLab is taking too much time to respond.</h3></body></html>"),
        ),
        Fault::RateLimited => Some(
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
