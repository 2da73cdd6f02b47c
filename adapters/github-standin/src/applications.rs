//! `DELETE /applications/{client_id}/grant` and `/token`: an app revoking what a person gave it.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::params::basic_credentials;
use serde_json::{Value, json};

use crate::faults::{Endpoint, arrive};
use crate::rest::{Call, json_error};
use crate::state::Shared;

const GRANT_DOC: &str =
    "https://docs.github.com/rest/apps/oauth-applications#delete-an-app-authorization";
const TOKEN_DOC: &str = "https://docs.github.com/rest/apps/oauth-applications#delete-an-app-token";

/// `DELETE /applications/{client_id}/grant`: the whole authorization and all its tokens.
pub(crate) async fn delete_grant(
    shared: Arc<Shared>,
    req: HttpRequest,
    body: Bytes,
) -> HttpResponse {
    delete(&shared, &req, &body, Endpoint::DeleteGrant).await
}

/// `DELETE /applications/{client_id}/token`: that one token.
pub(crate) async fn delete_token(
    shared: Arc<Shared>,
    req: HttpRequest,
    body: Bytes,
) -> HttpResponse {
    delete(&shared, &req, &body, Endpoint::DeleteToken).await
}

async fn delete(
    shared: &Shared,
    req: &HttpRequest,
    body: &[u8],
    endpoint: Endpoint,
) -> HttpResponse {
    if let Some(fault) = arrive(shared, Some(endpoint), req, body).await {
        return fault;
    }
    let call = match Call::admit(req) {
        Ok(call) => call,
        Err(refused) => return *refused,
    };
    let doc = if endpoint == Endpoint::DeleteGrant {
        GRANT_DOC
    } else {
        TOKEN_DOC
    };
    let not_found = || call.answer(json_error(StatusCode::NOT_FOUND, "Not Found", doc));
    let path_client = req.match_info().get("client_id").unwrap_or_default();
    let mut inner = shared.lock();
    // Bad client credentials look like a missing app: GitHub answers 404, not 401.
    let authenticated = basic_credentials(req).is_some_and(|(id, secret)| {
        id == path_client
            && inner
                .apps
                .get(&id)
                .is_some_and(|app| app.client_secret == secret)
    });
    if !authenticated {
        return not_found();
    }
    let Some(access_token) = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("access_token")?.as_str().map(str::to_owned))
        .filter(|t| !t.is_empty())
    else {
        return call.answer(
            HttpResponse::UnprocessableEntity().json(json!({
                "message": "Validation Failed",
                "errors": [{"resource": "OauthAccess", "code": "missing_field", "field": "access_token"}],
                "documentation_url": doc,
                "status": "422",
            })),
        );
    };
    let Some(token) = inner
        .live_token(&access_token)
        .filter(|t| t.client_id == path_client)
        .cloned()
    else {
        return not_found();
    };
    match endpoint {
        Endpoint::DeleteGrant => inner.delete_grant(path_client, token.person.id),
        _ => inner.revoke_token(&access_token),
    }
    call.answer(HttpResponse::NoContent().finish())
}
