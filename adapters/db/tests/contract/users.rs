//! `UserStore` cases.

use nectr_application::ports::{StoreError, UserStore};
use nectr_domain::{EncryptedToken, Identity, IdentityProfile, Scopes, UserId};

use crate::world::{NOW, World, github, identity, profile, profile_of, sealed};

pub async fn upsert_creates_then_updates(world: &World) {
    // Arrange
    let first_profile = profile(42, "octocat", Some("Mona"));
    let first = world
        .db
        .upsert(&github(42), &first_profile, &sealed(1), NOW)
        .await
        .expect("created");
    let later = NOW.plus_seconds(60);
    let renamed = IdentityProfile::new(
        github(42).subject,
        "octocat2".to_owned(),
        None,
        Some("mona@example.com".to_owned()),
        Some("https://avatars.example/u/42".to_owned()),
    )
    .expect("profile");

    // Act
    let second = world
        .db
        .upsert(&github(42), &renamed, &sealed(2), later)
        .await
        .expect("updated");

    // Assert
    assert_eq!(first.identity, github(42));
    assert_eq!(first.name.as_deref(), Some("Mona"));
    assert_eq!((first.created_at, first.updated_at), (NOW, NOW));
    assert_eq!(second.id, first.id, "the same person keeps their id");
    assert_eq!(second.identity, github(42));
    assert_eq!(
        second.created_at, NOW,
        "created_at is kept from the first sign-in"
    );
    assert_eq!(second.updated_at, later);
    assert_eq!(second.username, "octocat2");
    assert_eq!(
        second.name, None,
        "a name removed at the provider is removed here"
    );
    assert_eq!(second.email.as_deref(), Some("mona@example.com"));
    assert_eq!(
        second.avatar_url.as_deref(),
        Some("https://avatars.example/u/42")
    );
    assert_eq!(world.db.find(first.id).await.expect("found"), Some(second));
    assert_eq!(
        world.db.sealed_token(first.id).await.expect("read"),
        Some(sealed(2))
    );
    assert_eq!(world.count("SELECT COUNT(*) FROM users").await, 1);
}

/// The provider's id of a person only means something at that provider: GitHub's 42 and
/// GitLab's 42 are strangers, and signing in as one never touches the other.
pub async fn two_providers_with_the_same_subject_are_two_people(world: &World) {
    // Arrange
    let at_github = world
        .db
        .upsert(&github(42), &profile(42, "octocat", None), &sealed(1), NOW)
        .await
        .expect("stored");
    let gitlab = identity("gitlab", "42");

    // Act
    let at_gitlab = world
        .db
        .upsert(
            &gitlab,
            &profile_of(&gitlab, "tanuki", None),
            &sealed(2),
            NOW,
        )
        .await
        .expect("stored");
    let github_again = world
        .db
        .upsert(
            &github(42),
            &profile(42, "octocat2", None),
            &sealed(3),
            NOW.plus_seconds(5),
        )
        .await
        .expect("updated");

    // Assert
    assert_ne!(at_github.id, at_gitlab.id);
    assert_eq!(github_again.id, at_github.id, "updated, not duplicated");
    let found = world
        .db
        .find(at_gitlab.id)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(found.identity, gitlab);
    assert_eq!(found.username, "tanuki", "untouched by GitHub's sign-in");
    assert_eq!(
        world.db.sealed_token(at_gitlab.id).await.expect("read"),
        Some(sealed(2))
    );
    assert_eq!(world.count("SELECT COUNT(*) FROM users").await, 2);
}

