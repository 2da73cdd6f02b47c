//! The REST API under `/api/v3`: the checks every call passes through, and the `/user` routes.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderName, HeaderValue, LINK, USER_AGENT};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use nectr_standin_kit::params::first_values;
use serde_json::{Value, json};

use crate::faults::{Endpoint, arrive};
use crate::people::{Person, Team};
use crate::scopes;
use crate::state::{RATE_LIMIT, Shared, Token};

pub(crate) const REST_DOC: &str = "https://docs.github.com/rest";
const API_VERSION: &str = "2022-11-28";
const USER_AGENT_MESSAGE: &str = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.";

/// GitHub's JSON error body: `message`, `documentation_url` and the status as a string.
pub(crate) fn json_error(
    status: StatusCode,
    message: &str,
    documentation_url: &str,
) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "message": message,
        "documentation_url": documentation_url,
        "status": status.as_str(),
    }))
}

/// The `x-ratelimit-*` headers of a user token's core budget.
pub(crate) fn rate_limit_headers(remaining: u32, reset_epoch: u64) -> Vec<(&'static str, String)> {
    vec![
        ("x-ratelimit-limit", RATE_LIMIT.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset", reset_epoch.to_string()),
        ("x-ratelimit-used", (RATE_LIMIT - remaining).to_string()),
        ("x-ratelimit-resource", "core".to_owned()),
    ]
}

/// Adds headers to an answer (ignoring any a test could not have meant to send).
pub(crate) fn with_headers(mut answer: HttpResponse, headers: &[(&str, String)]) -> HttpResponse {
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(*name),
            HeaderValue::try_from(value.as_str()),
        ) {
            answer.headers_mut().insert(name, value);
        }
    }
    answer
}

/// One REST call that passed the checks every call needs; it collects the headers its answer
/// will carry.
pub(crate) struct Call {
    headers: Vec<(&'static str, String)>,
}

impl Call {
    /// Every call needs a `User-Agent` (403 without) and, if it names an API version, a
    /// supported one (400 otherwise).
    pub(crate) fn admit(req: &HttpRequest) -> Result<Self, Box<HttpResponse>> {
        let has_agent = req
            .headers()
            .get(USER_AGENT)
            .is_some_and(|v| !v.as_bytes().trim_ascii().is_empty());
        if !has_agent {
            let refused = HttpResponse::Forbidden().json(json!({ "message": USER_AGENT_MESSAGE }));
            return Err(Box::new(refused));
        }
        let mut headers = vec![("x-github-media-type", "github.v3; format=json".to_owned())];
        if let Some(version) = req.headers().get("x-github-api-version") {
            if version.as_bytes() != API_VERSION.as_bytes() {
                return Err(Box::new(json_error(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "Unsupported 'X-GitHub-Api-Version' header. Supported versions: {API_VERSION}"
                    ),
                    "https://docs.github.com/rest/overview/api-versions",
                )));
            }
            headers.push(("x-github-api-version-selected", API_VERSION.to_owned()));
        }
        Ok(Self { headers })
    }

    /// The live token behind `Authorization: Bearer …` or `token …`, charged against its
    /// hourly budget. `accepted` is what the route reports in `X-Accepted-OAuth-Scopes`.
    pub(crate) fn authenticate(
        &mut self,
        shared: &Shared,
        req: &HttpRequest,
        accepted: &str,
    ) -> Result<Token, Box<HttpResponse>> {
        let Some(header) = req.headers().get(AUTHORIZATION) else {
            return Err(self.refuse(json_error(
                StatusCode::UNAUTHORIZED,
                "Requires authentication",
                REST_DOC,
            )));
        };
        let presented = header.to_str().ok().and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            let known =
                scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
            known.then(|| token.trim().to_owned())
        });
        let mut inner = shared.lock();
        let Some(token) = presented.and_then(|t| inner.live_token(&t).cloned()) else {
            return Err(self.refuse(json_error(
                StatusCode::UNAUTHORIZED,
                "Bad credentials",
                REST_DOC,
            )));
        };
        let (remaining, reset) = inner.spend_rate_limit(&token.access_token);
        drop(inner);
        self.headers
            .extend(rate_limit_headers(remaining.unwrap_or(0), reset));
        self.headers
            .push(("x-oauth-scopes", token.scopes.join(", ")));
        self.headers
            .push(("x-accepted-oauth-scopes", accepted.to_owned()));
        if remaining.is_none() {
            return Err(self.refuse(json_error(
                StatusCode::FORBIDDEN,
                &format!("API rate limit exceeded for user ID {}.", token.person.id),
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            )));
        }
        Ok(token)
    }

    fn refuse(&self, answer: HttpResponse) -> Box<HttpResponse> {
        Box::new(self.answer(answer))
    }

    /// Adds `Link` pagination to the answer's headers.
    fn link(&mut self, link: Option<String>) {
        self.headers.extend(link.map(|l| (LINK.as_str(), l)));
    }

    /// The answer with the collected headers.
    pub(crate) fn answer(&self, answer: HttpResponse) -> HttpResponse {
        with_headers(answer, &self.headers)
    }
}

