//! Black-box tests of nectr-auth over HTTP: the real app on a real port, the GitHub stand-in
//! over HTTP, and real databases. Every case runs on SQLite and on PostgreSQL.

/// Runs each listed `async fn name(backend)` once per database.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(nectr_auth_tests::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(nectr_auth_tests::Backend::Postgres).await;
                }
            )*
        }
    };
}

mod abuse;
mod callback;
mod cors;
mod cross_site;
mod database_outage;
mod framework_errors;
mod github_failures;
mod gitlab;
mod instances;
mod keys;
mod lifetimes;
mod logout;
mod maintenance;
mod me;
mod ops;
mod organizations;
mod production;
mod provider_token;
mod reconnect;
mod secrets;
mod sign_in;
mod sign_in_rules;
mod state;
