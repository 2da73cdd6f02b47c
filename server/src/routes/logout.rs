//! `POST /auth/logout`: end this session (or, with `?scope=all`, every session of the
//! person) everywhere, and clear the cookie.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::session_cookie;
use crate::api_error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct LogoutQuery {
    scope: Option<String>,
}

pub async fn logout(
    request: HttpRequest,
    query: web::Query<LogoutQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let everywhere = match query.scope.as_deref() {
        None => false,
        Some("all") => true,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "scope must be `all` (end every session of this person) or left out (end this session)",
            ));
        }
    };
    state.origins.check(&request, "Logging out")?;
    // If the session cannot be revoked the cookie is kept, so the person can try again rather
    // than believe a copied cookie is dead.
    let ended = state
        .auth
        .logout(session_cookie(&request).as_deref(), everywhere)
        .await?;
    let body = if everywhere {
        serde_json::json!({ "message": "Logged out everywhere", "sessions_ended": ended })
    } else {
        serde_json::json!({ "message": "Logged out" })
    };
    Ok(HttpResponse::Ok()
        .cookie(state.cookies.clear_session())
        .json(body))
}