/// Turns a handler body into "record, fault, admit, authenticate, then answer".
macro_rules! admitted {
    ($shared:ident, $req:ident, $body:ident, $endpoint:expr, $accepted:expr) => {{
        if let Some(fault) = arrive(&$shared, Some($endpoint), &$req, &$body).await {
            return fault;
        }
        let mut call = match Call::admit(&$req) {
            Ok(call) => call,
            Err(refused) => return *refused,
        };
        match call.authenticate(&$shared, &$req, $accepted) {
            Ok(token) => (call, token),
            Err(refused) => return *refused,
        }
    }};
}

/// `GET /user`.
pub(crate) async fn user(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let (call, token) = admitted!(shared, req, body, Endpoint::User, "");
    let (api, web) = bases(&req, "/user");
    let mut person = token.person;
    if person.avatar_url.is_empty() {
        person.avatar_url = format!("{}/avatars/u/{}", shared.web_url, person.id);
    }
    call.answer(HttpResponse::Ok().json(user_json(&person, &api, &web)))
}

/// `GET /user/emails`: hidden (404) without `user:email` or `user`.
pub(crate) async fn emails(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let (mut call, token) = admitted!(shared, req, body, Endpoint::UserEmails, "user, user:email");
    if !scopes::has_any(&token.scopes, &["user", "user:email"]) {
        return call.answer(json_error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user",
        ));
    }
    let all: Vec<Value> = token
        .person
        .emails
        .iter()
        .map(|e| json!({"email": e.email, "primary": e.primary, "verified": e.verified, "visibility": e.visibility}))
        .collect();
    let (page, link) = paginate(&all, &req);
    call.link(link);
    call.answer(HttpResponse::Ok().json(page))
}

/// The scopes that let an authorization read organization data; a parent scope includes its
/// children, so the whole family is listed.
const ORG_SCOPES: [&str; 3] = ["admin:org", "read:org", "write:org"];

/// `GET /user/orgs`: needs `read:org` (or a scope above it) or `user`, else 403 as GitHub
/// documents. Organizations with OAuth App access restrictions that have not approved the app
/// are left out.
pub(crate) async fn orgs(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let accepted = [ORG_SCOPES.as_slice(), &["user"]].concat();
    let (mut call, token) = admitted!(shared, req, body, Endpoint::UserOrgs, &accepted.join(", "));
    if !scopes::has_any(&token.scopes, &accepted) {
        return call.answer(json_error(
            StatusCode::FORBIDDEN,
            "You need at least read:org scope or user scope to list your organizations.",
            "https://docs.github.com/rest/orgs/orgs#list-organizations-for-the-authenticated-user",
        ));
    }
    let (api, _) = bases(&req, "/user/orgs");
    let all: Vec<Value> = {
        let inner = shared.lock();
        token
            .person
            .orgs
            .iter()
            .filter(|org| inner.org_visible_to(org, &token.client_id))
            .map(|login| org_json(login, &api))
            .collect()
    };
    let (page, link) = paginate(&all, &req);
    call.link(link);
    call.answer(HttpResponse::Ok().json(page))
}

/// `GET /user/teams`: needs `read:org` (or a scope above it), `repo` or `user`; without, the
/// list is hidden (404). Teams of organizations whose access restrictions have not approved
/// the app are left out, like the organizations themselves.
pub(crate) async fn teams(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let accepted = [ORG_SCOPES.as_slice(), &["repo", "user"]].concat();
    let (mut call, token) = admitted!(shared, req, body, Endpoint::UserTeams, &accepted.join(", "));
    if !scopes::has_any(&token.scopes, &accepted) {
        return call.answer(json_error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "https://docs.github.com/rest/teams/teams#list-teams-for-the-authenticated-user",
        ));
    }
    let (api, web) = bases(&req, "/user/teams");
    let all: Vec<Value> = {
        let inner = shared.lock();
        token
            .person
            .teams
            .iter()
            .filter(|team| inner.org_visible_to(&team.org, &token.client_id))
            .map(|team| team_json(team, &api, &web))
            .collect()
    };
    let (page, link) = paginate(&all, &req);
    call.link(link);
    call.answer(HttpResponse::Ok().json(page))
}

/// Any other path under the API prefix.
pub(crate) async fn not_found(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = arrive(&shared, None, &req, &body).await {
        return fault;
    }
    match Call::admit(&req) {
        Ok(call) => call.answer(json_error(StatusCode::NOT_FOUND, "Not Found", REST_DOC)),
        Err(refused) => *refused,
    }
}

