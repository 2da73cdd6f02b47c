//! `nectr-auth check`: validate the configuration and print the callback URL to register at
//! each identity provider.

use nectr_application::Providers;

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
    // The adapters are built exactly as `serve` builds them, so whatever they would refuse at
    // start-up is refused here too, and each names its own registration and callback field.
    let mut provider_problem = None;
    let providers = match settings.require_github_credentials() {
        Ok((id, secret)) => match crate::providers::offered(&settings, id, secret) {
            Ok(providers) => Some(providers),
            Err(e) => {
                provider_problem = Some(e.to_string());
                None
            }
        },
        Err(missing) => {
            problems.0.extend(missing.0);
            None
        }
    };
    match &providers {
        Some(providers) => print_callbacks(&settings, providers),
        // GitHub is offered by every deployment, and its app must be registered before its
        // credentials exist: the first setup needs this URL most.
        None => super::print(&format!(
            "Authorization callback URL to register on the GitHub OAuth App: {}",
            settings.callback_url()
        )),
    }
    if !problems.0.is_empty() || provider_problem.is_some() {
        super::report(&problems);
        if let Some(problem) = provider_problem {
            super::report_line(&problem);
        }
        return 1;
    }
    let Some(providers) = providers else {
        return 1;
    };
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
    let offered: Vec<&str> = providers.iter().map(|p| p.adapter.display_name()).collect();
    super::print(&format!(
        "Sign-in offered with: {}; internal token API: {}",
        offered.join(", "),
        if settings.internal_api_tokens.is_empty() {
            "off (set INTERNAL_API_TOKENS to enable)"
        } else {
            "on"
        },
    ));
    0
}

/// One line per provider, in the words of its own settings page.
fn print_callbacks(settings: &Settings, providers: &Providers) {
    for registered in providers.iter() {
        let adapter = registered.adapter.as_ref();
        let terms = adapter.terms();
        super::print(&format!(
            "{} to register on the {}: {}",
            terms.callback_field,
            terms.application,
            settings.callback_url_for(adapter.id().as_str())
        ));
    }
}
