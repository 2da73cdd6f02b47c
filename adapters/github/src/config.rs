//! What the GitHub provider needs to know, and the GitHub URLs derived from it at start-up.

use std::time::Duration;

use nectr_provider_http::settings::{self, BaseUrl};
use secrecy::SecretString;
use url::Url;

pub(crate) use nectr_provider_http::settings::shown;

/// Settings of the GitHub identity provider. `Debug` shows the client secret as redacted.
#[derive(Clone, Debug)]
pub struct GithubConfig {
    /// The OAuth App's client ID (`GITHUB_CLIENT_ID`).
    pub client_id: String,
    /// The OAuth App's client secret (`GITHUB_CLIENT_SECRET`).
    pub client_secret: SecretString,
    /// GitHub's web base (`GITHUB_URL`), e.g. `https://github.com` or `https://HOST` for
    /// GitHub Enterprise Server. Paths are appended to it, so a path prefix is kept.
    pub web_url: Url,
    /// GitHub's REST base (`GITHUB_API_URL`), e.g. `https://api.github.com` or
    /// `https://HOST/api/v3`. Paths are appended to it, so the `/api/v3` prefix is kept.
    pub api_url: Url,
    /// The callback URL, `{BACKEND_URL}/auth/github/callback`. It is sent byte for byte the same
    /// at authorize and at the code exchange, where GitHub compares the two.
    pub redirect_url: String,
    /// Whether to send PKCE (S256) (`GITHUB_PKCE`).
    pub pkce: bool,
    /// How long to wait for a TCP (and TLS) connection to GitHub.
    pub connect_timeout: Duration,
    /// How long one call to GitHub may take in total, connection and body included.
    pub request_timeout: Duration,
    /// The `User-Agent` header; GitHub's REST API answers 403 without one.
    pub user_agent: String,
}

impl GithubConfig {
    /// Default for [`GithubConfig::connect_timeout`].
    pub const DEFAULT_CONNECT_TIMEOUT: Duration =
        nectr_provider_http::client::DEFAULT_CONNECT_TIMEOUT;
    /// Default for [`GithubConfig::request_timeout`].
    pub const DEFAULT_REQUEST_TIMEOUT: Duration =
        nectr_provider_http::client::DEFAULT_REQUEST_TIMEOUT;
    /// Default for [`GithubConfig::user_agent`].
    pub const DEFAULT_USER_AGENT: &'static str = nectr_provider_http::client::DEFAULT_USER_AGENT;

    /// Settings with PKCE on, a 5 s connect timeout, a 10 s request timeout and the
    /// `nectr-auth/VERSION` user agent; change the public fields to differ.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: SecretString,
        web_url: Url,
        api_url: Url,
        redirect_url: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            web_url,
            api_url,
            redirect_url: redirect_url.into(),
            pkce: true,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            user_agent: Self::DEFAULT_USER_AGENT.to_owned(),
        }
    }

    /// Whether the secret has surrounding whitespace, the usual copy-and-paste mistake; GitHub
    /// compares the secret byte for byte, so it would be refused.
    pub(crate) fn secret_has_surrounding_whitespace(&self) -> bool {
        settings::has_surrounding_whitespace(&self.client_secret)
    }
}

/// Why the GitHub provider could not be built from its settings. Each message names the
/// setting and never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum GithubSetupError {
    /// A required setting is empty.
    #[error("{setting} is empty: copy it from the OAuth App's page on GitHub")]
    Missing {
        /// The setting's environment variable.
        setting: &'static str,
    },
    /// A base URL cannot have paths appended to it.
    #[error("{setting} is not a usable base URL ({url}): {problem}")]
    BadBaseUrl {
        /// The setting's environment variable.
        setting: &'static str,
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
    #[error("cannot set up HTTPS for GitHub: {0}")]
    HttpClient(String),
}

/// Every GitHub URL the provider uses, derived once so a bad base URL fails at start-up.
#[derive(Clone, Debug)]
pub(crate) struct Endpoints {
    pub authorize: Url,
    pub access_token: Url,
    pub settings_emails: Url,
    pub user: Url,
    pub user_emails: Url,
    pub user_orgs: Url,
    pub user_teams: Url,
    pub grant: Url,
    pub token: Url,
    /// Where a person reviews the app's access and grants or requests it for organizations.
    pub access_settings: Url,
}

