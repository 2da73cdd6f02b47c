//! The identity providers this service offers, each with the sign-in rules its operator set.

use std::sync::Arc;

use crate::ports::IdentityProvider;

/// Who may sign in through a provider. Empty lists mean anyone the provider knows. When any
/// list is set, a person gets in by matching any one of them. Names compare without regard
/// to case, as GitHub and GitLab treat logins and organization names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInRules {
    /// Usernames (GitHub logins, GitLab usernames).
    pub users: Vec<String>,
    /// Organization logins (GitLab: group full paths).
    pub organizations: Vec<String>,
    /// Teams as `organization/team-slug`.
    pub teams: Vec<String>,
}

impl SignInRules {
    /// Whether anyone the provider knows may sign in.
    pub fn is_open(&self) -> bool {
        self.users.is_empty() && self.organizations.is_empty() && self.teams.is_empty()
    }
}

/// One offered provider.
#[derive(Clone)]
pub struct RegisteredProvider {
    pub adapter: Arc<dyn IdentityProvider>,
    pub rules: SignInRules,
    /// The adapter's requested scopes, asked once: every session check compares with them.
    pub requested_scopes: nectr_domain::Scopes,
}

/// The offered providers, looked up by id. Few enough that a list beats a map.
#[derive(Clone, Default)]
pub struct Providers(Vec<RegisteredProvider>);

/// Two adapters claimed one id.
#[derive(Debug, thiserror::Error)]
#[error("two identity providers are registered as `{0}`; each needs its own id")]
pub struct DuplicateProvider(pub String);

impl Providers {
    /// Adds a provider; its routes are `/auth/{id}…`.
    ///
    /// # Errors
    /// `DuplicateProvider` when the id is taken.
    pub fn register(
        &mut self,
        adapter: Arc<dyn IdentityProvider>,
        rules: SignInRules,
    ) -> Result<(), DuplicateProvider> {
        let id = adapter.id().as_str().to_owned();
        if self.get(&id).is_some() {
            return Err(DuplicateProvider(id));
        }
        let requested_scopes = adapter.requested_scopes();
        self.0.push(RegisteredProvider {
            adapter,
            rules,
            requested_scopes,
        });
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&RegisteredProvider> {
        self.0.iter().find(|p| p.adapter.id().as_str() == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &RegisteredProvider> {
        self.0.iter()
    }
}
