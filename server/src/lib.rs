//! nectr-auth's server: the actix-web API, configuration, telemetry and the composition root
//! that wires the adapters into the use cases. The binary's commands live in `commands`.

mod api_error;
pub mod clock;
pub mod commands;
mod cookies;
mod cross_site;
mod edge;
mod json_errors;
mod limits;
mod openapi;
mod ops;
mod providers;
mod rate_limit;
mod request_id;
mod routes;
mod security_headers;
mod service_credentials;
pub mod settings;
mod startup;
mod state;
mod sweeper;
pub mod telemetry;

pub use cookies::{BINDING_COOKIE, SESSION_COOKIE};
pub use routes::RESERVED_PROVIDER_IDS;
pub use startup::{Application, ExtraRoutes, Overrides, StartupError};
