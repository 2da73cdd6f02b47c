//! The HTTP API: one handler per file, registered here.

mod github_callback;
mod github_login;
mod logout;
mod me;
mod reconnect;

use actix_web::{HttpRequest, HttpResponse, Route, web};

use crate::api_error::framework;
use crate::cookies::{BINDING_COOKIE, SESSION_COOKIE};

/// Registers every route; each path answers other methods with a JSON 405.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path: &str, route: Route| {
        web::resource(path)
            .route(route)
            .default_service(web::to(framework::method_not_allowed))
    };
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
        .service(resource("/auth/logout", web::post().to(logout::logout)));
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

/// A 302 to `location`.
fn found(location: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Found();
    response.insert_header((actix_web::http::header::LOCATION, location));
    response
}