/// Subjects are text: any provider's form is kept exactly, numbers past 64 bits included, and
/// `042` is not `42`.
pub async fn subjects_round_trip_exactly(world: &World) {
    let long = "s".repeat(255);
    let cases = [
        github(1_i64 << 31),
        github(i64::from(u32::MAX) * 4),
        github(i64::MAX - 1),
        github(i64::MAX),
        identity("github", "9223372036854775808"),
        identity("gitlab", "42"),
        identity("gitlab", "042"),
        identity("okta", "00u1abcd-ef"),
        identity("auth0", "google-oauth2|1234567890"),
        identity("oidc", &long),
    ];
    let mut ids = Vec::new();
    for (index, who) in cases.iter().enumerate() {
        let username = format!("person{index}");
        let stored = world
            .db
            .upsert(who, &profile_of(who, &username, None), &sealed(3), NOW)
            .await
            .expect("stored");
        let found = world
            .db
            .find(stored.id)
            .await
            .expect("read")
            .expect("present");
        assert_eq!(&found.identity, who);
        assert_eq!(found.username, username);
        ids.push(stored.id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), cases.len(), "everyone is a person of their own");
    let max = world
        .count(
            "SELECT COUNT(*) FROM users \
             WHERE provider = 'github' AND provider_user_id = '9223372036854775807'",
        )
        .await;
    assert_eq!(max, 1, "i64::MAX is stored as its decimal text");
}

/// What the provider says it granted is stored as given, replaced by the next sign-in, and
/// NULL when it says nothing; an empty grant is not the same as an unknown one.
pub async fn granted_scopes_are_stored_replaced_and_cleared(world: &World) {
    let who = github(314);
    let with = |scopes: Option<Scopes>| profile(314, "pi", None).with_granted_scopes(scopes);
    let stored_null = || {
        world.count(
            "SELECT COUNT(*) FROM users \
             WHERE provider_user_id = '314' AND granted_scopes IS NULL",
        )
    };

    // Act and assert, sign-in after sign-in.
    let first = world
        .db
        .upsert(
            &who,
            &with(Some(Scopes::of(["user:email", "read:user"]))),
            &sealed(1),
            NOW,
        )
        .await
        .expect("stored");
    assert_eq!(
        first.granted_scopes,
        Some(Scopes::of(["read:user", "user:email"]))
    );
    let stored_text = world
        .count(
            "SELECT COUNT(*) FROM users \
             WHERE provider_user_id = '314' AND granted_scopes = 'read:user user:email'",
        )
        .await;
    assert_eq!(stored_text, 1, "space-separated, in sorted order");

    let second = world
        .db
        .upsert(&who, &with(Some(Scopes::of(["repo"]))), &sealed(1), NOW)
        .await
        .expect("updated");
    assert_eq!(second.granted_scopes, Some(Scopes::of(["repo"])));

    let empty = world
        .db
        .upsert(&who, &with(Some(Scopes::default())), &sealed(1), NOW)
        .await
        .expect("updated");
    assert_eq!(empty.granted_scopes, Some(Scopes::default()));
    assert_eq!(stored_null().await, 0, "an empty grant is known");

    let unknown = world
        .db
        .upsert(&who, &with(None), &sealed(1), NOW)
        .await
        .expect("updated");
    assert_eq!(unknown.granted_scopes, None);
    assert_eq!(stored_null().await, 1, "unknown is NULL");
    assert_eq!(
        world
            .db
            .find(first.id)
            .await
            .expect("read")
            .expect("present")
            .granted_scopes,
        None
    );
}

pub async fn a_profile_of_someone_else_is_refused(world: &World) {
    let saved = world
        .db
        .upsert(&github(1), &profile(2, "two", None), &sealed(1), NOW)
        .await;

    assert!(
        matches!(saved, Err(StoreError::Failed(_))),
        "{:?}",
        saved.map(|user| user.id)
    );
    assert_eq!(world.count("SELECT COUNT(*) FROM users").await, 0);
}

