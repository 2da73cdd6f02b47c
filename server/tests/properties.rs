//! Property tests of the server's parsers of outside input: configuration values
//! (`Settings::from_vars`), and the callback query and cookies as the running service reads
//! them over HTTP, where no request may cause a 5xx or an answer without a JSON `detail`.

use std::collections::HashMap;
use std::net::TcpListener;
use std::time::Duration;

use nectr_application::ports::SessionSigner;
use nectr_auth::settings::{KNOWN_VARIABLES, Problems, Settings};
use nectr_auth::{Application, BINDING_COOKIE, Overrides, SESSION_COOKIE};
use nectr_crypto::{JwtSessionSigner, Keyring, SecretKey};
use nectr_domain::{SessionClaims, SessionId, Timestamp, UserId};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::header::{CONTENT_TYPE, COOKIE};

// ---------------------------------------------------------------------------------------------
// Configuration values
// ---------------------------------------------------------------------------------------------

/// The numeric settings and their documented ranges.
const NUMBERS: [(&str, i128, i128); 4] = [
    ("PORT", 0, 65_535),
    ("DATABASE_MAX_CONNECTIONS", 1, 1000),
    ("ACCESS_TOKEN_EXPIRE_MINUTES", 1, 525_600),
    ("OAUTH_STATE_TTL_SECONDS", 30, 3600),
];

fn vars(pairs: &[(&str, String)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

/// Values an operator (or a broken deployment script) might set: anything at all, and text
/// close to what each kind of setting expects.
fn any_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..80)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        "[ \\t]{0,2}-?[0-9]{1,25}[ \\t]{0,2}",
        "(true|false|yes|no|on|off|1|0|TRUE|maybe)",
        "(development|production|Production|text|json)",
        "(http|https|ftp|HTTP)://[a-z0-9.-]{0,12}(:[0-9]{1,6})?(/[a-z0-9%.]{0,6}){0,3}/?[?#]?",
        "(sqlite:|sqlite://|postgres://|postgresql://)[a-z:/?=.@]{0,20}",
        "[A-Za-z0-9+/_-]{40,46}={0,2}(,[A-Za-z0-9+/_-]{0,44})?",
        "[a-z_:=,\\[\\]{}\"*.0-9]{0,30}",
        Just(String::new()),
        Just(SecretKey::generate().encode()),
    ]
}

/// Every known variable, each unset or set to some value.
fn any_vars() -> impl Strategy<Value = HashMap<String, String>> {
    proptest::collection::vec(proptest::option::of(any_value()), KNOWN_VARIABLES.len()).prop_map(
        |values| {
            KNOWN_VARIABLES
                .iter()
                .zip(values)
                .filter_map(|(name, value)| Some(((*name).to_owned(), value?)))
                .collect()
        },
    )
}

/// An absolute http(s) URL in canonical form, without trailing slash.
fn canonical_url() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("http"), Just("https")],
        prop_oneof![
            "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9]{1,5}){0,2}",
            (1_u8..=254, any::<u8>(), any::<u8>(), 1_u8..=254)
                .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        ],
        proptest::option::of(1024_u16..=65_535),
        proptest::collection::vec("[A-Za-z0-9._~-]{1,8}", 0..3),
    )
        .prop_map(|(scheme, host, port, segments)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let path: String = segments.iter().map(|s| format!("/{s}")).collect();
            format!("{scheme}://{host}{port}{path}")
        })
        .prop_filter("no dot segment or punycode", |url| {
            !url.contains("xn--")
                && !url.ends_with("/.")
                && !url.ends_with("/..")
                && !url.contains("/./")
                && !url.contains("/../")
        })
}

/// `problems` as one line each: the setting's name, a space, and the message.
fn check_problems(problems: &Problems) -> Result<(), TestCaseError> {
    for problem in &problems.0 {
        let line = problem.to_string();
        prop_assert!(
            KNOWN_VARIABLES.contains(&problem.setting.as_str()),
            "unknown setting in {:?}",
            line
        );
        prop_assert!(
            line.starts_with(&format!("{} ", problem.setting)),
            "{:?}",
            line
        );
        prop_assert!(
            !line.contains(['\n', '\r']),
            "more than one line: {:?}",
            line
        );
        prop_assert!(!problem.message.trim().is_empty(), "{:?}", line);
    }
    prop_assert_eq!(problems.to_string().lines().count(), problems.0.len());
    Ok(())
}

fn problem_for<'a>(problems: &'a Problems, setting: &str) -> Option<&'a str> {
    problems
        .0
        .iter()
        .find(|p| p.setting == setting)
        .map(|p| p.message.as_str())
}

