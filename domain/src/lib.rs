//! Pure types and rules of nectr-auth.
//!
//! Everything here is plain data with its invariants: values are built through one fallible
//! constructor and are valid from then on ("parse, don't validate"). The crate knows nothing
//! of HTTP, databases, GitHub's wire format or cryptography; those live behind the ports of
//! `nectr-application`.

mod error;
mod ids;
mod oauth_state;
mod opaque_token;
mod session;
mod time;
mod token;
mod user;

pub use error::DomainError;
pub use ids::{GithubId, UserId};
pub use oauth_state::{OAuthState, PkceVerifier};
pub use opaque_token::{BrowserBinding, SessionId, StateToken};
pub use session::{Session, SessionClaims};
pub use time::Timestamp;
pub use token::{AccessToken, EncryptedToken, KeyId};
pub use user::{IdentityProfile, User};
