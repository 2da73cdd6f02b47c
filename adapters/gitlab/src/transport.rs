//! The one HTTP client every GitLab call goes through, and size-bounded reading of answers.

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{StatusCode, redirect};

use crate::config::{GitlabConfig, GitlabSetupError};

/// The most of an answer body that is read. GitLab's answers to our calls are a few KiB (a
/// page of 100 groups is the largest, well under this); anything near it is not GitLab, and
/// must not fill memory.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Builds the pooled client shared by the token endpoint and the REST calls.
pub(crate) fn build_client(config: &GitlabConfig) -> Result<reqwest::Client, GitlabSetupError> {
    let user_agent = HeaderValue::from_str(&config.user_agent)
        .map_err(|_| GitlabSetupError::BadUserAgent(config.user_agent.clone()))?;
    // TLS comes from reqwest's `native-tls` feature, i.e. OpenSSL on Linux: it trusts the
    // operating system's certificate store and honours `SSL_CERT_FILE` / `SSL_CERT_DIR`, so a
    // self-managed GitLab behind a company CA works without a rebuild.
    reqwest::Client::builder()
        .user_agent(user_agent)
        // OAuth token endpoints must not be followed through redirects (RFC 6749 §3.2: a
        // redirect could carry the secret elsewhere), and a redirect from the REST API would
        // carry the bearer token along, so none are followed anywhere. (GitLab redirects
        // `http://` to `https://`: GITLAB_URL must name the address it really serves.)
        .redirect(redirect::Policy::none())
        .connect_timeout(config.connect_timeout)
        // reqwest's total timeout runs until the body is read, so a trickling answer is bounded
        // too.
        .timeout(config.request_timeout)
        .build()
        .map_err(|e| GitlabSetupError::HttpClient(chain(&e)))
}

/// An answer from GitLab, its body read in full (and bounded).
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Why no answer could be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TransportError {
    /// Sending, connecting or reading failed (the URL is stripped: it can carry a query).
    #[error("{}", chain(.0))]
    Http(reqwest::Error),
    /// The request could not be turned into an HTTP request.
    #[error("the request could not be built: {0}")]
    Build(String),
    /// The body was larger than `MAX_BODY_BYTES`.
    #[error("the answer is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
}

impl From<reqwest::Error> for TransportError {
    fn from(e: reqwest::Error) -> Self {
        Self::Http(e.without_url())
    }
}

/// Sends a request and reads its answer, at most `MAX_BODY_BYTES` of body.
///
/// A pooled connection can be closed by the server just as a request goes out on it (servers
/// close idle keep-alive connections on their own schedule); the request then fails without
/// having reached GitLab. Such a failure is retried once, on a new connection. Nothing else
/// is retried: not timeouts, not answers.
pub(crate) async fn send(
    client: &reqwest::Client,
    request: reqwest::Request,
) -> Result<Answer, TransportError> {
    let call = call_name(request.url().path());
    let started = std::time::Instant::now();
    let outcome = send_once_or_twice(client, request).await;
    metrics::histogram!("nectr_auth_gitlab_request_duration_seconds", "call" => call)
        .record(started.elapsed().as_secs_f64());
    let failure = match &outcome {
        Err(TransportError::Http(e)) if e.is_timeout() => Some("timeout"),
        Err(TransportError::Http(e)) if e.is_connect() => Some("unreachable"),
        Err(_) => Some("transport"),
        Ok(answer) if answer.status.is_server_error() => Some("server_error"),
        Ok(answer) if answer.status == StatusCode::TOO_MANY_REQUESTS => Some("rate_limited"),
        Ok(_) => None,
    };
    if let Some(kind) = failure {
        metrics::counter!("nectr_auth_gitlab_request_errors_total", "call" => call, "kind" => kind)
            .increment(1);
    }
    outcome
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

async fn send_once_or_twice(
    client: &reqwest::Client,
    request: reqwest::Request,
) -> Result<Answer, TransportError> {
    let retry = request.try_clone();
    let response = match (client.execute(request).await, retry) {
        (Err(e), Some(retry)) if died_before_any_answer(&e) => {
            tracing::debug!(error = %chain(&e.without_url()), "GitLab connection was closed under the request; retrying once");
            client.execute(retry).await
        }
        (outcome, _) => outcome,
    };
    read(response?).await
}

/// Whether the connection failed before any answer began: closed by the server as the
/// request was sent, reset, or broken. Timeouts are not this (GitLab may be working on it).
fn died_before_any_answer(error: &reqwest::Error) -> bool {
    if error.is_timeout() || error.is_connect() {
        return false;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
            )
        {
            return true;
        }
        // hyper's "IncompleteMessage": the connection closed before the answer started.
        if cause
            .to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        source = cause.source();
    }
    false
}

async fn read(mut response: reqwest::Response) -> Result<Answer, TransportError> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BODY_BYTES as u64)
    {
        return Err(TransportError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(TransportError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body,
    })
}

/// An error and its causes on one line (`a: b: c`), which is where reqwest keeps the useful
/// part ("Connection refused").
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // hyper and reqwest often repeat the inner message in the outer one.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn chain_lists_causes_once() {
        let e = Outer(std::io::Error::other("Connection refused"));
        assert_eq!(chain(&e), "outer: Connection refused");
    }

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
