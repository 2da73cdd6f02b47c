//! Behaviour tests: each rule the stand-in enforces, exercised over HTTP as a client would.

mod applications;
mod authorize;
mod avatars;
mod common;
mod faults;
mod interactive;
mod memberships;
mod mounting;
mod rest;
mod revocation;
mod token;
