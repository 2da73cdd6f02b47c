//! `nectr-auth check`: validate the configuration and print the callback URL to register.

use crate::settings::{self, KeySource, Settings};

pub fn check() -> i32 {
    let vars = match settings::load() {
        Ok(vars) => vars,
        Err(problems) => {
            super::report(&problems);
            return 1;
        }
    };
    let (settings, mut problems) = Settings::parse_all(&vars);
    super::print(&format!(
        "Authorization callback URL to register on the GitHub OAuth App: {}",
        settings.callback_url()
    ));
    if let Err(missing) = settings.require_github_credentials() {
        problems.0.extend(missing.0);
    }
    if !problems.0.is_empty() {
        super::report(&problems);
        return 1;
    }
    if matches!(settings.key_source, KeySource::Ephemeral) {
        super::print(
            "warning: SECRET_KEY is not set; `serve` will use a temporary key, so sessions end at every restart",
        );
    }
    super::print(&format!(
        "Configuration OK ({} mode, database: {}, frontend: {})",
        if settings.is_production() {
            "production"
        } else {
            "development"
        },
        settings.database.describe(),
        settings.frontend_url,
    ));
    0
}
