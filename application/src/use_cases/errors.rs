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
    /// No provider with this id is offered here.
    #[error("Sign-in with `{0}` is not offered by this service.")]
    UnknownProvider(String),
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
        hint: String,
    },
    /// The operator's sign-in rules do not admit this person. The message names the rule.
    #[error("{0}")]
    NotAllowed(String),
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

/// Why the person must sign in again before Nectr can act for them at their provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReauthenticationReason {
    /// The provider refuses the token: the person (or an admin) revoked the app's access.
    Revoked,
    /// The token expired and there is no live refresh token, or the provider refused it.
    Expired,
    /// The stored token does not open under any configured key.
    Unreadable,
    /// The person's provider is no longer offered by this service.
    ProviderNotConfigured,
}

impl ReauthenticationReason {
    /// A short, stable name for clients, logs and metrics.
    pub fn code(self) -> &'static str {
        match self {
            Self::Revoked => "token_revoked",
            Self::Expired => "token_expired",
            Self::Unreadable => "token_unreadable",
            Self::ProviderNotConfigured => "provider_not_configured",
        }
    }
}

/// Why a usable provider token could not be handed out.
#[derive(Debug, thiserror::Error)]
pub enum ProviderTokenError {
    #[error("No such user.")]
    UnknownUser,
    #[error("{}", reauthentication_message(*.0))]
    ReauthenticationNeeded(ReauthenticationReason),
    /// The operator's sign-in rules, as they are now, do not admit the person. The message
    /// names the rules.
    #[error("{0}")]
    NotAllowed(String),
    #[error(transparent)]
    Provider(ProviderError),
    #[error(transparent)]
    Store(StoreError),
}

fn reauthentication_message(reason: ReauthenticationReason) -> &'static str {
    match reason {
        ReauthenticationReason::Revoked => {
            "The provider no longer accepts this person's token (access was revoked). They must sign in again."
        }
        ReauthenticationReason::Expired => {
            "This person's provider token has expired and can no longer be refreshed. They must sign in again."
        }
        ReauthenticationReason::Unreadable => {
            "This person's stored token cannot be opened with the configured keys. They must sign in again."
        }
        ReauthenticationReason::ProviderNotConfigured => {
            "This person signed in with a provider this service no longer offers. They must sign in with an offered one."
        }
    }
}

impl From<StoreError> for ProviderTokenError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<ProviderError> for ProviderTokenError {
    fn from(e: ProviderError) -> Self {
        Self::Provider(e)
    }
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
    /// The person signed in with another provider than the one they asked to reconnect to.
    #[error(
        "You signed in with `{signed_in_with}`: reconnect at /auth/{signed_in_with}/reconnect instead."
    )]
    OtherProvider { signed_in_with: String },
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
            Self::NotAllowed(_) => "not_allowed",
            Self::Provider(e) => match e {
                ProviderError::CodeRejected(_) => "code_rejected",
                ProviderError::AccountRefused(_) => "account_refused",
                ProviderError::Misconfigured(_) => "provider_misconfigured",
                ProviderError::TokenRejected(_) => "token_rejected",
                ProviderError::ScopeMissing(_) => "scope_missing",
                ProviderError::Unsupported(_) => "provider_unsupported",
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
