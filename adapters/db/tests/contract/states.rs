//! `StateStore` cases.

use nectr_application::ports::{StateStore, StoreError};
use nectr_domain::{ConsumedState, ProviderId};

use crate::world::{NOW, World, state, state_token, token43};

const DIGEST: &str = "digest-of-the-browser-binding";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

pub async fn state_is_consumed_once(world: &World) {
    // Arrange
    let expires = NOW.plus_seconds(600);
    world
        .db
        .insert(&state("once", DIGEST, Some(VERIFIER), expires))
        .await
        .expect("stored");

    // Act
    let first = world
        .db
        .consume(&state_token("once"), DIGEST, NOW)
        .await
        .expect("consumed");
    let second = world
        .db
        .consume(&state_token("once"), DIGEST, NOW)
        .await
        .expect("asked");

    // Assert
    let first = first.expect("the attempt was there");
    assert_eq!(first.provider.as_str(), "github");
    let verifier = first.pkce_verifier.expect("with its verifier");
    assert_eq!(verifier.expose(), VERIFIER);
    assert!(second.is_none(), "a used state is gone");
}

/// The use case checks that a callback comes back from where its attempt was sent, so each
/// attempt hands back its own provider.
pub async fn consume_returns_the_provider(world: &World) {
    // Arrange
    let expires = NOW.plus_seconds(600);
    let mut at_gitlab = state("lab", DIGEST, Some(VERIFIER), expires);
    at_gitlab.provider = ProviderId::parse("gitlab").expect("a provider id");
    world.db.insert(&at_gitlab).await.expect("stored");
    world
        .db
        .insert(&state("hub", DIGEST, None, expires))
        .await
        .expect("stored");

    // Act
    let lab = world
        .db
        .consume(&state_token("lab"), DIGEST, NOW)
        .await
        .expect("consumed")
        .expect("the attempt was there");
    let hub = world
        .db
        .consume(&state_token("hub"), DIGEST, NOW)
        .await
        .expect("consumed")
        .expect("the attempt was there");

    // Assert
    assert_eq!(lab.provider.as_str(), "gitlab");
    assert_eq!(
        lab.pkce_verifier.as_ref().map(|v| v.expose()),
        Some(VERIFIER)
    );
    assert_eq!(hub.provider.as_str(), "github");
    assert!(hub.pkce_verifier.is_none());
}

pub async fn state_without_verifier_is_consumed(world: &World) {
    world
        .db
        .insert(&state("plain", DIGEST, None, NOW.plus_seconds(600)))
        .await
        .expect("stored");

    let consumed = world
        .db
        .consume(&state_token("plain"), DIGEST, NOW)
        .await
        .expect("consumed");

    assert!(
        matches!(
            consumed,
            Some(ConsumedState {
                pkce_verifier: None,
                ..
            })
        ),
        "{consumed:?}"
    );
}

pub async fn concurrent_consumes_let_one_through(world: &World) {
    // Arrange
    world
        .db
        .insert(&state(
            "race",
            DIGEST,
            Some(VERIFIER),
            NOW.plus_seconds(600),
        ))
        .await
        .expect("stored");
    let other = world.second_instance().await;

    // Act: the same callback 20 times at once, spread over two instances' pools.
    let token = state_token("race");
    let attempts = (0..20).map(|i| {
        let db = if i % 2 == 0 { &world.db } else { &other };
        db.consume(&token, DIGEST, NOW)
    });
    let outcomes = futures_util::future::join_all(attempts).await;

    // Assert
    let winners = outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every call is answered"))
        .filter(Option::is_some)
        .count();
    assert_eq!(winners, 1);
}

pub async fn foreign_binding_leaves_the_state_for_its_owner(world: &World) {
    world
        .db
        .insert(&state("bound", DIGEST, None, NOW.plus_seconds(600)))
        .await
        .expect("stored");

    let foreign = world
        .db
        .consume(&state_token("bound"), "someone-else", NOW)
        .await
        .expect("asked");
    let owner = world
        .db
        .consume(&state_token("bound"), DIGEST, NOW)
        .await
        .expect("asked");

    assert!(foreign.is_none(), "another browser gets nothing");
    assert!(owner.is_some(), "the owner can still finish signing in");
}

