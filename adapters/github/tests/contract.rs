//! The identity-provider contract (`nectr-provider-contract`) for the GitHub adapter against
//! the GitHub stand-in, twice: for an OAuth App with lasting tokens (GitHub's default, no
//! refresh tokens) and for one that opted into expiring tokens (refresh tokens).

use std::sync::Arc;

use async_trait::async_trait;
use nectr_application::ports::IdentityProvider;
use nectr_github::{GithubConfig, GithubProvider};
use nectr_github_standin::{Email, GithubStandIn, OAuthApp, Person};
use nectr_provider_contract::{
    AppSettings, BoxError, ExpectedProfile, Persona, ProviderHarness, unreachable_base_url,
};
use secrecy::SecretString;
use url::Url;

const CLIENT_ID: &str = "Ov23liNectrContract01";
const SECRET: &str = "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d";
const CALLBACK: &str = "http://127.0.0.1:8000/auth/github/callback";

/// A started stand-in with one OAuth App, and the adapter configured for it.
struct GithubHarness {
    github: GithubStandIn,
    provider: Arc<dyn IdentityProvider>,
    expiring_tokens: bool,
}

impl GithubHarness {
    async fn start(expiring_tokens: bool) -> Result<Self, BoxError> {
        let github = GithubStandIn::start().await?;
        github.register_app(OAuthApp {
            expiring_tokens,
            ..OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)
        });
        let web = Url::parse(&github.web_url())?;
        let api = Url::parse(&github.api_url())?;
        let provider = Arc::new(GithubProvider::new(config(web, api))?);
        Ok(Self {
            github,
            provider,
            expiring_tokens,
        })
    }
}

fn config(web_url: Url, api_url: Url) -> GithubConfig {
    GithubConfig::new(
        CLIENT_ID,
        SecretString::from(SECRET),
        web_url,
        api_url,
        CALLBACK,
    )
}

/// No public email, and no address `GET /user/emails` could offer instead: the only one it
/// lists is neither primary nor verified.
fn without_email() -> Person {
    Person {
        id: 1_004,
        login: "no-email-person".to_owned(),
        name: Some("No Email".to_owned()),
        public_email: None,
        emails: vec![Email {
            email: "unconfirmed@example.com".to_owned(),
            primary: false,
            verified: false,
            visibility: None,
        }],
        ..Person::private_email()
    }
}

fn expected(person: &Person, email: Option<&str>) -> ExpectedProfile {
    ExpectedProfile {
        subject: person.id.to_string(),
        username: person.login.clone(),
        email: email.map(str::to_owned),
    }
}

#[async_trait]
impl ProviderHarness for GithubHarness {
    fn provider(&self) -> Arc<dyn IdentityProvider> {
        self.provider.clone()
    }

    fn app(&self) -> AppSettings {
        AppSettings {
            client_id: CLIENT_ID.to_owned(),
            client_secret: SECRET.to_owned(),
            callback_url: CALLBACK.to_owned(),
        }
    }

    fn sign_in_as(&self, persona: Persona) -> ExpectedProfile {
        let (person, email) = match persona {
            Persona::Regular => (Person::octocat(), Some("octocat@github.com")),
            Persona::WithoutEmail => (without_email(), None),
            Persona::LargeId => (Person::big_id(), Some("big@example.com")),
        };
        let expected = expected(&person, email);
        self.github.sign_in_as(person);
        expected
    }

    fn press_cancel(&self) {
        self.github.press_cancel();
    }

    fn unreachable_provider(&self) -> Result<Arc<dyn IdentityProvider>, BoxError> {
        let nowhere = unreachable_base_url()?;
        let api = nowhere.join("api/v3")?;
        Ok(Arc::new(GithubProvider::new(config(nowhere, api))?))
    }

    fn issues_refresh_tokens(&self) -> bool {
        self.expiring_tokens
    }
}

/// GitHub's default: tokens that last until revoked, without refresh tokens.
mod lasting_tokens {
    use super::GithubHarness;

    nectr_provider_contract::provider_contract!(
        GithubHarness::start(false)
            .await
            .expect("the GitHub stand-in starts")
    );
}

/// An OAuth App that opted into expiring user tokens: 8-hour tokens with refresh tokens.
mod expiring_tokens {
    use super::GithubHarness;

    nectr_provider_contract::provider_contract!(
        GithubHarness::start(true)
            .await
            .expect("the GitHub stand-in starts")
    );
}
