//! Shared set-up: a started stand-in with the test application, a provider pointed at it, and
//! the browser's part of the sign-in.

use std::error::Error;
use std::sync::atomic::{AtomicU32, Ordering};

use nectr_application::ports::{AuthorizationRequest, IdentityProvider, TokenGrant};
use nectr_domain::{PkceVerifier, StateToken};
use nectr_gitlab::{GitlabConfig, GitlabProvider};
use nectr_gitlab_standin::{GitlabStandIn, OAuthApp, Person};
use reqwest::StatusCode;
use secrecy::SecretString;
use url::Url;

pub type TestResult<T = ()> = Result<T, Box<dyn Error>>;

pub const CLIENT_ID: &str = "8d2c4f6a1b3e5d7f9a0c2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f";
pub const SECRET: &str = "gloas-7f3e9a1c5b2d8e4f6a0b3c7d9e1f5a2b8c4d6e0f3a7b1c9d5e2f8a4b6c0d3e";
pub const CALLBACK: &str = "http://127.0.0.1:8000/auth/gitlab/callback";

/// A started stand-in with the test application registered (every scope GitLab knows for
/// sign-in ticked), and a provider with default settings.
pub struct World {
    pub gitlab: GitlabStandIn,
    pub provider: GitlabProvider,
}

impl World {
    pub async fn start() -> TestResult<Self> {
        Self::start_with(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)).await
    }

    pub async fn start_with(app: OAuthApp) -> TestResult<Self> {
        let gitlab = GitlabStandIn::start().await?;
        gitlab.register_app(app);
        let provider = GitlabProvider::new(config(&gitlab)?)?;
        Ok(Self { gitlab, provider })
    }

    /// A provider for the same stand-in with changed settings.
    pub fn provider_with(
        &self,
        change: impl FnOnce(&mut GitlabConfig),
    ) -> TestResult<GitlabProvider> {
        let mut config = config(&self.gitlab)?;
        change(&mut config);
        Ok(GitlabProvider::new(config)?)
    }

    /// A provider that asks for `read_api` too.
    pub fn group_reader(&self) -> TestResult<GitlabProvider> {
        self.provider_with(|c| c.read_groups = true)
    }

    /// `person` approves an authorize request built by `provider`: answers the code.
    pub async fn code_from(
        &self,
        provider: &GitlabProvider,
        person: Person,
        verifier: Option<&PkceVerifier>,
    ) -> TestResult<String> {
        self.gitlab.sign_in_as(person);
        let state = state()?;
        let url = provider.authorization_url(&AuthorizationRequest {
            state: &state,
            pkce_verifier: verifier,
        });
        let back = follow_authorize(&url).await?;
        assert_eq!(param(&back, "state").as_deref(), Some(state.as_str()));
        Ok(param(&back, "code").ok_or("no code in the callback")?)
    }

    /// `person` approves `provider`'s request with PKCE and the code is exchanged by it.
    pub async fn sign_in_with(
        &self,
        provider: &GitlabProvider,
        person: Person,
    ) -> TestResult<TokenGrant> {
        let verifier = verifier()?;
        let code = self.code_from(provider, person, Some(&verifier)).await?;
        Ok(provider.exchange_code(&code, Some(&verifier)).await?)
    }

    /// The same with the default provider.
    pub async fn sign_in(&self, person: Person) -> TestResult<TokenGrant> {
        self.sign_in_with(&self.provider, person).await
    }
}

/// Settings pointing at the stand-in.
pub fn config(gitlab: &GitlabStandIn) -> TestResult<GitlabConfig> {
    Ok(GitlabConfig::new(
        CLIENT_ID,
        SecretString::from(SECRET),
        Url::parse(&gitlab.web_url())?,
        CALLBACK,
    ))
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
    assert_eq!(
        response.status(),
        StatusCode::FOUND,
        "GitLab did not send the browser back: {}",
        response.text().await.unwrap_or_default()
    );
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

/// A server on 127.0.0.1 that answers every request with `answer(request_head)` (status line
/// and headers without the blank line, and the body), then closes the connection. For answers
/// the stand-in does not give.
pub fn scripted_server(
    answer: impl Fn(&str) -> (String, Vec<u8>) + Send + 'static,
) -> TestResult<Url> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let address = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = [0_u8; 16 * 1024];
            let read = stream.read(&mut request).unwrap_or(0);
            let (head, body) = answer(&String::from_utf8_lossy(&request[..read]));
            // The client may hang up early (that is the point of some tests).
            let _ = stream.write_all(format!("{head}\r\nconnection: close\r\n\r\n").as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    Ok(Url::parse(&format!("http://{address}"))?)
}

/// A server that answers every request with the same `head` and `body`.
pub fn canned_server(head: &str, body: Vec<u8>) -> TestResult<Url> {
    let head = head.to_owned();
    scripted_server(move |_| (head.clone(), body.clone()))
}
