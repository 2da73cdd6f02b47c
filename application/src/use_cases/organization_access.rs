//! What the frontend shows before a reconnect: the organizations the token can see and where
//! the person grants or requests access for the others.

use nectr_domain::{ProviderId, User};

use super::{AuthService, CurrentUserError, ProviderTokenError};
use crate::ports::{Organization, ProviderError};

/// The signed-in person's organization access at their provider.
#[derive(Debug)]
pub struct OrganizationAccess {
    pub provider: ProviderId,
    /// The organizations the app may see the person in. Organizations that restrict OAuth
    /// apps stay hidden until an owner approves this one.
    pub organizations: Vec<Organization>,
    /// Why the list could not be read, when it could not (e.g. the token lacks `read:org`):
    /// the list is then empty and reconnecting is the fix.
    pub problem: Option<String>,
    /// Where the person grants or requests access (GitHub's application settings page).
    pub settings_url: Option<String>,
}

/// Why organization access could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum OrganizationAccessError {
    #[error(transparent)]
    Session(CurrentUserError),
    #[error(transparent)]
    Token(ProviderTokenError),
}

impl AuthService {
    /// # Errors
    /// `Session` without a valid session; `Token` when the person must sign in again, the
    /// provider cannot be reached, or the database is down.
    pub async fn organization_access(
        &self,
        session_token: Option<&str>,
    ) -> Result<OrganizationAccess, OrganizationAccessError> {
        let (_, user) = self
            .authenticate(session_token)
            .await
            .map_err(OrganizationAccessError::Session)?;
        self.organizations_of(&user)
            .await
            .map_err(OrganizationAccessError::Token)
    }

    async fn organizations_of(
        &self,
        user: &User,
    ) -> Result<OrganizationAccess, ProviderTokenError> {
        let provider = self.adapter_of(user)?;
        let (tokens, _) = self.live_tokens(user, None).await?;
        let (organizations, problem) = match provider.organizations(&tokens.access).await {
            Ok(list) => (list, None),
            Err(ProviderError::ScopeMissing(detail) | ProviderError::Unsupported(detail)) => {
                (Vec::new(), Some(detail))
            }
            Err(ProviderError::TokenRejected(_)) => {
                return Err(super::provider_token::revoked(user));
            }
            Err(e) => return Err(e.into()),
        };
        Ok(OrganizationAccess {
            provider: provider.id().clone(),
            organizations,
            problem,
            settings_url: provider.access_settings_url(),
        })
    }
}
