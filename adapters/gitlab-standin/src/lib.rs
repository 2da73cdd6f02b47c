//! A stand-in for GitLab's OAuth 2 authorization-code flow and REST API that enforces what
//! GitLab (gitlab.com and self-managed) does, served in-process for integration tests and
//! development.
//!
//! See the crate's README for what it enforces. In short: [`GitlabStandIn::start`] serves the
//! OAuth routes (`/oauth/authorize`, `/oauth/token`, `/oauth/revoke`) at
//! [`GitlabStandIn::web_url`] (the service's `GITLAB_URL`) and the REST routes (`/user`,
//! `/groups`) at [`GitlabStandIn::api_url`] (`…/api/v4`).

mod authorize;
mod faults;
mod params;
mod people;
mod record;
mod rest;
mod revoke;
mod scopes;
mod state;
mod token;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web::{self, Bytes, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::handler;

pub use authorize::Refused;
pub use faults::Endpoint;
pub use nectr_standin_kit::Fault;
pub use people::{Group, OAuthApp, Person, access_level};
pub use record::{AuthorizationRecord, RecordedRequest};

use state::Shared;

/// The stand-in: its state and the base URL it is reachable at. Clones share the state.
#[derive(Clone)]
pub struct GitlabStandIn {
    shared: Arc<Shared>,
}

impl GitlabStandIn {
    /// Binds `127.0.0.1:0` and serves (one worker) on the current tokio runtime, which must stay
    /// alive while the stand-in is used; the server stops when that runtime shuts down.
    pub async fn start() -> std::io::Result<GitlabStandIn> {
        let (listener, web_url) = nectr_standin_kit::bind_loopback()?;
        let standin = Self::mounted_at(web_url);
        let unknown = handler(&standin.shared, unknown_page);
        nectr_standin_kit::serve(listener, standin.configure(), unknown)?;
        Ok(standin)
    }

    /// A stand-in that is not served by itself: mount [`GitlabStandIn::configure`] in an actix
    /// `App`, and pass the URL that mount is reachable at (e.g. `http://127.0.0.1:8080/gitlab`,
    /// like a self-managed GitLab under a relative URL root), which
    /// [`GitlabStandIn::web_url`] then reports.
    pub fn mounted_at(web_url: impl Into<String>) -> GitlabStandIn {
        GitlabStandIn {
            shared: Arc::new(Shared::new(web_url)),
        }
    }

    /// The base of the OAuth routes, e.g. `http://127.0.0.1:41234` (the service's `GITLAB_URL`).
    pub fn web_url(&self) -> String {
        self.shared.web_url.clone()
    }

    /// The base of the REST routes, e.g. `http://127.0.0.1:41234/api/v4`.
    pub fn api_url(&self) -> String {
        format!("{}/api/v4", self.shared.web_url)
    }

    /// The routes, for mounting in another actix `App`, e.g.
    /// `App::new().service(web::scope("/gitlab").configure(standin.configure()))`. OAuth
    /// routes sit at the mount point and REST routes under `/api/v4` below it; unknown paths
    /// under `/api/v4` answer GitLab's JSON 404. The routes share this stand-in's state.
    pub fn configure(&self) -> impl FnOnce(&mut ServiceConfig) + Clone + Send + 'static {
        let shared = self.shared.clone();
        move |config: &mut ServiceConfig| {
            config
                .route(
                    "/oauth/authorize",
                    web::get().to(handler(&shared, authorize::handle)),
                )
                .route(
                    "/oauth/token",
                    web::post().to(handler(&shared, token::handle)),
                )
                .route(
                    "/oauth/revoke",
                    web::post().to(handler(&shared, revoke::handle)),
                )
                .service(
                    web::scope("/api/v4")
                        .route("/user", web::get().to(handler(&shared, rest::user)))
                        .route("/groups", web::get().to(handler(&shared, rest::groups)))
                        .default_service(web::to(handler(&shared, rest::not_found))),
                );
        }
    }

    /// Registers an OAuth application (replacing one with the same client ID).
    pub fn register_app(&self, app: OAuthApp) {
        self.shared.lock().apps.insert(app.client_id.clone(), app);
    }

    /// Who approves at the next authorize requests, until changed. Default: [`Person::tanuki`].
    pub fn sign_in_as(&self, person: Person) {
        self.shared.lock().signed_in = person;
    }

    /// The next authorize request that reaches the person is answered as if they pressed
    /// Deny (`access_denied`); one-shot. Requests refused earlier (the error page) do not use
    /// it up.
    pub fn press_cancel(&self) {
        self.shared.lock().cancel_next = true;
    }

    /// Approves the authorize request at `authorize_url` (as a service would redirect a
    /// browser to) as `person`, without HTTP and without changing who is signed in: answers
    /// where GitLab would send the browser, the redirect URI with `code` and `state`. The same
    /// checks apply as over HTTP. Load tests use it to sign many people in at once, which the
    /// shared [`GitlabStandIn::sign_in_as`] cannot. Faults and [`GitlabStandIn::press_cancel`]
    /// do not apply, and no [`RecordedRequest`] is kept (an [`AuthorizationRecord`] is).
    ///
    /// # Errors
    /// [`Refused`] when GitLab would show its error page instead (unknown client, a
    /// `redirect_uri` that is not registered, an invalid scope…), or the URL is not one.
    pub fn approve_as(&self, authorize_url: &str, person: &Person) -> Result<String, Refused> {
        authorize::approve_as(&mut self.shared.lock(), authorize_url, person)
    }

    /// Makes `endpoint` misbehave until [`GitlabStandIn::clear_faults`] (replacing its fault).
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) {
        self.shared.lock().traffic.set_fault(endpoint, fault);
    }

    /// Makes every endpoint behave again.
    pub fn clear_faults(&self) {
        self.shared.lock().traffic.clear_faults();
    }

    /// Moves the stand-in's clock forward, so tests can expire codes (10 minutes) and access
    /// tokens (2 hours) without sleeping.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.lock().clock.advance(by);
    }

    /// Every request received, in order, including faulted and unroutable ones.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().traffic.requests().to_vec()
    }

    /// The requests routed to `endpoint`, in order.
    pub fn requests_to(&self, endpoint: Endpoint) -> Vec<RecordedRequest> {
        self.shared.lock().traffic.requests_to(endpoint)
    }

    /// One record per authorize request that was approved or denied, in order.
    pub fn authorizations(&self) -> Vec<AuthorizationRecord> {
        self.shared.lock().authorizations.clone()
    }

    /// Whether this access token is live (issued, not revoked or rotated away, not expired).
    pub fn is_token_live(&self, access_token: &str) -> bool {
        self.shared.lock().is_live(access_token)
    }

    /// Live access tokens issued to this person for this client ID.
    pub fn live_tokens(&self, client_id: &str, gitlab_id: i64) -> Vec<String> {
        self.shared.lock().live_tokens(client_id, gitlab_id)
    }

    /// Every access and refresh token value ever issued, so tests can look for leaks.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.lock().issued_tokens()
    }

    /// Every authorization code ever handed out.
    pub fn issued_codes(&self) -> Vec<String> {
        self.shared.lock().issued_codes()
    }
}

impl std::fmt::Debug for GitlabStandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitlabStandIn")
            .field("web_url", &self.shared.web_url)
            .finish_non_exhaustive()
    }
}

/// Any path outside the stand-in's routes: recorded, then GitLab's 404 page.
async fn unknown_page(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = faults::arrive(&shared, None, &req, &body).await {
        return fault;
    }
    authorize::not_found_page()
}
