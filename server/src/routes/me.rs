//! `GET /auth/me`: the session check the frontend makes on every page.

use actix_web::{HttpRequest, HttpResponse, web};
use nectr_domain::{ProviderId, Scopes, Subject, User};
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
    /// GitHub's numeric user id (64-bit); `null` for people who signed in with another
    /// provider.
    #[schema(required = true)]
    github_id: Option<i64>,
    /// The GitHub login; `null` for people who signed in with another provider.
    #[schema(required = true)]
    github_username: Option<String>,
    /// The display name at the provider, if any.
    #[schema(required = true)]
    name: Option<String>,
    /// The public or primary verified email, if any.
    #[schema(required = true)]
    email: Option<String>,
    /// The avatar at the provider, if any.
    #[schema(required = true)]
    avatar_url: Option<String>,
    /// When the person first signed in: RFC 3339, UTC.
    #[schema(format = DateTime)]
    created_at: String,
    /// The provider the person signed in with: `github`, `gitlab`.
    #[serde(serialize_with = "text")]
    #[schema(value_type = String)]
    provider: ProviderId,
    /// The provider's id of the person, as text.
    #[serde(serialize_with = "text")]
    #[schema(value_type = String)]
    provider_user_id: Subject,
    /// The username at the provider.
    username: String,
    /// The scopes the provider says it granted; `null` when it has not said (people who last
    /// signed in before scopes were recorded).
    #[serde(serialize_with = "scope_list")]
    #[schema(required = true, value_type = Option<Vec<String>>)]
    granted_scopes: Option<Scopes>,
    /// The requested scopes that were not granted (the person may have unticked them, or an
    /// organization policy withheld them); reconnecting asks again. `null` when unknown.
    #[schema(required = true)]
    missing_scopes: Option<Vec<String>>,
}

impl MeResponse {
    fn new(user: User, missing_scopes: Option<Vec<String>>) -> Self {
        let created_at = OffsetDateTime::from_unix_timestamp(user.created_at.unix_seconds())
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        let github_id = user.identity.numeric_subject_at(GITHUB);
        Self {
            id: user.id.get(),
            github_id,
            github_username: github_id.map(|_| user.username.clone()),
            name: user.name,
            email: user.email,
            avatar_url: user.avatar_url,
            created_at,
            provider: user.identity.provider,
            provider_user_id: user.identity.subject,
            username: user.username,
            granted_scopes: user.granted_scopes,
            missing_scopes,
        }
    }
}

// The answer is built on every session check: these write the shared domain values as they
// are, rather than copying them into new strings first.
fn text<S: serde::Serializer, T: std::fmt::Display>(value: &T, out: S) -> Result<S::Ok, S::Error> {
    out.collect_str(value)
}

fn scope_list<S: serde::Serializer>(scopes: &Option<Scopes>, out: S) -> Result<S::Ok, S::Error> {
    match scopes {
        Some(scopes) => out.collect_seq(scopes.iter()),
        None => out.serialize_none(),
    }
}

/// The provider whose people have `github_id` and `github_username`.
const GITHUB: &str = "github";

/// Who is signed in: the session check the frontend makes on every page.
#[utoipa::path(
    get,
    path = "/auth/me",
    operation_id = "current_user",
    tag = "auth",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The signed-in person, with the scopes their provider granted and those it did not.", body = MeResponse),
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
    let missing = state.auth.missing_scopes(&user);
    Ok(HttpResponse::Ok().json(MeResponse::new(user, missing)))
}
