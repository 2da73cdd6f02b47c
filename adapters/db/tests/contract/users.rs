//! `UserStore` cases.

use nectr_application::ports::UserStore;
use nectr_domain::{EncryptedToken, GithubId, IdentityProfile, UserId};

use crate::world::{NOW, World, profile, sealed};

pub async fn upsert_creates_then_updates(world: &World) {
    // Arrange
    let first_profile = profile(42, "octocat", Some("Mona"));
    let first = world
        .db
        .upsert(&first_profile, &sealed(1), NOW)
        .await
        .expect("created");
    let later = NOW.plus_seconds(60);
    let renamed = IdentityProfile::new(
        GithubId::new(42).expect("id"),
        "octocat2".to_owned(),
        None,
        Some("mona@example.com".to_owned()),
        Some("https://avatars.example/u/42".to_owned()),
    )
    .expect("profile");

    // Act
    let second = world
        .db
        .upsert(&renamed, &sealed(2), later)
        .await
        .expect("updated");

    // Assert
    assert_eq!(first.github_id.get(), 42);
    assert_eq!(first.name.as_deref(), Some("Mona"));
    assert_eq!((first.created_at, first.updated_at), (NOW, NOW));
    assert_eq!(second.id, first.id, "the same person keeps their id");
    assert_eq!(
        second.created_at, NOW,
        "created_at is kept from the first sign-in"
    );
    assert_eq!(second.updated_at, later);
    assert_eq!(second.github_username, "octocat2");
    assert_eq!(
        second.name, None,
        "a name removed on GitHub is removed here"
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

pub async fn github_ids_use_all_64_bits(world: &World) {
    let ids = [
        1_i64 << 31,
        (1_i64 << 31) + 1,
        i64::from(u32::MAX) * 4,
        i64::MAX - 1,
        i64::MAX,
    ];
    for (index, github_id) in ids.into_iter().enumerate() {
        let username = format!("big{index}");
        let stored = world
            .db
            .upsert(&profile(github_id, &username, None), &sealed(3), NOW)
            .await
            .expect("stored");
        let found = world
            .db
            .find(stored.id)
            .await
            .expect("read")
            .expect("present");
        assert_eq!(found.github_id.get(), github_id);
        assert_eq!(found.github_username, username);
    }
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
                db.upsert(&profile(7_000_000_007, "racer", None), &sealed(n), NOW)
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
        .count("SELECT COUNT(*) FROM users WHERE github_id = 7000000007")
        .await;
    assert_eq!(rows, 1);
}

pub async fn unicode_profiles_round_trip(world: &World) {
    let person = IdentityProfile::new(
        GithubId::new(5).expect("id"),
        "zoë-山田".to_owned(),
        Some("Zoë 山田 🐙 Ñandú".to_owned()),
        Some("zoë@例え.jp".to_owned()),
        None,
    )
    .expect("profile");

    let stored = world
        .db
        .upsert(&person, &sealed(4), NOW)
        .await
        .expect("stored");
    let found = world
        .db
        .find(stored.id)
        .await
        .expect("read")
        .expect("present");

    assert_eq!(found.github_username, "zoë-山田");
    assert_eq!(found.name.as_deref(), Some("Zoë 山田 🐙 Ñandú"));
    assert_eq!(found.email.as_deref(), Some("zoë@例え.jp"));
}

pub async fn unknown_people_are_none(world: &World) {
    let nobody = UserId::new(987_654).expect("id");
    assert_eq!(world.db.find(nobody).await.expect("read"), None);
    assert_eq!(world.db.sealed_token(nobody).await.expect("read"), None);
}

pub async fn sealed_tokens_come_in_pages_in_id_order(world: &World) {
    let mut ids = Vec::new();
    for n in 1..=5_u8 {
        let user = world
            .db
            .upsert(
                &profile(i64::from(n) * 1000, &format!("p{n}"), None),
                &sealed(n),
                NOW,
            )
            .await
            .expect("stored");
        ids.push(user.id);
    }

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

    let page_ids = |page: &[(UserId, GithubId, EncryptedToken)]| -> Vec<UserId> {
        page.iter().map(|(id, _, _)| *id).collect()
    };
    assert_eq!(page_ids(&first), ids[0..2]);
    assert_eq!(page_ids(&second), ids[2..4]);
    assert!(last.is_empty());
    assert_eq!(first[0].1.get(), 1000);
    assert_eq!(first[0].2, sealed(1));
}

pub async fn replacing_a_sealed_token_is_a_compare_and_swap(world: &World) {
    let user = world
        .db
        .upsert(&profile(77, "grace", None), &sealed(1), NOW)
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
