//! Translation of everything that can go wrong with GitHub into `ProviderError`s that say what
//! happened and what to do. What every provider words the same way is in
//! `nectr_provider_http::messages`; here is what only GitHub's answers mean. No message ever
//! carries a token, a code, a secret or a verifier.

use nectr_application::ports::ProviderError;
use nectr_provider_http::messages::{self, header};
use nectr_provider_http::{Answer, Site, TransportError};
use reqwest::StatusCode;
use url::Url;

use crate::config::{Endpoints, GithubConfig, shown};

/// One call to GitHub, as named in messages.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    /// What was asked, e.g. `the sign-in code exchange` or `GET /user`.
    pub what: &'static str,
    /// The base URL it went to (`GITHUB_URL` or `GITHUB_API_URL`).
    pub base: &'a Url,
    pub config: &'a GithubConfig,
}

impl Call<'_> {
    fn site(&self) -> Site<'_> {
        Site {
            provider: "GitHub",
            setting: if self.base == &self.config.web_url {
                "GITHUB_URL"
            } else {
                "GITHUB_API_URL"
            },
            base: self.base,
            connect_timeout: self.config.connect_timeout,
            request_timeout: self.config.request_timeout,
        }
    }
}

/// A failure to get any answer at all.
pub(crate) fn transport(error: &TransportError, call: Call<'_>) -> ProviderError {
    messages::transport(error, call.site(), call.what)
}

/// An `error` code from the token endpoint, which GitHub sends with HTTP 200, for a code
/// exchange or a refresh (`call.what` names which).
pub(crate) fn token_error(code: &str, call: Call<'_>, endpoints: &Endpoints) -> ProviderError {
    let config = call.config;
    match code {
        "bad_verification_code" => ProviderError::CodeRejected(
            "GitHub rejected the sign-in code: it is wrong, already used, or older than 10 \
             minutes. Start sign-in again."
                .to_owned(),
        ),
        "incorrect_client_credentials" => {
            let hint = if config.secret_has_surrounding_whitespace() {
                "the configured GITHUB_CLIENT_SECRET starts or ends with whitespace"
            } else {
                "often whitespace was pasted into the secret"
            };
            ProviderError::Misconfigured(format!(
                "GitHub rejected the client credentials: GITHUB_CLIENT_ID or GITHUB_CLIENT_SECRET \
                 is wrong ({hint}). Copy both again from the OAuth App's page under {} (client ID \
                 {:?}).",
                shown(&config.web_url).to_owned() + "/settings/developers",
                config.client_id,
            ))
        }
        "redirect_uri_mismatch" => ProviderError::Misconfigured(format!(
            "GitHub refused the callback URL {}: register exactly this URL as the \
             \"Authorization callback URL\" of the OAuth App (client ID {:?}), or set BACKEND_URL \
             to match the registered one.",
            config.redirect_url, config.client_id,
        )),
        "unverified_user_email" => ProviderError::AccountRefused(format!(
            "GitHub will not sign you in until your primary email address is verified: verify \
             it at {}, then sign in again.",
            endpoints.settings_emails
        )),
        // The refresh token is expired (6 months), already used (each refresh rotates it), or
        // its authorization was revoked: only a new sign-in gives a new one.
        "bad_refresh_token" => ProviderError::TokenRejected(
            "GitHub no longer accepts the refresh token (it has expired, was already used, or \
             the app's access was revoked): sign in with GitHub again."
                .to_owned(),
        ),
        other => ProviderError::BadResponse(format!(
            "GitHub refused {} with the error {}.",
            call.what,
            messages::printable_code(other)
        )),
    }
}

/// An answer whose body is not what the call expects.
pub(crate) fn unusable(call: Call<'_>, status: Option<StatusCode>) -> ProviderError {
    messages::unusable(call.site(), call.what, status)
}

/// The rate-limit answer, if this is one: any 429, or a 403 with `x-ratelimit-remaining: 0`,
/// `retry-after`, or (a secondary limit that sent neither header) a message about a rate
/// limit. Without a header saying how long, GitHub asks clients to wait at least a minute.
pub(crate) fn rate_limited(call: Call<'_>, answer: &Answer) -> Option<ProviderError> {
    if !is_rate_limited(answer) {
        return None;
    }
    let wait = messages::wait_seconds(&answer.headers, "x-ratelimit-reset").or(Some(60));
    Some(messages::rate_limit_hit(
        "GitHub",
        call.what,
        answer.status,
        wait,
    ))
}

/// Whether GitHub says a rate limit was hit (see [`rate_limited`]); also what the transport
/// counts as `rate_limited` in its metrics.
pub(crate) fn is_rate_limited(answer: &Answer) -> bool {
    match answer.status {
        StatusCode::TOO_MANY_REQUESTS => true,
        StatusCode::FORBIDDEN => {
            header(&answer.headers, "x-ratelimit-remaining") == Some("0")
                || header(&answer.headers, "retry-after").is_some()
                || github_says_rate_limit(&answer.body)
        }
        _ => false,
    }
}

/// GitHub's secondary-limit bodies say "You have exceeded a secondary rate limit…" or
/// "API rate limit exceeded…".
fn github_says_rate_limit(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Message {
        message: String,
    }
    serde_json::from_slice::<Message>(body)
        .is_ok_and(|m| m.message.to_ascii_lowercase().contains("rate limit"))
}

