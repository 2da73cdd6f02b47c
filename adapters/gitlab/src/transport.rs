//! GitLab's place in the shared transport (nectr-provider-http): its metric names, its call
//! names, its rate-limit answer, and the client built from its settings.

use nectr_provider_http::{Answer, ClientError, ClientSettings, Provider};
use reqwest::StatusCode;

use crate::config::{GitlabConfig, GitlabSetupError};

/// GitLab for the shared transport.
pub(crate) static GITLAB: Provider = Provider {
    name: "GitLab",
    duration_metric: "nectr_auth_gitlab_request_duration_seconds",
    errors_metric: "nectr_auth_gitlab_request_errors_total",
    call_name,
    is_rate_limited,
};

/// Builds the pooled client shared by the token endpoint and the REST calls. (GitLab
/// redirects `http://` to `https://`, and redirects are not followed: GITLAB_URL must name
/// the address it really serves.)
pub(crate) fn build_client(config: &GitlabConfig) -> Result<reqwest::Client, GitlabSetupError> {
    nectr_provider_http::build_client(&ClientSettings {
        connect_timeout: config.connect_timeout,
        request_timeout: config.request_timeout,
        user_agent: &config.user_agent,
    })
    .map_err(|e| match e {
        ClientError::BadUserAgent(agent) => GitlabSetupError::BadUserAgent(agent),
        ClientError::Http(problem) => GitlabSetupError::HttpClient(problem),
    })
}

/// Which GitLab call a path is, for metrics labels (never the path itself).
fn call_name(path: &str) -> &'static str {
    if path.ends_with("/oauth/token") {
        "token"
    } else if path.ends_with("/oauth/revoke") {
        "revoke"
    } else if path.ends_with("/api/v4/user") {
        "user"
    } else if path.ends_with("/api/v4/groups") {
        "groups"
    } else {
        "other"
    }
}

/// GitLab's rate limits answer 429, and nothing else.
fn is_rate_limited(answer: &Answer) -> bool {
    answer.status == StatusCode::TOO_MANY_REQUESTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_labels_name_the_call_not_the_path() {
        assert_eq!(call_name("/oauth/token"), "token");
        assert_eq!(call_name("/gitlab/oauth/revoke"), "revoke");
        assert_eq!(call_name("/api/v4/user"), "user");
        assert_eq!(call_name("/api/v4/groups"), "groups");
        assert_eq!(call_name("/api/v4/users/1"), "other");
    }

    #[test]
    fn bad_user_agent_is_refused() -> Result<(), url::ParseError> {
        let mut config = GitlabConfig::new(
            "id",
            "secret".into(),
            url::Url::parse("https://gitlab.com")?,
            "http://localhost:8000/auth/gitlab/callback",
        );
        config.user_agent = "bad\nagent".into();
        assert!(matches!(
            build_client(&config),
            Err(GitlabSetupError::BadUserAgent(_))
        ));
        Ok(())
    }
}
