//! Behaviour tests: each rule the stand-in enforces, exercised over HTTP as a client would.

mod authorize;
mod common;
mod faults;
mod mounting;
mod rest;
mod revoke;
mod token;