pub async fn expired_or_unknown_states_are_none(world: &World) {
    // Arrange: two attempts with the same deadline.
    let deadline = NOW.plus_seconds(600);
    world
        .db
        .insert(&state("late", DIGEST, None, deadline))
        .await
        .expect("stored");
    world
        .db
        .insert(&state("intime", DIGEST, None, deadline))
        .await
        .expect("stored");

    // Act
    let at_deadline = world
        .db
        .consume(&state_token("late"), DIGEST, deadline)
        .await
        .expect("asked");
    let just_before = world
        .db
        .consume(&state_token("intime"), DIGEST, deadline.plus_seconds(-1))
        .await
        .expect("asked");
    let unknown = world
        .db
        .consume(&state_token("never"), DIGEST, NOW)
        .await
        .expect("asked");

    // Assert
    assert!(at_deadline.is_none(), "a state is dead at its deadline");
    assert!(just_before.is_some(), "a state is live until its deadline");
    assert!(unknown.is_none());
}

pub async fn duplicate_state_is_a_failure(world: &World) {
    let attempt = state("twice", DIGEST, None, NOW.plus_seconds(600));
    world.db.insert(&attempt).await.expect("stored");

    let again = world.db.insert(&attempt).await;

    let Err(StoreError::Failed(message)) = again else {
        panic!("a duplicate state must be StoreError::Failed, got {again:?}");
    };
    assert!(
        !message.contains(&token43("twice")),
        "no values in messages: {message}"
    );
}

pub async fn sweep_removes_only_expired_states(world: &World) {
    // Arrange
    world
        .db
        .insert(&state("old", DIGEST, None, NOW))
        .await
        .expect("stored");
    world
        .db
        .insert(&state("edge", DIGEST, None, NOW.plus_seconds(10)))
        .await
        .expect("stored");
    world
        .db
        .insert(&state("live", DIGEST, None, NOW.plus_seconds(600)))
        .await
        .expect("stored");

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
    assert_eq!(world.count("SELECT COUNT(*) FROM oauth_states").await, 1);
    let live = world
        .db
        .consume(&state_token("live"), DIGEST, NOW)
        .await
        .expect("asked");
    assert!(live.is_some());
}

pub async fn live_states_are_counted_until_their_deadline(world: &World) {
    for (tag, seconds) in [("c1", 10), ("c2", 20), ("c3", 600)] {
        world
            .db
            .insert(&state(tag, DIGEST, None, NOW.plus_seconds(seconds)))
            .await
            .expect("stored");
    }

    let now = world.db.count_live(NOW).await.expect("counted");
    let later = world
        .db
        .count_live(NOW.plus_seconds(20))
        .await
        .expect("counted");

    assert_eq!((now, later), (3, 1));
}

/// Attempts arriving together are written in shared statements (more than fit in one); each
/// is stored exactly as given, with its provider and with or without its verifier, and
/// answered only once stored.
pub async fn a_burst_of_attempts_is_stored_whole(world: &World) {
    const BURST: usize = 600;
    let attempts: Vec<_> = (0..BURST)
        .map(|i| {
            let verifier = (i % 2 == 0).then_some(VERIFIER);
            let mut attempt = state(
                &format!("burst-{i}-"),
                DIGEST,
                verifier,
                NOW.plus_seconds(600),
            );
            if i % 3 == 0 {
                attempt.provider = ProviderId::parse("gitlab").expect("a provider id");
            }
            attempt
        })
        .collect();

    let stored = futures_util::future::join_all(attempts.iter().map(|a| world.db.insert(a))).await;

    assert!(stored.iter().all(Result::is_ok), "every attempt stored");
    assert_eq!(
        world.db.count_live(NOW).await.expect("counted"),
        BURST as u64
    );
    for (i, attempt) in attempts.iter().enumerate() {
        let consumed = world
            .db
            .consume(&attempt.token, DIGEST, NOW)
            .await
            .expect("consumed")
            .unwrap_or_else(|| panic!("attempt {i} is there"));
        assert_eq!(
            consumed.provider, attempt.provider,
            "attempt {i} keeps its provider"
        );
        assert_eq!(
            consumed
                .pkce_verifier
                .as_ref()
                .map(|v| v.expose().to_owned()),
            attempt
                .pkce_verifier
                .as_ref()
                .map(|v| v.expose().to_owned()),
            "attempt {i} keeps its verifier"
        );
    }
}
