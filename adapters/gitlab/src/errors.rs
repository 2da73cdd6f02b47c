//! Translation of everything that can go wrong with GitLab into `ProviderError`s that say what
//! happened and what to do. What every provider words the same way is in
//! `nectr_provider_http::messages`; here is what only GitLab's answers mean. No message ever
//! carries a token, a code, a secret or a verifier: GitLab's own short explanations are
//! dropped when they quote what was sent.

use nectr_application::ports::ProviderError;
use nectr_provider_http::messages::{self, header};
use nectr_provider_http::{Answer, Site, TransportError};
use reqwest::StatusCode;

use crate::config::{Endpoints, GitlabConfig, shown};

/// One call to GitLab, as named in messages.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    /// What was asked, e.g. `the sign-in code exchange` or `GET /api/v4/user`.
    pub what: &'static str,
    pub config: &'a GitlabConfig,
    pub endpoints: &'a Endpoints,
}

impl Call<'_> {
    fn base(&self) -> &str {
        shown(&self.config.base_url)
    }

    fn site(&self) -> Site<'_> {
        Site {
            provider: "GitLab",
            setting: "GITLAB_URL",
            base: &self.config.base_url,
            connect_timeout: self.config.connect_timeout,
            request_timeout: self.config.request_timeout,
        }
    }
}

/// Which grant the token endpoint was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// `grant_type=authorization_code`: the sign-in code exchange.
    Code,
    /// `grant_type=refresh_token`.
    Refresh,
}

/// A failure to get any answer at all.
pub(crate) fn transport(error: &TransportError, call: Call<'_>) -> ProviderError {
    messages::transport(error, call.site(), call.what)
}

/// An OAuth `error` code from the token endpoint (GitLab answers them with HTTP 400 or 401
/// and a JSON body, as RFC 6749 §5.2 says).
pub(crate) fn token_error(code: &str, grant: Grant, call: Call<'_>) -> ProviderError {
    let config = call.config;
    match (code, grant) {
        // Doorkeeper's one answer for a wrong, used or expired code, a different
        // `redirect_uri` than at authorize, and a PKCE verifier that does not match.
        ("invalid_grant", Grant::Code) => ProviderError::CodeRejected(format!(
            "GitLab rejected the sign-in code: it is wrong, already used or older than 10 \
             minutes. Start sign-in again. (If this happens on every sign-in, check that the \
             callback URL {} is the one registered for the GitLab application.)",
            config.redirect_url
        )),
        // Each refresh replaces both tokens, so a refresh token works once; it also dies when
        // the person revokes the application's access.
        ("invalid_grant", Grant::Refresh) => ProviderError::TokenRejected(
            "GitLab no longer accepts the refresh token (it was already used, or the \
             application's access was revoked): sign in with GitLab again."
                .to_owned(),
        ),
        ("invalid_client", _) => {
            let hint = if config.secret_has_surrounding_whitespace() {
                "the configured GITLAB_CLIENT_SECRET starts or ends with whitespace"
            } else {
                "often whitespace was pasted into the secret, or the secret was renewed at GitLab"
            };
            ProviderError::Misconfigured(format!(
                "GitLab rejected the client credentials: GITLAB_CLIENT_ID or GITLAB_CLIENT_SECRET \
                 is wrong ({hint}). Copy the Application ID and the Secret again from the GitLab \
                 application's page (User settings → Applications at {}, or the owning group's \
                 or the instance's Applications page); the configured ID is {:?}.",
                call.endpoints.access_settings, config.client_id,
            ))
        }
        ("unauthorized_client", _) => ProviderError::Misconfigured(format!(
            "GitLab does not let the application {:?} use {}: check the GitLab application's \
             settings, or set GITLAB_CLIENT_ID to an application made for signing in.",
            config.client_id, call.what
        )),
        (other, _) => ProviderError::BadResponse(format!(
            "GitLab refused {} with the error {}.",
            call.what,
            messages::printable_code(other)
        )),
    }
}

/// An answer whose body is not what the call expects.
pub(crate) fn unusable(call: Call<'_>, status: Option<StatusCode>) -> ProviderError {
    messages::unusable(call.site(), call.what, status)
}

