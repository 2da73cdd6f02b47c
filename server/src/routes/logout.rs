//! `POST /auth/logout`: end the session everywhere and clear the cookie.

use actix_web::{HttpRequest, HttpResponse, web};

use super::session_cookie;
use crate::api_error::ApiError;
use crate::state::AppState;

pub async fn logout(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // If the session cannot be revoked the cookie is kept, so the person can try again rather
    // than believe a copied cookie is dead.
    state
        .auth
        .logout(session_cookie(&request).as_deref())
        .await?;
    Ok(HttpResponse::Ok()
        .cookie(state.cookies.clear_session())
        .json(serde_json::json!({ "message": "Logged out" })))
}