impl Endpoints {
    pub(crate) fn new(config: &GithubConfig) -> Result<Self, GithubSetupError> {
        let web = base("GITHUB_URL", &config.web_url)?;
        let api = base("GITHUB_API_URL", &config.api_url)?;
        // 100 is GitHub's largest page: the fewest round trips for long lists, and nobody has
        // more addresses than that in practice.
        let first_page = |mut url: Url| {
            url.set_query(Some("per_page=100"));
            url
        };
        Ok(Self {
            authorize: web.join(&["login", "oauth", "authorize"]),
            access_token: web.join(&["login", "oauth", "access_token"]),
            settings_emails: web.join(&["settings", "emails"]),
            user: api.join(&["user"]),
            user_emails: first_page(api.join(&["user", "emails"])),
            user_orgs: first_page(api.join(&["user", "orgs"])),
            user_teams: first_page(api.join(&["user", "teams"])),
            grant: api.join(&["applications", &config.client_id, "grant"]),
            token: api.join(&["applications", &config.client_id, "token"]),
            access_settings: web.join(&[
                "settings",
                "connections",
                "applications",
                &config.client_id,
            ]),
        })
    }
}

/// A base URL checked by the shared rules, its problem named with its setting.
fn base(setting: &'static str, url: &Url) -> Result<BaseUrl, GithubSetupError> {
    BaseUrl::check(url).map_err(|problem| GithubSetupError::BadBaseUrl {
        setting,
        url: settings::redacted(url),
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(web: &str, api: &str) -> Result<GithubConfig, url::ParseError> {
        Ok(GithubConfig::new(
            "Iv1.abc",
            SecretString::from("s3cret"),
            Url::parse(web)?,
            Url::parse(api)?,
            "http://localhost:8000/auth/github/callback",
        ))
    }

    #[test]
    fn paths_are_appended_to_github_com() -> Result<(), Box<dyn std::error::Error>> {
        let e = Endpoints::new(&config("https://github.com", "https://api.github.com")?)?;
        assert_eq!(
            e.authorize.as_str(),
            "https://github.com/login/oauth/authorize"
        );
        assert_eq!(
            e.access_token.as_str(),
            "https://github.com/login/oauth/access_token"
        );
        assert_eq!(e.user.as_str(), "https://api.github.com/user");
        assert_eq!(
            e.user_emails.as_str(),
            "https://api.github.com/user/emails?per_page=100"
        );
        assert_eq!(
            e.grant.as_str(),
            "https://api.github.com/applications/Iv1.abc/grant"
        );
        assert_eq!(
            e.token.as_str(),
            "https://api.github.com/applications/Iv1.abc/token"
        );
        assert_eq!(
            e.user_orgs.as_str(),
            "https://api.github.com/user/orgs?per_page=100"
        );
        assert_eq!(
            e.user_teams.as_str(),
            "https://api.github.com/user/teams?per_page=100"
        );
        assert_eq!(
            e.access_settings.as_str(),
            "https://github.com/settings/connections/applications/Iv1.abc"
        );
        Ok(())
    }

    #[test]
    fn enterprise_api_prefix_is_kept_with_or_without_slash()
    -> Result<(), Box<dyn std::error::Error>> {
        for api in [
            "https://ghe.example.com/api/v3",
            "https://ghe.example.com/api/v3/",
        ] {
            let e = Endpoints::new(&config("https://ghe.example.com/", api)?)?;
            assert_eq!(e.user.as_str(), "https://ghe.example.com/api/v3/user");
            assert_eq!(
                e.authorize.as_str(),
                "https://ghe.example.com/login/oauth/authorize"
            );
        }
        Ok(())
    }

    #[test]
    fn client_id_cannot_escape_its_path_segment() -> Result<(), Box<dyn std::error::Error>> {
        let mut c = config("https://github.com", "https://api.github.com")?;
        c.client_id = "../x?y".into();
        let e = Endpoints::new(&c)?;
        assert_eq!(
            e.grant.as_str(),
            "https://api.github.com/applications/..%2Fx%3Fy/grant"
        );
        Ok(())
    }

    #[test]
    fn odd_base_urls_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        assert!(Endpoints::new(&config("ftp://github.com", "https://api.github.com")?).is_err());
        assert!(Endpoints::new(&config("mailto:a@b.c", "https://api.github.com")?).is_err());
        assert!(Endpoints::new(&config("https://github.com", "https://x.com/?a=b")?).is_err());
        Ok(())
    }

    #[test]
    fn debug_redacts_the_secret() -> Result<(), url::ParseError> {
        let shown = format!(
            "{:?}",
            config("https://github.com", "https://api.github.com")?
        );
        assert!(!shown.contains("s3cret"), "{shown}");
        Ok(())
    }
}
