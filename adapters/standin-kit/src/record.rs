//! What a stand-in received, kept for tests to assert on.

use actix_web::HttpRequest;

/// One HTTP request as the stand-in received it. `E` is the stand-in's endpoint enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest<E> {
    /// The endpoint it was routed to; `None` for paths the stand-in does not serve.
    pub endpoint: Option<E>,
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The path as received (including any mount prefix), without the query.
    pub path: String,
    /// The decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The headers, names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, decoded as UTF-8 (invalid sequences replaced).
    pub body: String,
}

impl<E> RecordedRequest<E> {
    /// Copies out what a test may want to see; the request itself does not outlive its handler.
    pub fn capture(endpoint: Option<E>, req: &HttpRequest, body: &[u8]) -> Self {
        Self {
            endpoint,
            method: req.method().as_str().to_owned(),
            path: req.path().to_owned(),
            query: url::form_urlencoded::parse(req.query_string().as_bytes())
                .into_owned()
                .collect(),
            headers: req
                .headers()
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(body).into_owned(),
        }
    }

    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a parameter in the body, read as `application/x-www-form-urlencoded`.
    pub fn form_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }
}
