//! `nectr-auth serve`: migrate (unless `RUN_MIGRATIONS=false`) and serve HTTP.

use crate::settings::KeySource;
use crate::startup::{Application, StartupError};
use crate::telemetry;

pub async fn serve() -> i32 {
    let Some(settings) = super::load_settings() else {
        return 2;
    };
    if let Err(problems) = settings.require_github_credentials() {
        super::report(&problems);
        return 2;
    }
    telemetry::init(&settings.log_filter, settings.log_format);
    if matches!(settings.key_source, KeySource::Ephemeral) {
        tracing::warn!(
            "SECRET_KEY is not set: using a temporary key, so sessions and stored tokens do not survive a restart; set one from `nectr-auth keygen`"
        );
    }
    let callback = settings.callback_url();
    let database = settings.database.describe();
    let application = match Application::build(settings).await {
        Ok(application) => application,
        Err(StartupError::Config(problems)) => {
            super::report(&problems);
            return 2;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    tracing::info!(port = application.port(), %database, %callback, "nectr-auth is listening");
    match application.run_until_stopped().await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: the HTTP server stopped: {e}");
            1
        }
    }
}
