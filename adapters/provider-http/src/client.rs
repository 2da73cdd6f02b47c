//! The one HTTP client every call of a provider goes through.

use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::redirect;

use crate::transport::chain;

/// How long every adapter waits for a connection by default, unless configured otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one call may take by default, connection and body included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The `User-Agent` every adapter sends by default.
pub const DEFAULT_USER_AGENT: &str = concat!("nectr-auth/", env!("CARGO_PKG_VERSION"));

/// What the client is built from.
pub struct ClientSettings<'a> {
    /// How long to wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// How long one call may take in total, connection and body included.
    pub request_timeout: Duration,
    /// The `User-Agent` header sent with every call.
    pub user_agent: &'a str,
}

/// Why the client could not be built; each adapter turns it into its own setup error.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The user agent cannot be sent in an HTTP header.
    #[error("the user agent {0:?} cannot be sent as an HTTP header")]
    BadUserAgent(String),
    /// TLS (usually) could not be set up; the error and its causes on one line.
    #[error("{0}")]
    Http(String),
}

/// Builds the pooled client shared by the token endpoint and the REST calls.
///
/// # Errors
/// `ClientError` for a user agent that cannot be a header, or TLS that cannot be set up.
pub fn build_client(settings: &ClientSettings<'_>) -> Result<reqwest::Client, ClientError> {
    let user_agent = HeaderValue::from_str(settings.user_agent)
        .map_err(|_| ClientError::BadUserAgent(settings.user_agent.to_owned()))?;
    // TLS comes from reqwest's `native-tls` feature, i.e. OpenSSL on Linux: it trusts the
    // operating system's certificate store and honours `SSL_CERT_FILE` / `SSL_CERT_DIR`, so a
    // provider installed behind a company CA works without a rebuild.
    reqwest::Client::builder()
        .user_agent(user_agent)
        // OAuth token endpoints must not be followed through redirects (RFC 6749 §3.2: a
        // redirect could carry the secret elsewhere), and a redirect from a REST API would
        // carry the bearer token along, so none are followed anywhere.
        .redirect(redirect::Policy::none())
        .connect_timeout(settings.connect_timeout)
        // reqwest's total timeout runs until the body is read, so a trickling answer is bounded
        // too.
        .timeout(settings.request_timeout)
        .build()
        .map_err(|e| ClientError::Http(chain(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_user_agent_is_refused() {
        let settings = ClientSettings {
            connect_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(1),
            user_agent: "bad\nagent",
        };
        assert!(matches!(
            build_client(&settings),
            Err(ClientError::BadUserAgent(_))
        ));
    }
}
