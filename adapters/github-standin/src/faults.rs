//! The endpoints a test can single out, and the ways it can make them misbehave.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::record::RecordedRequest;
use crate::rest::{json_error, rate_limit_headers, with_headers};
use crate::state::Shared;

/// The endpoints the stand-in serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /login/oauth/authorize`, and in interactive mode the sign-in page's
    /// `POST /login/oauth/authorize`
    Authorize,
    /// `POST /login/oauth/access_token`
    AccessToken,
    /// `GET /api/v3/user`
    User,
    /// `GET /api/v3/user/emails`
    UserEmails,
    /// `GET /api/v3/user/orgs`
    UserOrgs,
    /// `GET /api/v3/user/teams`
    UserTeams,
    /// `DELETE /api/v3/applications/{client_id}/grant`
    DeleteGrant,
    /// `DELETE /api/v3/applications/{client_id}/token`
    DeleteToken,
}

/// A way for an endpoint to misbehave, applied before its normal handling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Never answer (in practice: wait an hour).
    Hang,
    /// Answer this HTTP status with a GitHub-like JSON error body (an invalid code answers 500).
    Status(u16),
    /// Answer HTTP 200 with an HTML body that is neither JSON nor a form.
    Garbage,
    /// Answer 403 with `x-ratelimit-remaining: 0` and GitHub's rate-limit message.
    RateLimited,
}

const HANG_FOR: Duration = Duration::from_secs(3600);

/// Records the request, then applies the endpoint's fault: `Some` is the answer to send instead
/// of the normal one.
pub(crate) async fn arrive(
    shared: &Shared,
    endpoint: Option<Endpoint>,
    req: &HttpRequest,
    body: &[u8],
) -> Option<HttpResponse> {
    let fault = {
        let mut inner = shared.lock();
        inner
            .requests
            .push(RecordedRequest::capture(endpoint, req, body));
        endpoint.and_then(|e| inner.faults.get(&e).cloned())
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
            let message = status.canonical_reason().unwrap_or("Error");
            Some(json_error(status, message, "https://docs.github.com/rest"))
        }
        Fault::Garbage => Some(
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body("<!DOCTYPE html><html><body><h1>Unicorn!</h1><p>This page is taking too long to load.</p></body></html>"),
        ),
        Fault::RateLimited => {
            let answer = json_error(
                StatusCode::FORBIDDEN,
                "API rate limit exceeded for user. If you reach out to GitHub Support for help, please include the request ID.",
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            );
            let reset = shared.lock().reset_epoch_seconds();
            Some(with_headers(answer, &rate_limit_headers(0, reset)))
        }
    }
}