/// The rate-limit answer (HTTP 429, with `Retry-After` and `RateLimit-Reset` when GitLab's
/// rate limits sent it), if this is one.
pub(crate) fn rate_limited(call: Call<'_>, answer: &Answer) -> Option<ProviderError> {
    if answer.status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let wait = messages::wait_seconds(&answer.headers, "ratelimit-reset");
    Some(messages::rate_limit_hit(
        "GitLab",
        call.what,
        answer.status,
        wait,
    ))
}

/// An unwanted status of a REST call made with the person's access token. `sent` is what
/// must never be repeated from GitLab's explanation (the token).
pub(crate) fn rest_status(call: Call<'_>, answer: &Answer, sent: &[&str]) -> ProviderError {
    match answer.status {
        StatusCode::UNAUTHORIZED => token_rejected(answer),
        StatusCode::FORBIDDEN
            if oauth_error(&answer.body).as_deref() == Some("insufficient_scope") =>
        {
            ProviderError::ScopeMissing(format!(
                "GitLab refused {}: the access was granted without a scope this needs. Sign in \
                 with GitLab again to grant it, or review the application's access at {}.",
                call.what, call.endpoints.access_settings
            ))
        }
        _ => unexpected_status(call, answer, sent),
    }
}

/// GitLab's 401 for a token it no longer accepts. GitLab says whether the token expired
/// (access tokens last two hours) or was revoked.
pub(crate) fn token_rejected(answer: &Answer) -> ProviderError {
    let expired = oauth_description(&answer.body)
        .or_else(|| header(&answer.headers, "www-authenticate").map(str::to_owned))
        .is_some_and(|d| d.to_ascii_lowercase().contains("expired"));
    if expired {
        ProviderError::TokenRejected(
            "GitLab no longer accepts this access token: it has expired (GitLab's access tokens \
             last two hours). Refresh it, or sign in with GitLab again."
                .to_owned(),
        )
    } else {
        ProviderError::TokenRejected(
            "GitLab no longer accepts this access token (it was revoked, or has expired): sign \
             in with GitLab again."
                .to_owned(),
        )
    }
}

/// A status the call has no meaning for: a rate limit, GitLab in trouble, or something else.
pub(crate) fn unexpected_status(call: Call<'_>, answer: &Answer, sent: &[&str]) -> ProviderError {
    if let Some(limited) = rate_limited(call, answer) {
        return limited;
    }
    let status = answer.status;
    if status.is_redirection() {
        return ProviderError::BadResponse(format!(
            "GitLab answered {} with a redirect (HTTP {status}), which is not followed: set \
             GITLAB_URL ({}) to the address GitLab really serves (https://, the right host and \
             path).",
            call.what,
            call.base()
        ));
    }
    messages::unexpected(
        "GitLab",
        call.what,
        status,
        gitlab_message(&answer.body, sent),
    )
}

/// GitLab's error body: `{"message": "…"}` from the REST API, `{"error": "…",
/// "error_description": "…"}` from OAuth checks.
#[derive(serde::Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// The OAuth `error` code of an error body (`invalid_token`, `insufficient_scope`, …).
pub(crate) fn oauth_error(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<ErrorBody>(body).ok()?.error
}

fn oauth_description(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<ErrorBody>(body)
        .ok()?
        .error_description
}

