//! Everything the stand-in remembers: apps, who signs in, codes, grants, tokens and records.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use nectr_standin_kit::{Clock, Traffic, random};

use crate::faults::Endpoint;
use crate::people::{OAuthApp, Person};
use crate::record::AuthorizationRecord;
use crate::scopes;

/// How long an authorization code can be exchanged (GitHub: 10 minutes).
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// `expires_in` of expiring access tokens (GitHub: 8 hours).
pub(crate) const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(28_800);
/// `refresh_token_expires_in` of refresh tokens (GitHub: 6 months).
pub(crate) const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(15_897_600);
/// Live tokens kept per person, app and scope set before the oldest is revoked.
const LIVE_TOKENS_PER_SCOPE_SET: usize = 10;
/// Requests per user token per hour.
pub(crate) const RATE_LIMIT: u32 = 5_000;
const RATE_WINDOW: Duration = Duration::from_secs(3600);

/// The state behind every handler, shared between the test and the server thread.
pub(crate) type Shared = nectr_standin_kit::Shared<Inner>;

/// A code handed out at authorize, waiting for its exchange.
#[derive(Clone, Debug)]
pub(crate) struct Code {
    pub client_id: String,
    pub person: Person,
    pub scopes: Vec<String>,
    pub redirect_uri: Option<String>,
    pub code_challenge: Option<String>,
    issued_at: Instant,
}

/// An issued access token (with its refresh token when the app has expiring tokens).
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub client_id: String,
    pub person: Person,
    pub scopes: Vec<String>,
    expires_at: Option<Instant>,
    refresh_expires_at: Option<Instant>,
    revoked: bool,
}

/// What `issue_token` hands back for the token answer.
pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scopes: Vec<String>,
}

/// The mutable state; handlers hold the lock only between awaits.
pub(crate) struct Inner {
    pub apps: HashMap<String, OAuthApp>,
    pub signed_in: Person,
    pub cancel_next: bool,
    /// Whether a person in a browser decides at authorize (a page) instead of `signed_in`.
    pub interactive: bool,
    /// Requests received and faults set.
    pub traffic: Traffic<Endpoint>,
    pub authorizations: Vec<AuthorizationRecord>,
    pub clock: Clock,
    /// Organizations with OAuth App access restrictions (lowercased login), each with the
    /// client IDs an owner approved.
    restricted_orgs: HashMap<String, HashSet<String>>,
    codes: HashMap<String, Code>,
    grants: HashMap<(String, i64), Vec<String>>,
    tokens: Vec<Token>,
    issued: Vec<String>,
    usage: HashMap<String, (Instant, u32)>,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            apps: HashMap::new(),
            signed_in: Person::octocat(),
            cancel_next: false,
            interactive: false,
            traffic: Traffic::default(),
            authorizations: Vec::new(),
            clock: Clock::default(),
            restricted_orgs: HashMap::new(),
            codes: HashMap::new(),
            grants: HashMap::new(),
            tokens: Vec::new(),
            issued: Vec::new(),
            usage: HashMap::new(),
        }
    }
}

impl Inner {
    /// The stand-in's clock, which tests can move forward instead of sleeping.
    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    /// An hour from now as Unix time: the reset a rate-limit fault reports, having no window
    /// of its own.
    pub(crate) fn reset_epoch_seconds(&self) -> u64 {
        self.clock.epoch_seconds_after(RATE_WINDOW)
    }

    /// Whether the person's grant for the app already covers `wanted`.
    pub(crate) fn grant_covers(&self, client_id: &str, github_id: i64, wanted: &[String]) -> bool {
        self.grants
            .get(&(client_id.to_owned(), github_id))
            .is_some_and(|held| scopes::covers(held, wanted))
    }

    pub(crate) fn grant_exists(&self, client_id: &str, github_id: i64) -> bool {
        self.grants.contains_key(&(client_id.to_owned(), github_id))
    }

