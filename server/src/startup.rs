//! The composition root: builds every adapter from the settings, wires them into the use
//! cases, and binds the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use nectr_application::ports::{Clock, SessionStore};
use nectr_application::{AuthService, Policy, Ports};
use nectr_crypto::{AesGcmTokenCipher, JwtSessionSigner, Keyring, OsRandom};
use nectr_db::Database;
use nectr_session_cache::{CachedSessions, MemoizedSigner};

use crate::api_error::framework;
use crate::clock::SystemClock;
use crate::cookies::CookiePolicy;
use crate::cross_site::TrustedOrigins;
use crate::edge;
use crate::ops::{self, Ops};
use crate::rate_limit::LoginRateLimit;
use crate::security_headers::SecurityHeaders;
use crate::service_credentials::ServiceCredentials;
use crate::settings::{Problems, Settings};
use crate::state::AppState;
use crate::sweeper;

/// How many sessions (checked within the last `SESSION_CACHE_SECONDS`) and verified session
/// tokens are kept in memory. A session entry only helps while it is fresh, so this covers the
/// sessions active within a few seconds; past it, the least used are checked afresh.
const SESSION_CACHE_CAPACITY: usize = 20_000;

/// Why the service could not start. Each is one line naming the cause and the fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Config(Problems),
    #[error("DATABASE_URL: {0}")]
    Database(#[from] nectr_db::DbError),
    #[error("{0}")]
    Provider(String),
    #[error(
        "cannot listen on {address} ({source}): choose a free PORT or stop the process that uses it"
    )]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

/// Routes mounted beside the API (the development stand-in for GitHub).
pub type ExtraRoutes = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

/// What tests and the development command may replace or add.
#[derive(Default)]
pub struct Overrides {
    /// Mounted before the API's fallback, behind the same middleware.
    pub routes: Option<ExtraRoutes>,
    pub clock: Option<Arc<dyn Clock>>,
    /// A listener bound in advance, so a test knows the port (and so `BACKEND_URL`) before
    /// the service is built. `HOST` and `PORT` are ignored when it is given.
    pub listener: Option<TcpListener>,
}

/// A built service, bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    service: AuthService,
    login_limit: Arc<LoginRateLimit>,
    /// Closed once the server has stopped, so PostgreSQL sees the connections end cleanly.
    pool: Database,
    sweep_interval: std::time::Duration,
}

