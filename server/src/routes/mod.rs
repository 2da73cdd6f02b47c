//! The HTTP API: one handler per file, registered here.

// Visible to the crate so `openapi` can gather the handlers' annotations.
pub(crate) mod github_callback;
pub(crate) mod github_login;
pub(crate) mod logout;
pub(crate) mod me;
pub(crate) mod reconnect;

use actix_web::{HttpRequest, HttpResponse, Route, web};

use nectr_application::StartedSignIn;

use crate::api_error::framework;
use crate::cookies::{BINDING_COOKIE, SESSION_COOKIE};
use crate::state::AppState;

/// Registers every route; each path answers other methods with a JSON 405.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/auth/github", web::get().to(github_login::start)))
        .service(resource(
            "/auth/github/callback",
            web::get().to(github_callback::complete),
        ))
        .service(resource(
            "/auth/github/reconnect",
            web::get().to(reconnect::reconnect),
        ))
        .service(resource("/auth/me", web::get().to(me::me)))
        .service(resource("/auth/logout", web::post().to(logout::logout)))
        .service(resource(
            "/openapi.json",
            web::get().to(crate::openapi::openapi_json),
        ));
}

/// `path` answering `route` only; other methods get a JSON 405.
pub(crate) fn resource(path: &str, route: Route) -> actix_web::Resource {
    web::resource(path)
        .route(route)
        .default_service(web::to(framework::method_not_allowed))
}

fn cookie_value(request: &HttpRequest, name: &str) -> Option<String> {
    request.cookie(name).map(|c| c.value().to_owned())
}

fn session_cookie(request: &HttpRequest) -> Option<String> {
    cookie_value(request, SESSION_COOKIE)
}

fn binding_cookie(request: &HttpRequest) -> Option<String> {
    cookie_value(request, BINDING_COOKIE)
}

/// The redirect that starts an authorization at the provider, with the binding cookie that
/// ties the attempt to this browser.
fn to_provider(state: &AppState, started: &StartedSignIn) -> HttpResponse {
    found(&started.redirect_url)
        .cookie(
            state
                .cookies
                .binding(started.binding.as_str().to_owned(), started.ttl_seconds),
        )
        .finish()
}

/// A 302 to `location`.
fn found(location: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Found();
    response.insert_header((actix_web::http::header::LOCATION, location));
    response
}
