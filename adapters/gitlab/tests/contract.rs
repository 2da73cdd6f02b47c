//! The identity-provider contract (`nectr-provider-contract`) for the GitLab provider, against
//! the GitLab stand-in.
//!
//! The provider is configured to read groups (`read_groups`, so `read_user read_api` is
//! requested): the contract's happy path lists the person's organizations with a fresh token,
//! which GitLab only allows with `read_api`. Without it, `organizations` answers
//! `ScopeMissing`, which the adapter's own tests cover.

use std::sync::Arc;

use nectr_application::ports::IdentityProvider;
use nectr_gitlab::{GitlabConfig, GitlabProvider};
use nectr_gitlab_standin::{GitlabStandIn, OAuthApp, Person};
use nectr_provider_contract::{
    AppSettings, BoxError, ExpectedProfile, Persona, ProviderHarness, unreachable_base_url,
};
use secrecy::SecretString;
use url::Url;

const CLIENT_ID: &str = "5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c";
const SECRET: &str = "gloas-c0ntract5ecret9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5";
const CALLBACK: &str = "http://127.0.0.1:8000/auth/gitlab/callback";

struct GitlabHarness {
    gitlab: GitlabStandIn,
    provider: Arc<GitlabProvider>,
}

impl GitlabHarness {
    async fn start() -> Result<Self, BoxError> {
        let gitlab = GitlabStandIn::start().await?;
        gitlab.register_app(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK));
        let provider = Arc::new(GitlabProvider::new(config(Url::parse(&gitlab.web_url())?))?);
        Ok(Self { gitlab, provider })
    }
}

fn config(base_url: Url) -> GitlabConfig {
    let mut config = GitlabConfig::new(CLIENT_ID, SecretString::from(SECRET), base_url, CALLBACK);
    config.read_groups = true;
    config
}

#[async_trait::async_trait]
impl ProviderHarness for GitlabHarness {
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
        let person = match persona {
            Persona::Regular => Person::tanuki(),
            Persona::WithoutEmail => Person::no_email(),
            Persona::LargeId => Person::big_id(),
        };
        let expected = ExpectedProfile {
            subject: person.id.to_string(),
            username: person.username.clone(),
            email: person.email.clone(),
        };
        self.gitlab.sign_in_as(person);
        expected
    }

    fn press_cancel(&self) {
        self.gitlab.press_cancel();
    }

    fn unreachable_provider(&self) -> Result<Arc<dyn IdentityProvider>, BoxError> {
        Ok(Arc::new(GitlabProvider::new(config(
            unreachable_base_url()?,
        ))?))
    }

    fn issues_refresh_tokens(&self) -> bool {
        true
    }
}

nectr_provider_contract::provider_contract!(
    GitlabHarness::start()
        .await
        .expect("the GitLab stand-in starts")
);
