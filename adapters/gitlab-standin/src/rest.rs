//! The REST API under `/api/v4`: how a call is authenticated (and refused), `GET /user` and
//! `GET /groups` with GitLab's offset pagination.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header::AUTHORIZATION;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::params::first_values;
use serde_json::{Value, json};

use crate::faults::{Endpoint, arrive};
use crate::people::{Group, Person, access_level};
use crate::scopes;
use crate::state::{Shared, Standing, Token};

/// Scopes that open `GET /user`, in the order GitLab lists them in `insufficient_scope`.
const USER_SCOPES: [&str; 3] = ["read_user", "api", "read_api"];
/// Scopes that open `GET /groups`.
const GROUPS_SCOPES: [&str; 2] = ["api", "read_api"];
const EXPIRED: &str = "Token is expired. You can either do re-authorization or token refresh.";
const REVOKED: &str = "Token was revoked. You have to re-authorize from the user.";
const INSUFFICIENT_SCOPE: &str =
    "The request requires higher privileges than provided by the access token.";

/// The credential a call carries.
enum Presented {
    None,
    /// An OAuth token: `Authorization: Bearer …` or the `access_token` parameter.
    Bearer(String),
    /// A `PRIVATE-TOKEN` header or `private_token` parameter (a personal access token, of
    /// which the stand-in has none).
    Private,
}

fn presented(req: &HttpRequest) -> Presented {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        })
        .filter(|t| !t.is_empty());
    let query = first_values(req.query_string());
    if let Some(token) = header.or_else(|| query.get("access_token").cloned()) {
        return Presented::Bearer(token);
    }
    if req.headers().contains_key("private-token") || query.contains_key("private_token") {
        return Presented::Private;
    }
    Presented::None
}

/// `{"message": "401 Unauthorized"}`: no credential where one is needed, or an unknown one.
fn unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized().json(json!({ "message": "401 Unauthorized" }))
}

/// GitLab's answer for an expired or revoked OAuth token (rack-oauth2's Bearer error).
fn invalid_token(description: &str) -> HttpResponse {
    HttpResponse::Unauthorized()
        .insert_header((
            "www-authenticate",
            format!(
                "Bearer realm=\"The API\", error=\"invalid_token\", error_description=\"{description}\""
            ),
        ))
        .json(json!({ "error": "invalid_token", "error_description": description }))
}

/// The token behind the call, if it carries one that is live and has one of `accepted`;
/// `Err` is the refusal to send.
fn authenticate(
    shared: &Shared,
    req: &HttpRequest,
    accepted: &[&str],
) -> Result<Option<Token>, Box<HttpResponse>> {
    let value = match presented(req) {
        Presented::None => return Ok(None),
        Presented::Private => return Err(Box::new(unauthorized())),
        Presented::Bearer(value) => value,
    };
    let found = shared.lock().presented(&value);
    match found {
        None => Err(Box::new(unauthorized())),
        Some((_, Standing::Expired)) => Err(Box::new(invalid_token(EXPIRED))),
        Some((_, Standing::Revoked)) => Err(Box::new(invalid_token(REVOKED))),
        Some((token, Standing::Live)) if scopes::has_any(&token.scopes, accepted) => {
            Ok(Some(token))
        }
        Some(_) => Err(Box::new(HttpResponse::Forbidden().json(json!({
            "error": "insufficient_scope",
            "error_description": INSUFFICIENT_SCOPE,
            "scope": accepted.join(" "),
        })))),
    }
}

/// `GET /user`: the token's owner; 401 without a token.
pub(crate) async fn user(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = arrive(&shared, Some(Endpoint::User), &req, &body).await {
        return fault;
    }
    match authenticate(&shared, &req, &USER_SCOPES) {
        Ok(Some(token)) => HttpResponse::Ok().json(user_json(&token.person, &shared.web_url)),
        Ok(None) => unauthorized(),
        Err(refused) => *refused,
    }
}

/// `GET /groups`: with a token, the owner's groups (at least `min_access_level` when given),
/// ordered by name, paginated; anonymously, the public groups (the stand-in knows none).
pub(crate) async fn groups(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = arrive(&shared, Some(Endpoint::Groups), &req, &body).await {
        return fault;
    }
    let query = first_values(req.query_string());
    let min_level = match integer(&query, "min_access_level") {
        Ok(None) => None,
        Ok(Some(level)) => match u8::try_from(level)
            .ok()
            .filter(|l| access_level::ALL.contains(l))
        {
            Some(level) => Some(level),
            None => return bad_request("min_access_level does not have a valid value"),
        },
        Err(refused) => return *refused,
    };
    let token = match authenticate(&shared, &req, &GROUPS_SCOPES) {
        Ok(token) => token,
        Err(refused) => return *refused,
    };
    let mut groups: Vec<&Group> = token
        .as_ref()
        .map(|t| t.person.groups.iter().collect())
        .unwrap_or_default();
    groups.retain(|g| min_level.is_none_or(|min| g.access_level >= min));
    groups.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let all: Vec<Value> = groups
        .iter()
        .map(|g| group_json(g, token.as_ref().map(|t| &t.person), &shared.web_url))
        .collect();
    let (page, headers) = match paginate(&all, &req, &query) {
        Ok(paginated) => paginated,
        Err(refused) => return *refused,
    };
    let mut answer = HttpResponse::Ok();
    for (name, value) in headers {
        answer.insert_header((name, value));
    }
    answer.json(page)
}

/// Any other path under `/api/v4`: GitLab's JSON 404.
pub(crate) async fn not_found(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = arrive(&shared, None, &req, &body).await {
        return fault;
    }
    HttpResponse::NotFound().json(json!({ "error": "404 Not Found" }))
}

