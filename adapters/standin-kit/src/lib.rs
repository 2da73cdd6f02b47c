//! The parts of an in-process provider stand-in that do not depend on the provider: serving on
//! a loopback port or mounted in another `App`, shared state behind a lock, a record of every
//! request, faults a test can set per endpoint, a clock tests can move, random values, and
//! the parameter and credential parsing every provider does alike.
//!
//! A stand-in keeps its own endpoints, state, answers and error bodies; see the README for how
//! the pieces fit together.

mod clock;
mod fault;
pub mod params;
pub mod random;
mod record;
mod serve;
mod shared;
#[cfg(feature = "testing")]
pub mod testing;
mod traffic;

pub use clock::Clock;
pub use fault::{Fault, FaultAnswer, wait_out};
pub use record::RecordedRequest;
pub use serve::{bind_loopback, handler, serve};
pub use shared::Shared;
pub use traffic::Traffic;
