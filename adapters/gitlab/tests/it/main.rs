//! The GitLab provider against the GitLab stand-in, over real HTTP on 127.0.0.1.

mod authorize;
mod exchange;
mod faults;
mod groups;
mod odd_answers;
mod profile;
mod refresh;
mod revoke;
mod secrets;
mod setup;
mod stale_connections;
mod support;