/// The API base and web base URLs as the client reached them, so links work under any prefix.
fn bases(req: &HttpRequest, route: &str) -> (String, String) {
    let info = req.connection_info();
    let prefix = req.path().strip_suffix(route).unwrap_or_default();
    let api = format!("{}://{}{prefix}", info.scheme(), info.host());
    let web = api.strip_suffix("/api/v3").unwrap_or(&api).to_owned();
    (api, web)
}

fn user_json(person: &Person, api: &str, web: &str) -> Value {
    let login = &person.login;
    let user_api = format!("{api}/users/{login}");
    json!({
        "login": login,
        "id": person.id,
        "node_id": STANDARD.encode(format!("04:User{}", person.id)),
        "avatar_url": person.avatar_url,
        "gravatar_id": "",
        "url": user_api,
        "html_url": format!("{web}/{login}"),
        "followers_url": format!("{user_api}/followers"),
        "following_url": format!("{user_api}/following{{/other_user}}"),
        "gists_url": format!("{user_api}/gists{{/gist_id}}"),
        "starred_url": format!("{user_api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{user_api}/subscriptions"),
        "organizations_url": format!("{user_api}/orgs"),
        "repos_url": format!("{user_api}/repos"),
        "events_url": format!("{user_api}/events{{/privacy}}"),
        "received_events_url": format!("{user_api}/received_events"),
        "type": "User",
        "user_view_type": "public",
        "site_admin": false,
        "name": person.name,
        "company": null,
        "blog": "",
        "location": null,
        "email": person.public_email,
        "hireable": null,
        "bio": null,
        "twitter_username": null,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": "2011-01-25T18:44:36Z",
        "updated_at": "2025-01-01T00:00:00Z",
    })
}

/// A stable id per name (32-bit FNV-1a), so the same organization or team keeps its id
/// across runs.
fn stable_id(name: &str) -> u32 {
    name.bytes().fold(0x811c_9dc5_u32, |hash, b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn org_json(login: &str, api: &str) -> Value {
    let id = stable_id(login);
    let org_api = format!("{api}/orgs/{login}");
    json!({
        "login": login,
        "id": i64::from(id),
        "node_id": STANDARD.encode(format!("012:Organization{id}")),
        "url": org_api,
        "repos_url": format!("{org_api}/repos"),
        "events_url": format!("{org_api}/events"),
        "hooks_url": format!("{org_api}/hooks"),
        "issues_url": format!("{org_api}/issues"),
        "members_url": format!("{org_api}/members{{/member}}"),
        "public_members_url": format!("{org_api}/public_members{{/member}}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "description": null,
    })
}

/// A team as `GET /user/teams` lists it: the team with its full organization.
fn team_json(team: &Team, api: &str, web: &str) -> Value {
    let org = &team.org;
    let id = stable_id(&format!("{org}/{}", team.slug));
    let org_id = stable_id(org);
    let team_api = format!("{api}/organizations/{org_id}/team/{id}");
    let mut organization = org_json(org, api);
    if let Some(fields) = organization.as_object_mut() {
        fields.insert("name".to_owned(), Value::Null);
        fields.insert("html_url".to_owned(), json!(format!("{web}/{org}")));
        fields.insert("type".to_owned(), json!("Organization"));
    }
    json!({
        "id": i64::from(id),
        "node_id": STANDARD.encode(format!("04:Team{id}")),
        "url": team_api,
        "html_url": format!("{web}/orgs/{org}/teams/{}", team.slug),
        "name": team.name,
        "slug": team.slug,
        "description": null,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": format!("{team_api}/members{{/member}}"),
        "repositories_url": format!("{team_api}/repos"),
        "parent": null,
        "members_count": 1,
        "repos_count": 0,
        "created_at": "2017-07-14T16:53:42Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "organization": organization,
    })
}

/// `per_page` (1–100, default 30) and `page` (from 1), with GitHub's `Link` header.
fn paginate(all: &[Value], req: &HttpRequest) -> (Vec<Value>, Option<String>) {
    let query = first_values(req.query_string());
    let number = |name: &str| query.get(name).and_then(|v| v.parse::<usize>().ok());
    let per_page = number("per_page").filter(|n| *n > 0).unwrap_or(30).min(100);
    let page = number("page").filter(|n| *n > 0).unwrap_or(1);
    let last = all.len().div_ceil(per_page).max(1);
    let items = all
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .cloned()
        .collect();
    if last == 1 {
        return (items, None);
    }
    let url_for = |n: usize| {
        let mut url = req.full_url();
        url.query_pairs_mut()
            .clear()
            .append_pair("per_page", &per_page.to_string())
            .append_pair("page", &n.to_string());
        url.to_string()
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", url_for(page - 1)));
    }
    if page < last {
        links.push(format!("<{}>; rel=\"next\"", url_for(page + 1)));
        links.push(format!("<{}>; rel=\"last\"", url_for(last)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"first\"", url_for(1)));
    }
    (items, Some(links.join(", ")).filter(|l| !l.is_empty()))
}
