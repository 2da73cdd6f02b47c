//! Browsers for load: no redirect following, and a cookie jar that can be emptied, so one
//! HTTP client plays a new browser for each person. (Building a client loads the system's
//! TLS roots, which costs more than a whole sign-in; a load test builds a few and reuses
//! them.)
//!
//! Every test here comes from 127.0.0.1, while real people come from many addresses and the
//! service limits sign-in starts per address. So the worlds of these tests trust
//! `X-Forwarded-For` (as behind a proxy), and a browser can say which address it comes from.
//!
//! Every step answers `Err(text)` instead of panicking, so a load test can count and show
//! the failures of many sign-ins rather than stop at the first.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use nectr_auth_tests::{Backend, TestApp, TestOptions, spawn_app_with};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{CONTENT_TYPE, HeaderValue, LOCATION};

/// Where a successful sign-in lands (`{FRONTEND_URL}/dashboard` of the test world).
pub const DASHBOARD: &str = "http://localhost:3000/dashboard";

/// Longer than any answer the service may legitimately take, so a hang shows up as an
/// error instead of stalling the test.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Browser {
    client: reqwest::Client,
    jar: Arc<ClearableJar>,
    /// Sent as `X-Forwarded-For`; none: the connection's own address counts.
    address: Mutex<Option<String>>,
}

/// A world whose service believes `X-Forwarded-For`, so browsers can come from many
/// addresses; `vars` are set on top.
pub async fn world(backend: Backend, mut vars: Vec<(&'static str, String)>) -> TestApp {
    vars.push(("TRUST_X_FORWARDED_FOR", "true".to_owned()));
    spawn_app_with(
        backend,
        TestOptions {
            vars,
            ..TestOptions::default()
        },
    )
    .await
}

/// A distinct private address for each `n` below 2²⁴.
pub fn address(n: usize) -> String {
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

/// A cookie jar whose contents can be thrown away at once.
#[derive(Default)]
struct ClearableJar(Mutex<Arc<Jar>>);

impl ClearableJar {
    fn current(&self) -> Arc<Jar> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl CookieStore for ClearableJar {
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, url: &reqwest::Url) {
        self.current().set_cookies(headers, url);
    }

    fn cookies(&self, url: &reqwest::Url) -> Option<HeaderValue> {
        self.current().cookies(url)
    }
}

/// What `/auth/me` said about the person.
#[derive(Debug, Clone)]
pub struct Me {
    pub github_id: i64,
    pub login: String,
}

impl Browser {
    pub fn new() -> Self {
        let jar = Arc::new(ClearableJar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("an HTTP client");
        Self {
            client,
            jar,
            address: Mutex::new(None),
        }
    }

    /// A browser at this address.
    pub fn at(address: String) -> Self {
        let browser = Self::new();
        browser.become_another(address);
        browser
    }

    /// Empties the cookie jar and moves to `address`: to the service, what follows comes
    /// from another browser.
    pub fn become_another(&self, address: String) {
        *self.jar.0.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(Jar::default());
        *self.address.lock().unwrap_or_else(PoisonError::into_inner) = Some(address);
    }

    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let request = self.client.request(method, url);
        match self
            .address
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_deref()
        {
            Some(address) => request.header("x-forwarded-for", address),
            None => request,
        }
    }

    pub async fn get(&self, url: &str) -> Result<reqwest::Response, String> {
        self.request(reqwest::Method::GET, url)
            .send()
            .await
            .map_err(|error| format!("GET {}: {error}", path_of(url)))
    }

    /// `GET /auth/github`; the authorize URL it redirects to.
    pub async fn start(&self, app: &TestApp) -> Result<String, String> {
        let response = self.get(&app.url("/auth/github")).await?;
        redirect_target("sign-in start", response).await
    }

    /// The stand-in's automatic decision (interactive mode off): the callback URL.
    pub async fn authorize(&self, authorize_url: &str) -> Result<String, String> {
        let response = self.get(authorize_url).await?;
        redirect_target("authorize", response).await
    }

    /// The stand-in's interactive sign-in page, answered as someone typing in their own
    /// login: the person is chosen by this request alone, so concurrent sign-ins cannot
    /// take each other's person (as they could through the shared `sign_in_as`).
    /// Returns the callback URL.
    pub async fn authorize_as(
        &self,
        app: &TestApp,
        authorize_url: &str,
        login: &str,
    ) -> Result<String, String> {
        let page = self.get(authorize_url).await?;
        let status = page.status();
        let html = page
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if status != 200 || !html {
            return Err(format!(
                "the sign-in page answered HTTP {status} (interactive mode on?)"
            ));
        }
        let form = nectr_github_standin::typed_in_approval(authorize_url, login)
            .map_err(|error| format!("authorize URL {authorize_url}: {error}"))?;
        let decided = self
            .request(
                reqwest::Method::POST,
                &format!("{}/login/oauth/authorize", app.github.web_url()),
            )
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|error| format!("POST the sign-in page: {error}"))?;
        redirect_target("the sign-in page", decided).await
    }

    /// `GET /auth/me`: the status, and who it names when it is 200.
    pub async fn me(&self, app: &TestApp) -> Result<(u16, Option<Me>, String), String> {
        let response = self.get(&app.url("/auth/me")).await?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|error| format!("/auth/me body: {error}"))?;
        if status != 200 {
            return Ok((status, None, body));
        }
        let json: serde_json::Value = serde_json::from_str(&body)
            .map_err(|error| format!("/auth/me is not JSON ({error}): {body}"))?;
        let me = json["github_id"]
            .as_i64()
            .zip(json["github_username"].as_str())
            .map(|(github_id, login)| Me {
                github_id,
                login: login.to_owned(),
            })
            .ok_or_else(|| format!("/auth/me lacks github_id or github_username: {body}"))?;
        Ok((status, Some(me), body))
    }
}

/// The `Location` of a 302, or what the answer was instead.
async fn redirect_target(step: &str, response: reqwest::Response) -> Result<String, String> {
    let status = response.status();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match (status.as_u16(), location) {
        (302, Some(location)) => Ok(location),
        _ => {
            let body = response.text().await.unwrap_or_default();
            Err(format!(
                "{step}: HTTP {status} instead of a redirect: {}",
                shorten(&body)
            ))
        }
    }
}

/// The path of a URL, without the query (which holds states and codes).
fn path_of(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// Enough of a body to recognise it in a failure message.
pub fn shorten(body: &str) -> String {
    body.chars().take(300).collect()
}

/// The `detail` of a JSON error body, if it is one.
pub fn detail_of(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get("detail")?
        .as_str()
        .map(str::to_owned)
}

/// Whether the service answered 502 because its GitHub client sent the request on a pooled
/// keep-alive connection that the other end was closing at that very moment ("connection
/// closed before message completed"). The stand-in closes connections idle for 5 s (actix's
/// default) and GitHub's servers close idle ones too; the service retries such a request once,
/// so the load tests require none of these, and name them apart when one happens.
pub fn lost_to_a_stale_connection(status: u16, body: &str) -> bool {
    status == 502 && body.contains("connection closed before message completed")
}