proptest! {
    #[test]
    fn settings_never_panic_and_report_one_line_per_problem(vars in any_vars()) {
        let (_, problems) = Settings::parse_all(&vars);
        check_problems(&problems)?;
        match Settings::from_vars(&vars) {
            Ok(_) => prop_assert!(problems.0.is_empty()),
            Err(reported) => prop_assert_eq!(reported, problems),
        }
    }

    #[test]
    fn urls_with_a_trailing_slash_are_refused(
        url in canonical_url(),
        slashes in "/{1,3}",
        setting in prop_oneof![Just("BACKEND_URL"), Just("FRONTEND_URL")],
    ) {
        let problems = Settings::from_vars(&vars(&[(setting, format!("{url}{slashes}"))])).err();
        let problems =
            problems.ok_or_else(|| TestCaseError::fail(format!("{url}{slashes} accepted")))?;
        check_problems(&problems)?;
        prop_assert!(problem_for(&problems, setting).is_some(), "{}", problems);
        prop_assert_eq!(problems.0.len(), 1, "{}", problems);
    }

    #[test]
    fn urls_without_a_trailing_slash_are_accepted(url in canonical_url()) {
        let settings = Settings::from_vars(&vars(&[
            ("BACKEND_URL", url.clone()),
            ("FRONTEND_URL", url.clone()),
        ]));
        let settings = settings.map_err(|p| TestCaseError::fail(p.to_string()))?;
        prop_assert_eq!(settings.callback_url(), format!("{url}/auth/github/callback"));
        prop_assert_eq!(settings.dashboard_url(), format!("{url}/dashboard"));
    }

    #[test]
    fn numbers_are_accepted_exactly_within_their_range(
        which in 0..NUMBERS.len(),
        value in prop_oneof![
            any::<i128>(),
            -5_i128..=5,
            25_i128..=35,
            995_i128..=1005,
            3595_i128..=3605,
            65_530_i128..=65_540,
            525_595_i128..=525_605,
            prop_oneof![Just(i128::from(i64::MAX)), Just(i128::from(u64::MAX))]
                .prop_flat_map(|b| (b - 2)..=(b + 2)),
        ],
        before in "[ \\t]{0,2}",
        after in "[ \\t]{0,2}",
    ) {
        let (setting, min, max) = NUMBERS[which];
        let parsed = Settings::from_vars(&vars(&[(setting, format!("{before}{value}{after}"))]));
        if (min..=max).contains(&value) {
            let settings = parsed.map_err(|p| TestCaseError::fail(p.to_string()))?;
            let kept = match setting {
                "PORT" => i128::from(settings.port),
                "DATABASE_MAX_CONNECTIONS" => i128::try_from(settings.database_max_connections)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?,
                "ACCESS_TOKEN_EXPIRE_MINUTES" => i128::from(settings.session_ttl_minutes),
                _ => i128::from(settings.state_ttl_seconds),
            };
            prop_assert_eq!(kept, value);
        } else {
            let problems =
                parsed.err().ok_or_else(|| TestCaseError::fail(format!("{value} accepted")))?;
            check_problems(&problems)?;
            prop_assert!(problem_for(&problems, setting).is_some(), "{}", problems);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The running service
// ---------------------------------------------------------------------------------------------

/// One running instance on SQLite, for all the cases of one test. Nothing it is configured
/// with points off this machine: GitHub's URLs lead to a closed local port.
struct Service {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    base: String,
    secret_key: String,
    _dir: tempfile::TempDir,
}

impl Service {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("a bound listener").port();
        let base = format!("http://127.0.0.1:{port}");
        let secret_key = SecretKey::generate().encode();
        let vars = vars(&[
            ("BACKEND_URL", base.clone()),
            (
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("properties.db").display()),
            ),
            ("GITHUB_CLIENT_ID", "Iv1.properties".to_owned()),
            ("GITHUB_CLIENT_SECRET", "properties-secret".to_owned()),
            ("GITHUB_URL", "http://127.0.0.1:9".to_owned()),
            ("GITHUB_API_URL", "http://127.0.0.1:9".to_owned()),
            ("SECRET_KEY", secret_key.clone()),
            // On, so requests to the internal API reach its checks.
            ("INTERNAL_API_TOKENS", "i".repeat(40)),
        ]);
        let mut settings = Settings::from_vars(&vars).expect("valid test settings");
        settings.workers = 1;
        let client = runtime.block_on(async {
            let app = Application::build_with(
                settings,
                Overrides {
                    listener: Some(listener),
                    ..Overrides::default()
                },
            )
            .await
            .expect("the service starts");
            tokio::spawn(app.run_until_stopped());
            reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .expect("an HTTP client")
        });
        Self {
            runtime,
            client,
            base,
            secret_key,
            _dir: dir,
        }
    }

    /// Sends one request; the status and the body parsed as JSON.
    fn send(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        cookie: Option<&str>,
    ) -> Result<(reqwest::StatusCode, serde_json::Value), TestCaseError> {
        let url = format!("{}{path_and_query}", self.base);
        self.runtime.block_on(async {
            let mut request = self.client.request(method, &url);
            if let Some(cookie) = cookie {
                request = request.header(COOKIE, cookie);
            }
            let response = request
                .send()
                .await
                .map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
            let status = response.status();
            let json = response
                .headers()
                .get(CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
            let body = response
                .bytes()
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(json, "HTTP {} without a JSON body: {:?}", status, body);
            let body = serde_json::from_slice(&body)
                .map_err(|e| TestCaseError::fail(format!("HTTP {status}: {e}: {body:?}")))?;
            Ok((status, body))
        })
    }

    /// A session token for `claims` signed with this instance's own key, as if it had issued
    /// it: it verifies, so what it names is looked up in the database.
    fn own_token(&self, claims: &SessionClaims) -> String {
        let key = SecretKey::parse(&self.secret_key).expect("the configured key");
        JwtSessionSigner::new(&Keyring::new(key, vec![])).sign(claims)
    }
}

/// A refusal: 4xx with a non-empty `detail`.
fn assert_refused(
    status: reqwest::StatusCode,
    body: &serde_json::Value,
) -> Result<(), TestCaseError> {
    prop_assert!(status.is_client_error(), "HTTP {}: {}", status, body);
    let detail = body.get("detail").and_then(serde_json::Value::as_str);
    prop_assert!(
        detail.is_some_and(|d| !d.trim().is_empty()),
        "HTTP {}: {}",
        status,
        body
    );
    Ok(())
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Percent-encodes every byte outside the unreserved set.
fn percent_encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Arbitrary bytes as a query: characters a URL may carry literally (separators and stray
/// `%` included) stay as they are, everything else is percent-encoded.
fn byte_soup(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn query_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        "[A-Za-z0-9_-]{43}".prop_map(String::into_bytes),
        "(access_denied|redirect_uri_mismatch|application_suspended|server_error)"
            .prop_map(String::into_bytes),
        any::<String>().prop_map(String::into_bytes),
    ]
}

/// Callback queries: sequences of (maybe repeated, maybe unknown) parameters with arbitrary
/// values, or arbitrary bytes (sometimes over the 8 KiB URL limit).
fn callback_query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        4 => prop::sample::select(vec!["code", "state", "error", "error_description"])
            .prop_map(|k| k.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..10),
    ];
    let pair = (key, proptest::option::of(query_value())).prop_map(|(key, value)| {
        let mut pair = percent_encode(&key);
        if let Some(value) = value {
            pair.push('=');
            pair.push_str(&percent_encode(&value).replace("%20", "+"));
        }
        pair
    });
    prop_oneof![
        4 => proptest::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("&")),
        2 => proptest::collection::vec(any::<u8>(), 0..300).prop_map(|b| byte_soup(&b)),
        1 => proptest::collection::vec(any::<u8>(), 3300..4000).prop_map(|b| byte_soup(&b)),
    ]
}

