//! `SessionStore` cases.

use nectr_application::ports::{SessionStore, StoreError, UserStore};
use nectr_domain::{User, UserId};

use crate::world::{NOW, World, github, profile, sealed, session, session_id};

async fn person(world: &World, github_id: i64, username: &str) -> User {
    world
        .db
        .upsert(
            &github(github_id),
            &profile(github_id, username, None),
            &sealed(9),
            NOW,
        )
        .await
        .expect("a person is stored")
}

pub async fn active_user_checks_expiry_owner_and_revocation(world: &World) {
    // Arrange
    let alice = person(world, 1, "alice").await;
    let bob = person(world, 2, "bob").await;
    let deadline = NOW.plus_seconds(3600);
    world
        .db
        .create(&session("s1", alice.id, deadline))
        .await
        .expect("created");
    let id = session_id("s1");

    // Act
    let live = world
        .db
        .active_user(&id, alice.id, NOW)
        .await
        .expect("checked");
    let wrong_owner = world
        .db
        .active_user(&id, bob.id, NOW)
        .await
        .expect("checked");
    let last_second = world
        .db
        .active_user(&id, alice.id, deadline.plus_seconds(-1))
        .await
        .expect("checked");
    let at_deadline = world
        .db
        .active_user(&id, alice.id, deadline)
        .await
        .expect("checked");
    let revoked = world.db.revoke(&id).await.expect("revoked");
    let after_revoke = world
        .db
        .active_user(&id, alice.id, NOW)
        .await
        .expect("checked");

    // Assert
    assert_eq!(live, Some(alice.clone()));
    assert_eq!(wrong_owner, None, "a session answers only for its own user");
    assert_eq!(last_second, Some(alice));
    assert_eq!(at_deadline, None, "a session is dead at its deadline");
    assert!(revoked);
    assert_eq!(after_revoke, None);
}

pub async fn revoke_is_idempotent(world: &World) {
    let carol = person(world, 3, "carol").await;
    world
        .db
        .create(&session("s2", carol.id, NOW.plus_seconds(60)))
        .await
        .expect("created");

    let unknown = world.db.revoke(&session_id("nosuch")).await.expect("asked");
    let first = world.db.revoke(&session_id("s2")).await.expect("revoked");
    let second = world
        .db
        .revoke(&session_id("s2"))
        .await
        .expect("asked again");

    assert_eq!((unknown, first, second), (false, true, false));
}

pub async fn revoke_all_ends_only_that_persons_sessions(world: &World) {
    let erin = person(world, 5, "erin").await;
    let frank = person(world, 6, "frank").await;
    for (tag, owner) in [("e1", erin.id), ("e2", erin.id), ("f1", frank.id)] {
        world
            .db
            .create(&session(tag, owner, NOW.plus_seconds(60)))
            .await
            .expect("created");
    }

    let ended = world.db.revoke_all(erin.id).await.expect("revoked");
    let again = world.db.revoke_all(erin.id).await.expect("asked again");
    let erins = world
        .db
        .active_user(&session_id("e1"), erin.id, NOW)
        .await
        .expect("asked");
    let franks = world
        .db
        .active_user(&session_id("f1"), frank.id, NOW)
        .await
        .expect("asked");

    assert_eq!((ended, again), (2, 0));
    assert_eq!(erins, None);
    assert_eq!(franks.map(|u| u.id), Some(frank.id));
}

pub async fn sweep_removes_only_expired_sessions(world: &World) {
    // Arrange
    let dave = person(world, 4, "dave").await;
    world
        .db
        .create(&session("gone", dave.id, NOW))
        .await
        .expect("created");
    world
        .db
        .create(&session("edge", dave.id, NOW.plus_seconds(10)))
        .await
        .expect("created");
    world
        .db
        .create(&session("kept", dave.id, NOW.plus_seconds(600)))
        .await
        .expect("created");

    // Act
    let swept = world
        .db
        .sweep_expired(NOW.plus_seconds(10))
        .await
        .expect("swept");
    let again = world
        .db
        .sweep_expired(NOW.plus_seconds(10))
        .await
        .expect("swept");

    // Assert
    assert_eq!((swept, again), (2, 0));
    let kept = world
        .db
        .active_user(&session_id("kept"), dave.id, NOW)
        .await
        .expect("checked");
    assert_eq!(kept.map(|user| user.id), Some(dave.id));
}

pub async fn deleting_a_user_deletes_their_sessions(world: &World) {
    // Arrange
    let erin = person(world, 5, "erin").await;
    let frank = person(world, 6, "frank").await;
    world
        .db
        .create(&session("e1", erin.id, NOW.plus_seconds(600)))
        .await
        .expect("created");
    world
        .db
        .create(&session("e2", erin.id, NOW.plus_seconds(600)))
        .await
        .expect("created");
    world
        .db
        .create(&session("f1", frank.id, NOW.plus_seconds(600)))
        .await
        .expect("created");

    // Act
    world
        .execute(&format!("DELETE FROM users WHERE id = {}", erin.id))
        .await;

    // Assert
    let left = world
        .count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE user_id = {}",
            erin.id
        ))
        .await;
    assert_eq!(left, 0);
    assert_eq!(world.count("SELECT COUNT(*) FROM sessions").await, 1);
}

pub async fn session_of_unknown_user_is_a_failure(world: &World) {
    let nobody = UserId::new(424_242).expect("id");

    let created = world
        .db
        .create(&session("orphan", nobody, NOW.plus_seconds(60)))
        .await;

    assert!(
        matches!(created, Err(StoreError::Failed(_))),
        "foreign keys are enforced: {created:?}"
    );
}
