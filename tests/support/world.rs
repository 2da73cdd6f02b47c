//! `spawn_app`: one isolated world per test.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use nectr_auth::settings::Settings;
use nectr_auth::{Application, Overrides};
use nectr_db::testing::{FreshPostgres, test_database_url};
use nectr_github_standin::{GithubStandIn, OAuthApp};
use nectr_gitlab_standin::GitlabStandIn;
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use crate::{ChaosProxy, TestClock};

pub const CLIENT_ID: &str = "Iv1.0123456789abcdef";
pub const CLIENT_SECRET: &str = "3f0c5e1d9a7b4c2e8f6a0b1c2d3e4f5a6b7c8d9e";
pub const FRONTEND: &str = "http://localhost:3000";
pub const GITLAB_CLIENT_ID: &str = "8a1d2c3b4e5f60718293a4b5c6d7e8f9";
pub const GITLAB_CLIENT_SECRET: &str = "gloas-6f2e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Extra choices for a test's world.
#[derive(Default)]
pub struct TestOptions {
    /// Variables set on top of the defaults of the world.
    pub vars: Vec<(&'static str, String)>,
    /// Route PostgreSQL through a proxy the test can cut.
    pub chaos: bool,
    /// Register the OAuth App at the stand-in with this secret instead of the one the
    /// service is configured with (to provoke `incorrect_client_credentials`).
    pub registered_secret: Option<String>,
    /// How often the service sweeps expired rows (default: as configured, 60 s).
    pub sweep_interval: Option<Duration>,
    /// Register the OAuth App with expiring tokens (8-hour tokens plus refresh tokens).
    pub expiring_tokens: bool,
    /// Offer GitLab too, played by its stand-in.
    pub gitlab: bool,
}

/// A running service with everything around it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub github: GithubStandIn,
    /// Set when the world offers GitLab (`TestOptions::gitlab`).
    pub gitlab: Option<GitlabStandIn>,
    pub clock: Arc<TestClock>,
    pub backend: Backend,
    pub database_url: String,
    pub chaos: Option<Arc<ChaosProxy>>,
    vars: HashMap<String, String>,
    _sqlite_dir: Option<Arc<tempfile::TempDir>>,
    _postgres: Option<Arc<FreshPostgres>>,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, TestOptions::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: TestOptions) -> TestApp {
    let github = GithubStandIn::start()
        .await
        .expect("the GitHub stand-in starts");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("bound").port();
    let address = format!("http://127.0.0.1:{port}");

    let (database_url, sqlite_dir, postgres, chaos) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("auth.db").display());
            (url, Some(dir), None, None)
        }
        Backend::Postgres => {
            let fresh = FreshPostgres::create(&test_database_url()).await;
            let mut url = fresh.url();
            let chaos = if options.chaos {
                let target = url::Url::parse(&url).expect("a PostgreSQL URL");
                let proxy = ChaosProxy::start(format!(
                    "{}:{}",
                    target.host_str().unwrap_or("127.0.0.1"),
                    target.port().unwrap_or(5432)
                ))
                .await
                .expect("proxy starts");
                let mut proxied = target.clone();
                proxied.set_host(Some("127.0.0.1")).expect("host");
                proxied.set_port(Some(proxy.port())).expect("port");
                url = proxied.to_string();
                Some(proxy)
            } else {
                None
            };
            (url, None, Some(fresh), chaos)
        }
    };

    github.register_app(OAuthApp {
        expiring_tokens: options.expiring_tokens,
        ..OAuthApp::new(
            CLIENT_ID,
            options
                .registered_secret
                .as_deref()
                .unwrap_or(CLIENT_SECRET),
            format!("{address}/auth/github/callback"),
        )
    });

    let mut vars: HashMap<String, String> = [
        ("FRONTEND_URL", FRONTEND.to_owned()),
        ("DATABASE_URL", database_url.clone()),
        ("DATABASE_MAX_CONNECTIONS", "4".to_owned()),
        ("GITHUB_CLIENT_ID", CLIENT_ID.to_owned()),
        ("GITHUB_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ("GITHUB_URL", github.web_url()),
        ("GITHUB_API_URL", github.api_url()),
        ("SECRET_KEY", nectr_crypto::SecretKey::generate().encode()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    vars.insert("BACKEND_URL".to_owned(), address.clone());
    let gitlab = if options.gitlab {
        let gitlab = GitlabStandIn::start()
            .await
            .expect("the GitLab stand-in starts");
        gitlab.register_app(nectr_gitlab_standin::OAuthApp::new(
            GITLAB_CLIENT_ID,
            GITLAB_CLIENT_SECRET,
            format!("{address}/auth/gitlab/callback"),
        ));
        vars.insert("GITLAB_CLIENT_ID".to_owned(), GITLAB_CLIENT_ID.to_owned());
        vars.insert(
            "GITLAB_CLIENT_SECRET".to_owned(),
            GITLAB_CLIENT_SECRET.to_owned(),
        );
        vars.insert("GITLAB_URL".to_owned(), gitlab.web_url());
        Some(gitlab)
    } else {
        None
    };
    for (k, v) in &options.vars {
        vars.insert((*k).to_owned(), v.clone());
    }
    let clock = Arc::new(TestClock::default());
    start_service(listener, &vars, clock.clone(), options.sweep_interval).await;
    TestApp {
        address,
        client: browser(),
        jar: Arc::new(Jar::default()),
        github,
        gitlab,
        clock,
        backend,
        database_url,
        chaos: chaos.map(Arc::new),
        vars,
        _sqlite_dir: sqlite_dir.map(Arc::new),
        _postgres: postgres.map(Arc::new),
    }
    .with_cookie_jar()
}

async fn start_service(
    listener: TcpListener,
    vars: &HashMap<String, String>,
    clock: Arc<TestClock>,
    sweep_interval: Option<Duration>,
) {
    let mut settings = Settings::from_vars(vars).expect("test settings are valid");
    if let Some(interval) = sweep_interval {
        settings.sweep_interval = interval;
    }
    settings.workers = 1;
    settings.github.connect_timeout = Duration::from_secs(2);
    settings.github.request_timeout = Duration::from_secs(2);
    let app = Application::build_with(
        settings,
        Overrides {
            clock: Some(clock),
            listener: Some(listener),
            ..Overrides::default()
        },
    )
    .await
    .expect("the service starts");
    tokio::spawn(app.run_until_stopped());
}

fn browser() -> reqwest::Client {
    TestApp::fresh_client()
}

/// The `Location` header of a redirect.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("a Location header on HTTP {}", response.status()))
        .to_owned()
}

/// Every `Set-Cookie` header, as text.
pub fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

impl TestApp {
    /// Gives the client a cookie jar the test can read.
    fn with_cookie_jar(mut self) -> Self {
        self.client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(self.jar.clone())
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client");
        self
    }

    /// Another instance of the service on the same database, stand-in and clock, with some
    /// variables changed (another key, say). Its callback URL is not registered at the
    /// stand-in; sign in on the first instance.
    pub async fn sibling(&self, changes: Vec<(&'static str, String)>) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("bound").port()
        );
        let mut vars = self.vars.clone();
        vars.insert("BACKEND_URL".to_owned(), address.clone());
        for (k, v) in changes {
            vars.insert(k.to_owned(), v);
        }
        start_service(listener, &vars, self.clock.clone(), None).await;
        self.sharing_the_world(address, vars)
    }

    /// The same service seen from another browser: its own, empty cookie jar.
    pub fn another_browser(&self) -> TestApp {
        self.sharing_the_world(self.address.clone(), self.vars.clone())
    }

    /// A handle on the service at `address` in this world (database, stand-in, clock), with a
    /// fresh browser.
    fn sharing_the_world(&self, address: String, vars: HashMap<String, String>) -> TestApp {
        TestApp {
            address,
            client: browser(),
            jar: Arc::new(Jar::default()),
            github: self.github.clone(),
            gitlab: self.gitlab.clone(),
            clock: self.clock.clone(),
            backend: self.backend,
            database_url: self.database_url.clone(),
            chaos: self.chaos.clone(),
            vars,
            _sqlite_dir: self._sqlite_dir.clone(),
            _postgres: self._postgres.clone(),
        }
        .with_cookie_jar()
    }

    /// A request carrying exactly this session cookie (another browser that copied it).
    pub async fn get_with_session(&self, path: &str, session: &str) -> reqwest::Response {
        Self::fresh_client()
            .get(self.url(path))
            .header(
                "cookie",
                format!("{}={session}", nectr_auth::SESSION_COOKIE),
            )
            .send()
            .await
            .expect("request sent")
    }

    /// The variable the service was started with.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post(&self, path: &str) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// `GET /auth/github`, asserting the redirect; returns the authorize URL.
    pub async fn start_sign_in(&self) -> String {
        let response = self.get("/auth/github").await;
        assert_eq!(response.status(), 302, "sign-in start redirects");
        location(&response)
    }

    /// The stand-in's answer to the authorize URL; returns the callback URL it redirects to.
    pub async fn authorize(&self, authorize_url: &str) -> String {
        let response = self
            .client
            .get(authorize_url)
            .send()
            .await
            .expect("authorize request");
        assert_eq!(response.status(), 302, "GitHub redirects back");
        location(&response)
    }

    /// Follows a callback URL as the browser would.
    pub async fn follow(&self, url: &str) -> reqwest::Response {
        self.client.get(url).send().await.expect("callback request")
    }

    /// The whole sign-in; returns the callback's response.
    pub async fn sign_in(&self) -> reqwest::Response {
        let authorize_url = self.start_sign_in().await;
        let callback = self.authorize(&authorize_url).await;
        self.follow(&callback).await
    }

    /// Signs in and asserts it worked.
    pub async fn signed_in(&self) -> serde_json::Value {
        let response = self.sign_in().await;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, 302, "sign-in succeeds: {body}");
        self.me_json().await
    }

    pub async fn me_json(&self) -> serde_json::Value {
        let response = self.get("/auth/me").await;
        assert_eq!(response.status(), 200, "signed in");
        response.json().await.expect("JSON")
    }

    /// The session cookie the client holds, if any.
    pub fn session_cookie(&self) -> Option<String> {
        let url = url::Url::parse(&self.address).expect("address");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|pair| {
            pair.strip_prefix(&format!("{}=", nectr_auth::SESSION_COOKIE))
                .map(str::to_owned)
        })
    }

    /// A client with no cookies (another browser).
    pub fn fresh_client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Rows of a table, via a connection of our own.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match self.backend {
            Backend::Sqlite => {
                let path = self.database_url.trim_start_matches("sqlite://").to_owned();
                tokio::task::spawn_blocking(move || sqlite_count(&path, &sql))
                    .await
                    .expect("count task")
            }
            Backend::Postgres => {
                let (client, connection) =
                    tokio_postgres::connect(&self.database_url, tokio_postgres::NoTls)
                        .await
                        .expect("PostgreSQL connection");
                tokio::spawn(connection);
                let row = client.query_one(&sql, &[]).await.expect("count");
                row.get::<_, i64>(0)
            }
        }
    }
}

