//! Size limits on what a request may send, answered in JSON.
//!
//! actix's HTTP/1 parser refuses a request head over 128 KiB or with over 96 headers (431), a
//! URI over 64 KiB and anything that is not HTTP (400) with an empty body, before any of our
//! code runs. These limits sit well below the size limits, so oversized input that is still
//! valid HTTP reaches us and gets a `{"detail"}` that says what was too large.

use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;

use crate::api_error::ApiError;

/// Longest path and query accepted; real callbacks are a few hundred bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header bytes accepted in total (names and values); cookies included.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The refusal for a request over the size limits, if it is.
pub fn refusal(request: &ServiceRequest) -> Option<ApiError> {
    let uri_bytes = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return Some(ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("The URL is {uri_bytes} bytes long; at most {MAX_URI_BYTES} are accepted."),
        ));
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    (header_bytes > MAX_HEADER_BYTES).then(|| {
        ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "The request headers are {header_bytes} bytes; at most {MAX_HEADER_BYTES} are accepted. Clearing this site's cookies usually helps."
            ),
        )
    })
}
