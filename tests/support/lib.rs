//! What every integration test needs: a whole world per test (a fresh database, a fresh
//! GitHub stand-in, the real app on a real port) and a browser-like client.

mod chaos_proxy;
mod clock;
mod world;

pub use chaos_proxy::ChaosProxy;
pub use clock::TestClock;
pub use world::{
    Backend, CLIENT_ID, CLIENT_SECRET, FRONTEND, GITLAB_CLIENT_ID, GITLAB_CLIENT_SECRET, TestApp,
    TestOptions, location, set_cookies, spawn_app, spawn_app_with,
};
