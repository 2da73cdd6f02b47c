//! Everything the stand-in remembers: apps, who signs in, codes, tokens, and the records.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use nectr_standin_kit::{Clock, Traffic, random};

use crate::faults::Endpoint;
use crate::people::{OAuthApp, Person};
use crate::record::AuthorizationRecord;

/// How long an authorization code can be exchanged (GitLab: 10 minutes).
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// `expires_in` of access tokens (GitLab: 2 hours).
pub(crate) const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

/// The state behind every handler, shared between the test and the server thread.
pub(crate) type Shared = nectr_standin_kit::Shared<Inner>;

/// The PKCE challenge sent at authorize.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub value: String,
    /// `S256` or `plain`.
    pub method: String,
}

/// A code handed out at authorize, waiting for its exchange.
#[derive(Clone, Debug)]
pub(crate) struct Code {
    pub client_id: String,
    pub person: Person,
    pub scopes: Vec<String>,
    /// The `redirect_uri` sent at authorize; the exchange must send the same.
    pub redirect_uri: String,
    pub challenge: Option<Challenge>,
    issued_at: Instant,
}

/// An issued access token with its refresh token (GitLab always issues both).
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub access_token: String,
    pub refresh_token: String,
    pub client_id: String,
    pub person: Person,
    pub scopes: Vec<String>,
    /// Unix seconds of issue (the token answer's `created_at`).
    pub created_at: u64,
    issued_at: Instant,
    revoked: bool,
}

/// How an access token presented to the REST API stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    Live,
    Expired,
    Revoked,
}

/// The mutable state; handlers hold the lock only between awaits.
pub(crate) struct Inner {
    pub apps: HashMap<String, OAuthApp>,
    pub signed_in: Person,
    pub cancel_next: bool,
    /// Requests received and faults set.
    pub traffic: Traffic<Endpoint>,
    pub authorizations: Vec<AuthorizationRecord>,
    pub clock: Clock,
    codes: HashMap<String, Code>,
    tokens: Vec<Token>,
    by_access: HashMap<String, usize>,
    by_refresh: HashMap<String, usize>,
    issued_codes: Vec<String>,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            apps: HashMap::new(),
            signed_in: Person::tanuki(),
            cancel_next: false,
            traffic: Traffic::default(),
            authorizations: Vec::new(),
            clock: Clock::default(),
            codes: HashMap::new(),
            tokens: Vec::new(),
            by_access: HashMap::new(),
            by_refresh: HashMap::new(),
            issued_codes: Vec::new(),
        }
    }
}

impl Inner {
    /// The stand-in's clock, which tests can move forward instead of sleeping.
    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    /// The stand-in's clock as Unix seconds.
    pub(crate) fn epoch_seconds(&self) -> u64 {
        self.clock.epoch_seconds()
    }