impl Application {
    /// # Errors
    /// `StartupError` for missing credentials, an unreachable database, failed migrations or
    /// a port that is taken.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with(settings, Overrides::default()).await
    }

    /// # Errors
    /// As `build`.
    pub async fn build_with(
        settings: Settings,
        overrides: Overrides,
    ) -> Result<Self, StartupError> {
        let (client_id, client_secret) = settings
            .require_github_credentials()
            .map_err(StartupError::Config)?;
        let database =
            Database::connect(&settings.database, settings.database_max_connections).await?;
        if settings.run_migrations {
            let applied = database.migrate().await?;
            if !applied.is_empty() {
                tracing::info!(migrations = ?applied, database = %database.describe(), "migrations applied");
            }
        }
        let providers = crate::providers::offered(&settings, client_id, client_secret)?;

        let keyring = Keyring::new(
            settings.secret_key.clone(),
            settings.previous_secret_keys.clone(),
        );
        let ops = web::Data::new(Ops {
            database: database.clone(),
            metrics: ops::recorder(),
            migrated: std::sync::atomic::AtomicBool::new(false),
        });
        let pool = database.clone();
        let store = Arc::new(database);
        let sessions: Arc<dyn SessionStore> = match settings.session_cache_seconds {
            0 => store.clone(),
            seconds => Arc::new(CachedSessions::new(
                store.clone(),
                seconds,
                SESSION_CACHE_CAPACITY,
            )),
        };
        let ports = Ports {
            users: store.clone(),
            states: store,
            sessions,
            providers,
            cipher: Arc::new(AesGcmTokenCipher::new(&keyring)),
            signer: Arc::new(MemoizedSigner::new(
                Arc::new(JwtSessionSigner::new(&keyring)),
                SESSION_CACHE_CAPACITY,
            )),
            clock: overrides.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            random: Arc::new(OsRandom),
        };
        let service = AuthService::new(
            ports,
            Policy {
                session_ttl_seconds: settings.session_ttl_minutes.saturating_mul(60),
                state_ttl_seconds: settings.state_ttl_seconds,
                max_live_states: settings.max_live_oauth_states,
                revoke_provider_token_on_logout: settings.revoke_provider_token_on_logout,
            },
        );
        let login_limit = Arc::new(LoginRateLimit::new(
            settings.login_rate_limit_per_minute,
            settings.trust_x_forwarded_for,
        ));
        let state = web::Data::new(AppState {
            auth: service.clone(),
            backend_url: settings.backend_url.clone(),
            service_credentials: ServiceCredentials::new(&settings.internal_api_tokens),
            cookies: CookiePolicy {
                production: settings.is_production(),
                session_max_age_seconds: settings.session_ttl_minutes.saturating_mul(60),
                auth_path: CookiePolicy::auth_path_for(settings.backend_url.path()),
            },
            dashboard_url: settings.dashboard_url(),
            origins: TrustedOrigins {
                frontend: settings.frontend_origin(),
                backend: settings.backend_url.origin().ascii_serialization(),
            },
            login_limit: login_limit.clone(),
        });

        let address = format!("{}:{}", settings.host, settings.port);
        let listener = match overrides.listener {
            Some(listener) => listener,
            None => TcpListener::bind(&address).map_err(|source| StartupError::Bind {
                address: address.clone(),
                source,
            })?,
        };
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { address, source })?
            .port();
        let server = http_server(state, ops, listener, &settings, overrides.routes)?;
        Ok(Self {
            port,
            server,
            service,
            login_limit,
            pool,
            sweep_interval: settings.sweep_interval,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server stops (SIGINT/SIGTERM), sweeping expired rows meanwhile.
    ///
    /// # Errors
    /// The server's I/O error.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let sweeper = tokio::spawn(sweeper::run(
            self.service,
            self.login_limit,
            self.sweep_interval,
        ));
        let outcome = self.server.await;
        sweeper.abort();
        let _ = sweeper.await;
        self.pool.close();
        outcome
    }
}

fn http_server(
    state: web::Data<AppState>,
    ops: web::Data<Ops>,
    listener: TcpListener,
    settings: &Settings,
    extra_routes: Option<ExtraRoutes>,
) -> Result<Server, StartupError> {
    let frontend_origin = settings.frontend_origin();
    let security = SecurityHeaders {
        production: settings.is_production(),
    };
    let query_config = web::QueryConfig::default().error_handler(framework::query_error);
    let server = HttpServer::new(move || {
        // The last `wrap` runs first: `edge` sees every request and answer.
        App::new()
            .wrap(cors(&frontend_origin))
            .wrap(from_fn(move |request, next| {
                edge::handle(request, next, security)
            }))
            .app_data(state.clone())
            .app_data(ops.clone())
            .app_data(query_config.clone())
            .configure(crate::routes::configure)
            .configure(ops::configure)
            .configure(|cfg| {
                if let Some(routes) = &extra_routes {
                    routes(cfg);
                }
            })
            .default_service(web::to(framework::not_found))
    })
    .workers(settings.workers)
    .listen(listener)
    .map_err(|source| StartupError::Bind {
        address: format!("{}:{}", settings.host, settings.port),
        source,
    })?
    .run();
    Ok(server)
}

/// Only the frontend may call us from a browser, with credentials (the session cookie).
fn cors(frontend_origin: &str) -> Cors {
    Cors::default()
        .allowed_origin(frontend_origin)
        .allowed_methods(["GET", "POST"])
        .allowed_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("x-request-id"),
        ])
        // So the frontend can log the id that the service's log lines carry.
        .expose_headers([header::HeaderName::from_static("x-request-id")])
        .supports_credentials()
        .max_age(600)
}
