//! Pure types and rules of nectr-auth.
//!
//! Everything here is plain data with its invariants: values are built through one fallible
//! constructor and are valid from then on ("parse, don't validate"). The crate knows nothing
//! of HTTP, databases, any provider's wire format or cryptography; those live behind the ports of
//! `nectr-application`.

mod error;
mod ids;
mod oauth_state;
mod opaque_token;
mod scopes;
mod session;
mod time;
mod token;
mod user;

pub use error::DomainError;
pub use ids::{Identity, ProviderId, Subject, UserId};
pub use oauth_state::{ConsumedState, OAuthState, PkceVerifier};
pub use opaque_token::{BrowserBinding, SessionId, StateToken};
pub use scopes::Scopes;
pub use session::{Session, SessionClaims};
pub use time::Timestamp;
pub use token::{AccessToken, EncryptedToken, KeyId, ProviderTokens, RefreshToken};
pub use user::{IdentityProfile, User};
