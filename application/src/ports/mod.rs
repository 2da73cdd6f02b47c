//! The ports: what the use cases need from the outside world, as object-safe traits held in
//! `Arc<dyn …>` so adapters can be chosen at run time.

mod clock;
mod identity_provider;
mod random;
mod session_signer;
mod stores;
mod token_cipher;

pub use clock::Clock;
pub use identity_provider::{
    AuthorizationRequest, IdentityProvider, Organization, ProviderError, ProviderTerms, Team,
    TokenGrant,
};
pub use random::RandomSource;
pub use session_signer::{SessionSigner, SignerError};
pub use stores::{SessionStore, StateStore, StoreError, UserStore};
pub use token_cipher::{CipherError, TokenCipher};
