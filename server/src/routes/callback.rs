//! `GET /auth/{provider}/callback`: the provider sends the browser back here.

use actix_web::http::header::REFERRER_POLICY;
use actix_web::{HttpRequest, HttpResponse, web};
use nectr_application::CallbackParams;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{binding_cookie, found, offered, session_cookie};
use crate::api_error::ApiError;
use crate::openapi::ErrorResponse;
use crate::state::AppState;

/// The callback's query (RFC 6749 §4.1.2 and §4.1.2.1); other parameters are ignored.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The authorization code; absent when the provider sends an `error`.
    code: Option<String>,
    /// The state `/auth/{provider}` issued; checked before anything else.
    state: Option<String>,
    /// The provider's OAuth error, e.g. `access_denied` when the person pressed Cancel.
    error: Option<String>,
    /// The provider's explanation of `error`.
    error_description: Option<String>,
}

/// Finish signing in: the provider sends the browser back here.
///
/// The state must exist, be unexpired, unused, bound to this browser and have been sent to
/// this provider; it is consumed at once. The code is exchanged at the provider, the
/// operator's sign-in rules are applied, the person is upserted by (provider, provider's id),
/// and the session cookie is set. No error ends in a session.
#[utoipa::path(
    get,
    path = "/auth/{provider}/callback",
    operation_id = "complete_sign_in",
    tag = "auth",
    params(
        ("provider" = String, Path, description = "The provider the sign-in was started with."),
        CallbackQuery,
        ("nectr_oauth_binding" = Option<String>, Cookie,
            description = "Set by `/auth/{provider}`; the state is only accepted in the browser that holds it."),
        ("access_token" = Option<String>, Cookie,
            description = "An earlier session in this browser, which the new sign-in revokes."),
    ),
    responses(
        (status = 302, description = "Signed in: to `{FRONTEND_URL}/dashboard`, with `Referrer-Policy: no-referrer`.",
            headers(
                ("Location" = String, description = "`{FRONTEND_URL}/dashboard`."),
                ("Set-Cookie" = String, description = "The session cookie `access_token`: HttpOnly, `Path=/`, `Max-Age` from `ACCESS_TOKEN_EXPIRE_MINUTES`; `SameSite=Lax` in development, `SameSite=None; Secure` in production."),
            )),
        (status = 400, description = "`Invalid or expired OAuth state` (also for a state started at another provider), the person cancelled, the provider refused the sign-in or rejected the code, no `code`, or a malformed query.",
            body = ErrorResponse),
        (status = 403, description = "The provider refused the account, or the operator's sign-in rules (allowed users, organizations, teams) do not admit this person; the message names the rules.", body = ErrorResponse),
        (status = 404, description = "No such provider is offered here.", body = ErrorResponse),
        (status = 502, description = "The provider is unreachable, answered something unusable, or refused this service's settings.",
            body = ErrorResponse),
        (status = 503, description = "The database is unavailable.", body = ErrorResponse),
        (status = 504, description = "The provider did not answer in time.", body = ErrorResponse),
    )
)]

pub async fn complete(
    request: HttpRequest,
    provider: web::Path<String>,
    query: web::Query<CallbackQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    offered(&state, &provider)?;
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
            &provider,
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
