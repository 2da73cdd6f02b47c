//! Behaviour tests: each rule the stand-in enforces, exercised over HTTP as a client would.

mod applications;
mod authorize;
mod common;
mod faults;
mod mounting;
mod rest;
mod token;
