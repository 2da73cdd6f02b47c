//! What the GitLab provider needs to know, and the GitLab URLs derived from it at start-up.

use std::time::Duration;

use nectr_provider_http::settings::{self, BaseUrl};
use secrecy::SecretString;
use url::Url;

pub(crate) use nectr_provider_http::settings::shown;

/// Settings of the GitLab identity provider. `Debug` shows the client secret as redacted.
#[derive(Clone, Debug)]
pub struct GitlabConfig {
    /// The application's "Application ID" (`GITLAB_CLIENT_ID`).
    pub client_id: String,
    /// The application's "Secret" (`GITLAB_CLIENT_SECRET`).
    pub client_secret: SecretString,
    /// Where GitLab is (`GITLAB_URL`): `https://gitlab.com` or a self-managed instance such as
    /// `https://gitlab.example.com`. Paths are appended to it, so an instance served under a
    /// path prefix (`https://example.com/gitlab`) keeps it.
    pub base_url: Url,
    /// The callback URL, `{BACKEND_URL}/auth/gitlab/callback`. It is sent byte for byte the same
    /// at authorize and at the code exchange, where GitLab compares the two.
    pub redirect_url: String,
    /// Whether to ask for `read_api` besides `read_user`, which listing the person's groups
    /// needs. The server turns it on when sign-in is restricted to GitLab groups.
    pub read_groups: bool,
    /// How long to wait for a TCP (and TLS) connection to GitLab.
    pub connect_timeout: Duration,
    /// How long one call to GitLab may take in total, connection and body included.
    pub request_timeout: Duration,
    /// The `User-Agent` header sent with every call.
    pub user_agent: String,
}

impl GitlabConfig {
    /// Default for [`GitlabConfig::connect_timeout`].
    pub const DEFAULT_CONNECT_TIMEOUT: Duration =
        nectr_provider_http::client::DEFAULT_CONNECT_TIMEOUT;
    /// Default for [`GitlabConfig::request_timeout`].
    pub const DEFAULT_REQUEST_TIMEOUT: Duration =
        nectr_provider_http::client::DEFAULT_REQUEST_TIMEOUT;
    /// Default for [`GitlabConfig::user_agent`].
    pub const DEFAULT_USER_AGENT: &'static str = nectr_provider_http::client::DEFAULT_USER_AGENT;
    /// `https://gitlab.com`, the default of `GITLAB_URL`.
    pub const GITLAB_COM: &'static str = "https://gitlab.com";

    /// Settings with `read_groups` off, a 5 s connect timeout, a 10 s request timeout and the
    /// `nectr-auth/VERSION` user agent; change the public fields to differ.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: SecretString,
        base_url: Url,
        redirect_url: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            base_url,
            redirect_url: redirect_url.into(),
            read_groups: false,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            user_agent: Self::DEFAULT_USER_AGENT.to_owned(),
        }
    }

    /// Whether the secret has surrounding whitespace, the usual copy-and-paste mistake; GitLab
    /// compares the secret exactly, so it would be refused.
    pub(crate) fn secret_has_surrounding_whitespace(&self) -> bool {
        settings::has_surrounding_whitespace(&self.client_secret)
    }
}

/// Why the GitLab provider could not be built from its settings. Each message names the
/// setting and never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum GitlabSetupError {
    /// A required setting is empty.
    #[error("{setting} is empty: copy it from the GitLab application's page")]
    Missing {
        /// The setting's environment variable.
        setting: &'static str,
    },
    /// The base URL cannot have paths appended to it.
    #[error("GITLAB_URL is not a usable base URL ({url}): {problem}")]
    BadBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The callback URL does not parse.
    #[error("the callback URL {url:?} is not an absolute URL ({problem}): check BACKEND_URL")]
    BadRedirectUrl {
        /// The URL as given.
        url: String,
        /// The parser's complaint.
        problem: String,
    },
    /// The user agent cannot be sent in an HTTP header.
    #[error("the user agent {0:?} cannot be sent as an HTTP header")]
    BadUserAgent(String),
    /// The HTTP client (its TLS setup, usually) could not be built.
    #[error("cannot set up HTTPS for GitLab: {0}")]
    HttpClient(String),
}

