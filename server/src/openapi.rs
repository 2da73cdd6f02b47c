//! The OpenAPI 3.1 document of the HTTP API, built from the handlers' annotations and served
//! at `GET /openapi.json`.
//!
//! Each handler states its own answers next to its code; this module gathers them and adds
//! what every operation shares: the session cookie as a security scheme and the JSON 414 and
//! 431 that `limits::enforce` sends before any handler runs.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::cookies::SESSION_COOKIE;
use crate::limits::{MAX_HEADER_BYTES, MAX_URI_BYTES};

/// The name the operations use for the session cookie's security scheme.
pub const SESSION_SCHEME: &str = "session_cookie";
/// The name of the internal API's security scheme.
pub const SERVICE_SCHEME: &str = "service_credential";

/// Every error answer of the service, whatever made it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    /// What went wrong and what to do about it, for a person to read.
    pub detail: String,
    /// A stable code for programs, on some answers (the internal API's, and `409`s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The answer of the liveness and readiness checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusResponse {
    /// `ok` from `/healthz`, `ready` from `/readyz`.
    pub status: String,
}

/// The document's root: every operation of the API and the schemas they name.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "nectr-auth",
        description = "OAuth sign-in for Nectr with each configured identity provider (GitHub \
            always; GitLab and others when set up). A browser starts at \
            `GET /auth/{provider}` (say `/auth/github`), comes back through \
            `GET /auth/{provider}/callback` with the session cookie \
            `access_token`, and the frontend then asks `GET /auth/me` who is signed in. Every \
            error is JSON `{\"detail\": \"…\"}`, including the 404 for an unknown path and the \
            405 for a method a path does not have."
    ),
    paths(
        crate::routes::start::start,
        crate::routes::callback::complete,
        crate::routes::me::me,
        crate::routes::organizations::organizations,
        crate::routes::reconnect::reconnect,
        crate::routes::logout::logout,
        crate::routes::internal_token::provider_token,
        crate::ops::healthz,
        crate::ops::readyz,
        crate::ops::metrics,
        openapi_json,
    ),
    components(schemas(ErrorResponse, StatusResponse)),
    modifiers(&Shared),
    tags(
        (name = "auth", description = "Signing in and out, and who is signed in."),
        (name = "ops", description = "For operators and orchestrators: no session, no rate limit."),
        (name = "internal", description = "For Nectr's own services, with a service credential; browsers are refused."),
    )
)]
pub struct ApiDoc;

/// What every operation shares, added after the handlers' own annotations.
struct Shared;

impl Modify for Shared {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // The version is the crate's, so the document changes with every release.
        env!("CARGO_PKG_VERSION").clone_into(&mut openapi.info.version);
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SESSION_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The session cookie set by `GET /auth/github/callback`: HttpOnly, a signed \
                 token naming a server-side session.",
            ))),
        );
        components.add_security_scheme(
            SERVICE_SCHEME,
            SecurityScheme::Http(
                utoipa::openapi::security::HttpBuilder::new()
                    .scheme(utoipa::openapi::security::HttpAuthScheme::Bearer)
                    .description(Some(
                        "One of `INTERNAL_API_TOKENS`, for Nectr's own services.",
                    ))
                    .build(),
            ),
        );
        // `limits::enforce` wraps every route, so each operation can answer these.
        let too_large = [
            ("414", format!("The URL is over {MAX_URI_BYTES} bytes.")),
            (
                "431",
                format!("The request headers are over {MAX_HEADER_BYTES} bytes in total."),
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ]
            .into_iter()
            .flatten()
            {
                for (status, description) in &too_large {
                    operation
                        .responses
                        .responses
                        .entry((*status).to_owned())
                        .or_insert_with(|| error_response(description));
                }
            }
        }
    }
}

/// A response whose body is an `ErrorResponse`.
fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name(
                    "ErrorResponse",
                )))
                .build(),
        )
        .build()
        .into()
}

/// The document as JSON, built once: it cannot change while the process runs.
fn document() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            // Serializing plain strings and maps cannot fail; an empty object keeps the
            // endpoint's promise of JSON should it ever.
            .unwrap_or_else(|_| "{}".to_owned())
    })
}

/// This document: the OpenAPI description of every endpoint of the service.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "ops",
    operation_id = "openapi",
    responses(
        (status = 200, description = "The OpenAPI document.", content_type = "application/json",
            body = Object),
    )
)]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}