    /// Hands out a fresh code for an approved authorize request.
    pub(crate) fn approve(
        &mut self,
        client_id: &str,
        person: &Person,
        scopes: Vec<String>,
        redirect_uri: &str,
        challenge: Option<Challenge>,
    ) -> String {
        let code = random::hex(64);
        let issued_at = self.now();
        self.issued_codes.push(code.clone());
        self.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.to_owned(),
                person: person.clone(),
                scopes,
                redirect_uri: redirect_uri.to_owned(),
                challenge,
                issued_at,
            },
        );
        code
    }

    /// The code, whatever its state (unknown codes and used ones are `None`).
    pub(crate) fn code(&self, code: &str) -> Option<&Code> {
        self.codes.get(code)
    }

    /// Whether a code is still within its ten minutes.
    pub(crate) fn code_is_fresh(&self, code: &Code) -> bool {
        self.now().duration_since(code.issued_at) <= CODE_LIFETIME
    }

    /// Uses up a code: it cannot be exchanged again.
    pub(crate) fn use_code(&mut self, code: &str) {
        self.codes.remove(code);
    }

    /// Issues an access token with its refresh token.
    pub(crate) fn issue_token(
        &mut self,
        client_id: &str,
        person: &Person,
        scopes: Vec<String>,
    ) -> Token {
        let mut access_token = random::hex(64);
        let mut refresh_token = random::hex(64);
        // Vanishingly unlikely, but a refresh token equal to an access token would let one be
        // used as the other.
        while self.by_access.contains_key(&access_token)
            || self.by_refresh.contains_key(&access_token)
        {
            access_token = random::hex(64);
        }
        while refresh_token == access_token
            || self.by_access.contains_key(&refresh_token)
            || self.by_refresh.contains_key(&refresh_token)
        {
            refresh_token = random::hex(64);
        }
        let token = Token {
            access_token: access_token.clone(),
            refresh_token: refresh_token.clone(),
            client_id: client_id.to_owned(),
            person: person.clone(),
            scopes,
            created_at: self.epoch_seconds(),
            issued_at: self.now(),
            revoked: false,
        };
        let index = self.tokens.len();
        self.by_access.insert(access_token, index);
        self.by_refresh.insert(refresh_token, index);
        self.tokens.push(token.clone());
        token
    }

    /// The token whose refresh token this is, unless it was revoked (refresh tokens do not
    /// expire; an expired access token can still be refreshed).
    pub(crate) fn refreshable(&self, refresh_token: &str) -> Option<&Token> {
        let token = &self.tokens[*self.by_refresh.get(refresh_token)?];
        (!token.revoked).then_some(token)
    }

    /// Rotates a refreshable token: the old access and refresh tokens stop working, and a new
    /// pair is issued with `scopes`.
    pub(crate) fn rotate(&mut self, refresh_token: &str, scopes: Vec<String>) -> Option<Token> {
        let index = *self.by_refresh.get(refresh_token)?;
        let old = self.tokens.get_mut(index).filter(|t| !t.revoked)?;
        old.revoked = true;
        let (client_id, person) = (old.client_id.clone(), old.person.clone());
        Some(self.issue_token(&client_id, &person, scopes))
    }

    /// The token behind an access or refresh token value, whatever its state.
    pub(crate) fn find_any(&self, value: &str) -> Option<&Token> {
        let index = self
            .by_access
            .get(value)
            .or_else(|| self.by_refresh.get(value))?;
        self.tokens.get(*index)
    }

    /// Revokes the pair an access or refresh token value belongs to.
    pub(crate) fn revoke(&mut self, value: &str) {
        let index = self
            .by_access
            .get(value)
            .or_else(|| self.by_refresh.get(value))
            .copied();
        if let Some(token) = index.and_then(|i| self.tokens.get_mut(i)) {
            token.revoked = true;
        }
    }

    /// The token behind an access token value, with its standing. GitLab checks expiry
    /// before revocation.
    pub(crate) fn presented(&self, access_token: &str) -> Option<(Token, Standing)> {
        let token = self.tokens.get(*self.by_access.get(access_token)?)?;
        let standing = if self.is_expired(token) {
            Standing::Expired
        } else if token.revoked {
            Standing::Revoked
        } else {
            Standing::Live
        };
        Some((token.clone(), standing))
    }

    fn is_expired(&self, token: &Token) -> bool {
        self.now().duration_since(token.issued_at) > ACCESS_TOKEN_LIFETIME
    }

    pub(crate) fn is_live(&self, access_token: &str) -> bool {
        self.presented(access_token)
            .is_some_and(|(_, standing)| standing == Standing::Live)
    }

    pub(crate) fn live_tokens(&self, client_id: &str, gitlab_id: i64) -> Vec<String> {
        self.tokens
            .iter()
            .filter(|t| {
                t.client_id == client_id
                    && t.person.id == gitlab_id
                    && !t.revoked
                    && !self.is_expired(t)
            })
            .map(|t| t.access_token.clone())
            .collect()
    }

    /// Every access and refresh token value ever issued, in order.
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        self.tokens
            .iter()
            .flat_map(|t| [t.access_token.clone(), t.refresh_token.clone()])
            .collect()
    }

    pub(crate) fn issued_codes(&self) -> Vec<String> {
        self.issued_codes.clone()
    }
}
