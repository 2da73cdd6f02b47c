//! The edge of every request, in one middleware: its id, its log span, the size limits, error
//! answers in JSON, the security headers and its metrics. One pass is measurably cheaper on the session check
//! than a layer for each (docs/performance.md).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError as _};
use tracing::Instrument as _;

use crate::json_errors;
use crate::limits;
use crate::ops;
use crate::request_id;
use crate::security_headers::SecurityHeaders;

/// Runs `next` inside the request's span (so every log line of the request carries its id and
/// route, never the query string, which can hold a code and state), then stamps the answer
/// with the id and the security headers and counts it.
pub async fn handle<B: MessageBody + 'static>(
    request: ServiceRequest,
    next: Next<B>,
    security: SecurityHeaders,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = request_id::of(&request);
    let method = request.method().clone();
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        http.method = %method,
        http.route = %route,
    );
    let mut response = match limits::refusal(&request) {
        // Logged (once, by `error_response`) inside the span like any other refusal.
        Some(refusal) => {
            let answer = span.in_scope(|| refusal.error_response());
            request.into_response(answer).map_into_right_body()
        }
        None => {
            let answer = next.call(request).instrument(span.clone()).await?;
            span.in_scope(|| json_errors::rewrite(answer))
                .map_into_left_body()
        }
    };
    security.apply(response.headers_mut());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(request_id::HEADER, value);
    }
    let status = response.status();
    tracing::debug!(parent: &span, status = status.as_u16(), "request done");
    ops::record(route, &method, status, started.elapsed());
    Ok(response)
}
