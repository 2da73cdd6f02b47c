//! The identity providers this deployment offers: each adapter built from its settings and
//! registered with its sign-in rules. Adding a provider adds one registration here.

use std::sync::Arc;

use nectr_application::ports::IdentityProvider;
use nectr_application::{Providers, SignInRules};
use nectr_github::{GithubConfig, GithubProvider};
use nectr_gitlab::{GitlabConfig, GitlabProvider};
use secrecy::SecretString;

use crate::routes::RESERVED_PROVIDER_IDS;
use crate::settings::Settings;
use crate::startup::StartupError;

/// GitHub always (its credentials are required); GitLab when configured.
///
/// # Errors
/// `StartupError::Provider` when an adapter refuses its settings or two claim one id.
pub fn offered(
    settings: &Settings,
    github_client_id: String,
    github_client_secret: SecretString,
) -> Result<Providers, StartupError> {
    let mut providers = Providers::default();
    register(
        &mut providers,
        github(settings, github_client_id, github_client_secret)?,
        settings.github.rules.clone(),
    )?;
    if let Some(gitlab) = &settings.gitlab {
        register(
            &mut providers,
            self::gitlab(settings, gitlab)?,
            gitlab.rules.clone(),
        )?;
    }
    Ok(providers)
}

fn register(
    providers: &mut Providers,
    adapter: Arc<dyn IdentityProvider>,
    rules: SignInRules,
) -> Result<(), StartupError> {
    let id = adapter.id().as_str().to_owned();
    if RESERVED_PROVIDER_IDS.contains(&id.as_str()) {
        return Err(StartupError::Provider(format!(
            "an identity provider is named `{id}`, which is a route of its own (/auth/{id}): give it another id"
        )));
    }
    providers
        .register(adapter, rules)
        .map_err(|e| StartupError::Provider(e.to_string()))
}

fn github(
    settings: &Settings,
    client_id: String,
    client_secret: SecretString,
) -> Result<Arc<dyn IdentityProvider>, StartupError> {
    let mut config = GithubConfig::new(
        client_id,
        client_secret,
        settings.github.web_url.clone(),
        settings.github.api_url.clone(),
        settings.callback_url_for("github"),
    );
    config.pkce = settings.github.pkce;
    config.connect_timeout = settings.github.connect_timeout;
    config.request_timeout = settings.github.request_timeout;
    let provider = GithubProvider::new(config)
        .map_err(|e| StartupError::Provider(format!("GitHub client: {e}")))?;
    Ok(Arc::new(provider))
}

fn gitlab(
    settings: &Settings,
    gitlab: &crate::settings::GitlabSettings,
) -> Result<Arc<dyn IdentityProvider>, StartupError> {
    let mut config = GitlabConfig::new(
        gitlab.client_id.clone(),
        gitlab.client_secret.clone(),
        gitlab.url.clone(),
        settings.callback_url_for("gitlab"),
    );
    // Group rules can only be checked with a token that may list groups.
    config.read_groups = !gitlab.rules.organizations.is_empty();
    let provider = GitlabProvider::new(config)
        .map_err(|e| StartupError::Provider(format!("GitLab client: {e}")))?;
    Ok(Arc::new(provider))
}
