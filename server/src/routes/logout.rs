//! `POST /auth/logout`: end this session (or, with `?scope=all`, every session of the
//! person) everywhere, and clear the cookie.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use nectr_application::ProviderTokenRevocation;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::session_cookie;
use crate::api_error::ApiError;
use crate::openapi::ErrorResponse;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogoutQuery {
    /// `all` ends every session of the person; left out, only this one. Anything else is a
    /// 400 (read as text so the answer can say what is accepted).
    #[param(inline, value_type = Option<LogoutScope>)]
    scope: Option<String>,
}

/// The values `scope` accepts.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
#[expect(
    dead_code,
    reason = "describes `scope` in the API document; the handler reads it as text"
)]
pub enum LogoutScope {
    /// Every session of the person, in every browser.
    All,
}

/// The answer to a logout.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogoutResponse {
    /// `Logged out`, or `Logged out everywhere` with `scope=all`.
    message: &'static str,
    /// How many sessions ended; only with `scope=all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    sessions_ended: Option<u64>,
    /// Only when the operator set `REVOKE_PROVIDER_TOKEN_ON_LOGOUT` and a live session
    /// logged out: `revoked`, `already_invalid` (the provider no longer knew it), or
    /// `not_revoked` (the provider could not be asked; see `provider_token_detail`).
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_token: Option<&'static str>,
    /// Why the provider token could not be revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_token_detail: Option<String>,
}

/// Log out, here or everywhere.
///
/// Ends this session (or, with `scope=all`, every session of the person) on the server and
/// clears the cookie. Without a valid session there is nothing to end and the answer is the same 200. Refused
/// when another website made the browser send it. If the session cannot be revoked the
/// cookie is kept, so the person can try again.
#[utoipa::path(
    post,
    path = "/auth/logout",
    operation_id = "logout",
    tag = "auth",
    params(LogoutQuery),
    // The session is optional: logging out without one succeeds and changes nothing.
    security((), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Logged out; the session cookie is cleared.", body = LogoutResponse,
            headers(("Set-Cookie" = String, description = "`access_token` emptied, `Max-Age=0`.")),
            examples(
                ("this_session" = (summary = "Without `scope`", value = json!({"message": "Logged out"}))),
                ("everywhere" = (summary = "With `scope=all`",
                    value = json!({"message": "Logged out everywhere", "sessions_ended": 2}))),
            )),
        (status = 400, description = "`scope` is neither `all` nor left out, or the query is malformed.",
            body = ErrorResponse),
        (status = 403, description = "Another website made the browser send this request; nothing changed.",
            body = ErrorResponse),
        (status = 503, description = "The database is unavailable; the session and cookie are kept.",
            body = ErrorResponse),
    )
)]

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
    let outcome = state
        .auth
        .logout(session_cookie(&request).as_deref(), everywhere)
        .await?;
    let (provider_token, provider_token_detail) = match outcome.provider_token {
        None => (None, None),
        Some(ProviderTokenRevocation::Revoked) => (Some("revoked"), None),
        Some(ProviderTokenRevocation::AlreadyInvalid) => (Some("already_invalid"), None),
        Some(ProviderTokenRevocation::Failed(why)) => (
            Some("not_revoked"),
            Some(format!(
                "You are logged out here, but the provider token could not be revoked ({why}). Revoke this app's access in your provider account settings if you want it gone now."
            )),
        ),
    };
    let body = LogoutResponse {
        message: if everywhere {
            "Logged out everywhere"
        } else {
            "Logged out"
        },
        sessions_ended: everywhere.then_some(outcome.ended),
        provider_token,
        provider_token_detail,
    };
    Ok(HttpResponse::Ok()
        .cookie(state.cookies.clear_session())
        .json(body))
}
