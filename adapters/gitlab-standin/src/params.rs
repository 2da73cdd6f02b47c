//! Reading parameters and client credentials the way GitLab (a Rails app using Doorkeeper)
//! does: query and body merged, the body winning; credentials from HTTP Basic, else the body.

use std::collections::HashMap;

use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;
use nectr_standin_kit::params::{basic_credentials, first_values};
use serde_json::Value;

use crate::people::OAuthApp;
use crate::state::Inner;

/// The request's parameters: the query string, overridden by a form body
/// (`application/x-www-form-urlencoded`) or a JSON object body (`application/json`), as Rails
/// merges them. A body of another type is not read.
pub(crate) fn merged(req: &HttpRequest, body: &[u8]) -> HashMap<String, String> {
    let mut params = first_values(req.query_string());
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        params.extend(first_values(&String::from_utf8_lossy(body)));
    } else if content_type.starts_with("application/json")
        && let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body)
    {
        for (name, value) in object {
            let text = match value {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            params.insert(name, text);
        }
    }
    params
}

/// The client credentials sent, if any: `client_id:client_secret` from `Authorization: Basic`,
/// else `client_id` and `client_secret` (which may be missing) from the parameters. `None`
/// when no client ID was sent at all.
pub(crate) fn credentials(
    req: &HttpRequest,
    params: &HashMap<String, String>,
) -> Option<(String, String)> {
    // Basic credentials with an empty ID count as none, so the parameters are read instead.
    if let Some(basic) = basic_credentials(req).filter(|(id, _)| !id.is_empty()) {
        return Some(basic);
    }
    let id = params.get("client_id").filter(|id| !id.is_empty())?;
    let secret = params.get("client_secret").cloned().unwrap_or_default();
    Some((id.clone(), secret))
}

/// The app these credentials authenticate: a confidential app needs its exact secret; a public
/// app may leave the secret out (but a secret that is sent must be right).
pub(crate) fn authenticate(inner: &Inner, id: &str, secret: &str) -> Option<OAuthApp> {
    let app = inner.apps.get(id)?;
    let ok = if secret.is_empty() {
        !app.confidential
    } else {
        app.client_secret == secret
    };
    ok.then(|| app.clone())
}
