//! Shared set-up: a started stand-in with the test app, a provider pointed at it, and the
//! browser's part of the sign-in.

use std::error::Error;
use std::sync::atomic::{AtomicU32, Ordering};

use nectr_application::ports::{AuthorizationRequest, IdentityProvider, TokenGrant};
use nectr_domain::{AccessToken, PkceVerifier, StateToken};
use nectr_github::{GithubConfig, GithubProvider};
use nectr_github_standin::{GithubStandIn, OAuthApp, Person};
use reqwest::StatusCode;
use secrecy::SecretString;
use url::Url;

pub type TestResult<T = ()> = Result<T, Box<dyn Error>>;

pub const CLIENT_ID: &str = "Ov23liNectrTest00001";
pub const SECRET: &str = "5e3c1f0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e";
pub const CALLBACK: &str = "http://127.0.0.1:8000/auth/github/callback";

/// A started stand-in with the test app registered, and a provider with default settings.
pub struct World {
    pub github: GithubStandIn,
    pub provider: GithubProvider,
}

impl World {
    pub async fn start() -> TestResult<Self> {
        Self::start_with(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)).await
    }

    /// The test app opted into expiring tokens (8-hour access tokens with refresh tokens).
    pub async fn start_expiring() -> TestResult<Self> {
        Self::start_with(OAuthApp {
            expiring_tokens: true,
            ..OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)
        })
        .await
    }

    /// `app` must carry the test app's client ID and callback, which the provider uses.
    pub async fn start_with(app: OAuthApp) -> TestResult<Self> {
        let github = GithubStandIn::start().await?;
        github.register_app(app);
        let provider = GithubProvider::new(config(&github)?)?;
        Ok(Self { github, provider })
    }

    /// A provider for the same stand-in with changed settings.
    pub fn provider_with(
        &self,
        change: impl FnOnce(&mut GithubConfig),
    ) -> TestResult<GithubProvider> {
        let mut config = config(&self.github)?;
        change(&mut config);
        Ok(GithubProvider::new(config)?)
    }

    /// `person` approves an authorize request built by `provider`: answers the code.
    pub async fn code_from(
        &self,
        provider: &GithubProvider,
        person: Person,
        verifier: Option<&PkceVerifier>,
    ) -> TestResult<String> {
        self.github.sign_in_as(person);
        let state = state()?;
        let url = provider.authorization_url(&AuthorizationRequest {
            state: &state,
            pkce_verifier: verifier,
        });
        let back = follow_authorize(&url).await?;
        assert_eq!(param(&back, "state").as_deref(), Some(state.as_str()));
        Ok(param(&back, "code").ok_or("no code in the callback")?)
    }

    /// `person` approves with PKCE and the code is exchanged: answers the access token.
    pub async fn sign_in(&self, person: Person) -> TestResult<AccessToken> {
        Ok(self.sign_in_grant(person).await?.access_token)
    }

    /// `person` approves with PKCE and the code is exchanged: answers all that came of it.
    pub async fn sign_in_grant(&self, person: Person) -> TestResult<TokenGrant> {
        let verifier = verifier()?;
        let code = self
            .code_from(&self.provider, person, Some(&verifier))
            .await?;
        Ok(self.provider.exchange_code(&code, Some(&verifier)).await?)
    }
}

/// Settings pointing at the stand-in.
pub fn config(github: &GithubStandIn) -> TestResult<GithubConfig> {
    Ok(GithubConfig::new(
        CLIENT_ID,
        SecretString::from(SECRET),
        Url::parse(&github.web_url())?,
        Url::parse(&github.api_url())?,
        CALLBACK,
    ))
}

/// Octocat granting only `scopes` of what is requested.
pub fn granting(scopes: &[&str]) -> Person {
    Person {
        grants_scopes: Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
        ..Person::octocat()
    }
}

/// A fresh, well-formed `state` per call.
pub fn state() -> TestResult<StateToken> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    Ok(StateToken::parse(&format!("{n:0>43}"))?)
}

/// A PKCE verifier (RFC 7636 appendix B).
pub fn verifier() -> TestResult<PkceVerifier> {
    Ok(PkceVerifier::parse(
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    )?)
}

/// The browser: GETs the authorize URL without following the redirect; answers where it goes.
pub async fn follow_authorize(url: &str) -> TestResult<Url> {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = browser.get(url).send().await?;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response
        .headers()
        .get("location")
        .ok_or("no Location header")?
        .to_str()?;
    Ok(Url::parse(location)?)
}

/// The first value of a query parameter.
pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// A port on 127.0.0.1 where nothing listens: bound, then closed.
pub fn closed_port_url() -> TestResult<Url> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let address = listener.local_addr()?;
    drop(listener);
    Ok(Url::parse(&format!("http://{address}"))?)
}

/// A server on 127.0.0.1 that answers every request with `head` (status line and headers,
/// without the blank line) and `body`, then closes the connection. For answers the stand-in
/// does not give.
pub fn canned_server(head: &str, body: Vec<u8>) -> TestResult<Url> {
    let head = head.to_owned();
    canned_server_knowing_its_address(move |_| head, body)
}

/// As [`canned_server`], with a `head` that can name the server's own address (a `Link` to
/// itself, say).
pub fn canned_server_knowing_its_address(
    head: impl FnOnce(std::net::SocketAddr) -> String,
    body: Vec<u8>,
) -> TestResult<Url> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let address = listener.local_addr()?;
    let head = format!("{}\r\nconnection: close\r\n\r\n", head(address));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = [0_u8; 16 * 1024];
            let _ = stream.read(&mut request);
            // The client may hang up early (that is the point of some tests).
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    Ok(Url::parse(&format!("http://{address}"))?)
}
