//! Helpers for a stand-in's own tests, which drive it over HTTP as a client would. Enabled by
//! the `testing` feature, so a stand-in's library never pulls in an HTTP client.

use reqwest::{Client, Response, StatusCode};
use url::Url;

/// What every test answers, so `?` works on any error.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// The PKCE verifier of RFC 7636 appendix B, so a test can check a challenge by eye.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// The S256 challenge of [`VERIFIER`] (RFC 7636 appendix B).
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

thread_local! {
    // Each test runs on its own thread and runtime, so a client per thread never reuses a
    // connection from another test's (stopped) runtime, and building one per request is slow.
    static CLIENT: Result<Client, String> = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string());
}

/// A client that, like a browser test, looks at redirects instead of following them.
pub fn client() -> TestResult<Client> {
    Ok(CLIENT.with(Clone::clone)?)
}

/// A response header as text.
pub fn header<'r>(response: &'r Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The `Location` of a redirect, parsed (asserting a 302).
pub fn location(response: &Response) -> TestResult<Url> {
    assert_eq!(response.status(), StatusCode::FOUND);
    Ok(Url::parse(
        header(response, "location").ok_or("no Location header")?,
    )?)
}

/// The first value of a query parameter of `url`.
pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}
