//! Whole sign-ins, as a browser does them: `/auth/github`, GitHub's sign-in page, its form,
//! the callback. Used to get real session cookies of many people, and as a load of its own.

use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};

use crate::browser::Browser;
use crate::service::FRONTEND_URL;

/// Distinct failure messages kept for the report; the rest are only counted.
const FAILURES_KEPT: usize = 5;

/// Where the sign-in happens: the service and the stand-in's web root.
#[derive(Clone, Copy)]
pub struct Sites<'a> {
    pub backend_url: &'a str,
    pub github_web_url: &'a str,
}

/// One whole sign-in of the person `login` (a new GitHub login makes a new person) in a
/// browser with no cookies; the value of the `access_token` cookie it ends with.
pub async fn sign_in(browser: &Browser, sites: Sites<'_>, login: &str) -> Result<String, String> {
    browser.forget_cookies();
    let client = &browser.client;

    let start = send(
        client.get(format!("{}/auth/github", sites.backend_url)),
        "GET /auth/github",
    )
    .await?;
    let authorize_url = redirect_target("GET /auth/github", start).await?;

    let page = send(client.get(&authorize_url), "GET the GitHub sign-in page").await?;
    let status = page.status();
    let html = page
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if status != 200 || !html {
        return Err(format!(
            "the GitHub sign-in page answered HTTP {status} instead of the page"
        ));
    }
    // Drain the page so the connection can be reused.
    let _ = page.bytes().await;

    let form = nectr_github_standin::typed_in_approval(&authorize_url, login)
        .map_err(|e| format!("/auth/github redirected to an unparsable URL: {e}"))?;
    let decided = send(
        client
            .post(format!("{}/login/oauth/authorize", sites.github_web_url))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form),
        "POST the GitHub sign-in form",
    )
    .await?;
    let callback = redirect_target("POST the GitHub sign-in form", decided).await?;

    let landed = send(client.get(&callback), "GET /auth/github/callback").await?;
    let session = landed
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("access_token="))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let dashboard = format!("{FRONTEND_URL}/dashboard");
    let target = redirect_target("GET /auth/github/callback", landed).await?;
    if target != dashboard {
        return Err(format!(
            "the callback redirected to {} instead of {dashboard}",
            path_of(&target)
        ));
    }
    session.ok_or_else(|| "the callback set no access_token cookie".to_owned())
}

/// Signs in `count` people (`bench-user-000000` …), one browser per connection; their
/// session cookies in order. Any failure fails the whole: the load needs every cookie.
pub async fn sign_in_people(
    browsers: &[Browser],
    sites: Sites<'_>,
    count: usize,
) -> Result<Vec<String>, String> {
    let next = AtomicUsize::new(0);
    let results: Vec<(usize, Result<String, String>)> =
        futures_util::future::join_all(browsers.iter().map(|browser| async {
            let mut results = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break results;
                }
                // Same width for everyone, so every `/auth/me` answer has nearly one size.
                let login = format!("bench-user-{i:06}");
                results.push((i, sign_in(browser, sites, &login).await));
            }
        }))
        .await
        .into_iter()
        .flatten()
        .collect();
    let mut cookies = vec![String::new(); count];
    let mut failures = Vec::new();
    for (i, result) in results {
        match result {
            Ok(cookie) => cookies[i] = cookie,
            Err(why) => failures.push(format!("bench-user-{i:06}: {why}")),
        }
    }
    if failures.is_empty() {
        Ok(cookies)
    } else {
        Err(format!(
            "{} of {count} people could not sign in; the first: {}",
            failures.len(),
            failures[..failures.len().min(3)].join("; ")
        ))
    }
}

/// What a timed run of whole sign-ins did.
#[derive(Debug, Clone)]
pub struct SignInLoad {
    pub completed: usize,
    pub failed: usize,
    pub elapsed: Duration,
    /// Of each completed sign-in, sorted.
    pub latencies: Vec<Duration>,
    pub first_failures: Vec<String>,
}

/// For `duration`, every browser signs in one new person after another (logins
/// `{tag}-0`, `{tag}-1`, …). Sign-ins under way at the end are finished and counted; the
/// rate is over the time until the last one ends.
pub async fn load(
    browsers: &[Browser],
    sites: Sites<'_>,
    duration: Duration,
    tag: &str,
) -> SignInLoad {
    let next = AtomicUsize::new(0);
    let failures: Mutex<(usize, Vec<String>)> = Mutex::new((0, Vec::new()));
    let started = Instant::now();
    let deadline = started + duration;
    let mut latencies: Vec<Duration> =
        futures_util::future::join_all(browsers.iter().map(|browser| async {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let login = format!("{tag}-{}", next.fetch_add(1, Ordering::Relaxed));
                let began = Instant::now();
                match sign_in(browser, sites, &login).await {
                    Ok(_) => latencies.push(began.elapsed()),
                    Err(why) => {
                        let mut failures = failures.lock().unwrap_or_else(PoisonError::into_inner);
                        failures.0 += 1;
                        if failures.1.len() < FAILURES_KEPT && !failures.1.contains(&why) {
                            failures.1.push(why);
                        }
                    }
                }
            }
            latencies
        }))
        .await
        .into_iter()
        .flatten()
        .collect();
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let (failed, first_failures) = failures
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    SignInLoad {
        completed: latencies.len(),
        failed,
        elapsed,
        latencies,
        first_failures,
    }
}

async fn send(request: reqwest::RequestBuilder, step: &str) -> Result<reqwest::Response, String> {
    request
        .send()
        .await
        .map_err(|e| format!("{step}: {}", chain(&e.without_url())))
}

/// An error with its causes ("error sending request" alone says nothing).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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
        (302, Some(location)) => {
            let _ = response.bytes().await;
            Ok(location)
        }
        _ => {
            let body = response.text().await.unwrap_or_default();
            Err(format!(
                "{step}: HTTP {status} instead of a redirect: {}",
                body.chars().take(200).collect::<String>()
            ))
        }
    }
}

/// A URL without its query, which holds states and codes.
fn path_of(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}
