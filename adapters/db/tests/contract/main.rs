//! The store contract: one set of cases, run against SQLite and PostgreSQL alike.
//!
//! PostgreSQL comes from `TEST_DATABASE_URL` (set for the workspace in `.cargo/config.toml`);
//! each test gets its own fresh database, and a missing server fails the tests.

mod backends;
mod migrations;
mod sessions;
mod states;
mod users;
mod world;

/// Expands every listed case into one `#[tokio::test]` per backend, each in a world of its
/// own. The runtime is multi-threaded, as in the server: migrations block on it.
macro_rules! contract {
    ($($module:ident :: $case:ident),* $(,)?) => {
        contract!(@backend on_sqlite, Sqlite, $($module::$case),*);
        contract!(@backend on_postgres, Postgres, $($module::$case),*);
    };
    (@backend $name:ident, $backend:ident, $($module:ident :: $case:ident),*) => {
        mod $name {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let world = crate::world::World::new(crate::world::Backend::$backend).await;
                    crate::$module::$case(&world).await;
                }
            )*
        }
    };
}

contract!(
    migrations::migrate_applies_every_migration_once,
    migrations::ping_answers,
    migrations::upgrading_keeps_github_people_their_sessions_and_attempts,
    migrations::reverting_restores_github_people,
    users::upsert_creates_then_updates,
    users::two_providers_with_the_same_subject_are_two_people,
    users::subjects_round_trip_exactly,
    users::granted_scopes_are_stored_replaced_and_cleared,
    users::a_profile_of_someone_else_is_refused,
    users::concurrent_first_sign_ins_make_one_person,
    users::unicode_profiles_round_trip,
    users::unknown_people_are_none,
    users::sealed_tokens_come_in_pages_in_id_order,
    users::replacing_a_sealed_token_is_a_compare_and_swap,
    states::state_is_consumed_once,
    states::consume_returns_the_provider,
    states::state_without_verifier_is_consumed,
    states::concurrent_consumes_let_one_through,
    states::foreign_binding_leaves_the_state_for_its_owner,
    states::expired_or_unknown_states_are_none,
    states::duplicate_state_is_a_failure,
    states::a_burst_of_attempts_is_stored_whole,
    states::sweep_removes_only_expired_states,
    states::live_states_are_counted_until_their_deadline,
    sessions::active_user_checks_expiry_owner_and_revocation,
    sessions::revoke_is_idempotent,
    sessions::revoke_all_ends_only_that_persons_sessions,
    sessions::sweep_removes_only_expired_sessions,
    sessions::deleting_a_user_deletes_their_sessions,
    sessions::session_of_unknown_user_is_a_failure,
);
