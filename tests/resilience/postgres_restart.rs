//! PostgreSQL stopped and started again while people sign in and signed-in pages check
//! their sessions: during the outage every answer is a quick 503 naming PostgreSQL (never a
//! 500, never a hang), afterwards the service recovers by itself, and nobody who signed in
//! is lost or kept twice.
//!
//! The server is a private one (see `private_postgres`), since the shared server must stay
//! up for every other test.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use nectr_auth_tests::{Backend, TestApp};

use crate::browser::{
    Browser, DASHBOARD, address, detail_of, lost_to_a_stale_connection, shorten, world,
};
use crate::latency::Latencies;
use crate::private_postgres::PrivatePostgres;
use crate::stored;

/// Browsers signing in new people one after another.
const SIGNING_IN: usize = 8;
/// Browsers of people signed in before the outage, checking their sessions.
const WATCHING: usize = 4;
/// How long a signing-in browser waits after a failed attempt.
const RETRY_PAUSE: Duration = Duration::from_millis(50);
/// Sign-ins that must succeed before the stop, and again after the recovery.
const STEADY: usize = 20;
/// How long the server stays down at least (while the load goes on).
const OUTAGE: Duration = Duration::from_secs(3);
/// The slowest answer allowed at any time, outage included: "a few seconds", not a hang.
const ANSWERED_WITHIN: Duration = Duration::from_secs(6);
/// Deadline for each phase to reach what it waits for.
const PHASE_DEADLINE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_and_started_again_under_load() {
    let _alone = crate::one_at_a_time().await;
    let mut postgres = PrivatePostgres::start().await;
    let app = world(Backend::Postgres, vec![("DATABASE_URL", postgres.url())]).await;
    app.github.set_interactive(true);
    let log = Log::default();

    let (app, log) = (&app, &log);
    let watchers: Vec<(Browser, String)> =
        futures_util::future::join_all((0..WATCHING).map(|i| async move {
            let login = format!("watcher-{i}");
            let browser = Browser::at(address(100_000 + i));
            assert!(
                sign_in(app, &browser, &login, log).await,
                "{login} signs in before the outage"
            );
            (browser, login)
        }))
        .await;

    let stop_load = AtomicBool::new(false);
    let next_person = AtomicUsize::new(0);
    let signers = futures_util::future::join_all((0..SIGNING_IN).map(|_| async {
        let browser = Browser::new();
        // Bounded by count as well as by the stop signal.
        for _ in 0..5_000 {
            if stop_load.load(Ordering::SeqCst) {
                break;
            }
            let n = next_person.fetch_add(1, Ordering::SeqCst);
            browser.become_another(address(n));
            if !sign_in(app, &browser, &format!("steady-{n}"), log).await {
                // A person turned away tries again a moment later, not in a tight loop.
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }));
    let watching = futures_util::future::join_all(watchers.iter().map(|(browser, login)| async {
        for _ in 0..20_000 {
            if stop_load.load(Ordering::SeqCst) {
                break;
            }
            check_session(app, browser, login, log).await;
            // A page load now and then per person, not a flood.
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }));

    let scenario = async {
        let timeline = outage_and_recovery(app, &mut postgres, &watchers, log).await;
        stop_load.store(true, Ordering::SeqCst);
        timeline
    };
    let (timeline, _, _) = tokio::join!(scenario, signers, watching);

    let observations = log.observations();
    let mut latencies = Latencies::default();
    for o in &observations {
        latencies.push(o.took);
    }
    let outage_answers: Vec<&Observation> =
        observations.iter().filter(|o| o.status == 503).collect();
    eprintln!(
        "PostgreSQL stopped in {:.2?}; first 503 {:.2?} after the stop began; started again \
         in {:.2?}; /auth/me 200 again {:.2?} after the restart began ({:.2?} after the server \
         accepted connections); {} requests ({} answered 503, {} lost to a stale connection to \
         GitHub), {}; {} people signed in",
        timeline.stopping,
        timeline.first_503,
        timeline.starting,
        timeline.recovered_after_restart_began,
        timeline.recovered_after_server_ready,
        observations.len(),
        outage_answers.len(),
        observations.iter().filter(|o| o.stale).count(),
        latencies,
        log.signed_in().len(),
    );

    let problems = log.problems();
    assert!(
        problems.is_empty(),
        "{} problems; the first: {:#?}",
        problems.len(),
        &problems[..problems.len().min(10)]
    );
    let stale = observations.iter().filter(|o| o.stale).count();
    // The service retries a request whose pooled connection GitHub closed under it.
    assert_eq!(stale, 0, "callbacks lost to stale connections to GitHub");
    for o in observations.iter().filter(|o| !o.stale) {
        assert!(
            matches!(o.status, 200 | 302 | 503),
            "only success or a 503: {o:?}"
        );
        assert!(o.took < ANSWERED_WITHIN, "answered in a few seconds: {o:?}");
        if o.status == 503 {
            let detail = o
                .detail
                .as_deref()
                .unwrap_or_else(|| panic!("a JSON 503: {o:?}"));
            assert!(
                detail.contains("PostgreSQL"),
                "the 503 names PostgreSQL: {o:?}"
            );
            assert!(
                !detail.contains("postgres://"),
                "no URL in the detail: {o:?}"
            );
        }
        if o.sent >= timeline.recovered_at {
            assert!(
                matches!(o.status, 200 | 302),
                "every request after the recovery succeeds: {o:?}"
            );
        }
    }
    for request in [Request::Start, Request::Me] {
        assert!(
            outage_answers.iter().any(|o| o.request == request),
            "{request:?} met the outage"
        );
    }

    let users = stored::users(Backend::Postgres, &postgres.url()).await;
    let mut rows_per_login: HashMap<&str, usize> = HashMap::new();
    for user in &users {
        *rows_per_login.entry(user.login.as_str()).or_default() += 1;
    }
    let distinct: HashSet<i64> = users.iter().map(|u| u.github_id).collect();
    assert_eq!(distinct.len(), users.len(), "no GitHub id stored twice");
    for login in log.signed_in() {
        assert_eq!(
            rows_per_login.get(login.as_str()).copied(),
            Some(1),
            "{login}, who was sent to the dashboard, is kept exactly once"
        );
    }
}

/// When things happened, as the test saw them.
struct Timeline {
    stopping: Duration,
    first_503: Duration,
    starting: Duration,
    recovered_after_restart_began: Duration,
    recovered_after_server_ready: Duration,
    /// From here on, every request must succeed.
    recovered_at: Instant,
}

/// Steady load, then the stop, the outage, the restart and the recovery, each phase awaited
/// by polling with a deadline.
async fn outage_and_recovery(
    app: &TestApp,
    postgres: &mut PrivatePostgres,
    watchers: &[(Browser, String)],
    log: &Log,
) -> Timeline {
    wait_for("steady sign-ins before the stop", || {
        log.signed_in().len() >= WATCHING + STEADY
    })
    .await;

    let stop_began = Instant::now();
    postgres.stop().await;
    // The service runs on the test's clock, which stands still unless moved: move it past the
    // session cache's window (SESSION_CACHE_SECONDS, 2 by default), as the first seconds of a
    // real outage would, so the watchers' cached sessions are asked of the database again.
    app.clock.advance(2);
    let stopping = stop_began.elapsed();
    let stopped_at = Instant::now();
    // Held until every watcher has met the outage and at least OUTAGE has passed, so the
    // load runs into the stopped server for a while.
    wait_for("every watcher to meet the outage", || {
        stopped_at.elapsed() >= OUTAGE
            && watchers
                .iter()
                .all(|(_, login)| log.saw_503_after(login, stopped_at))
    })
    .await;
    let first_503 = log
        .first_503_after(stop_began)
        .map(|at| at.duration_since(stop_began))
        .unwrap_or_default();

    let restart_began = Instant::now();
    postgres.start_again().await;
    let server_ready = Instant::now();
    let starting = server_ready.duration_since(restart_began);
    // A session check of our own, so the moment of recovery is not left to the load.
    let (probe, login) = watchers.first().expect("a watcher");
    let deadline = Instant::now() + PHASE_DEADLINE;
    let recovered_at = loop {
        let (status, _, body) = probe.me(app).await.expect("/auth/me answers");
        if status == 200 {
            break Instant::now();
        }
        assert_eq!(status, 503, "{login} while recovering: {body}");
        assert!(
            Instant::now() < deadline,
            "no recovery within {PHASE_DEADLINE:?} of the restart"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let signed_in_before = log.signed_in().len();
    wait_for("steady sign-ins after the recovery", || {
        log.signed_in().len() >= signed_in_before + STEADY
    })
    .await;
    Timeline {
        stopping,
        first_503,
        starting,
        recovered_after_restart_began: recovered_at.duration_since(restart_began),
        recovered_after_server_ready: recovered_at.duration_since(server_ready),
        recovered_at,
    }
}

async fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + PHASE_DEADLINE;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "waited {PHASE_DEADLINE:?} for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Start,
    Callback,
    Me,
}

/// One request to the service and its answer.
#[derive(Debug, Clone)]
struct Observation {
    request: Request,
    login: String,
    sent: Instant,
    took: Duration,
    status: u16,
    /// The `detail` of a JSON error body.
    detail: Option<String>,
    /// The start of any other body, to show in a failure.
    #[expect(dead_code, reason = "read through Debug, in failure messages")]
    other_body: Option<String>,
    /// Lost to a stale connection to GitHub (see `browser::lost_to_a_stale_connection`).
    stale: bool,
}

/// Everything the load saw, shared by the concurrent browsers.
#[derive(Default)]
struct Log {
    observations: Mutex<Vec<Observation>>,
    /// People whose callback sent them to the dashboard.
    signed_in: Mutex<Vec<String>>,
    /// Anything that is wrong whatever the database does: no answer, the stand-in failing, a
    /// lost session, someone else's name.
    problems: Mutex<Vec<String>>,
}

impl Log {
    fn observations(&self) -> Vec<Observation> {
        lock(&self.observations).clone()
    }

    fn signed_in(&self) -> Vec<String> {
        lock(&self.signed_in).clone()
    }

    fn problems(&self) -> Vec<String> {
        lock(&self.problems).clone()
    }

    fn problem(&self, what: String) {
        lock(&self.problems).push(what);
    }

    fn saw_503_after(&self, login: &str, since: Instant) -> bool {
        lock(&self.observations)
            .iter()
            .any(|o| o.login == login && o.status == 503 && o.sent >= since)
    }

    fn first_503_after(&self, since: Instant) -> Option<Instant> {
        lock(&self.observations)
            .iter()
            .filter(|o| o.status == 503 && o.sent >= since)
            .map(|o| o.sent + o.took)
            .min()
    }

    /// Sends a request, records the answer; `None` when there was none.
    async fn send(
        &self,
        request: Request,
        login: &str,
        browser: &Browser,
        url: &str,
    ) -> Option<(u16, Option<String>, String)> {
        let sent = Instant::now();
        let answer = match browser.get(url).await {
            Ok(response) => {
                let status = response.status().as_u16();
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = response.text().await.unwrap_or_default();
                Some((status, location, body))
            }
            Err(error) => {
                self.problem(format!("{login}: {request:?}: {error}"));
                None
            }
        };
        if let Some((status, _, body)) = &answer {
            lock(&self.observations).push(Observation {
                request,
                login: login.to_owned(),
                sent,
                took: sent.elapsed(),
                status: *status,
                detail: detail_of(body),
                other_body: (detail_of(body).is_none() && *status >= 400).then(|| shorten(body)),
                stale: lost_to_a_stale_connection(*status, body),
            });
        }
        answer
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One sign-in, recorded step by step; `true` when it reached the dashboard. A step the
/// outage refuses ends the attempt, as a person would give up and try later.
async fn sign_in(app: &TestApp, browser: &Browser, login: &str, log: &Log) -> bool {
    let Some((status, location, _)) = log
        .send(Request::Start, login, browser, &app.url("/auth/github"))
        .await
    else {
        return false;
    };
    let Some(authorize) = location.filter(|_| status == 302) else {
        return false;
    };
    let callback = match browser.authorize_as(app, &authorize, login).await {
        Ok(callback) => callback,
        Err(why) => {
            log.problem(format!("{login}: the stand-in: {why}"));
            return false;
        }
    };
    let Some((status, location, _)) = log.send(Request::Callback, login, browser, &callback).await
    else {
        return false;
    };
    if status != 302 {
        return false;
    }
    if location.as_deref() != Some(DASHBOARD) {
        log.problem(format!("{login}: the callback sent them to {location:?}"));
        return false;
    }
    lock(&log.signed_in).push(login.to_owned());
    check_session(app, browser, login, log).await;
    true
}

/// `/auth/me` in the browser of someone who signed in: 200 naming them, or a 503 while the
/// database is away; a 401 would mean their session was lost.
async fn check_session(app: &TestApp, browser: &Browser, login: &str, log: &Log) {
    let Some((status, _, body)) = log
        .send(Request::Me, login, browser, &app.url("/auth/me"))
        .await
    else {
        return;
    };
    match status {
        200 => {
            let named = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|me| me["github_username"].as_str().map(str::to_owned));
            if named.as_deref() != Some(login) {
                log.problem(format!("{login}: /auth/me named {named:?}"));
            }
        }
        401 => log.problem(format!("{login}: the session was lost: {body}")),
        _ => {}
    }
}
