//! A stand-in for GitHub's OAuth web flow and REST API that enforces what GitHub documents,
//! served in-process for integration tests and development.
//!
//! See the crate's README for what it enforces. In short: [`GithubStandIn::start`] serves the
//! web routes (`/login/oauth/authorize`, `/login/oauth/access_token`) at [`GithubStandIn::web_url`]
//! and the REST routes at [`GithubStandIn::api_url`] (`…/api/v3`, like GitHub Enterprise Server).
//! [`GithubStandIn::set_interactive`] turns authorize into a page where someone in a browser
//! picks who signs in, for development; `/avatars/u/{id}` draws avatars offline.

mod access_token;
mod applications;
mod authorize;
mod avatars;
mod consent_page;
mod faults;
mod interactive;
mod people;
mod record;
mod rest;
mod scopes;
mod state;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web::{self, Bytes, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::handler;

pub use faults::Endpoint;
pub use interactive::typed_in_approval;
pub use nectr_standin_kit::Fault;
pub use people::{Email, OAuthApp, Person, Team};
pub use record::{AuthorizationRecord, RecordedRequest};

use state::Shared;

/// The stand-in: its state and the base URL it is reachable at. Clones share the state.
#[derive(Clone)]
pub struct GithubStandIn {
    shared: Arc<Shared>,
}

impl GithubStandIn {
    /// Binds `127.0.0.1:0` and serves (one worker) on the current tokio runtime, which must stay
    /// alive while the stand-in is used; the server stops when that runtime shuts down.
    pub async fn start() -> std::io::Result<GithubStandIn> {
        let (listener, web_url) = nectr_standin_kit::bind_loopback()?;
        let standin = Self::mounted_at(web_url);
        let unknown = handler(&standin.shared, unknown_page);
        nectr_standin_kit::serve(listener, standin.configure(), unknown)?;
        Ok(standin)
    }

    /// A stand-in that is not served by itself: mount [`GithubStandIn::configure`] in an actix
    /// `App`, and pass the URL that mount is reachable at (e.g. `http://127.0.0.1:8080/github`),
    /// which [`GithubStandIn::web_url`] then reports.
    pub fn mounted_at(web_url: impl Into<String>) -> GithubStandIn {
        GithubStandIn {
            shared: Arc::new(Shared::new(web_url)),
        }
    }

    /// The base of the web routes, e.g. `http://127.0.0.1:41234` (the service's `GITHUB_URL`).
    pub fn web_url(&self) -> String {
        self.shared.web_url.clone()
    }

    /// The base of the REST routes, e.g. `http://127.0.0.1:41234/api/v3` (`GITHUB_API_URL`).
    pub fn api_url(&self) -> String {
        format!("{}/api/v3", self.shared.web_url)
    }

    /// The routes, for mounting in another actix `App`, e.g.
    /// `App::new().service(web::scope("/github").configure(standin.configure()))`. Web routes
    /// (authorize, access token, `/avatars/u/{id}`) sit at the mount point and REST routes under
    /// `/api/v3` below it; unknown paths under `/api/v3` answer GitHub's JSON 404. The routes
    /// share this stand-in's state.
    pub fn configure(&self) -> impl FnOnce(&mut ServiceConfig) + Clone + Send + 'static {
        let shared = self.shared.clone();
        move |config: &mut ServiceConfig| {
            config
                .route(
                    "/login/oauth/authorize",
                    web::get().to(handler(&shared, authorize::handle)),
                )
                .route(
                    "/login/oauth/authorize",
                    web::post().to(handler(&shared, interactive::handle)),
                )
                .route(
                    "/avatars/u/{id}",
                    web::get().to(handler(&shared, avatars::handle)),
                )
                .route(
                    "/login/oauth/access_token",
                    web::post().to(handler(&shared, access_token::handle)),
                )
                .service(
                    web::scope("/api/v3")
                        .route("/user", web::get().to(handler(&shared, rest::user)))
                        .route(
                            "/user/emails",
                            web::get().to(handler(&shared, rest::emails)),
                        )
                        .route("/user/orgs", web::get().to(handler(&shared, rest::orgs)))
                        .route("/user/teams", web::get().to(handler(&shared, rest::teams)))
                        .route(
                            "/applications/{client_id}/grant",
                            web::delete().to(handler(&shared, applications::delete_grant)),
                        )
                        .route(
                            "/applications/{client_id}/token",
                            web::delete().to(handler(&shared, applications::delete_token)),
                        )
                        .default_service(web::to(handler(&shared, rest::not_found))),
                );
        }
    }

    /// Registers an OAuth App (replacing one with the same client ID).
    pub fn register_app(&self, app: OAuthApp) {
        self.shared.lock().apps.insert(app.client_id.clone(), app);
    }

