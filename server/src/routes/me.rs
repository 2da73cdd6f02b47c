//! `GET /auth/me`: the session check the frontend makes on every page.

use actix_web::{HttpRequest, HttpResponse, web};
use nectr_domain::User;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::session_cookie;
use crate::api_error::ApiError;
use crate::state::AppState;

/// The signed-in person as the frontend sees them.
#[derive(Debug, Serialize)]
pub struct MeResponse {
    id: i64,
    github_id: i64,
    github_username: String,
    name: Option<String>,
    email: Option<String>,
    avatar_url: Option<String>,
    /// RFC 3339, UTC.
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
