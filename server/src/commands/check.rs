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
    if settings.gitlab.is_some() {
        super::print(&format!(
            "Redirect URI to register on the GitLab application: {}",
            settings.callback_url_for("gitlab")
        ));
    }
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
    super::print(&format!(
        "Sign-in offered with: GitHub{}; internal token API: {}",
        if settings.gitlab.is_some() {
            ", GitLab"
        } else {
            ""
        },
        if settings.internal_api_tokens.is_empty() {
            "off (set INTERNAL_API_TOKENS to enable)"
        } else {
            "on"
        },
    ));
    0
}