pub async fn concurrent_first_sign_ins_make_one_person(world: &World) {
    // Arrange: twenty sign-ins of one new person at once, from two service instances.
    let other = world.second_instance().await;
    let tasks: Vec<_> = (0..20_u8)
        .map(|n| {
            let db = if n % 2 == 0 {
                world.db.clone()
            } else {
                other.clone()
            };
            tokio::spawn(async move {
                db.upsert(
                    &github(7_000_000_007),
                    &profile(7_000_000_007, "racer", None),
                    &sealed(n),
                    NOW,
                )
                .await
            })
        })
        .collect();

    // Act
    let mut ids = Vec::new();
    for task in tasks {
        let user = task
            .await
            .expect("the task finishes")
            .expect("every sign-in succeeds");
        ids.push(user.id);
    }

    // Assert
    ids.dedup();
    assert_eq!(ids.len(), 1, "everyone got the same id: {ids:?}");
    let rows = world
        .count(
            "SELECT COUNT(*) FROM users \
             WHERE provider = 'github' AND provider_user_id = '7000000007'",
        )
        .await;
    assert_eq!(rows, 1);
}

pub async fn unicode_profiles_round_trip(world: &World) {
    let person = IdentityProfile::new(
        github(5).subject,
        "zoë-山田".to_owned(),
        Some("Zoë 山田 🐙 Ñandú".to_owned()),
        Some("zoë@例え.jp".to_owned()),
        None,
    )
    .expect("profile");

    let stored = world
        .db
        .upsert(&github(5), &person, &sealed(4), NOW)
        .await
        .expect("stored");
    let found = world
        .db
        .find(stored.id)
        .await
        .expect("read")
        .expect("present");

    assert_eq!(found.username, "zoë-山田");
    assert_eq!(found.name.as_deref(), Some("Zoë 山田 🐙 Ñandú"));
    assert_eq!(found.email.as_deref(), Some("zoë@例え.jp"));
}

pub async fn unknown_people_are_none(world: &World) {
    let nobody = UserId::new(987_654).expect("id");
    assert_eq!(world.db.find(nobody).await.expect("read"), None);
    assert_eq!(world.db.sealed_token(nobody).await.expect("read"), None);
}

pub async fn sealed_tokens_come_in_pages_in_id_order(world: &World) {
    let mut people = Vec::new();
    for n in 1..=5_u8 {
        let who = if n == 2 {
            identity("gitlab", "2000")
        } else {
            github(i64::from(n) * 1000)
        };
        let user = world
            .db
            .upsert(
                &who,
                &profile_of(&who, &format!("p{n}"), None),
                &sealed(n),
                NOW,
            )
            .await
            .expect("stored");
        people.push((user.id, who));
    }
    let ids: Vec<UserId> = people.iter().map(|(id, _)| *id).collect();

    let first = world.db.sealed_tokens_after(None, 2).await.expect("page");
    let second = world
        .db
        .sealed_tokens_after(Some(ids[1]), 2)
        .await
        .expect("page");
    let last = world
        .db
        .sealed_tokens_after(Some(ids[4]), 2)
        .await
        .expect("page");

    let page_ids = |page: &[(UserId, Identity, EncryptedToken)]| -> Vec<UserId> {
        page.iter().map(|(id, _, _)| *id).collect()
    };
    assert_eq!(page_ids(&first), ids[0..2]);
    assert_eq!(page_ids(&second), ids[2..4]);
    assert!(last.is_empty());
    assert_eq!(first[0].1, github(1000));
    assert_eq!(first[1].1, identity("gitlab", "2000"), "with its provider");
    assert_eq!(first[0].2, sealed(1));
}

pub async fn replacing_a_sealed_token_is_a_compare_and_swap(world: &World) {
    let user = world
        .db
        .upsert(&github(77), &profile(77, "grace", None), &sealed(1), NOW)
        .await
        .expect("stored");

    let stale = world
        .db
        .replace_sealed_token(user.id, &sealed(9), &sealed(2))
        .await
        .expect("asked");
    let swapped = world
        .db
        .replace_sealed_token(user.id, &sealed(1), &sealed(2))
        .await
        .expect("asked");
    let now = world.db.sealed_token(user.id).await.expect("read");

    assert!(!stale, "a token that changed meanwhile is not overwritten");
    assert!(swapped);
    assert_eq!(now, Some(sealed(2)));
}
