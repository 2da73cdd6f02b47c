//! `GET /auth/github/callback`: the provider sends the browser back here.

use actix_web::http::header::REFERRER_POLICY;
use actix_web::{HttpRequest, HttpResponse, web};
use nectr_application::CallbackParams;
use serde::Deserialize;

use super::{binding_cookie, found, session_cookie};
use crate::api_error::ApiError;
use crate::state::AppState;

/// The callback's query (RFC 6749 §4.1.2 and §4.1.2.1); other parameters are ignored.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn complete(
    request: HttpRequest,
    query: web::Query<CallbackQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let params = CallbackParams {
        code: query.code,
        state: query.state,
        error: query.error,
        error_description: query.error_description,
    };
    let signed_in = state
        .auth
        .complete_sign_in(
            params,
            binding_cookie(&request).as_deref(),
            session_cookie(&request).as_deref(),
        )
        .await?;
    Ok(found(&state.dashboard_url)
        // The callback URL holds the code and state: the next page must not see it.
        .insert_header((REFERRER_POLICY, "no-referrer"))
        .cookie(state.cookies.session(signed_in.session_token))
        .finish())
}