    /// Who approves at the next authorize requests, until changed. Default: [`Person::octocat`].
    pub fn sign_in_as(&self, person: Person) {
        self.shared.lock().signed_in = person;
    }

    /// The next authorize request that reaches the person is answered as if they pressed
    /// Cancel (`access_denied`); one-shot. Requests refused earlier (unknown app, bad
    /// `redirect_uri`) do not use it up.
    pub fn press_cancel(&self) {
        self.shared.lock().cancel_next = true;
    }

    /// Interactive mode (off by default), for development: `GET /login/oauth/authorize`, once
    /// every check passes, answers an HTML page (clearly marked as a stand-in) where someone in
    /// a browser picks a ready-made person or types in another, then presses Authorize or
    /// Cancel. The page posts to `POST /login/oauth/authorize`, which checks the request again
    /// and answers exactly as the automatic decision would; the person picked becomes the
    /// signed-in one, as with [`GithubStandIn::sign_in_as`]. While it is on, the page decides:
    /// [`GithubStandIn::press_cancel`] waits for the next automatic decision, and the signed-in
    /// person is only preselected when the page offers them. Off, the `POST` route answers the
    /// 404 page.
    pub fn set_interactive(&self, on: bool) {
        self.shared.lock().interactive = on;
    }

    /// Makes `endpoint` misbehave until [`GithubStandIn::clear_faults`] (replacing its fault).
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) {
        self.shared.lock().traffic.set_fault(endpoint, fault);
    }

    /// Makes every endpoint behave again.
    pub fn clear_faults(&self) {
        self.shared.lock().traffic.clear_faults();
    }

    /// Moves the stand-in's clock forward, so tests can expire codes and tokens without
    /// sleeping.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.lock().clock.advance(by);
    }

    /// Turns on OAuth App access restrictions for the organization `org`, as its owners can
    /// on GitHub: `GET /user/orgs` leaves it out, and `GET /user/teams` its teams, for every
    /// app an owner has not approved with [`GithubStandIn::approve_org_access`].
    pub fn restrict_org_access(&self, org: &str) {
        self.shared.lock().restrict_org(org);
    }

    /// An owner of `org` approves the app `client_id`, so its authorizations see the
    /// organization again (tokens already issued included). No effect on an organization
    /// without restrictions.
    pub fn approve_org_access(&self, org: &str, client_id: &str) {
        self.shared.lock().approve_org(org, client_id);
    }

    /// The person revokes this one token behind the app's back (GitHub: Settings → Developer
    /// settings, or a leaked token reported). Its refresh token dies with it; the grant stays.
    pub fn revoke_token(&self, access_token: &str) {
        self.shared.lock().revoke_token(access_token);
    }

    /// The person revokes the app in Settings → Applications: its grant, every token and
    /// refresh token, and pending codes are gone, as with `DELETE /applications/{client_id}/grant`,
    /// but without the app being told.
    pub fn revoke_app_access(&self, client_id: &str, github_id: i64) {
        self.shared.lock().delete_grant(client_id, github_id);
    }

    /// Every request received, in order, including faulted and unroutable ones.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().traffic.requests().to_vec()
    }

    /// The requests routed to `endpoint`, in order.
    pub fn requests_to(&self, endpoint: Endpoint) -> Vec<RecordedRequest> {
        self.shared.lock().traffic.requests_to(endpoint)
    }

    /// One record per authorize request that was approved or cancelled, in order.
    pub fn authorizations(&self) -> Vec<AuthorizationRecord> {
        self.shared.lock().authorizations.clone()
    }

    /// Whether `github_id` currently has a grant (authorization) for this client ID.
    pub fn grant_exists(&self, client_id: &str, github_id: i64) -> bool {
        self.shared.lock().grant_exists(client_id, github_id)
    }

    /// Live (unrevoked, unexpired) access tokens issued to this person for this client ID.
    pub fn live_tokens(&self, client_id: &str, github_id: i64) -> Vec<String> {
        self.shared.lock().live_tokens(client_id, github_id)
    }

    /// Whether this access token is live.
    pub fn is_token_live(&self, token: &str) -> bool {
        self.shared.lock().live_token(token).is_some()
    }

    /// Every access and refresh token value ever issued, so tests can look for leaks.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.lock().issued_tokens()
    }
}

impl std::fmt::Debug for GithubStandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubStandIn")
            .field("web_url", &self.shared.web_url)
            .finish_non_exhaustive()
    }
}

/// Any path outside the stand-in's routes: recorded, then GitHub's 404 page.
async fn unknown_page(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = faults::arrive(&shared, None, &req, &body).await {
        return fault;
    }
    authorize::not_found_page()
}
