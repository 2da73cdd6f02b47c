//! `GET /auth/{provider}/reconnect`: remove the grant at the provider and authorize afresh,
//! so the person sees the organization-access choices again.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{binding_cookie, offered, session_cookie, to_provider};
use crate::api_error::ApiError;
use crate::openapi::ErrorResponse;
use crate::state::AppState;

/// Reconnect to the provider: remove this app's grant there, then start a fresh authorization.
///
/// GitHub then shows its full authorization screen, with the organization-access choices,
/// again (GitLab has no grant to remove: its token is revoked). Refused when another website
/// made the browser send it, and for a provider other than the one the person signed in
/// with. Rate-limited like `/auth/{provider}`.
#[utoipa::path(
    get,
    path = "/auth/{provider}/reconnect",
    operation_id = "reconnect",
    tag = "auth",
    security(("session_cookie" = [])),
    params(
        ("provider" = String, Path, description = "The provider the person signed in with."),
        ("nectr_oauth_binding" = Option<String>, Cookie,
            description = "The browser's binding from an earlier start; reused so sign-ins in several tabs all stay valid."),
    ),
    responses(
        (status = 302, description = "The grant is gone: to the provider's authorization page, as from `/auth/{provider}`.",
            headers(
                ("Location" = String, description = "The provider's authorization URL with a fresh state."),
                ("Set-Cookie" = String, description = "`nectr_oauth_binding`, as from `/auth/{provider}`."),
            )),
        (status = 400, description = "The person signed in with another provider; the message names the right path.",
            body = ErrorResponse),
        (status = 401, description = "No session, an invalid one, or a stored provider token that no configured key opens.",
            body = ErrorResponse),
        (status = 403, description = "Another website made the browser send this request; nothing changed.",
            body = ErrorResponse),
        (status = 404, description = "No such provider is offered here.", body = ErrorResponse),
        (status = 429, description = "Too many sign-in starts from this client address.", body = ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 502, description = "The provider is unreachable, answered something unusable, or refused this service's settings.",
            body = ErrorResponse),
        (status = 503, description = "The database is unavailable, or too many sign-ins are in progress (with `Retry-After`).",
            body = ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait; sent when too many sign-ins are in progress."))),
        (status = 504, description = "The provider did not answer in time.", body = ErrorResponse),
    )
)]
pub async fn reconnect(
    request: HttpRequest,
    provider: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    offered(&state, &provider)?;
    // It deletes the person's grant at the provider: another site must not be able to
    // trigger it.
    state.origins.check(&request, "Reconnecting")?;
    state.login_limit.check(&request)?;
    let started = state
        .auth
        .reconnect(
            &provider,
            session_cookie(&request).as_deref(),
            binding_cookie(&request).as_deref(),
        )
        .await?;
    Ok(to_provider(&state, &started))
}
