//! The GitHub provider against the GitHub stand-in, over real HTTP on 127.0.0.1.

mod authorize;
mod exchange;
mod faults;
mod odd_answers;
mod orgs;
mod profile;
mod refresh;
mod revoke;
mod revoke_token;
mod scopes;
mod secrets;
mod setup;
mod stale_connections;
mod support;
