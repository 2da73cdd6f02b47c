//! Many distinct people sign in at once: every one of them lands on the dashboard, is kept
//! exactly once, and has a sealed token that opens to a live token GitHub issued to them.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use nectr_auth_tests::{Backend, CLIENT_ID, TestApp};

use crate::browser::{Browser, DASHBOARD, address, lost_to_a_stale_connection, shorten, world};
use crate::stored::{self, Opener};

on_both_databases!(many_people_sign_in_at_once);

/// People signed in by default; `LOAD_USERS` overrides it. The stand-in derives the GitHub
/// id of a typed-in person from a hash of the login (modulo 10⁹), so with some 10⁴ people or
/// more two logins may share an id, which the test reports as such; these 2000 do not.
const DEFAULT_USERS: usize = 2000;
/// Sign-ins in flight at any moment (one per browser).
const IN_FLIGHT: usize = 64;

fn users() -> usize {
    match std::env::var("LOAD_USERS") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("LOAD_USERS must be a whole number, not {text:?}")),
        _ => DEFAULT_USERS,
    }
}

/// How one person's sign-in ended.
enum Outcome {
    /// On the dashboard, and `/auth/me` named them with this GitHub id.
    SignedIn {
        login: String,
        github_id: i64,
    },
    /// The service lost the race for a stale connection to GitHub (see
    /// `browser::lost_to_a_stale_connection`).
    StaleConnection {
        login: String,
    },
    Failed(String),
}

async fn many_people_sign_in_at_once(backend: Backend) {
    let n = users();
    assert!(n > 0, "LOAD_USERS must be at least 1");
    let app = world(backend, vec![]).await;
    app.github.set_interactive(true);

    // Built before the clock starts: building clients is the test's cost, not the service's.
    let browsers: Vec<Browser> = (0..IN_FLIGHT.min(n)).map(|_| Browser::new()).collect();
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let outcomes: Vec<Outcome> =
        futures_util::future::join_all(browsers.iter().map(|browser| async {
            let mut outcomes = Vec::new();
            // Each browser signs in one person after another, with its cookies cleared in
            // between, until everyone has had a turn.
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break outcomes;
                }
                browser.become_another(address(i));
                outcomes.push(sign_in(&app, browser, format!("user-{i}")).await);
            }
        }))
        .await
        .into_iter()
        .flatten()
        .collect();
    let took = started.elapsed();

    let mut people = HashMap::new();
    let mut stale = Vec::new();
    let mut failures = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::SignedIn { login, github_id } => {
                if let Some(other) = people.insert(github_id, login.clone()) {
                    failures.push(format!("{login} and {other} share GitHub id {github_id}"));
                }
            }
            Outcome::StaleConnection { login } => stale.push(login),
            Outcome::Failed(why) => failures.push(why),
        }
    }
    eprintln!(
        "{backend:?}: {n} sign-ins, {} in flight, in {took:.2?}: {:.1} sign-ins/s; \
         {} lost to a stale connection to GitHub",
        browsers.len(),
        n as f64 / took.as_secs_f64(),
        stale.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {n} sign-ins failed; the first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    // The service retries a request whose pooled connection GitHub closed under it.
    assert!(
        stale.is_empty(),
        "{} sign-ins lost to stale connections: {stale:?}",
        stale.len()
    );
    let signed_in = people.len();
    assert_eq!(signed_in + stale.len(), n);

    let users = stored::users(backend, &app.database_url).await;
    assert_eq!(users.len(), signed_in, "one row per person signed in");
    let distinct: HashSet<i64> = users.iter().map(|u| u.github_id).collect();
    assert_eq!(distinct.len(), signed_in, "no GitHub id stored twice");
    let stored_logins: HashSet<&str> = users.iter().map(|u| u.login.as_str()).collect();
    for login in &stale {
        assert!(
            !stored_logins.contains(login.as_str()),
            "{login}, told the sign-in failed, is not kept"
        );
    }

    let opener = Opener::new(app.var("SECRET_KEY").expect("the service's SECRET_KEY"));
    let issued: HashSet<String> = app.github.issued_tokens().into_iter().collect();
    let mut tokens = HashSet::new();
    for user in &users {
        assert_eq!(
            people.get(&user.github_id),
            Some(&user.login),
            "the row of GitHub id {} is the person who signed in with it",
            user.github_id
        );
        let token = opener
            .open(user)
            .unwrap_or_else(|why| panic!("the token of {} does not open: {why}", user.login));
        assert!(
            issued.contains(&token),
            "the token of {} was issued by GitHub",
            user.login
        );
        assert!(
            app.github.is_token_live(&token),
            "the token of {} is live",
            user.login
        );
        assert!(
            app.github
                .live_tokens(CLIENT_ID, user.github_id)
                .contains(&token),
            "the token of {} is theirs",
            user.login
        );
        tokens.insert(token);
    }
    assert_eq!(
        tokens.len(),
        signed_in,
        "every person has a token of their own"
    );
    assert_eq!(
        app.count("sessions").await,
        i64::try_from(signed_in).expect("fits"),
        "one session per browser"
    );
    assert_eq!(
        app.count("oauth_states").await,
        0,
        "every state was consumed"
    );
}

/// One whole sign-in, then `/auth/me` in the same browser.
async fn sign_in(app: &TestApp, browser: &Browser, login: String) -> Outcome {
    match signed_in(app, browser, &login).await {
        Ok(Some(github_id)) => Outcome::SignedIn { login, github_id },
        Ok(None) => Outcome::StaleConnection { login },
        Err(why) => Outcome::Failed(format!("{login}: {why}")),
    }
}

/// The GitHub id `/auth/me` names after the sign-in; `None` when the callback lost the
/// stale-connection race.
async fn signed_in(app: &TestApp, browser: &Browser, login: &str) -> Result<Option<i64>, String> {
    let authorize_url = browser.start(app).await?;
    let callback = browser.authorize_as(app, &authorize_url, login).await?;
    let landed = browser.get(&callback).await?;
    let status = landed.status().as_u16();
    let location = landed
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if status != 302 || location.as_deref() != Some(DASHBOARD) {
        let body = landed.text().await.unwrap_or_default();
        if lost_to_a_stale_connection(status, &body) {
            return Ok(None);
        }
        return Err(format!(
            "callback answered HTTP {status} to {location:?}: {}",
            shorten(&body)
        ));
    }
    match browser.me(app).await? {
        (200, Some(me), _) if me.login == login => Ok(Some(me.github_id)),
        (status, me, body) => Err(format!(
            "/auth/me answered HTTP {status} naming {me:?}: {}",
            shorten(&body)
        )),
    }
}
