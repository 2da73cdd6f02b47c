//! `GET /auth/github`: start sign-in.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{binding_cookie, to_provider};
use crate::api_error::ApiError;
use crate::state::AppState;

pub async fn start(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    state.login_limit.check(&request)?;
    let started = state
        .auth
        .start_sign_in(binding_cookie(&request).as_deref())
        .await?;
    Ok(to_provider(&state, &started))
}