/// Cookie values as HTTP allows them in a header: visible ASCII.
fn cookie_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[!-~]{0,120}",
        "[A-Za-z0-9_-]{43}",
        "[A-Za-z0-9_-]{1,60}\\.[A-Za-z0-9_-]{0,120}\\.[A-Za-z0-9_-]{0,60}",
        "eyJ[A-Za-z0-9_-]{10,60}\\.eyJ[A-Za-z0-9_-]{10,120}\\.[A-Za-z0-9_-]{43}",
    ]
}

/// Whole `Cookie` headers: our two cookies with arbitrary values, or arbitrary text.
fn cookie_header() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        3 => (proptest::option::of(cookie_value()), proptest::option::of(cookie_value()))
            .prop_map(|(session, binding)| {
                let mut cookies = Vec::new();
                if let Some(session) = session {
                    cookies.push(format!("{SESSION_COOKIE}={session}"));
                }
                if let Some(binding) = binding {
                    cookies.push(format!("{BINDING_COOKIE}={binding}"));
                }
                cookies.join("; ")
            }),
        1 => "[!-~]([ -~]{0,200}[!-~])?",
    ])
}

/// Claims of sessions that were never created, valid in time, with ids up to the extremes.
fn unknown_session() -> impl Strategy<Value = SessionClaims> {
    (1..=i64::MAX, "[A-Za-z0-9_-]{43}", 0_i64..=120).prop_map(|(user, sid, age)| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        SessionClaims {
            session_id: SessionId::parse(&sid).expect("43 base64url characters"),
            user_id: UserId::new(user).expect("positive"),
            issued_at: Timestamp::from_unix_seconds(now - age),
            expires_at: Timestamp::from_unix_seconds(now + 3600),
        }
    })
}

