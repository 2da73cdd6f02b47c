//! A browser for the sign-in driver: follows no redirect by itself (each step is checked),
//! and keeps cookies in a jar that can be emptied, so one HTTP client plays a new browser
//! for each person. Building a client loads the system's TLS roots, which costs more than a
//! whole sign-in, so the driver builds one per connection and reuses it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderValue;

/// Longer than any answer may take, so a hang shows up as a failure, not a stall.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Below actix-web's keep-alive (5 s), which the service and the stand-in both use: a
/// connection left idle while wrk runs is dropped here before the server closes it, instead
/// of being reused just as the server closes it (a lost request, and a failed sign-in).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(2);

pub struct Browser {
    pub client: reqwest::Client,
    jar: Arc<ClearableJar>,
}

impl Browser {
    pub fn new() -> Result<Browser, String> {
        let jar = Arc::new(ClearableJar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .timeout(REQUEST_TIMEOUT)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Browser { client, jar })
    }

    /// From now on, to the service, requests come from another browser.
    pub fn forget_cookies(&self) {
        *self.jar.0.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(Jar::default());
    }
}

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
