//! The endpoints a test can single out, and how the kit's faults look coming from GitHub:
//! `Status` with a GitHub-like JSON error body, `Garbage` as its "Unicorn!" HTML page, and
//! `RateLimited` as a 403 with `x-ratelimit-remaining: 0` and GitHub's rate-limit message.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::{FaultAnswer, wait_out};

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

/// Records the request, then applies the endpoint's fault: `Some` is the answer to send instead
/// of the normal one.
pub(crate) async fn arrive(
    shared: &Shared,
    endpoint: Option<Endpoint>,
    req: &HttpRequest,
    body: &[u8],
) -> Option<HttpResponse> {
    let fault = shared.lock().traffic.arrive(endpoint, req, body);
    match wait_out(fault?).await? {
        FaultAnswer::Status(status) => {
            let message = status.canonical_reason().unwrap_or("Error");
            Some(json_error(status, message, "https://docs.github.com/rest"))
        }
        FaultAnswer::Garbage => Some(
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body("<!DOCTYPE html><html><body><h1>Unicorn!</h1><p>This page is taking too long to load.</p></body></html>"),
        ),
        FaultAnswer::RateLimited => {
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
