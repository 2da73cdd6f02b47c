//! `GET /auth/github`: start sign-in.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{binding_cookie, found};
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
    Ok(found(&started.redirect_url)
        .cookie(
            state
                .cookies
                .binding(started.binding.as_str().to_owned(), started.ttl_seconds),
        )
        .finish())
}
