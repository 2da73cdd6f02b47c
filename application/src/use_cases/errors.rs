//! Why a use case failed. The `Display` text is what the person reads (the server puts it in
//! `{"detail": …}`), so each one says what happened and what to do.

use crate::ports::{ProviderError, StoreError};

/// Why a sign-in could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartSignInError {
    /// More sign-ins are in progress than the operator allows (`MAX_LIVE_OAUTH_STATES`): a
    /// flood, or a crowd. Attempts expire within `OAUTH_STATE_TTL_SECONDS`.
    #[error("Too many sign-ins are in progress right now. Try again in a minute.")]
    Busy,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for StartSignInError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// Why a callback did not end in a session.
#[derive(Debug, thiserror::Error)]
pub enum CompleteSignInError {
    /// The `state` is missing, malformed, unknown, expired, used, or belongs to another
    /// browser. One message for all, so the endpoint reveals nothing about states.
    #[error("Invalid or expired OAuth state")]
    InvalidState,
    /// The person pressed Cancel on the provider's consent screen.
    #[error(
        "{provider} sign-in was cancelled, so nothing was shared and you are not signed in. Start again from the sign-in page when you are ready."
    )]
    Cancelled { provider: String },
    /// The provider sent the browser back with an OAuth error other than Cancel.
    #[error("{provider} refused the sign-in ({error}{}). {hint}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    ProviderRefused {
        provider: String,
        error: String,
        description: Option<String>,
        hint: &'static str,
    },
    /// A callback with a valid state but no usable `code`.
    #[error(
        "The sign-in callback has no valid `code` parameter. Start sign-in again from the sign-in page."
    )]
    MissingCode,
    #[error(transparent)]
    Provider(ProviderError),
    #[error(transparent)]
    Store(StoreError),
}

/// Why there is no signed-in person.
#[derive(Debug, thiserror::Error)]
pub enum CurrentUserError {
    #[error("Not authenticated")]
    NotAuthenticated,
    /// Bad signature, expired, revoked, or the person no longer exists.
    #[error("Invalid or expired token")]
    InvalidToken,
    #[error(transparent)]
    Store(StoreError),
}

/// Why a reconnect could not start.
#[derive(Debug, thiserror::Error)]
pub enum ReconnectError {
    #[error(transparent)]
    Session(CurrentUserError),
    /// The stored provider token does not open under any configured key (the key was rotated
    /// away or the value is damaged).
    #[error("Session expired — please log out and sign in again")]
    TokenUnreadable,
    #[error(transparent)]
    Provider(ProviderError),
    #[error(transparent)]
    Store(StoreError),
    /// The grant was removed but the new sign-in could not start.
    #[error(transparent)]
    Start(StartSignInError),
}

impl From<StartSignInError> for ReconnectError {
    fn from(e: StartSignInError) -> Self {
        Self::Start(e)
    }
}

impl CompleteSignInError {
    /// A short, stable name for logs and metrics labels.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::InvalidState => "invalid_state",
            Self::Cancelled { .. } => "cancelled",
            Self::ProviderRefused { .. } => "provider_refused",
            Self::MissingCode => "missing_code",
            Self::Provider(e) => match e {
                ProviderError::CodeRejected(_) => "code_rejected",
                ProviderError::AccountRefused(_) => "account_refused",
                ProviderError::Misconfigured(_) => "provider_misconfigured",
                ProviderError::TokenRejected(_) => "token_rejected",
                ProviderError::Timeout(_) => "provider_timeout",
                ProviderError::Unreachable(_) => "provider_unreachable",
                ProviderError::BadResponse(_) => "provider_bad_response",
            },
            Self::Store(StoreError::Unavailable { .. }) => "database_unavailable",
            Self::Store(StoreError::Failed(_)) => "database_error",
        }
    }
}

impl From<StoreError> for CompleteSignInError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<ProviderError> for CompleteSignInError {
    fn from(e: ProviderError) -> Self {
        Self::Provider(e)
    }
}

impl From<StoreError> for CurrentUserError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<CurrentUserError> for ReconnectError {
    fn from(e: CurrentUserError) -> Self {
        match e {
            CurrentUserError::Store(e) => Self::Store(e),
            other => Self::Session(other),
        }
    }
}

impl From<StoreError> for ReconnectError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}