    /// Records the approval: creates or extends the grant and hands out a fresh code.
    pub(crate) fn approve(
        &mut self,
        client_id: &str,
        person: &Person,
        scopes: Vec<String>,
        redirect_uri: Option<String>,
        code_challenge: Option<String>,
    ) -> String {
        let grant = self
            .grants
            .entry((client_id.to_owned(), person.id))
            .or_default();
        for scope in &scopes {
            if !grant.contains(scope) {
                grant.push(scope.clone());
            }
        }
        let code = random::hex(20);
        let issued_at = self.now();
        self.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.to_owned(),
                person: person.clone(),
                scopes,
                redirect_uri,
                code_challenge,
                issued_at,
            },
        );
        code
    }

    /// Consumes a code for `client_id`: whatever happens next, it cannot be exchanged again.
    /// `None` when it is unknown, already used, expired, or was issued to another app.
    pub(crate) fn take_code(&mut self, code: &str, client_id: &str) -> Option<Code> {
        if self.codes.get(code)?.client_id != client_id {
            return None;
        }
        let taken = self.codes.remove(code)?;
        (self.now().duration_since(taken.issued_at) <= CODE_LIFETIME).then_some(taken)
    }

    /// Issues a token (and refresh token for expiring apps), revoking the oldest live token of
    /// the same person, app and scope set beyond the tenth.
    pub(crate) fn issue_token(
        &mut self,
        app: &OAuthApp,
        person: &Person,
        scopes: Vec<String>,
    ) -> Issued {
        let now = self.now();
        let access_token = format!("gho_{}", random::alphanumeric(36));
        let refresh_token = app
            .expiring_tokens
            .then(|| format!("ghr_{}", random::alphanumeric(76)));
        self.issued.push(access_token.clone());
        self.issued.extend(refresh_token.clone());
        self.tokens.push(Token {
            access_token: access_token.clone(),
            refresh_token: refresh_token.clone(),
            client_id: app.client_id.clone(),
            person: person.clone(),
            scopes: scopes.clone(),
            expires_at: app.expiring_tokens.then(|| now + ACCESS_TOKEN_LIFETIME),
            refresh_expires_at: app.expiring_tokens.then(|| now + REFRESH_TOKEN_LIFETIME),
            revoked: false,
        });
        let set = scopes::canonical(&scopes);
        let same_set: Vec<usize> = (0..self.tokens.len())
            .filter(|&i| {
                let t = &self.tokens[i];
                // Cheapest tests first: this runs over every token ever issued, and under
                // load that is tens of thousands per exchange.
                t.person.id == person.id
                    && t.client_id == app.client_id
                    && self.is_live(t)
                    && scopes::canonical(&t.scopes) == set
            })
            .collect();
        let excess = same_set.len().saturating_sub(LIVE_TOKENS_PER_SCOPE_SET);
        for &i in &same_set[..excess] {
            self.tokens[i].revoked = true;
        }
        Issued {
            access_token,
            refresh_token,
            scopes,
        }
    }

    /// Rotates a live refresh token of `app`: the old pair is revoked, a new pair issued.
    pub(crate) fn refresh(&mut self, app: &OAuthApp, refresh_token: &str) -> Option<Issued> {
        let now = self.now();
        let old = self.tokens.iter_mut().find(|t| {
            !t.revoked
                && t.client_id == app.client_id
                && t.refresh_token.as_deref() == Some(refresh_token)
                && t.refresh_expires_at.is_some_and(|end| now < end)
        })?;
        old.revoked = true;
        let (person, scopes) = (old.person.clone(), old.scopes.clone());
        Some(self.issue_token(app, &person, scopes))
    }

    fn is_live(&self, token: &Token) -> bool {
        !token.revoked && token.expires_at.is_none_or(|end| self.now() < end)
    }

    /// The token behind an access token value, if it is live.
    pub(crate) fn live_token(&self, access_token: &str) -> Option<&Token> {
        self.tokens
            .iter()
            .find(|t| t.access_token == access_token)
            .filter(|t| self.is_live(t))
    }

    pub(crate) fn live_tokens(&self, client_id: &str, github_id: i64) -> Vec<String> {
        self.tokens
            .iter()
            .filter(|t| t.client_id == client_id && t.person.id == github_id && self.is_live(t))
            .map(|t| t.access_token.clone())
            .collect()
    }

    /// Someone the stand-in has met with this id: the signed-in person, or one holding a code
    /// or token (the newest first, so a changed name shows).
    pub(crate) fn known_person(&self, github_id: i64) -> Option<Person> {
        std::iter::once(&self.signed_in)
            .chain(self.tokens.iter().rev().map(|t| &t.person))
            .chain(self.codes.values().map(|c| &c.person))
            .find(|p| p.id == github_id)
            .cloned()
    }

    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        self.issued.clone()
    }

    pub(crate) fn revoke_token(&mut self, access_token: &str) {
        for token in self
            .tokens
            .iter_mut()
            .filter(|t| t.access_token == access_token)
        {
            token.revoked = true;
        }
    }

    /// Deletes the person's grant for the app with every token and pending code that came of it.
    pub(crate) fn delete_grant(&mut self, client_id: &str, github_id: i64) {
        self.grants.remove(&(client_id.to_owned(), github_id));
        for token in self
            .tokens
            .iter_mut()
            .filter(|t| t.client_id == client_id && t.person.id == github_id)
        {
            token.revoked = true;
        }
        self.codes
            .retain(|_, c| !(c.client_id == client_id && c.person.id == github_id));
    }

    /// Turns on OAuth App access restrictions for an organization; approvals given before
    /// are kept.
    pub(crate) fn restrict_org(&mut self, org: &str) {
        self.restricted_orgs
            .entry(org.to_ascii_lowercase())
            .or_default();
    }

    /// An owner approves the app for a restricted organization (a no-op for one without
    /// restrictions, where every app has access anyway).
    pub(crate) fn approve_org(&mut self, org: &str, client_id: &str) {
        if let Some(approved) = self.restricted_orgs.get_mut(&org.to_ascii_lowercase()) {
            approved.insert(client_id.to_owned());
        }
    }

    /// Whether the app may see the organization: it has no access restrictions, or an owner
    /// approved the app. Logins are case-insensitive, as on GitHub.
    pub(crate) fn org_visible_to(&self, org: &str, client_id: &str) -> bool {
        self.restricted_orgs
            .get(&org.to_ascii_lowercase())
            .is_none_or(|approved| approved.contains(client_id))
    }

    /// Counts one request against the token's hourly budget; answers what is left (`None`
    /// when the budget was already spent) and the Unix time at which its window, which began
    /// with its first request, resets.
    pub(crate) fn spend_rate_limit(&mut self, access_token: &str) -> (Option<u32>, u64) {
        let now = self.now();
        let (window_start, used) = self
            .usage
            .entry(access_token.to_owned())
            .or_insert((now, 0));
        if now.duration_since(*window_start) >= RATE_WINDOW {
            *window_start = now;
            *used = 0;
        }
        let left_in_window = RATE_WINDOW.saturating_sub(now.duration_since(*window_start));
        let remaining = (*used < RATE_LIMIT).then(|| {
            *used += 1;
            RATE_LIMIT - *used
        });
        (remaining, self.clock.epoch_seconds_after(left_in_window))
    }
}
