//! Sending a request and reading its answer, size-bounded, with the provider's metrics.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The most of an answer body that is read. A provider's answers to our calls are a few KiB
/// (a page of 100 groups or organizations is the largest, well under this); anything near it
/// is not the provider, and must not fill memory.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the transport needs to know about a provider: how to name it and count its calls.
/// Each adapter keeps its own metric names, so dashboards do not change with this crate.
pub struct Provider {
    /// The display name, e.g. `GitHub`.
    pub name: &'static str,
    /// The histogram of call durations, labelled by `call`.
    pub duration_metric: &'static str,
    /// The counter of failed calls, labelled by `call` and `kind`.
    pub errors_metric: &'static str,
    /// Which call a request path is, for metrics labels (never the path itself: it can hold
    /// the client id).
    pub call_name: fn(&str) -> &'static str,
    /// Whether an answer is the provider's rate-limit answer, which providers signal
    /// differently.
    pub is_rate_limited: fn(&Answer) -> bool,
}

/// An answer from the provider, its body read in full (and bounded).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// An answer as a provider could send it, for an adapter's tests of how it reads
    /// answers. A status that is not one (below 100 or above 999) becomes 418, so a test
    /// cannot mistake it for a real one.
    #[must_use]
    pub fn canned(status: u16, headers: &[(&'static str, &'static str)], body: &str) -> Self {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, reqwest::header::HeaderValue::from_static(value));
        }
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT),
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }
}

/// Why no answer could be read.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
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

/// Builds a request and sends it with [`send`]; a request that cannot be built is a
/// `TransportError::Build`, worded without its URL.
///
/// # Errors
/// As [`send`], or `Build`.
pub async fn send_built(
    client: &reqwest::Client,
    provider: &Provider,
    request: reqwest::RequestBuilder,
) -> Result<Answer, TransportError> {
    let request = request
        .build()
        .map_err(|e| TransportError::Build(chain(&e.without_url())))?;
    send(client, provider, request).await
}

/// Sends a request and reads its answer, at most `MAX_BODY_BYTES` of body.
///
/// A pooled connection can be closed by the server just as a request goes out on it (servers
/// close idle keep-alive connections on their own schedule). Such a failure is retried once,
/// on a new connection, but only for idempotent methods (RFC 9110 §9.2.2): the server may
/// have read and acted on the request before the connection went, and a token request sent
/// twice spends its code or its single-use refresh token on an answer nobody reads. Nothing
/// else is retried: not timeouts, not answers.
///
/// # Errors
/// `TransportError` when no answer could be read in full.
pub async fn send(
    client: &reqwest::Client,
    provider: &Provider,
    request: reqwest::Request,
) -> Result<Answer, TransportError> {
    let call = (provider.call_name)(request.url().path());
    let started = std::time::Instant::now();
    let outcome = send_once_or_twice(client, provider, request).await;
    metrics::histogram!(provider.duration_metric, "call" => call)
        .record(started.elapsed().as_secs_f64());
    let failure = match &outcome {
        Err(TransportError::Http(e)) if e.is_timeout() => Some("timeout"),
        Err(TransportError::Http(e)) if e.is_connect() => Some("unreachable"),
        Err(_) => Some("transport"),
        Ok(answer) if answer.status.is_server_error() => Some("server_error"),
        Ok(answer) if (provider.is_rate_limited)(answer) => Some("rate_limited"),
        Ok(_) => None,
    };
    if let Some(kind) = failure {
        metrics::counter!(provider.errors_metric, "call" => call, "kind" => kind).increment(1);
    }
    outcome
}

async fn send_once_or_twice(
    client: &reqwest::Client,
    provider: &Provider,
    request: reqwest::Request,
) -> Result<Answer, TransportError> {
    let retry = request
        .method()
        .is_idempotent()
        .then(|| request.try_clone())
        .flatten();
    let response = match (client.execute(request).await, retry) {
        (Err(e), Some(retry)) if died_before_any_answer(&e) => {
            tracing::debug!(
                error = %chain(&e.without_url()),
                "{} connection was closed under the request; retrying once",
                provider.name
            );
            client.execute(retry).await
        }
        (outcome, _) => outcome,
    };
    read(response?).await
}

/// Whether the connection failed before any answer began: closed by the server as the
/// request was sent, reset, or broken. Timeouts are not this (the provider may be working on
/// it).
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
pub fn chain(error: &dyn std::error::Error) -> String {
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
}
