//! `POST /oauth/revoke` (RFC 7009): a client revokes an access or refresh token it was issued.

use std::sync::Arc;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::faults::{Endpoint, arrive};
use crate::params::{authenticate, credentials, merged};
use crate::state::Shared;

pub(crate) async fn handle(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = arrive(&shared, Some(Endpoint::Revoke), &req, &body).await {
        return fault;
    }
    let params = merged(&req, &body);
    let mut inner = shared.lock();
    // GitLab refuses before looking at the token when the client does not authenticate.
    let Some(app) =
        credentials(&req, &params).and_then(|(id, secret)| authenticate(&inner, &id, &secret))
    else {
        return refused();
    };
    let value = params.get("token").cloned().unwrap_or_default();
    let Some(owner) = inner.find_any(&value).map(|t| t.client_id.clone()) else {
        // RFC 7009: an unknown token is not an error.
        return HttpResponse::Ok().json(json!({}));
    };
    // A confidential app's token can only be revoked by that app.
    let owner_confidential = inner.apps.get(&owner).is_none_or(|a| a.confidential);
    if owner_confidential && owner != app.client_id {
        return refused();
    }
    inner.revoke(&value);
    HttpResponse::Ok().json(json!({}))
}

fn refused() -> HttpResponse {
    HttpResponse::Forbidden().json(json!({
        "error": "unauthorized_client",
        "error_description": "You are not authorized to revoke this token",
    }))
}