/// Grape's refusal of a bad parameter: 400 `{"error": "…"}`.
fn bad_request(message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": message }))
}

/// An optional integer parameter; a value that is not one is `{name} is invalid`.
fn integer(query: &HashMap<String, String>, name: &str) -> Result<Option<i64>, Box<HttpResponse>> {
    match query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Box::new(bad_request(&format!("{name} is invalid")))),
    }
}

/// One page of a list, with the headers that describe it.
type Page = (Vec<Value>, Vec<(&'static str, String)>);

/// `page` (from 1) and `per_page` (default 20, at most 100), answered with GitLab's
/// `x-page`, `x-per-page`, `x-next-page`, `x-prev-page`, `x-total`, `x-total-pages` and
/// `link` headers.
fn paginate(
    all: &[Value],
    req: &HttpRequest,
    query: &HashMap<String, String>,
) -> Result<Page, Box<HttpResponse>> {
    let per_page = integer(query, "per_page")?
        .filter(|n| *n > 0)
        .map_or(20, |n| n.min(100));
    let page = integer(query, "page")?.filter(|n| *n > 0).unwrap_or(1);
    let per = usize::try_from(per_page).unwrap_or(20);
    let total_pages = all.len().div_ceil(per).max(1);
    let page_index = usize::try_from(page).unwrap_or(usize::MAX);
    let items = all
        .iter()
        .skip(page_index.saturating_sub(1).saturating_mul(per))
        .take(per)
        .cloned()
        .collect();
    let next = (page_index < total_pages).then(|| page_index + 1);
    let prev = (page_index > 1).then(|| (page_index - 1).min(total_pages));
    let url_for = |n: usize| {
        let mut url = req.full_url();
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("page", &n.to_string())
            .append_pair("per_page", &per.to_string());
        url.to_string()
    };
    let mut links = Vec::new();
    links.extend(prev.map(|p| format!("<{}>; rel=\"prev\"", url_for(p))));
    links.extend(next.map(|n| format!("<{}>; rel=\"next\"", url_for(n))));
    links.push(format!("<{}>; rel=\"first\"", url_for(1)));
    links.push(format!("<{}>; rel=\"last\"", url_for(total_pages)));
    let text = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
    let headers = vec![
        ("x-page", page_index.to_string()),
        ("x-per-page", per.to_string()),
        ("x-next-page", text(next)),
        ("x-prev-page", text(prev)),
        ("x-total", all.len().to_string()),
        ("x-total-pages", total_pages.to_string()),
        ("link", links.join(", ")),
    ];
    Ok((items, headers))
}

fn user_json(person: &Person, web: &str) -> Value {
    let mut user = json!({
        "id": person.id,
        "username": person.username,
        "public_email": person.public_email,
        "name": person.name,
        "state": "active",
        "locked": false,
        "avatar_url": person.avatar_url,
        "web_url": format!("{web}/{}", person.username),
        "created_at": "2020-12-10T21:29:08.000Z",
        "bio": "",
        "location": "",
        "linkedin": "",
        "twitter": "",
        "discord": "",
        "website_url": "",
        "organization": "",
        "job_title": "",
        "pronouns": null,
        "bot": false,
        "work_information": null,
        "local_time": null,
        "last_sign_in_at": "2025-01-01T00:00:00.000Z",
        "confirmed_at": "2020-12-10T21:30:00.000Z",
        "last_activity_on": "2025-01-01",
        "theme_id": 3,
        "color_scheme_id": 1,
        "projects_limit": 100_000,
        "current_sign_in_at": "2025-01-01T00:00:00.000Z",
        "identities": [],
        "can_create_group": true,
        "can_create_project": true,
        "two_factor_enabled": false,
        "external": false,
        "private_profile": false,
    });
    if let (Some(email), Some(fields)) = (&person.email, user.as_object_mut()) {
        fields.insert("email".to_owned(), json!(email));
        fields.insert("commit_email".to_owned(), json!(email));
    }
    user
}

fn group_json(group: &Group, owner: Option<&Person>, web: &str) -> Value {
    // The full name runs from the top-level group down, as GitLab shows it.
    let known = owner.map_or(&[][..], |p| p.groups.as_slice());
    let mut names = vec![group.name.clone()];
    let mut parent = group.parent_id;
    // Bounded, so a parent loop a test built by mistake cannot hang the server.
    for _ in 0..known.len() {
        let Some(up) = parent.and_then(|id| known.iter().find(|g| g.id == id)) else {
            break;
        };
        names.insert(0, up.name.clone());
        parent = up.parent_id;
    }
    json!({
        "id": group.id,
        "web_url": format!("{web}/groups/{}", group.full_path),
        "name": group.name,
        "path": group.path,
        "description": "",
        "visibility": group.visibility,
        "share_with_group_lock": false,
        "require_two_factor_authentication": false,
        "two_factor_grace_period": 48,
        "project_creation_level": "developer",
        "auto_devops_enabled": null,
        "subgroup_creation_level": "maintainer",
        "emails_disabled": false,
        "emails_enabled": true,
        "mentions_disabled": null,
        "lfs_enabled": true,
        "default_branch": null,
        "default_branch_protection": 2,
        "avatar_url": null,
        "request_access_enabled": true,
        "full_name": names.join(" / "),
        "full_path": group.full_path,
        "created_at": "2021-03-01T10:00:00.000Z",
        "parent_id": group.parent_id,
        "organization_id": 1,
        "shared_runners_setting": "enabled",
        "ldap_cn": null,
        "ldap_access": null,
        "wiki_access_level": "enabled",
    })
}