/// Well-formed callbacks of attempts that were never started: a `state` and a binding cookie
/// of the right shape, so the state is looked up (and not found) in the database.
fn unknown_attempt() -> impl Strategy<Value = (String, Option<String>)> {
    (
        "[A-Za-z0-9_-]{43}",
        "[A-Za-z0-9_-]{43}",
        query_value(),
        proptest::option::of(query_value()),
    )
        .prop_map(|(state, binding, code, error)| {
            let mut query = format!("state={state}&code={}", percent_encode(&code));
            if let Some(error) = error {
                query.push_str(&format!("&error={}", percent_encode(&error)));
            }
            (query, Some(format!("{BINDING_COOKIE}={binding}")))
        })
}

#[test]
fn callback_refuses_any_query_and_cookies_with_a_json_4xx() {
    let service = Service::start();
    let cases = prop_oneof![
        3 => (callback_query(), cookie_header()),
        1 => unknown_attempt(),
    ];
    let result = runner(64).run(&cases, |(query, cookie)| {
        let (status, body) = service.send(
            reqwest::Method::GET,
            &format!("/auth/github/callback?{query}"),
            cookie.as_deref(),
        )?;
        assert_refused(status, &body)
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// Cookie headers for the session routes: anything, or a token `service` itself signed for a
/// session that does not exist.
fn session_cookies(service: &Service) -> impl Strategy<Value = Option<String>> + '_ {
    prop_oneof![
        3 => cookie_header(),
        1 => unknown_session()
            .prop_map(|claims| Some(format!("{SESSION_COOKIE}={}", service.own_token(&claims)))),
    ]
}

#[test]
fn session_check_refuses_any_cookie_with_a_json_4xx() {
    let service = Service::start();
    let cookies = session_cookies(&service);
    let result = runner(64).run(&cookies, |cookie| {
        let (status, body) = service.send(reqwest::Method::GET, "/auth/me", cookie.as_deref())?;
        assert_refused(status, &body)?;
        prop_assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// Logout is idempotent: whatever the cookie, the answer is 200, never a server error.
#[test]
fn logout_accepts_any_cookie_without_a_server_error() {
    let service = Service::start();
    let cookies = session_cookies(&service);
    let result = runner(64).run(&cookies, |cookie| {
        let (status, body) =
            service.send(reqwest::Method::POST, "/auth/logout", cookie.as_deref())?;
        prop_assert_eq!(status, reqwest::StatusCode::OK, "{}", body);
        prop_assert_eq!(&body, &serde_json::json!({ "message": "Logged out" }));
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// A path segment from arbitrary bytes, percent-encoded; never an offered provider or a fixed
/// route below `/auth/`, whose answers are redirects or successes.
fn foreign_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..48).prop_map(|b| percent_encode(&b)),
        "[a-z][a-z0-9-]{0,40}".prop_map(String::from),
    ]
    .prop_filter("not a route of its own", |segment| {
        !matches!(segment.as_str(), "github" | "me" | "logout")
    })
}

/// The provider routes refuse any provider that is not offered with a JSON 4xx, whatever
/// the rest of the request.
#[test]
fn provider_routes_refuse_any_unknown_provider_with_a_json_4xx() {
    let service = Service::start();
    let cases = (
        foreign_segment(),
        prop_oneof![Just(""), Just("/callback"), Just("/reconnect")],
        callback_query(),
        cookie_header(),
    );
    let result = runner(64).run(&cases, |(provider, route, query, cookie)| {
        let path = format!("/auth/{provider}{route}?{query}");
        let (status, body) = service.send(reqwest::Method::GET, &path, cookie.as_deref())?;
        assert_refused(status, &body)
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// The organization list refuses any cookie that names no live session, like `/auth/me`.
#[test]
fn organization_access_refuses_any_cookie_with_a_json_401() {
    let service = Service::start();
    let cookies = session_cookies(&service);
    let result = runner(32).run(&cookies, |cookie| {
        let (status, body) = service.send(
            reqwest::Method::GET,
            "/auth/me/organizations",
            cookie.as_deref(),
        )?;
        assert_refused(status, &body)?;
        prop_assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// The internal API refuses any user id and any cookie without its credential with a JSON
/// 4xx: 403 when a cookie says a browser sent it, 401 otherwise.
#[test]
fn the_internal_api_refuses_any_request_without_its_credential() {
    let service = Service::start();
    let cases = (foreign_segment(), cookie_header());
    let result = runner(64).run(&cases, |(user_id, cookie)| {
        let path = format!("/internal/users/{user_id}/provider-token");
        let (status, body) = service.send(reqwest::Method::GET, &path, cookie.as_deref())?;
        assert_refused(status, &body)?;
        let expected = if cookie.is_some() {
            reqwest::StatusCode::FORBIDDEN
        } else {
            reqwest::StatusCode::UNAUTHORIZED
        };
        prop_assert_eq!(status, expected, "{}", body);
        prop_assert!(body.get("access_token").is_none());
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
