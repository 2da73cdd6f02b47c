//! `GET /auth/{provider}`: start sign-in.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{binding_cookie, offered, to_provider};
use crate::api_error::ApiError;
use crate::openapi::ErrorResponse;
use crate::state::AppState;

/// Start signing in with a provider (`github`, or `gitlab` when configured).
///
/// Stores a fresh state (256 random bits, with its deadline, provider and PKCE verifier),
/// binds it to this browser with the `nectr_oauth_binding` cookie and redirects to the
/// provider's authorization page. Starts are rate-limited per client address.
#[utoipa::path(
    get,
    path = "/auth/{provider}",
    operation_id = "start_sign_in",
    tag = "auth",
    params(
        ("provider" = String, Path, description = "`github`, or another configured provider such as `gitlab`."),
        ("nectr_oauth_binding" = Option<String>, Cookie,
            description = "The browser's binding from an earlier start; reused so sign-ins in several tabs all stay valid."),
    ),
    responses(
        (status = 302, description = "To the provider's authorization page.",
            headers(
                ("Location" = String, description = "The provider's authorization endpoint (GitHub: `{GITHUB_URL}/login/oauth/authorize`; GitLab: `{GITLAB_URL}/oauth/authorize`) with `response_type=code`, `client_id`, `redirect_uri`, `scope`, `state` and, where the provider supports it, the PKCE `code_challenge`."),
                ("Set-Cookie" = String, description = "`nectr_oauth_binding`: HttpOnly, `SameSite=Lax`, lives as long as the state."),
            )),
        (status = 404, description = "No such provider is offered here.", body = ErrorResponse),
        (status = 429, description = "Too many sign-in starts from this client address.", body = ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "Too many sign-ins are in progress (with `Retry-After`), or the database is unavailable.",
            body = ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait; sent when too many sign-ins are in progress."))),
    )
)]
pub async fn start(
    request: HttpRequest,
    provider: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    offered(&state, &provider)?;
    state.login_limit.check(&request)?;
    let started = state
        .auth
        .start_sign_in(&provider, binding_cookie(&request).as_deref())
        .await?;
    Ok(to_provider(&state, &started))
}
