//! `GET /auth/me`: the session check the frontend makes on every page.

use actix_web::{HttpRequest, HttpResponse, web};
use nectr_domain::User;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::session_cookie;
use crate::api_error::ApiError;
use crate::openapi::ErrorResponse;
use crate::state::AppState;

/// The signed-in person as the frontend sees them.
// The optional fields are always sent (as `null` when unknown), so they are required and
// nullable in the schema rather than optional.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// This service's id of the person.
    id: i64,
    /// GitHub's numeric user id (64-bit).
    github_id: i64,
    /// The GitHub login.
    github_username: String,
    /// The display name on GitHub, if any.
    #[schema(required = true)]
    name: Option<String>,
    /// The public or primary verified email, if any.
    #[schema(required = true)]
    email: Option<String>,
    /// The GitHub avatar, if any.
    #[schema(required = true)]
    avatar_url: Option<String>,
    /// When the person first signed in: RFC 3339, UTC.
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<User> for MeResponse {
    fn from(user: User) -> Self {
        let created_at = OffsetDateTime::from_unix_timestamp(user.created_at.unix_seconds())
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        Self {
            id: user.id.get(),
            github_id: user.github_id.get(),
            github_username: user.github_username,
            name: user.name,
            email: user.email,
            avatar_url: user.avatar_url,
            created_at,
        }
    }
}

/// Who is signed in: the session check the frontend makes on every page.
#[utoipa::path(
    get,
    path = "/auth/me",
    operation_id = "current_user",
    tag = "auth",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The signed-in person.", body = MeResponse),
        (status = 401, description = "`Not authenticated` without a cookie; `Invalid or expired token` for a bad, expired or revoked one.",
            body = ErrorResponse),
        (status = 503, description = "The database is unavailable.", body = ErrorResponse),
    )
)]
pub async fn me(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .auth
        .current_user(session_cookie(&request).as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(MeResponse::from(user)))
}
