//! `GET /internal/users/{user_id}/provider-token`: a person's usable provider token, for
//! Nectr's own services.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use nectr_application::UsableToken;
use nectr_domain::{Timestamp, UserId};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::api_error::ApiError;
use crate::openapi::ErrorResponse;
use crate::state::AppState;

/// A token another Nectr service can use now.
#[derive(Serialize, ToSchema)]
pub struct ProviderTokenResponse {
    user_id: i64,
    /// The provider the person signed in with (`github`, `gitlab`, …).
    provider: String,
    /// The provider's id of the person.
    provider_user_id: String,
    /// The provider access token. Keep it in memory only, never log it.
    access_token: String,
    /// Always `bearer`.
    token_type: &'static str,
    /// When the token stops working (RFC 3339, UTC); `null` for tokens that do not expire.
    /// Ask again rather than refreshing yourself: this service refreshes before the deadline.
    #[schema(required = true, format = DateTime)]
    expires_at: Option<String>,
    /// The scopes the provider says the token carries, when it says.
    #[schema(required = true)]
    scopes: Option<Vec<String>>,
}

impl ProviderTokenResponse {
    fn new(user_id: UserId, token: UsableToken) -> Self {
        Self {
            user_id: user_id.get(),
            provider: token.identity.provider.to_string(),
            provider_user_id: token.identity.subject.to_string(),
            access_token: token.access_token.expose().to_owned(),
            token_type: "bearer",
            expires_at: token.expires_at.and_then(rfc3339),
            scopes: token.scopes.map(|s| s.iter().map(str::to_owned).collect()),
        }
    }
}

fn rfc3339(t: Timestamp) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(t.unix_seconds())
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
}

/// A person's usable provider token, for Nectr's own services.
///
/// Opens the sealed token, refreshes it when the provider issued an expiring one and it
/// expires within five minutes (re-sealing the rotated pair), and confirms it with the
/// provider. Needs `Authorization: Bearer` with one of `INTERNAL_API_TOKENS`; refuses any
/// request a browser would send (with `Origin`, `Sec-Fetch-*` or `Cookie`).
#[utoipa::path(
    get,
    path = "/internal/users/{user_id}/provider-token",
    operation_id = "provider_token",
    tag = "internal",
    security(("service_credential" = [])),
    params(("user_id" = i64, Path, description = "This service's id of the person (`id` in `/auth/me`).")),
    responses(
        (status = 200, description = "The token.", body = ProviderTokenResponse),
        (status = 400, description = "`user_id` is not a positive integer.", body = ErrorResponse),
        (status = 401, description = "No or a wrong service credential (`reason`: `invalid_service_credential`).", body = ErrorResponse),
        (status = 403, description = "A browser sent the request (`reason`: `browser_refused`); or, without a `reason`, the provider refused the person's account or the token lacks a scope the check needs.", body = ErrorResponse),
        (status = 404, description = "No such person (`reason`: `unknown_user`), or the internal API is off.", body = ErrorResponse),
        (status = 409, description = "No token for this person now; `reason` says why: `token_revoked`, `token_expired`, `token_unreadable` or `provider_not_configured` (they must sign in again), or `not_allowed` (the sign-in rules, checked again at each request, no longer admit them).",
            body = ErrorResponse),
        (status = 502, description = "The provider is unreachable or answered something unusable.", body = ErrorResponse),
        (status = 503, description = "The database is unavailable.", body = ErrorResponse),
        (status = 504, description = "The provider did not answer in time.", body = ErrorResponse),
    )
)]
pub async fn provider_token(
    request: HttpRequest,
    user_id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    state.service_credentials.check(&request)?;
    let user_id = UserId::parse(&user_id).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "user_id must be a positive integer: the `id` that /auth/me reports.",
        )
    })?;
    let token = state.auth.usable_token(user_id).await?;
    Ok(HttpResponse::Ok().json(ProviderTokenResponse::new(user_id, token)))
}