impl TestApp {
    /// Runs a statement through a connection of our own (to play an operator or a fault).
    pub async fn execute(&self, sql: &str) {
        match self.backend {
            Backend::Postgres => {
                let (client, connection) =
                    tokio_postgres::connect(&self.database_url, tokio_postgres::NoTls)
                        .await
                        .expect("PostgreSQL connection");
                tokio::spawn(connection);
                client.batch_execute(sql).await.expect("statement runs");
            }
            Backend::Sqlite => {
                use diesel::{Connection as _, RunQueryDsl as _};
                let path = self.database_url.trim_start_matches("sqlite://").to_owned();
                let sql = sql.to_owned();
                tokio::task::spawn_blocking(move || {
                    let mut c =
                        diesel::SqliteConnection::establish(&path).expect("SQLite file opens");
                    diesel::sql_query("PRAGMA foreign_keys = ON")
                        .execute(&mut c)
                        .expect("pragma");
                    diesel::sql_query(sql)
                        .execute(&mut c)
                        .expect("statement runs");
                })
                .await
                .expect("statement task");
            }
        }
    }
}

fn sqlite_count(path: &str, sql: &str) -> i64 {
    use diesel::{Connection as _, RunQueryDsl as _};

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut connection = diesel::SqliteConnection::establish(path).expect("SQLite file opens");
    diesel::sql_query(sql.replacen("COUNT(*)", "COUNT(*) AS n", 1))
        .get_result::<Count>(&mut connection)
        .expect("count")
        .n
}
