//! Load and fault tests: many people signing in at once, a PostgreSQL server stopped and
//! started again under load, a misbehaving GitHub under concurrency, and a flood of sign-in
//! starts. Each test builds its own world with `nectr_auth_tests::spawn_app`.
//!
//! The tests of this binary run one at a time (see [`one_at_a_time`]): they measure
//! throughput and response times, which a sibling load test on the same two cores would
//! distort. `LOAD_USERS` sets how many people the load tests sign in (default 2000).

use tokio::sync::{Mutex, MutexGuard};

/// Runs each listed `async fn name(backend)` once per database, on a multi-threaded runtime
/// (the client side of a load test needs more than one thread) and one test at a time.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let _alone = crate::one_at_a_time().await;
                    super::$name(nectr_auth_tests::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let _alone = crate::one_at_a_time().await;
                    super::$name(nectr_auth_tests::Backend::Postgres).await;
                }
            )*
        }
    };
}

mod browser;
mod github_faults;
mod latency;
mod load;
mod postgres_restart;
mod private_postgres;
mod state_flood;
mod stored;

/// Held for the whole of a test. A tokio mutex, because it is held across awaits and is
/// shared by the runtimes of different tests; it does not poison, so one failed test does
/// not fail the others.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

async fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}