/// Every GitLab URL the provider uses, derived once so a bad base URL fails at start-up.
#[derive(Clone, Debug)]
pub(crate) struct Endpoints {
    pub authorize: Url,
    pub token: Url,
    pub revoke: Url,
    pub user: Url,
    /// The first page of the person's groups.
    pub groups: Url,
    /// User settings → Applications: where a person reviews (and revokes) the applications
    /// they authorized, and where user-owned applications are registered.
    pub access_settings: Url,
}

/// The lowest role `GET /groups` counts as membership: Guest. It leaves out Minimal Access,
/// which sees a group without being part of its work.
pub(crate) const MIN_ACCESS_LEVEL: u8 = 10;

/// GitLab's largest page: the fewest round trips for long lists.
pub(crate) const PER_PAGE: u8 = 100;

impl Endpoints {
    pub(crate) fn new(config: &GitlabConfig) -> Result<Self, GitlabSetupError> {
        let base =
            BaseUrl::check(&config.base_url).map_err(|problem| GitlabSetupError::BadBaseUrl {
                url: settings::redacted(&config.base_url),
                problem,
            })?;
        let mut groups = base.join(&["api", "v4", "groups"]);
        groups.set_query(Some(&format!(
            "min_access_level={MIN_ACCESS_LEVEL}&per_page={PER_PAGE}"
        )));
        Ok(Self {
            authorize: base.join(&["oauth", "authorize"]),
            token: base.join(&["oauth", "token"]),
            revoke: base.join(&["oauth", "revoke"]),
            user: base.join(&["api", "v4", "user"]),
            groups,
            // Current GitLab serves "Applications" here; older versions served it at
            // `/-/profile/applications`, which current versions redirect here.
            access_settings: base.join(&["-", "user_settings", "applications"]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str) -> Result<GitlabConfig, url::ParseError> {
        Ok(GitlabConfig::new(
            "app-id",
            SecretString::from("s3cret"),
            Url::parse(base)?,
            "http://localhost:8000/auth/gitlab/callback",
        ))
    }

    #[test]
    fn paths_are_appended_to_gitlab_com() -> Result<(), Box<dyn std::error::Error>> {
        let e = Endpoints::new(&config("https://gitlab.com")?)?;
        assert_eq!(e.authorize.as_str(), "https://gitlab.com/oauth/authorize");
        assert_eq!(e.token.as_str(), "https://gitlab.com/oauth/token");
        assert_eq!(e.revoke.as_str(), "https://gitlab.com/oauth/revoke");
        assert_eq!(e.user.as_str(), "https://gitlab.com/api/v4/user");
        assert_eq!(
            e.groups.as_str(),
            "https://gitlab.com/api/v4/groups?min_access_level=10&per_page=100"
        );
        assert_eq!(
            e.access_settings.as_str(),
            "https://gitlab.com/-/user_settings/applications"
        );
        Ok(())
    }

    #[test]
    fn a_path_prefix_is_kept_with_or_without_slash() -> Result<(), Box<dyn std::error::Error>> {
        for base in ["https://example.com/gitlab", "https://example.com/gitlab/"] {
            let e = Endpoints::new(&config(base)?)?;
            assert_eq!(e.token.as_str(), "https://example.com/gitlab/oauth/token");
            assert_eq!(e.user.as_str(), "https://example.com/gitlab/api/v4/user");
            assert_eq!(
                e.access_settings.as_str(),
                "https://example.com/gitlab/-/user_settings/applications"
            );
        }
        Ok(())
    }

    #[test]
    fn unusable_base_urls_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        for bad in [
            "ftp://gitlab.com",
            "mailto:a@b.c",
            "https://gitlab.com/?a=b",
            "https://gitlab.com/#top",
        ] {
            let error = Endpoints::new(&config(bad)?).err().ok_or(bad)?;
            assert!(error.to_string().contains("GITLAB_URL"), "{error}");
        }
        let with_password = Endpoints::new(&config("https://me:hunter2@gitlab.com")?)
            .err()
            .ok_or("a URL with a password was accepted")?;
        assert!(
            !with_password.to_string().contains("hunter2"),
            "{with_password}"
        );
        Ok(())
    }

    #[test]
    fn debug_redacts_the_secret() -> Result<(), url::ParseError> {
        let shown = format!("{:?}", config("https://gitlab.com")?);
        assert!(!shown.contains("s3cret"), "{shown}");
        Ok(())
    }
}
