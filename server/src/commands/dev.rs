//! `nectr-auth dev`: the whole product on one machine with no GitHub or GitLab app. The
//! service runs unchanged; only the providers' URLs point at stand-ins served by the same
//! process under `/_dev/github` (whose sign-in page lets the person pick a fake GitHub user)
//! and `/_dev/gitlab` (which approves at once as a fake GitLab user). The example frontend is
//! served on `FRONTEND_URL`.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::{App, HttpResponse, HttpServer, web};
use nectr_crypto::SecretKey;
use nectr_github_standin::{GithubStandIn, OAuthApp};
use nectr_gitlab_standin::GitlabStandIn;

use crate::settings::{self, Settings};
use crate::startup::{Application, Overrides};
use crate::telemetry;

/// Where the stand-ins are mounted: visibly not real provider paths.
pub const STAND_IN_PREFIX: &str = "/_dev/github";
pub const GITLAB_STAND_IN_PREFIX: &str = "/_dev/gitlab";
const DEV_CLIENT_ID: &str = "Iv1.nectr-auth-dev";
const DEV_GITLAB_CLIENT_ID: &str = "nectr-auth-dev-gitlab";
const DEV_DATABASE: &str = "sqlite://nectr-auth-dev.db";
/// The example frontend, with `{{BACKEND_URL}}` to fill in.
const FRONTEND_PAGE: &str = include_str!("../../../examples/frontend/index.html");

pub async fn dev() -> i32 {
    let vars = match settings::load() {
        Ok(vars) => vars,
        Err(problems) => {
            super::report(&problems);
            return 2;
        }
    };
    if vars.get("APP_ENV").map(|v| v.trim()) == Some("production") {
        eprintln!(
            "error: APP_ENV is production: `nectr-auth dev` signs people in with a fake GitHub and refuses to run there; use `nectr-auth serve`"
        );
        return 2;
    }
    let settings = match Settings::from_vars(&dev_vars(vars)) {
        Ok(settings) => settings,
        Err(problems) => {
            super::report(&problems);
            return 2;
        }
    };
    telemetry::init(&settings.log_filter, settings.log_format);

    let github = GithubStandIn::mounted_at(settings::join(&settings.backend_url, STAND_IN_PREFIX));
    github.set_interactive(true);
    let (client_id, client_secret) = match settings.require_github_credentials() {
        Ok(credentials) => credentials,
        Err(problems) => {
            super::report(&problems);
            return 2;
        }
    };
    github.register_app(OAuthApp::new(
        client_id,
        secrecy::ExposeSecret::expose_secret(&client_secret),
        settings.callback_url(),
    ));
    let gitlab = GitlabStandIn::mounted_at(settings::join(
        &settings.backend_url,
        GITLAB_STAND_IN_PREFIX,
    ));
    if let Some(app) = &settings.gitlab {
        gitlab.register_app(nectr_gitlab_standin::OAuthApp::new(
            app.client_id.clone(),
            secrecy::ExposeSecret::expose_secret(&app.client_secret),
            settings.callback_url_for("gitlab"),
        ));
    }
    let mount = github.configure();
    let gitlab_mount = gitlab.configure();
    let routes: crate::startup::ExtraRoutes = Arc::new(move |cfg: &mut web::ServiceConfig| {
        cfg.service(web::scope(STAND_IN_PREFIX).configure(mount.clone()))
            .service(web::scope(GITLAB_STAND_IN_PREFIX).configure(gitlab_mount.clone()));
    });

    let frontend = match frontend_server(&settings) {
        Ok(frontend) => frontend,
        Err(message) => {
            eprintln!("error: {message}");
            return 1;
        }
    };
    let backend_url = settings::join(&settings.backend_url, "");
    let frontend_url = settings::join(&settings.frontend_url, "");
    let database = settings.database.describe();
    let application = match Application::build_with(
        settings,
        Overrides {
            routes: Some(routes),
            ..Overrides::default()
        },
    )
    .await
    {
        Ok(application) => application,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    super::print(&format!(
        "nectr-auth dev is running (development only: GitHub and GitLab are played by stand-ins).\n\
         \n  Open {frontend_url} and press \"Sign in with GitHub\" or \"Sign in with GitLab\".\n\
         \n  Sign-in service: {backend_url}\
         \n  Fake GitHub:     {backend_url}{STAND_IN_PREFIX}\
         \n  Fake GitLab:     {backend_url}{GITLAB_STAND_IN_PREFIX}\
         \n  Database:        {database} (the session key is temporary: sessions end when this stops)\n\
         \nPress Ctrl+C to stop."
    ));
    let outcome = tokio::select! {
        result = application.run_until_stopped() => result,
        result = frontend => result,
    };
    match outcome {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: the HTTP server stopped: {e}");
            1
        }
    }
}

/// The configuration with what development mode fixes: GitHub and GitLab are the stand-ins,
/// the key is temporary, the database is an SQLite file.
fn dev_vars(mut vars: HashMap<String, String>) -> HashMap<String, String> {
    let backend = vars
        .get("BACKEND_URL")
        .filter(|v| !v.is_empty())
        .cloned()
        .unwrap_or_else(|| "http://localhost:8000".to_owned());
    let github = format!("{}{STAND_IN_PREFIX}", backend.trim_end_matches('/'));
    vars.insert("GITHUB_URL".into(), github.clone());
    vars.insert("GITHUB_API_URL".into(), format!("{github}/api/v3"));
    vars.insert("GITHUB_CLIENT_ID".into(), DEV_CLIENT_ID.into());
    vars.insert(
        "GITHUB_CLIENT_SECRET".into(),
        SecretKey::generate().encode(),
    );
    let gitlab = format!("{}{GITLAB_STAND_IN_PREFIX}", backend.trim_end_matches('/'));
    vars.insert("GITLAB_URL".into(), gitlab);
    vars.insert("GITLAB_CLIENT_ID".into(), DEV_GITLAB_CLIENT_ID.into());
    vars.insert(
        "GITLAB_CLIENT_SECRET".into(),
        SecretKey::generate().encode(),
    );
    vars.insert("SECRET_KEY".into(), SecretKey::generate().encode());
    vars.remove("PREVIOUS_SECRET_KEYS");
    let sqlite = vars
        .get("DATABASE_URL")
        .is_some_and(|url| url.starts_with("sqlite:"));
    if !sqlite {
        vars.insert("DATABASE_URL".into(), DEV_DATABASE.into());
    }
    vars
}

/// Serves the example frontend on `FRONTEND_URL`'s port: one page for every path, told where
/// the sign-in service is.
fn frontend_server(settings: &Settings) -> Result<actix_web::dev::Server, String> {
    let url = &settings.frontend_url;
    let port = url.port_or_known_default().unwrap_or(3000);
    let host = match url.host_str() {
        Some("localhost") | None => "127.0.0.1",
        Some(host) => host,
    };
    let listener = TcpListener::bind((host, port)).map_err(|e| {
        format!("cannot serve the example frontend on {host}:{port} ({e}): choose a free port with FRONTEND_URL, e.g. http://localhost:3001")
    })?;
    let page = FRONTEND_PAGE.replace(
        "{{BACKEND_URL}}",
        settings.backend_url.as_str().trim_end_matches('/'),
    );
    let server = HttpServer::new(move || {
        let page = page.clone();
        App::new().default_service(web::to(move || {
            let page = page.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .insert_header(("Cache-Control", "no-store"))
                    .body(page)
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(|e| format!("cannot serve the example frontend: {e}"))?
    .run();
    Ok(server)
}
