//! GitHub, played by the in-process stand-in. Interactive mode lets each sign-in name its own
//! person in the form it posts, so concurrent sign-ins never take each other's person (as
//! they could through the stand-in's shared "signed-in person").

use nectr_github_standin::{GithubStandIn, OAuthApp};

pub const CLIENT_ID: &str = "nectr-bench";

pub struct GitHub {
    pub standin: GithubStandIn,
    /// Random per benchmark run, and never printed.
    pub client_secret: String,
}

impl GitHub {
    pub async fn start() -> Result<GitHub, String> {
        let standin = GithubStandIn::start()
            .await
            .map_err(|e| format!("cannot start the GitHub stand-in on 127.0.0.1: {e}"))?;
        standin.set_interactive(true);
        let mut secret = [0_u8; 20];
        getrandom::fill(&mut secret).map_err(|e| format!("no randomness for a secret: {e}"))?;
        let client_secret = secret.iter().map(|b| format!("{b:02x}")).collect();
        Ok(GitHub {
            standin,
            client_secret,
        })
    }

    /// Registers (or re-registers) the OAuth App for a service at `backend_url`.
    pub fn register_for(&self, backend_url: &str) {
        self.standin.register_app(OAuthApp::new(
            CLIENT_ID,
            self.client_secret.clone(),
            format!("{backend_url}/auth/github/callback"),
        ));
    }

    pub fn web_url(&self) -> String {
        self.standin.web_url()
    }

    pub fn api_url(&self) -> String {
        self.standin.api_url()
    }
}
