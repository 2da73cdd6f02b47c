//! A flood of sign-in starts, each of which may store a state: the service keeps answering
//! session checks quickly, answers every start with a redirect or a JSON refusal (never a
//! 500), and a real person can still sign in afterwards.
//!
//! Two floods: from one address (a script), and from a different address per request (a
//! botnet, or a crowd behind many addresses), which reaches the database every time. The
//! tests do not rely on any particular protection: a start may be admitted (302), refused
//! by a per-address limit (429) or by a cap on attempts in progress (503 "Too many
//! sign-ins"); whatever the mix, the state table holds exactly one row per admitted start.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use nectr_auth_tests::{Backend, TestApp};

use crate::browser::{Browser, DASHBOARD, address, detail_of, shorten, world};
use crate::latency::{Latencies, while_checking_session};

on_both_databases!(flood_from_one_address, flood_from_many_addresses);

/// Sign-in starts in a flood.
const STARTS: usize = 5000;
/// Starts in flight at once.
const IN_FLIGHT: usize = 64;

/// How slow a session check may get at the 99th percentile while the flood runs (one HTTP
/// worker shares its time with 64 starts in flight) and once it is over.
const CHECK_P99_DURING: Duration = Duration::from_secs(1);
const CHECK_AFTER: Duration = Duration::from_millis(250);

async fn flood_from_one_address(backend: Backend) {
    flood(backend, |_| None).await;
}

async fn flood_from_many_addresses(backend: Backend) {
    flood(backend, |i| Some(address(i))).await;
}

/// What the flood got back, by status.
#[derive(Debug, Default)]
struct Tally {
    by_status: BTreeMap<u16, usize>,
    /// Answers that are none of the acceptable ones.
    unexpected: Vec<String>,
}

async fn flood(backend: Backend, from: impl Fn(usize) -> Option<String>) {
    let app = world(backend, vec![]).await;
    app.signed_in().await;
    // A script, not a browser: no cookies, so every start is a new attempt.
    let script = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");

    let started = Instant::now();
    let flood = futures_util::stream::iter(0..STARTS)
        .map(|i| {
            let mut request = script.get(app.url("/auth/github"));
            if let Some(address) = from(i) {
                request = request.header("x-forwarded-for", address);
            }
            async move { classify(request.send().await).await }
        })
        .buffer_unordered(IN_FLIGHT)
        .fold(Tally::default(), |mut tally, answer| async move {
            match answer {
                Ok(status) => *tally.by_status.entry(status).or_default() += 1,
                Err(why) => tally.unexpected.push(why),
            }
            tally
        });
    let (tally, during) = while_checking_session(&app, flood).await;
    let took = started.elapsed();

    let after = checks_after(&app).await;
    let states_after_flood = app.count("oauth_states").await;
    eprintln!(
        "{backend:?}: {STARTS} starts, {IN_FLIGHT} in flight, in {took:.2?} ({:.0}/s): \
         {:?}; states stored: {states_after_flood}; /auth/me during: {during}; after: {after}",
        STARTS as f64 / took.as_secs_f64(),
        tally.by_status
    );

    assert!(
        tally.unexpected.is_empty(),
        "{} unexpected answers; the first: {:#?}",
        tally.unexpected.len(),
        &tally.unexpected[..tally.unexpected.len().min(5)]
    );
    let admitted = tally.by_status.get(&302).copied().unwrap_or_default();
    assert_eq!(
        states_after_flood,
        i64::try_from(admitted).expect("fits"),
        "one state per admitted start, none for a refused one"
    );
    assert!(
        during.percentile(99) < CHECK_P99_DURING,
        "session checks during the flood: {during}"
    );
    assert!(
        after.max() < CHECK_AFTER,
        "session checks after the flood: {after}"
    );

    // Someone else, from an address of their own, signs in as usual.
    let person = Browser::at("192.0.2.200".to_owned());
    let authorize = person.start(&app).await.expect("a real sign-in starts");
    let callback = person.authorize(&authorize).await.expect("GitHub approves");
    let landed = person.get(&callback).await.expect("the callback answers");
    assert_eq!(landed.status(), 302);
    assert_eq!(
        landed
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some(DASHBOARD)
    );
    let (status, me, body) = person.me(&app).await.expect("/auth/me answers");
    assert_eq!(status, 200, "{body}");
    assert_eq!(me.map(|m| m.login).as_deref(), Some("octocat"));
}

/// The status of an acceptable answer to a start, or why it is not acceptable.
async fn classify(sent: reqwest::Result<reqwest::Response>) -> Result<u16, String> {
    let response = sent.map_err(|error| format!("no answer: {error}"))?;
    let status = response.status().as_u16();
    let has_location = response.headers().contains_key("location");
    let retry_after = response.headers().contains_key("retry-after");
    let body = response.text().await.unwrap_or_default();
    let detail = detail_of(&body).unwrap_or_default();
    let acceptable = match status {
        302 => has_location,
        429 => retry_after && detail.contains("Too many"),
        503 => retry_after && detail.contains("Too many sign-ins"),
        _ => false,
    };
    if acceptable {
        Ok(status)
    } else {
        Err(format!("HTTP {status}: {}", shorten(&body)))
    }
}

/// Session checks once the flood is over, one after another.
async fn checks_after(app: &TestApp) -> Latencies {
    let mut latencies = Latencies::default();
    for _ in 0..20 {
        let started = Instant::now();
        let status = app.get("/auth/me").await.status();
        latencies.push(started.elapsed());
        assert_eq!(status, 200, "the session check answers after the flood");
    }
    latencies
}
