//! GitHub's place in the shared transport (nectr-provider-http): its metric names, its call
//! names, its rate-limit answer, and the client built from its settings.

use nectr_provider_http::{ClientError, ClientSettings, Provider};

use crate::config::{GithubConfig, GithubSetupError};

/// GitHub for the shared transport.
pub(crate) static GITHUB: Provider = Provider {
    name: "GitHub",
    duration_metric: "nectr_auth_github_request_duration_seconds",
    errors_metric: "nectr_auth_github_request_errors_total",
    call_name,
    // The same reading as the error messages', so metrics and messages agree.
    is_rate_limited: crate::errors::is_rate_limited,
};

/// Builds the pooled client shared by the code exchange and the REST calls.
pub(crate) fn build_client(config: &GithubConfig) -> Result<reqwest::Client, GithubSetupError> {
    nectr_provider_http::build_client(&ClientSettings {
        connect_timeout: config.connect_timeout,
        request_timeout: config.request_timeout,
        user_agent: &config.user_agent,
    })
    .map_err(|e| match e {
        ClientError::BadUserAgent(agent) => GithubSetupError::BadUserAgent(agent),
        ClientError::Http(problem) => GithubSetupError::HttpClient(problem),
    })
}

/// Which GitHub call a path is, for metrics labels (never the path itself: it can hold the
/// client id).
fn call_name(path: &str) -> &'static str {
    if path.ends_with("/login/oauth/access_token") {
        "token"
    } else if path.ends_with("/user/emails") {
        "user_emails"
    } else if path.ends_with("/user/orgs") {
        "user_orgs"
    } else if path.ends_with("/user/teams") {
        "user_teams"
    } else if path.ends_with("/user") {
        "user"
    } else if path.ends_with("/grant") {
        "delete_grant"
    } else if path.ends_with("/token") {
        "delete_token"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_user_agent_is_refused() -> Result<(), url::ParseError> {
        let mut config = GithubConfig::new(
            "id",
            "secret".into(),
            url::Url::parse("https://github.com")?,
            url::Url::parse("https://api.github.com")?,
            "http://localhost:8000/auth/github/callback",
        );
        config.user_agent = "bad\nagent".into();
        assert!(matches!(
            build_client(&config),
            Err(GithubSetupError::BadUserAgent(_))
        ));
        Ok(())
    }
}
