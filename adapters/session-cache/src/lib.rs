//! Short-lived in-memory caches in front of the session ports, so the session check the
//! frontend makes on every page load needs neither a database query nor a signature check
//! most of the time.
//!
//! - [`CachedSessions`] wraps any `SessionStore`. The promise it keeps: a session revoked
//!   through this instance is refused by this instance at once, and a session revoked anywhere
//!   else (another instance, an operator's `DELETE`) is refused here at most `fresh_for`
//!   seconds later, because a cached answer is only believed for that long and is then asked
//!   of the database again. Only live sessions are cached: a refused cookie always costs a
//!   query, so nothing about a session can be "stuck" as valid beyond the window.
//! - [`MemoizedSigner`] wraps any `SessionSigner` and remembers the tokens it has verified, so
//!   a cookie seen before is not parsed and checked again until it expires.

mod sessions;
mod signer;

pub use sessions::CachedSessions;
pub use signer::MemoizedSigner;
