//! The `ProviderError`s every provider words the same way, naming the provider and the
//! setting to check. No message ever carries a token, a code, a secret or a verifier: they
//! are built from statuses, URLs from the settings and causes reported by the HTTP stack
//! (with request URLs stripped).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nectr_application::ports::ProviderError;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use url::Url;

use crate::settings::{seconds, shown};
use crate::transport::{MAX_BODY_BYTES, TransportError, chain};

/// Where a call went, as messages name it.
#[derive(Clone, Copy, Debug)]
pub struct Site<'a> {
    /// The provider's display name, e.g. `GitLab`.
    pub provider: &'static str,
    /// The setting the base URL comes from, e.g. `GITLAB_URL`.
    pub setting: &'static str,
    /// The base URL the call went to.
    pub base: &'a Url,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// A failure to get any answer at all, to `what` (e.g. `the token refresh`).
#[must_use]
pub fn transport(error: &TransportError, site: Site<'_>, what: &str) -> ProviderError {
    let Site {
        provider, setting, ..
    } = site;
    let base = shown(site.base);
    match error {
        TransportError::Http(e) if e.is_timeout() && e.is_connect() => {
            ProviderError::Timeout(format!(
                "{provider} did not answer within {}: no connection to {base} could be opened in \
                 that time. Try again later; if it keeps happening, check {setting} and that this \
                 server may reach it.",
                seconds(site.connect_timeout)
            ))
        }
        TransportError::Http(e) if e.is_timeout() => ProviderError::Timeout(format!(
            "{provider} did not answer within {} ({what} at {base}). Try again later.",
            seconds(site.request_timeout),
        )),
        TransportError::Http(e) if e.is_connect() || e.is_request() => {
            let cause = chain(e);
            // OpenSSL says "certificate verify failed" for an unknown CA, the usual trouble
            // with a provider installed inside a company.
            let hint = if cause.contains("certificate") {
                format!(
                    " (if {provider}'s certificate comes from a company CA, point SSL_CERT_FILE at \
                     that CA's certificate)"
                )
            } else {
                format!(" (check {setting}, and that this server may reach it)")
            };
            ProviderError::Unreachable(format!("cannot reach {provider} at {base}: {cause}{hint}"))
        }
        TransportError::Http(e) => ProviderError::BadResponse(format!(
            "{provider}'s answer to {what} could not be read: {}. Try again later.",
            chain(e)
        )),
        TransportError::Build(problem) => ProviderError::BadResponse(format!(
            "{what} could not be sent to {provider} at {base}: {problem}"
        )),
        TransportError::TooLarge => ProviderError::BadResponse(format!(
            "{provider} answered {what} with more than {} KiB, which is not a {provider} answer; \
             check that {setting} ({base}) is {provider}",
            MAX_BODY_BYTES / 1024,
        )),
    }
}

/// An answer whose body is not what the call expects (`status` is `None` when the status is
/// not known either).
#[must_use]
pub fn unusable(site: Site<'_>, what: &str, status: Option<StatusCode>) -> ProviderError {
    let provider = site.provider;
    match status {
        Some(status) => ProviderError::BadResponse(format!(
            "{provider} answered {what} with HTTP {status} and a body that is not the expected \
             JSON (is {}, {}, really {provider}?)",
            site.setting,
            shown(site.base)
        )),
        None => ProviderError::BadResponse(format!(
            "{provider} answered {what} with something that is not the expected JSON"
        )),
    }
}

/// A status the call has no meaning for, once the provider's own meanings (rate limits,
/// expired tokens, …) are ruled out. `explanation` is the provider's own, already made safe to
/// show.
#[must_use]
pub fn unexpected(
    provider: &str,
    what: &str,
    status: StatusCode,
    explanation: Option<String>,
) -> ProviderError {
    if status.is_server_error() {
        return ProviderError::BadResponse(format!(
            "{provider} answered {what} with HTTP {status}: {provider} is having trouble, try \
             again later."
        ));
    }
    ProviderError::BadResponse(format!(
        "{provider} answered {what} with unexpected HTTP {status}{}",
        explanation.map(|m| format!(" ({m})")).unwrap_or_default()
    ))
}

/// The provider's rate limit was hit; `wait` is the number of seconds it asked to wait.
#[must_use]
pub fn rate_limit_hit(
    provider: &str,
    what: &str,
    status: StatusCode,
    wait: Option<u64>,
) -> ProviderError {
    let when = match wait {
        Some(0) => "now".to_owned(),
        Some(s) if s < 120 => format!("in {s} s"),
        Some(s) => format!("in {} min", s.div_ceil(60)),
        None => "later".to_owned(),
    };
    ProviderError::BadResponse(format!(
        "{provider}'s rate limit was hit ({what} answered HTTP {}); try again {when}.",
        status.as_u16()
    ))
}

/// How long a rate-limit answer asks to wait: `Retry-After`, else until the Unix time in the
/// provider's reset header (`reset_header`).
#[must_use]
pub fn wait_seconds(headers: &HeaderMap, reset_header: &str) -> Option<u64> {
    header(headers, "retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .or_else(|| {
            let reset = header(headers, reset_header)?.parse::<u64>().ok()?;
            let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
            Some(reset.saturating_sub(now))
        })
}

/// An error code as it may appear in a message: OAuth codes are short `snake_case` words;
/// anything else is not repeated.
#[must_use]
pub fn printable_code(code: &str) -> String {
    let plain = (1..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain {
        format!("`{code}`")
    } else {
        "code (not shown: it is not a plain word)".to_owned()
    }
}

/// A provider's own explanation as it may appear in a message, for operators: on one line,
/// at most 200 characters; `None` when nothing is left, or when it contains anything in
/// `sent` (providers may quote what was sent to them).
#[must_use]
pub fn explanation(text: &str, sent: &[&str]) -> Option<String> {
    if sent.iter().any(|s| !s.is_empty() && text.contains(s)) {
        return None;
    }
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    (!clean.trim().is_empty()).then(|| clean.trim().to_owned())
}

/// A header's value, trimmed, if it is text.
#[must_use]
pub fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_say_when_to_retry() {
        let limited = rate_limit_hit("GitLab", "GET /x", StatusCode::TOO_MANY_REQUESTS, Some(30));
        assert!(limited.to_string().contains("in 30 s"), "{limited}");
        let long = rate_limit_hit("GitLab", "GET /x", StatusCode::FORBIDDEN, Some(600));
        assert!(long.to_string().contains("in 10 min"), "{long}");
    }

    #[test]
    fn odd_codes_are_not_repeated() {
        assert_eq!(printable_code("invalid_grant"), "`invalid_grant`");
        assert!(!printable_code("gho_leak\"<script>").contains("leak"));
    }

    #[test]
    fn explanations_are_short_single_lines_and_never_echo_what_was_sent() {
        assert_eq!(
            explanation("404 Not\nFound", &[]).as_deref(),
            Some("404 Not Found")
        );
        assert_eq!(explanation("bad token abc123", &["abc123"]), None);
        assert_eq!(
            explanation(&"x".repeat(500), &[]).map(|m| m.len()),
            Some(200)
        );
        assert_eq!(explanation(" \n", &[]), None);
    }
}
