//! `GET /auth/me/organizations`: what the frontend shows before a reconnect.

use actix_web::{HttpRequest, HttpResponse, web};
use nectr_application::OrganizationAccess;
use serde::Serialize;
use utoipa::ToSchema;

use super::session_cookie;
use crate::api_error::ApiError;
use crate::openapi::ErrorResponse;
use crate::settings::join;
use crate::state::AppState;

/// One organization (GitLab: group) the person's token can see.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationEntry {
    /// The organization's login (GitLab: the group's full path).
    login: String,
    #[schema(required = true)]
    name: Option<String>,
    #[schema(required = true)]
    avatar_url: Option<String>,
}

/// The person's organization access at their provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationsResponse {
    /// The provider the person signed in with (`github`, `gitlab`, …).
    provider: String,
    /// The organizations this app may see the person in. At GitHub, organizations that
    /// restrict OAuth apps stay hidden until an owner approves this app.
    organizations: Vec<OrganizationEntry>,
    /// Why the list is empty when it could not be read (e.g. `read:org` was not granted).
    #[schema(required = true)]
    problem: Option<String>,
    /// Where the person grants this app access to an organization, or requests it from the
    /// organization's owners (GitHub:
    /// `{GITHUB_URL}/settings/connections/applications/{client_id}`).
    #[schema(required = true)]
    settings_url: Option<String>,
    /// Where reconnecting starts: it removes this app's grant and asks the person again,
    /// with the provider's organization choices.
    reconnect_url: String,
}

impl OrganizationsResponse {
    fn new(access: OrganizationAccess, backend_url: &url::Url) -> Self {
        Self {
            reconnect_url: join(backend_url, &format!("/auth/{}/reconnect", access.provider)),
            provider: access.provider.to_string(),
            organizations: access
                .organizations
                .into_iter()
                .map(|o| OrganizationEntry {
                    login: o.login,
                    name: o.name,
                    avatar_url: o.avatar_url,
                })
                .collect(),
            problem: access.problem,
            settings_url: access.settings_url,
        }
    }
}

/// The organizations the person's token can see, and where to grant or request more.
///
/// Asks the provider (`GET /user/orgs` at GitHub), so the frontend calls it when it shows
/// the organization settings, not on every page.
#[utoipa::path(
    get,
    path = "/auth/me/organizations",
    operation_id = "organization_access",
    tag = "auth",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The organizations and the links.", body = OrganizationsResponse),
        (status = 401, description = "No session, or an invalid one.", body = ErrorResponse),
        (status = 409, description = "The person must sign in again: their provider token was revoked, expired beyond refresh, or cannot be opened. `reason` says which.",
            body = ErrorResponse),
        (status = 502, description = "The provider is unreachable or answered something unusable.", body = ErrorResponse),
        (status = 503, description = "The database is unavailable.", body = ErrorResponse),
        (status = 504, description = "The provider did not answer in time.", body = ErrorResponse),
    )
)]
pub async fn organizations(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let access = state
        .auth
        .organization_access(session_cookie(&request).as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(OrganizationsResponse::new(access, &state.backend_url)))
}
