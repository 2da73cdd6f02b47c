//! `GET /auth/github/reconnect`: remove the grant at the provider and authorize afresh, so
//! the person sees the organization-access choices again.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{binding_cookie, session_cookie, to_provider};
use crate::api_error::ApiError;
use crate::openapi::ErrorResponse;
use crate::state::AppState;

/// Reconnect to GitHub: remove this app's grant there, then start a fresh authorization.
///
/// GitHub then shows its full authorization screen, with the organization-access choices,
/// again. Refused when another website made the browser send it. Rate-limited like
/// `/auth/github`.
#[utoipa::path(
    get,
    path = "/auth/github/reconnect",
    operation_id = "reconnect",
    tag = "auth",
    security(("session_cookie" = [])),
    params(
        ("nectr_oauth_binding" = Option<String>, Cookie,
            description = "The browser's binding from an earlier start; reused so sign-ins in several tabs all stay valid."),
    ),
    responses(
        (status = 302, description = "The grant is gone: to GitHub's authorization page, as from `/auth/github`.",
            headers(
                ("Location" = String, description = "`{GITHUB_URL}/login/oauth/authorize` with a fresh state."),
                ("Set-Cookie" = String, description = "`nectr_oauth_binding`, as from `/auth/github`."),
            )),
        (status = 401, description = "No session, an invalid one, or a stored GitHub token that no configured key opens.",
            body = ErrorResponse),
        (status = 403, description = "Another website made the browser send this request; nothing changed.",
            body = ErrorResponse),
        (status = 429, description = "Too many sign-in starts from this client address.", body = ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 502, description = "GitHub is unreachable, answered something unusable, or refused this service's settings.",
            body = ErrorResponse),
        (status = 503, description = "The database is unavailable, or too many sign-ins are in progress (with `Retry-After`).",
            body = ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait; sent when too many sign-ins are in progress."))),
        (status = 504, description = "GitHub did not answer in time.", body = ErrorResponse),
    )
)]
pub async fn reconnect(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // It deletes the person's grant at GitHub: another site must not be able to trigger it.
    state.origins.check(&request, "Reconnecting to GitHub")?;
    state.login_limit.check(&request)?;
    let started = state
        .auth
        .reconnect(
            session_cookie(&request).as_deref(),
            binding_cookie(&request).as_deref(),
        )
        .await?;
    Ok(to_provider(&state, &started))
}