/// GitLab's own explanation in an error body, shortened and on one line, for operators; `None`
/// when there is none, or when it contains anything in `sent`.
pub(crate) fn gitlab_message(body: &[u8], sent: &[&str]) -> Option<String> {
    let parsed = serde_json::from_slice::<ErrorBody>(body).ok()?;
    let text = match parsed.message {
        Some(serde_json::Value::String(message)) => message,
        // Validation errors come as an object of field names to lists of complaints.
        Some(other @ serde_json::Value::Object(_)) => other.to_string(),
        _ => parsed.error_description.or(parsed.error)?,
    };
    messages::explanation(&text, sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn config() -> Result<GitlabConfig, url::ParseError> {
        Ok(GitlabConfig::new(
            "app-id",
            " s3cret".into(),
            Url::parse("https://gitlab.example.com")?,
            "http://localhost:8000/auth/gitlab/callback",
        ))
    }

    #[test]
    fn token_errors_map_to_their_variants() -> Result<(), Box<dyn std::error::Error>> {
        let c = config()?;
        let e = Endpoints::new(&c)?;
        let call = Call {
            what: "the sign-in code exchange",
            config: &c,
            endpoints: &e,
        };
        let code = token_error("invalid_grant", Grant::Code, call);
        assert!(
            matches!(&code, ProviderError::CodeRejected(m) if m.contains("Start sign-in again") && m.contains("/auth/gitlab/callback")),
            "{code}"
        );
        let dead = token_error("invalid_grant", Grant::Refresh, call);
        assert!(
            matches!(&dead, ProviderError::TokenRejected(m) if m.contains("sign in with GitLab again")),
            "{dead}"
        );
        let creds = token_error("invalid_client", Grant::Code, call);
        assert!(
            matches!(&creds, ProviderError::Misconfigured(m) if m.contains("GITLAB_CLIENT_ID") && m.contains("GITLAB_CLIENT_SECRET starts or ends with whitespace")),
            "{creds}"
        );
        assert!(!creds.to_string().contains("s3cret"));
        assert!(matches!(
            token_error("unauthorized_client", Grant::Refresh, call),
            ProviderError::Misconfigured(_)
        ));
        let other = token_error("invalid_request", Grant::Code, call);
        assert!(
            matches!(&other, ProviderError::BadResponse(m) if m.contains("`invalid_request`")),
            "{other}"
        );
        let odd = token_error("glpat_leak\"<script>", Grant::Code, call);
        assert!(!odd.to_string().contains("glpat_leak"), "{odd}");
        Ok(())
    }

    #[test]
    fn rest_statuses_map_to_variants() -> Result<(), Box<dyn std::error::Error>> {
        let c = config()?;
        let e = Endpoints::new(&c)?;
        let call = Call {
            what: "GET /api/v4/user",
            config: &c,
            endpoints: &e,
        };
        let expired = rest_status(
            call,
            &Answer::canned(
                401,
                &[],
                r#"{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}"#,
            ),
            &[],
        );
        assert!(
            matches!(&expired, ProviderError::TokenRejected(m) if m.contains("expired") && m.contains("Refresh")),
            "{expired}"
        );
        let revoked = rest_status(
            call,
            &Answer::canned(
                401,
                &[],
                r#"{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}"#,
            ),
            &[],
        );
        assert!(matches!(&revoked, ProviderError::TokenRejected(m) if m.contains("revoked")));
        let scope = rest_status(
            call,
            &Answer::canned(
                403,
                &[],
                r#"{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"}"#,
            ),
            &[],
        );
        assert!(matches!(scope, ProviderError::ScopeMissing(_)), "{scope}");
        let limited = rest_status(
            call,
            &Answer::canned(429, &[("retry-after", "60")], "Retry later"),
            &[],
        );
        assert!(
            matches!(&limited, ProviderError::BadResponse(m) if m.contains("rate limit") && m.contains("in 60 s")),
            "{limited}"
        );
        let down = rest_status(call, &Answer::canned(502, &[], "<html>"), &[]);
        assert!(matches!(&down, ProviderError::BadResponse(m) if m.contains("502")));
        let forbidden = rest_status(
            call,
            &Answer::canned(
                403,
                &[],
                r#"{"message":"403 Forbidden - Your account has been blocked."}"#,
            ),
            &[],
        );
        assert!(
            matches!(&forbidden, ProviderError::BadResponse(m) if m.contains("blocked")),
            "{forbidden}"
        );
        Ok(())
    }

    #[test]
    fn gitlab_messages_are_short_single_lines_and_never_echo_what_was_sent() {
        assert_eq!(
            gitlab_message(br#"{"message":"404 Not\nFound"}"#, &[]).as_deref(),
            Some("404 Not Found")
        );
        assert_eq!(
            gitlab_message(br#"{"message":"bad token abc123"}"#, &["abc123"]),
            None
        );
        assert_eq!(
            gitlab_message(br#"{"message":{"name":["is too long"]}}"#, &[]).as_deref(),
            Some(r#"{"name":["is too long"]}"#)
        );
        let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(500));
        assert_eq!(
            gitlab_message(long.as_bytes(), &[]).map(|m| m.len()),
            Some(200)
        );
        assert_eq!(gitlab_message(b"<html>", &[]), None);
    }
}