/// Any other unwanted status of a REST call.
pub(crate) fn rest_status(call: Call<'_>, answer: &Answer) -> ProviderError {
    if answer.status == StatusCode::UNAUTHORIZED && rate_limited(call, answer).is_none() {
        return ProviderError::TokenRejected(
            "GitHub no longer accepts this access token (it was revoked or has expired): sign \
             in with GitHub again."
                .to_owned(),
        );
    }
    unexpected_status(call, answer)
}

/// A status the call has no meaning for: a rate limit, GitHub in trouble, or something else.
pub(crate) fn unexpected_status(call: Call<'_>, answer: &Answer) -> ProviderError {
    if let Some(limited) = rate_limited(call, answer) {
        return limited;
    }
    messages::unexpected(
        "GitHub",
        call.what,
        answer.status,
        github_message(&answer.body),
    )
}

/// GitHub's own explanation in a REST error body (`{"message": …}`), shortened, for
/// operators. GitHub never echoes credentials there.
pub(crate) fn github_message(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Message {
        message: String,
    }
    let message = serde_json::from_slice::<Message>(body).ok()?.message;
    messages::explanation(&message, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Result<GithubConfig, url::ParseError> {
        Ok(GithubConfig::new(
            "Iv1.abc",
            " s3cret".into(),
            Url::parse("https://github.com")?,
            Url::parse("https://api.github.com")?,
            "http://localhost:8000/auth/github/callback",
        ))
    }

    #[test]
    fn token_errors_map_to_their_variants() -> Result<(), Box<dyn std::error::Error>> {
        let c = config()?;
        let e = Endpoints::new(&c)?;
        let call = Call {
            what: "the sign-in code exchange",
            base: &c.web_url,
            config: &c,
        };
        assert!(matches!(
            token_error("bad_verification_code", call, &e),
            ProviderError::CodeRejected(_)
        ));
        let dead = token_error("bad_refresh_token", call, &e);
        assert!(
            matches!(&dead, ProviderError::TokenRejected(m) if m.contains("sign in with GitHub again")),
            "{dead}"
        );
        let creds = token_error("incorrect_client_credentials", call, &e);
        assert!(
            matches!(&creds, ProviderError::Misconfigured(m) if m.contains("GITHUB_CLIENT_SECRET starts or ends with whitespace")),
            "{creds}"
        );
        assert!(!creds.to_string().contains("s3cret"));
        let redirect = token_error("redirect_uri_mismatch", call, &e);
        assert!(
            matches!(&redirect, ProviderError::Misconfigured(m) if m.contains("http://localhost:8000/auth/github/callback"))
        );
        let unverified = token_error("unverified_user_email", call, &e);
        assert!(
            matches!(&unverified, ProviderError::AccountRefused(m) if m.contains("https://github.com/settings/emails"))
        );
        let other = token_error("device_flow_disabled", call, &e);
        assert!(
            matches!(&other, ProviderError::BadResponse(m) if m.contains("`device_flow_disabled`") && m.contains("the sign-in code exchange"))
        );
        let odd = token_error("gho_leak\"<script>", call, &e);
        assert!(!odd.to_string().contains("gho_leak"), "{odd}");
        Ok(())
    }

    #[test]
    fn rate_limits_say_when_to_retry() -> Result<(), url::ParseError> {
        let c = config()?;
        let call = Call {
            what: "GET /user",
            base: &c.api_url,
            config: &c,
        };
        let limited = rest_status(call, &Answer::canned(429, &[("retry-after", "30")], "{}"));
        assert!(
            matches!(&limited, ProviderError::BadResponse(m) if m.contains("rate limit") && m.contains("in 30 s")),
            "{limited}"
        );
        let exhausted = rest_status(
            call,
            &Answer::canned(403, &[("x-ratelimit-remaining", "0")], "{}"),
        );
        assert!(matches!(&exhausted, ProviderError::BadResponse(m) if m.contains("rate limit")));
        let forbidden = rest_status(
            call,
            &Answer::canned(
                403,
                &[("x-ratelimit-remaining", "4999")],
                r#"{"message":"Forbidden"}"#,
            ),
        );
        assert!(
            matches!(&forbidden, ProviderError::BadResponse(m) if !m.contains("rate limit") && m.contains("Forbidden"))
        );
        // Secondary limits without either header: GitHub asks for at least a minute's wait.
        for bare in [
            Answer::canned(429, &[], "{}"),
            Answer::canned(
                403,
                &[],
                r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#,
            ),
        ] {
            let limited = rest_status(call, &bare);
            assert!(
                matches!(&limited, ProviderError::BadResponse(m) if m.contains("rate limit") && m.contains("in 60 s")),
                "{limited}"
            );
            assert!(is_rate_limited(&bare));
        }
        Ok(())
    }

    #[test]
    fn statuses_map_to_variants() -> Result<(), url::ParseError> {
        let c = config()?;
        let call = Call {
            what: "GET /user",
            base: &c.api_url,
            config: &c,
        };
        assert!(matches!(
            rest_status(call, &Answer::canned(401, &[], "{}")),
            ProviderError::TokenRejected(_)
        ));
        assert!(
            matches!(rest_status(call, &Answer::canned(502, &[], "<html>")), ProviderError::BadResponse(m) if m.contains("502"))
        );
        Ok(())
    }
}
