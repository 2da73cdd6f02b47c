//! `GET /auth/github/reconnect`: remove the grant at the provider and authorize afresh, so
//! the person sees the organization-access choices again.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{binding_cookie, session_cookie, to_provider};
use crate::api_error::ApiError;
use crate::state::AppState;

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
