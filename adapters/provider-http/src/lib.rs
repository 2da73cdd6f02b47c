//! What every HTTP identity-provider adapter shares, whatever the provider.
#![doc = include_str!("../README.md")]

pub mod client;
pub mod messages;
pub mod oauth;
pub mod settings;
pub mod transport;

pub use client::{ClientError, ClientSettings, build_client};
pub use messages::Site;
pub use transport::{Answer, MAX_BODY_BYTES, Provider, TransportError, chain};
