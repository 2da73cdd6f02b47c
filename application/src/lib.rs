//! Use cases of nectr-auth and the ports they need.
//!
//! The use cases are written against traits (`ports`), never against a database, an HTTP
//! client or a framework: `nectr-db`, the identity-provider adapters and `nectr-crypto` implement the ports,
//! and the server wires them together. Error types here carry the messages people read.

mod key_rotation;
pub mod ports;
mod providers;
mod use_cases;

pub use key_rotation::{KeyRotation, RotationReport};
pub use providers::{DuplicateProvider, Providers, RegisteredProvider, SignInRules};
pub use use_cases::{
    AuthService, CallbackParams, CompleteSignInError, CurrentUserError, LogoutOutcome,
    OrganizationAccess, OrganizationAccessError, Policy, Ports, ProviderTokenError,
    ProviderTokenRevocation, ReauthenticationReason, ReconnectError, SignedIn, StartSignInError,
    StartedSignIn, SweepReport, UsableToken,
};
