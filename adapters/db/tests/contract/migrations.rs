//! Cases about the schema itself.

use nectr_application::ports::{SessionStore, StateStore, UserStore};
use nectr_domain::{Scopes, UserId};

use crate::world::{
    Backend, NOW, World, github, identity, profile, profile_of, sealed, session, session_id, state,
    state_token,
};

const DIGEST: &str = "digest-of-the-browser-binding";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The migration directories of `backend`, as shipped in the repository, sorted.
fn shipped_migrations(backend: Backend) -> Vec<String> {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(folder);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the migrations folder is readable")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.join("up.sql").is_file() && path.join("down.sql").is_file())
        .filter_map(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// The versions of the shipped migrations, oldest first, as diesel records them.
fn shipped_versions(backend: Backend) -> Vec<String> {
    shipped_migrations(backend)
        .iter()
        .filter_map(|name| name.split('_').next())
        .map(|version| version.replace('-', ""))
        .collect()
}

#[test]
fn both_backends_ship_the_same_migrations() {
    let sqlite = shipped_migrations(Backend::Sqlite);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, shipped_migrations(Backend::Postgres));
}

pub async fn migrate_applies_every_migration_once(world: &World) {
    // Arrange: a database without tables.
    let fresh = World::unmigrated(world.backend).await;

    // Act
    let first = fresh.db.migrate().await.expect("the first run applies");
    let second = fresh.db.migrate().await.expect("the second run succeeds");

    // Assert
    assert_eq!(
        first,
        shipped_versions(world.backend),
        "applied in order, by version"
    );
    assert!(second.is_empty(), "nothing left to apply: {second:?}");
    assert_eq!(fresh.count("SELECT COUNT(*) FROM users").await, 0);
}

pub async fn ping_answers(world: &World) {
    world.db.ping().await.expect("ping answers");
}

/// `len` bytes equal to `byte` as an SQL literal of `backend`.
fn bytes(backend: Backend, byte: u8, len: usize) -> String {
    let hex = format!("{byte:02x}").repeat(len);
    match backend {
        Backend::Sqlite => format!("x'{hex}'"),
        Backend::Postgres => format!("decode('{hex}', 'hex')"),
    }
}

/// A row of `users` as the first release wrote it, with the token `sealed(seed)`.
fn old_user(backend: Backend, github_id: i64, username: &str, seed: u8) -> String {
    format!(
        "INSERT INTO users (github_id, github_username, name, token_key_id, token_nonce, \
         token_ciphertext, created_at, updated_at) \
         VALUES ({github_id}, '{username}', 'Mona', '0a1b2c3d', {}, {}, {}, {})",
        bytes(backend, seed, 12),
        bytes(backend, seed, 40),
        NOW.unix_seconds(),
        NOW.plus_seconds(30).unix_seconds(),
    )
}

/// A database in use at the first release's schema is upgraded in place: its GitHub people
/// keep their ids, names, tokens and sessions, and attempts in flight can still finish. On
/// SQLite this is the case that would lose every session if `users` were dropped with
/// foreign keys on.
pub async fn upgrading_keeps_github_people_their_sessions_and_attempts(world: &World) {
    // Arrange: the first release's schema, in use.
    let backend = world.backend;
    let old = World::unmigrated(backend).await;
    let versions = shipped_versions(backend);
    let applied = old
        .db
        .migrate_through(&versions[0])
        .await
        .expect("the first migration applies");
    assert_eq!(applied, versions[..1]);
    old.execute(&old_user(backend, 42, "octocat", 1)).await;
    old.execute(&old_user(backend, i64::MAX, "big", 2)).await;
    old.execute(&old_user(backend, 77, "gone", 3)).await;
    let octocat =
        UserId::new(old.count("SELECT id FROM users WHERE github_id = 42").await).expect("an id");
    let big = UserId::new(
        old.count(&format!(
            "SELECT id FROM users WHERE github_id = {}",
            i64::MAX
        ))
        .await,
    )
    .expect("an id");
    // The newest person leaves: their id must never be handed out again.
    let gone = old.count("SELECT id FROM users WHERE github_id = 77").await;
    old.execute("DELETE FROM users WHERE github_id = 77").await;
    old.execute(&format!(
        "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ('{}', {}, {}, {})",
        session_id("kept").as_str(),
        octocat.get(),
        NOW.unix_seconds(),
        NOW.plus_seconds(3600).unix_seconds(),
    ))
    .await;
    old.execute(&format!(
        "INSERT INTO oauth_states (state, binding_digest, pkce_verifier, created_at, expires_at) \
         VALUES ('{}', '{DIGEST}', '{VERIFIER}', {}, {})",
        state_token("inflight").as_str(),
        NOW.unix_seconds(),
        NOW.plus_seconds(600).unix_seconds(),
    ))
    .await;

    // Act
    let upgraded = old.db.migrate().await.expect("the upgrade applies");

    // Assert
    assert_eq!(upgraded, versions[1..], "only the newer migrations ran");
    let user = old
        .db
        .find(octocat)
        .await
        .expect("read")
        .expect("the person is still there");
    assert_eq!(user.identity, github(42));
    assert_eq!(user.username, "octocat");
    assert_eq!(user.name.as_deref(), Some("Mona"));
    assert_eq!(user.granted_scopes, None, "never reported");
    assert_eq!(
        (user.created_at, user.updated_at),
        (NOW, NOW.plus_seconds(30))
    );
    let raw = old
        .count(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {} AND provider = 'github' \
             AND provider_user_id = '42' AND username = 'octocat' AND granted_scopes IS NULL",
            octocat.get()
        ))
        .await;
    assert_eq!(
        raw, 1,
        "stored as provider 'github' and the id as decimal text"
    );
    assert_eq!(
        old.db
            .find(big)
            .await
            .expect("read")
            .expect("present")
            .identity,
        github(i64::MAX)
    );
    assert_eq!(
        old.db.sealed_token(octocat).await.expect("read"),
        Some(sealed(1))
    );
    assert_eq!(old.count("SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(
        old.db
            .active_user(&session_id("kept"), octocat, NOW)
            .await
            .expect("checked"),
        Some(user.clone()),
        "the session survived"
    );
    let attempt = old
        .db
        .consume(&state_token("inflight"), DIGEST, NOW)
        .await
        .expect("consumed")
        .expect("the attempt survived");
    assert_eq!(attempt.provider.as_str(), "github");
    assert_eq!(
        attempt.pkce_verifier.as_ref().map(|v| v.expose()),
        Some(VERIFIER)
    );

    // The upgraded rows are keyed by identity: the next sign-in updates, never duplicates.
    let again = old
        .db
        .upsert(
            &github(42),
            &profile(42, "octocat", None),
            &sealed(4),
            NOW.plus_seconds(60),
        )
        .await
        .expect("signed in again");
    assert_eq!(again.id, octocat);
    let newcomer = identity("gitlab", "77");
    let newcomer = old
        .db
        .upsert(
            &newcomer,
            &profile_of(&newcomer, "new", None),
            &sealed(5),
            NOW,
        )
        .await
        .expect("a new person");
    assert!(
        newcomer.id.get() > gone,
        "{} reuses an id up to the deleted {gone}",
        newcomer.id
    );
    assert_eq!(old.count("SELECT COUNT(*) FROM users").await, 3);

    // Sessions still belong to the rebuilt table: deleting a person deletes theirs.
    old.execute(&format!("DELETE FROM users WHERE id = {}", octocat.get()))
        .await;
    assert_eq!(old.count("SELECT COUNT(*) FROM sessions").await, 0);
}

/// Reverting the identity migration gives the first release's schema back for GitHub's
/// people, with their ids and sessions; people and attempts of other providers cannot be
/// represented there and are removed. Applying it again works.
pub async fn reverting_restores_github_people(world: &World) {
    // Arrange
    let octocat = world
        .db
        .upsert(
            &github(42),
            &profile(42, "octocat", Some("Mona"))
                .with_granted_scopes(Some(Scopes::of(["read:user"]))),
            &sealed(1),
            NOW,
        )
        .await
        .expect("stored");
    let gitlab = identity("gitlab", "42");
    let tanuki = world
        .db
        .upsert(
            &gitlab,
            &profile_of(&gitlab, "tanuki", None),
            &sealed(2),
            NOW,
        )
        .await
        .expect("stored");
    let deadline = NOW.plus_seconds(3600);
    for (tag, owner) in [("hub", octocat.id), ("lab", tanuki.id)] {
        world
            .db
            .create(&session(tag, owner, deadline))
            .await
            .expect("created");
    }
    world
        .db
        .insert(&state("hub", DIGEST, None, deadline))
        .await
        .expect("stored");
    let mut at_gitlab = state("lab", DIGEST, None, deadline);
    at_gitlab.provider = gitlab.provider.clone();
    world.db.insert(&at_gitlab).await.expect("stored");
    let versions = shipped_versions(world.backend);
    let newest = versions.last().expect("a migration").clone();

    // Act
    let reverted = world
        .db
        .revert_last_migration()
        .await
        .expect("the migration reverts");

    // Assert: the old shape, with GitHub's people only.
    assert_eq!(reverted, std::slice::from_ref(&newest));
    let old_shape = world
        .count(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {} AND github_id = 42 \
             AND github_username = 'octocat' AND name = 'Mona'",
            octocat.id.get()
        ))
        .await;
    assert_eq!(old_shape, 1);
    assert_eq!(world.count("SELECT COUNT(*) FROM users").await, 1);
    let hub_session = world
        .count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE id = '{}' AND user_id = {}",
            session_id("hub").as_str(),
            octocat.id.get()
        ))
        .await;
    assert_eq!(hub_session, 1, "the GitHub person's session is kept");
    assert_eq!(world.count("SELECT COUNT(*) FROM sessions").await, 1);
    let hub_state = world
        .count(&format!(
            "SELECT COUNT(*) FROM oauth_states WHERE state = '{}'",
            state_token("hub").as_str()
        ))
        .await;
    assert_eq!(hub_state, 1);
    assert_eq!(world.count("SELECT COUNT(*) FROM oauth_states").await, 1);

    // And forward again, as a restarted service would.
    let reapplied = world
        .db
        .migrate()
        .await
        .expect("the migration applies again");
    assert_eq!(reapplied, [newest]);
    let restarted = world.second_instance().await;
    let user = restarted
        .find(octocat.id)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(user.identity, github(42));
    assert_eq!(user.username, "octocat");
    assert_eq!(user.granted_scopes, None, "scopes were forgotten");
    assert_eq!(
        restarted
            .active_user(&session_id("hub"), octocat.id, NOW)
            .await
            .expect("checked")
            .map(|user| user.id),
        Some(octocat.id)
    );
}
