//! The database adapter: Diesel stores for SQLite and PostgreSQL behind the store ports.
//!
#![doc = include_str!("../README.md")]

mod config;
mod database;
mod error;
mod migrate;
mod models;
mod pool;
mod schema;
mod sessions;
mod state_batch;
mod states;
mod users;

#[cfg(feature = "testing")]
pub mod testing;

pub use config::DatabaseConfig;
pub use database::{Database, PoolStatus};
pub use error::DbError;
