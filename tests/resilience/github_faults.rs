//! GitHub misbehaving while many callbacks arrive at once: each callback gets the right error
//! (504 for a hang, 502 for an error status or garbage) in bounded time, never a 500, and
//! session checks, which do not need GitHub, stay fast meanwhile.

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use nectr_auth_tests::{Backend, TestApp};
use nectr_github_standin::{Endpoint, Fault};

use crate::browser::{Browser, address, detail_of, shorten, world};
use crate::latency::{Latencies, while_checking_session};

on_both_databases!(
    callbacks_pile_up_on_a_hanging_token_endpoint,
    broken_github_answers_are_502_under_concurrency,
);

/// Callbacks in flight at once.
const CALLBACKS: usize = 50;

/// The service's GitHub request timeout in tests is 2 s; everything must be answered well
/// within this even on a busy machine.
const ANSWERED_WITHIN: Duration = Duration::from_secs(10);

/// A session check may take this long at the 99th percentile while GitHub misbehaves.
const SESSION_CHECK_P99: Duration = Duration::from_secs(1);

async fn callbacks_pile_up_on_a_hanging_token_endpoint(backend: Backend) {
    let app = world(backend, vec![]).await;
    app.signed_in().await;
    let browsers = browsers();
    let pending = callbacks_waiting(&app, &browsers, 0).await;
    let exchanges_before = app.github.requests_to(Endpoint::AccessToken).len();
    app.github.set_fault(Endpoint::AccessToken, Fault::Hang);

    let (answers, checks) = while_checking_session(&app, fire(&pending)).await;

    let slowest = answers.iter().map(|a| a.took).max().unwrap_or_default();
    eprintln!(
        "{backend:?}: {CALLBACKS} callbacks on a hanging token endpoint: slowest {slowest:.2?}; \
         /auth/me meanwhile: {checks}"
    );
    for answer in &answers {
        assert_eq!(answer.status, 504, "{answer:?}");
        assert!(
            answer
                .detail
                .as_deref()
                .is_some_and(|d| d.contains("GitHub")),
            "{answer:?}"
        );
        assert!(answer.took < ANSWERED_WITHIN, "{answer:?}");
    }
    // The callbacks take the 2 s timeout, time for dozens of checks.
    assert_session_checks_stayed_fast(&checks, 10);
    assert_eq!(
        app.github.requests_to(Endpoint::AccessToken).len(),
        exchanges_before + CALLBACKS,
        "one exchange per callback: a timed-out exchange is not retried"
    );
    assert_eq!(app.count("sessions").await, 1, "only the session checker's");
}

async fn broken_github_answers_are_502_under_concurrency(backend: Backend) {
    let app = world(backend, vec![]).await;
    app.signed_in().await;
    let browsers = browsers();
    for (round, (endpoint, fault)) in [
        (Endpoint::AccessToken, Fault::Status(502)),
        (Endpoint::AccessToken, Fault::Garbage),
        (Endpoint::User, Fault::Status(502)),
        (Endpoint::User, Fault::Garbage),
    ]
    .into_iter()
    .enumerate()
    {
        app.github.clear_faults();
        let pending = callbacks_waiting(&app, &browsers, round).await;
        app.github.set_fault(endpoint, fault.clone());
        let (answers, checks) = while_checking_session(&app, fire(&pending)).await;
        eprintln!("{backend:?}: {fault:?} from {endpoint:?}: /auth/me meanwhile: {checks}");
        for answer in &answers {
            assert_eq!(
                answer.status, 502,
                "{fault:?} from {endpoint:?}: {answer:?}"
            );
            assert!(
                answer
                    .detail
                    .as_deref()
                    .is_some_and(|d| d.contains("GitHub")),
                "{fault:?} from {endpoint:?}: {answer:?}"
            );
            assert!(answer.took < ANSWERED_WITHIN, "{answer:?}");
        }
        // Broken answers come back at once, so the callbacks may leave time for one check.
        assert_session_checks_stayed_fast(&checks, 1);
    }
    assert_eq!(app.count("users").await, 1, "only the session checker");
    assert_eq!(app.count("sessions").await, 1);
}

/// A browser that has been to GitHub and holds the callback URL it was sent back with.
struct Pending<'b> {
    browser: &'b Browser,
    callback: String,
}

/// The service's answer to one callback.
#[derive(Debug)]
struct Answer {
    status: u16,
    detail: Option<String>,
    took: Duration,
}

/// One browser per callback in flight, built once per test (building one is slow).
fn browsers() -> Vec<Browser> {
    (0..CALLBACKS).map(|_| Browser::new()).collect()
}

/// A sign-in per browser taken up to the callback, each as a new browser at an address of
/// its own for this `round`, while GitHub still behaves.
async fn callbacks_waiting<'b>(
    app: &TestApp,
    browsers: &'b [Browser],
    round: usize,
) -> Vec<Pending<'b>> {
    futures_util::stream::iter(browsers.iter().enumerate())
        .map(|(i, browser)| async move {
            browser.become_another(address(round * browsers.len() + i));
            let authorize = browser.start(app).await.expect("sign-in starts");
            let callback = browser
                .authorize(&authorize)
                .await
                .expect("GitHub approves");
            Pending { browser, callback }
        })
        .buffer_unordered(16)
        .collect()
        .await
}

/// Follows every pending callback at once.
async fn fire(pending: &[Pending<'_>]) -> Vec<Answer> {
    futures_util::future::join_all(pending.iter().map(|p| async move {
        let started = Instant::now();
        match p.browser.get(&p.callback).await {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                Answer {
                    status,
                    detail: detail_of(&body).or_else(|| Some(shorten(&body))),
                    took: started.elapsed(),
                }
            }
            Err(error) => Answer {
                status: 0,
                detail: Some(error),
                took: started.elapsed(),
            },
        }
    }))
    .await
}

fn assert_session_checks_stayed_fast(checks: &Latencies, at_least: usize) {
    assert!(
        checks.len() >= at_least,
        "the session was checked while the callbacks were pending: {checks}"
    );
    assert!(
        checks.percentile(99) < SESSION_CHECK_P99,
        "session checks stayed fast: {checks}"
    );
}
