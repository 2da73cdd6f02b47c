//! Use-case tests of several providers, sign-in rules and the provider token's life.

use std::sync::atomic::Ordering;

use super::fakes::{POLICY, World, world, world_with};
use super::{
    CallbackParams, CompleteSignInError, ProviderTokenError, ProviderTokenRevocation,
    ReauthenticationReason,
};
use crate::ports::ProviderError;
use crate::providers::SignInRules;

async fn start(w: &World, provider: &str) -> (String, String) {
    let started = w
        .service
        .start_sign_in(provider, None)
        .await
        .expect("start sign-in");
    let state = started
        .redirect_url
        .split("state=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("state in the URL")
        .to_owned();
    (started.binding.as_str().to_owned(), state)
}

async fn sign_in_at(w: &World, provider: &str) -> Result<super::SignedIn, CompleteSignInError> {
    let (binding, state) = start(w, provider).await;
    let params = CallbackParams {
        code: Some("c".into()),
        state: Some(state),
        ..CallbackParams::default()
    };
    w.service
        .complete_sign_in(provider, params, Some(&binding), None)
        .await
}

fn expiring(seconds: u64) -> impl FnOnce(&mut super::fakes::FakeProvider) {
    move |p| p.expires_in = Some(seconds)
}

#[tokio::test]
async fn a_state_sent_to_one_provider_is_refused_at_another_and_burnt() {
    let w = world();
    let (binding, state) = start(&w, "github").await;
    let params = CallbackParams {
        code: Some("c".into()),
        state: Some(state.clone()),
        ..CallbackParams::default()
    };
    let mixed = w
        .service
        .complete_sign_in("other", params.clone(), Some(&binding), None)
        .await;
    assert!(matches!(mixed, Err(CompleteSignInError::InvalidState)));
    let again = w
        .service
        .complete_sign_in("github", params, Some(&binding), None)
        .await;
    assert!(matches!(again, Err(CompleteSignInError::InvalidState)));
    assert!(w.provider.exchanged.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn the_same_id_at_two_providers_is_two_people() {
    let w = world();
    let github = sign_in_at(&w, "github").await.expect("github");
    let other = sign_in_at(&w, "other").await.expect("other");
    assert_ne!(github.user.id, other.user.id);
    assert_eq!(github.user.identity.subject, other.user.identity.subject);
    assert_eq!(other.user.identity.provider.as_str(), "other");
    assert_eq!(w.store.user_count(), 2);
}

#[tokio::test]
async fn an_unknown_provider_cannot_start() {
    let w = world();
    let refused = w.service.start_sign_in("nope", None).await;
    assert!(matches!(
        refused,
        Err(super::StartSignInError::UnknownProvider(_))
    ));
}

#[tokio::test]
async fn granted_scopes_are_kept_and_the_missing_ones_named() {
    let w = world();
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    assert_eq!(
        user.granted_scopes
            .as_ref()
            .map(nectr_domain::Scopes::to_text),
        Some("read:user repo".to_owned())
    );
    assert_eq!(
        w.service.missing_scopes(&user),
        Some(vec!["read:org".to_owned()])
    );
}

fn rules(users: &[&str], orgs: &[&str], teams: &[&str]) -> SignInRules {
    let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
    SignInRules {
        users: owned(users),
        organizations: owned(orgs),
        teams: owned(teams),
    }
}

#[tokio::test]
async fn a_person_outside_every_rule_is_refused_by_name_and_their_token_revoked() {
    let w = world_with(|_| {}, rules(&["alice"], &["acme"], &["acme/core"]), POLICY);
    let refused = sign_in_at(&w, "github").await.expect_err("refused");
    let message = refused.to_string();
    assert!(matches!(refused, CompleteSignInError::NotAllowed(_)));
    for part in [
        "alice",
        "acme",
        "acme/core",
        "octocat",
        // The fake names nothing its own way, so the advice is the generic one.
        "ask its owners to add you",
    ] {
        assert!(message.contains(part), "{part} missing in {message}");
    }
    assert_eq!((w.store.user_count(), w.store.session_count()), (0, 0));
    assert_eq!(
        *w.provider.revoked_tokens.lock().expect("lock"),
        vec!["gho_token_for_c".to_owned()]
    );
}

#[tokio::test]
async fn any_one_rule_admits() {
    let by_user = world_with(|_| {}, rules(&["OctoCat"], &["acme"], &[]), POLICY);
    assert!(sign_in_at(&by_user, "github").await.is_ok());

    let by_org = world_with(
        |p| *p.organizations.lock().expect("lock") = vec!["other", "ACME"],
        rules(&["alice"], &["acme"], &[]),
        POLICY,
    );
    assert!(sign_in_at(&by_org, "github").await.is_ok());

    let by_team = world_with(
        |p| *p.teams.lock().expect("lock") = vec![("acme", "core")],
        rules(&[], &["globex"], &["acme/core"]),
        POLICY,
    );
    assert!(sign_in_at(&by_team, "github").await.is_ok());

    let wrong_team = world_with(
        |p| *p.teams.lock().expect("lock") = vec![("acme", "sales")],
        rules(&[], &[], &["acme/core"]),
        POLICY,
    );
    assert!(matches!(
        sign_in_at(&wrong_team, "github").await,
        Err(CompleteSignInError::NotAllowed(_))
    ));
}

#[tokio::test]
async fn rules_of_one_provider_do_not_apply_to_another() {
    let w = world_with(|_| {}, rules(&["alice"], &[], &[]), POLICY);
    assert!(sign_in_at(&w, "github").await.is_err());
    assert!(sign_in_at(&w, "other").await.is_ok());
}

#[tokio::test]
async fn a_lasting_token_is_confirmed_with_the_provider() {
    let w = world();
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    let usable = w.service.usable_token(user.id).await.expect("usable");
    assert_eq!(usable.access_token.expose(), "gho_token_for_c");
    assert_eq!(usable.expires_at, None);
    assert!(w.provider.refreshed.lock().expect("lock").is_empty());

    *w.provider.profile_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("Bad credentials".into()));
    let revoked = w.service.usable_token(user.id).await;
    assert!(matches!(
        revoked,
        Err(ProviderTokenError::ReauthenticationNeeded(
            ReauthenticationReason::Revoked
        ))
    ));
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_resealed_and_rotated() {
    let w = world_with(expiring(28_800), SignInRules::default(), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    let fresh = w.service.usable_token(user.id).await.expect("usable");
    assert_eq!(fresh.access_token.expose(), "gho_token_for_c");

    // Within five minutes of the deadline the token is refreshed.
    w.clock.advance(28_800 - 299);
    let refreshed = w.service.usable_token(user.id).await.expect("refreshed");
    assert_eq!(
        refreshed.access_token.expose(),
        "gho_refreshed_from_refresh_0"
    );
    let deadline = w.clock.0.load(Ordering::SeqCst) + 28_800;
    assert_eq!(
        refreshed.expires_at.map(|t| t.unix_seconds()),
        Some(deadline)
    );

    // The rotated refresh token was stored: the next refresh uses it.
    w.clock.advance(28_800);
    let again = w
        .service
        .usable_token(user.id)
        .await
        .expect("refreshed again");
    assert_eq!(again.access_token.expose(), "gho_refreshed_from_refresh_1");
    assert_eq!(
        *w.provider.refreshed.lock().expect("lock"),
        vec!["refresh_0".to_owned(), "refresh_1".to_owned()]
    );
}

#[tokio::test]
async fn concurrent_requests_refresh_once() {
    let w = world_with(expiring(600), SignInRules::default(), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    w.clock.advance(600);
    let (a, b) = tokio::join!(
        w.service.usable_token(user.id),
        w.service.usable_token(user.id)
    );
    assert_eq!(
        a.expect("a").access_token.expose(),
        b.expect("b").access_token.expose()
    );
    assert_eq!(w.provider.refreshed.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn a_refused_or_dead_refresh_token_asks_for_a_new_sign_in() {
    let w = world_with(expiring(600), SignInRules::default(), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    w.clock.advance(600);
    *w.provider.refresh_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("bad_refresh_token".into()));
    let refused = w.service.usable_token(user.id).await;
    assert!(matches!(
        refused,
        Err(ProviderTokenError::ReauthenticationNeeded(
            ReauthenticationReason::Expired
        ))
    ));

    // Past the refresh token's own deadline the provider is not even asked.
    let asked = w.provider.refreshed.lock().expect("lock").len();
    w.clock.advance(6_000);
    let dead = w.service.usable_token(user.id).await;
    assert!(matches!(
        dead,
        Err(ProviderTokenError::ReauthenticationNeeded(
            ReauthenticationReason::Expired
        ))
    ));
    assert_eq!(w.provider.refreshed.lock().expect("lock").len(), asked);
}

#[tokio::test]
async fn a_provider_outage_during_refresh_is_not_a_reauthentication() {
    let w = world_with(expiring(600), SignInRules::default(), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    w.clock.advance(600);
    *w.provider.refresh_error.lock().expect("lock") =
        Some(ProviderError::Unreachable("down".into()));
    assert!(matches!(
        w.service.usable_token(user.id).await,
        Err(ProviderTokenError::Provider(ProviderError::Unreachable(_)))
    ));
    // The stored refresh token is untouched, so it works once the provider is back.
    assert!(w.service.usable_token(user.id).await.is_ok());
}

#[tokio::test]
async fn unreadable_tokens_and_unknown_people_are_told_apart() {
    let w = world();
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    let nobody = nectr_domain::UserId::new(99).expect("id");
    assert!(matches!(
        w.service.usable_token(nobody).await,
        Err(ProviderTokenError::UnknownUser)
    ));
    w.cipher.rotated_away.store(true, Ordering::SeqCst);
    assert!(matches!(
        w.service.usable_token(user.id).await,
        Err(ProviderTokenError::ReauthenticationNeeded(
            ReauthenticationReason::Unreadable
        ))
    ));
}

#[tokio::test]
async fn logout_revokes_the_provider_token_when_asked_and_reports_the_answer() {
    let policy = super::Policy {
        revoke_provider_token_on_logout: true,
        ..POLICY
    };
    let w = world_with(|_| {}, SignInRules::default(), policy);
    let session = sign_in_at(&w, "github")
        .await
        .expect("signed in")
        .session_token;
    let outcome = w.service.logout(Some(&session), false).await.expect("out");
    assert_eq!(outcome.ended, 1);
    assert_eq!(
        outcome.provider_token,
        Some(ProviderTokenRevocation::Revoked)
    );
    assert_eq!(
        *w.provider.revoked_tokens.lock().expect("lock"),
        vec!["gho_token_for_c".to_owned()]
    );

    // A dead session revokes nothing.
    let again = w
        .service
        .logout(Some(&session), false)
        .await
        .expect("again");
    assert_eq!(again.provider_token, None);

    let session = sign_in_at(&w, "github")
        .await
        .expect("signed in")
        .session_token;
    *w.provider.revoke.lock().expect("lock") = Some(ProviderError::TokenRejected("gone".into()));
    let outcome = w.service.logout(Some(&session), false).await.expect("out");
    assert_eq!(
        outcome.provider_token,
        Some(ProviderTokenRevocation::AlreadyInvalid)
    );

    let session = sign_in_at(&w, "github")
        .await
        .expect("signed in")
        .session_token;
    *w.provider.revoke.lock().expect("lock") = Some(ProviderError::Unreachable("down".into()));
    let outcome = w.service.logout(Some(&session), false).await.expect("out");
    assert_eq!(
        outcome.ended, 1,
        "the session ends even when the provider is down"
    );
    assert!(matches!(
        outcome.provider_token,
        Some(ProviderTokenRevocation::Failed(_))
    ));
}

#[tokio::test]
async fn logout_keeps_the_provider_token_by_default() {
    let w = world();
    let session = sign_in_at(&w, "github")
        .await
        .expect("signed in")
        .session_token;
    let outcome = w.service.logout(Some(&session), false).await.expect("out");
    assert_eq!(outcome.provider_token, None);
    assert!(w.provider.revoked_tokens.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn organization_access_lists_what_the_token_sees_and_where_to_grant_more() {
    let w = world_with(
        |p| *p.organizations.lock().expect("lock") = vec!["acme", "globex"],
        SignInRules::default(),
        POLICY,
    );
    let session = sign_in_at(&w, "github")
        .await
        .expect("signed in")
        .session_token;
    let access = w
        .service
        .organization_access(Some(&session))
        .await
        .expect("access");
    let logins: Vec<_> = access
        .organizations
        .iter()
        .map(|o| o.login.as_str())
        .collect();
    assert_eq!(logins, ["acme", "globex"]);
    assert_eq!(
        access.settings_url.as_deref(),
        Some("https://provider.test/settings/app")
    );
    assert!(w.service.organization_access(None).await.is_err());
}

#[tokio::test]
async fn a_refresh_by_another_instance_a_moment_earlier_is_reused() {
    let w = world_with(expiring(600), SignInRules::default(), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    w.clock.advance(600);
    // Another instance refreshed with the same refresh token and stored its pair while this
    // one's refresh was on its way; the provider then refuses ours as used.
    let now = w.clock.0.load(Ordering::SeqCst);
    let theirs = nectr_domain::ProviderTokens {
        access: nectr_domain::AccessToken::new("gho_from_the_other_instance".into())
            .expect("token"),
        access_expires_at: Some(nectr_domain::Timestamp::from_unix_seconds(now + 28_800)),
        refresh: Some(nectr_domain::RefreshToken::new("refresh_other".into()).expect("token")),
        refresh_expires_at: None,
    };
    let sealed = crate::ports::TokenCipher::seal(w.cipher.as_ref(), &theirs, &user.identity);
    let (store, id) = (w.store.clone(), user.id);
    *w.provider.during_refresh.lock().expect("lock") =
        Some(Box::new(move || store.overwrite_token(id, sealed)));
    *w.provider.refresh_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("bad_refresh_token".into()));
    let usable = w.service.usable_token(user.id).await.expect("their pair");
    assert_eq!(usable.access_token.expose(), "gho_from_the_other_instance");
}

#[tokio::test]
async fn a_refresh_during_a_key_rotation_is_still_stored() {
    let w = world_with(expiring(600), SignInRules::default(), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    w.clock.advance(600);
    // The row is re-sealed under a new key while the refresh is at the provider.
    let (store, cipher, identity, id) = (
        w.store.clone(),
        w.cipher.clone(),
        user.identity.clone(),
        user.id,
    );
    *w.provider.during_refresh.lock().expect("lock") = Some(Box::new(move || {
        use crate::ports::TokenCipher as _;
        let current = stored_now(&store, id);
        let tokens = cipher.open(&current, &identity).expect("opens");
        *cipher.current_key.lock().expect("lock") = "bb".into();
        store.overwrite_token(id, cipher.seal(&tokens, &identity));
    }));
    let refreshed = w.service.usable_token(user.id).await.expect("refreshed");
    assert_eq!(
        refreshed.access_token.expose(),
        "gho_refreshed_from_refresh_0"
    );
    // The refreshed pair is what is stored now, so the next call needs no refresh.
    let again = w.service.usable_token(user.id).await.expect("stored");
    assert_eq!(again.access_token.expose(), "gho_refreshed_from_refresh_0");
    assert_eq!(w.provider.refreshed.lock().expect("lock").len(), 1);
}

/// The stored sealed token, read synchronously (the memory store answers at once).
fn stored_now(
    store: &super::fakes::MemoryStore,
    id: nectr_domain::UserId,
) -> nectr_domain::EncryptedToken {
    store.sealed(id).expect("a token")
}

#[tokio::test]
async fn a_token_the_provider_ended_early_is_refreshed_not_declared_revoked() {
    let w = world_with(expiring(28_800), SignInRules::default(), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    // Well before our deadline, the provider refuses the token (its clock runs ahead).
    *w.provider.profile_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("expired".into()));
    let usable = w.service.usable_token(user.id).await.expect("refreshed");
    assert_eq!(usable.access_token.expose(), "gho_refreshed_from_refresh_0");

    // A revocation kills the refresh token too: then it is a revocation.
    *w.provider.profile_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("Bad credentials".into()));
    *w.provider.refresh_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("bad_refresh_token".into()));
    assert!(matches!(
        w.service.usable_token(user.id).await,
        Err(ProviderTokenError::ReauthenticationNeeded(
            ReauthenticationReason::Revoked
        ))
    ));
}

#[tokio::test]
async fn the_token_is_withheld_once_the_rules_no_longer_admit_the_person() {
    let w = world_with(|_| {}, rules(&[], &["acme"], &[]), POLICY);
    lock_orgs(&w, &["acme"]);
    let user = sign_in_at(&w, "github").await.expect("a member").user;
    assert!(w.service.usable_token(user.id).await.is_ok());

    // Membership is asked again at each request: leaving the organization ends it.
    lock_orgs(&w, &["elsewhere"]);
    match w.service.usable_token(user.id).await {
        Err(ProviderTokenError::NotAllowed(message)) => {
            assert!(
                message.contains("GitHub organizations acme") && message.contains("`octocat`"),
                "{message}"
            );
        }
        other => panic!("expected NotAllowed, got {other:?}"),
    }

    // A membership that cannot be read is a refusal that says why, never an admission.
    lock_orgs(&w, &["acme"]);
    *w.provider.membership_error.lock().expect("lock") = Some(ProviderError::ScopeMissing(
        "read:org was not granted.".into(),
    ));
    match w.service.usable_token(user.id).await {
        Err(ProviderTokenError::NotAllowed(message)) => {
            assert!(
                message.contains("could not be checked: read:org was not granted."),
                "{message}"
            );
        }
        other => panic!("expected NotAllowed, got {other:?}"),
    }

    // A provider that cannot answer is the provider's failure, not a verdict on the person.
    *w.provider.membership_error.lock().expect("lock") =
        Some(ProviderError::Timeout("no answer".into()));
    assert!(matches!(
        w.service.usable_token(user.id).await,
        Err(ProviderTokenError::Provider(ProviderError::Timeout(_)))
    ));
    assert!(
        w.service.usable_token(user.id).await.is_ok(),
        "a member again"
    );

    // Revoked between the profile call and the membership call: a revocation, not an outage.
    *w.provider.membership_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("revoked".into()));
    assert!(matches!(
        w.service.usable_token(user.id).await,
        Err(ProviderTokenError::ReauthenticationNeeded(
            ReauthenticationReason::Revoked
        ))
    ));
}

fn lock_orgs(w: &World, orgs: &[&'static str]) {
    *w.provider.organizations.lock().expect("lock") = orgs.to_vec();
}

#[tokio::test]
async fn a_token_rejected_after_another_request_refreshed_it_is_not_refreshed_again() {
    let w = world_with(expiring(28_800), SignInRules::default(), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    let first = w
        .service
        .usable_token(user.id)
        .await
        .expect("usable")
        .access_token;
    // Request B: the provider ends the token early, so B refreshes and hands out a new one.
    *w.provider.profile_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("expired".into()));
    let b = w
        .service
        .usable_token(user.id)
        .await
        .expect("b")
        .access_token;
    assert_ne!(b.expose(), first.expose());
    // Request A was told the same about the first token; by the time it refreshes, B's pair
    // is stored. A must take that pair, not retire it with a second refresh.
    let (a, refreshed) = w.service.live_tokens(&user, Some(&first)).await.expect("a");
    assert!(refreshed);
    assert_eq!(a.access.expose(), b.expose());
    assert_eq!(w.provider.refreshed.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn after_a_refresh_the_rules_see_the_username_the_provider_reports_now() {
    let w = world_with(expiring(28_800), rules(&["octocat"], &[], &[]), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    // Renamed at the provider: the rules no longer list the account.
    *w.provider.current_profile.lock().expect("lock") =
        Some(super::fakes::profile(5_000_000_000, "mallory"));
    assert!(matches!(
        w.service.usable_token(user.id).await,
        Err(ProviderTokenError::NotAllowed(_))
    ));
    // Within the refresh margin the token is refreshed, and the new name is asked all the same.
    w.clock.advance(28_800 - 100);
    match w.service.usable_token(user.id).await {
        Err(ProviderTokenError::NotAllowed(message)) => {
            assert!(message.contains("`mallory`"), "{message}");
        }
        other => panic!("expected NotAllowed, got {other:?}"),
    }
    assert_eq!(w.provider.refreshed.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn a_revoking_logout_waits_for_a_refresh_in_flight_and_revokes_the_new_token() {
    let policy = super::Policy {
        revoke_provider_token_on_logout: true,
        ..POLICY
    };
    let w = world_with(expiring(28_800), SignInRules::default(), policy);
    let signed_in = sign_in_at(&w, "github").await.expect("signed in");
    let (user, session) = (signed_in.user, signed_in.session_token);
    // Well inside its lifetime, so logout itself has nothing to refresh: the provider ends
    // the token early, and the refresh that follows is in flight when logout comes.
    *w.provider.profile_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("ended early".into()));
    let arrived = std::sync::Arc::new(tokio::sync::Notify::new());
    let answer = std::sync::Arc::new(tokio::sync::Notify::new());
    *w.provider.refresh_pause.lock().expect("lock") = Some((arrived.clone(), answer.clone()));
    let (served, logged_out) = tokio::join!(w.service.usable_token(user.id), async {
        arrived.notified().await;
        // The refresh is at the provider now: log out, and let the provider answer.
        let (logged_out, ()) = tokio::join!(w.service.logout(Some(&session), true), async {
            answer.notify_one();
        });
        logged_out
    });
    let served = served.expect("the refresh finished").access_token;
    assert!(
        served.expose().starts_with("gho_refreshed_from_"),
        "{served:?}"
    );
    assert_eq!(
        logged_out.expect("logged out").provider_token,
        Some(ProviderTokenRevocation::Revoked)
    );
    // Logout revoked the pair the refresh stored, not the one it replaced.
    assert_eq!(
        *w.provider.revoked_tokens.lock().expect("lock"),
        vec![served.expose().to_owned()]
    );
}

#[tokio::test]
async fn a_person_deleted_during_a_refresh_gets_no_token_and_the_new_one_is_revoked() {
    let w = world_with(expiring(600), SignInRules::default(), POLICY);
    let user = sign_in_at(&w, "github").await.expect("signed in").user;
    w.clock.advance(600);
    let store = w.store.clone();
    let id = user.id;
    *w.provider.during_refresh.lock().expect("lock") = Some(Box::new(move || {
        store.delete_user(id);
    }));
    assert!(matches!(
        w.service.usable_token(user.id).await,
        Err(ProviderTokenError::UnknownUser)
    ));
    let revoked = w.provider.revoked_tokens.lock().expect("lock").clone();
    assert_eq!(revoked.len(), 1);
    assert!(revoked[0].starts_with("gho_refreshed_from_"), "{revoked:?}");
}

#[tokio::test]
async fn logout_and_reconnect_refresh_a_token_past_its_deadline_before_revoking_it() {
    let policy = super::Policy {
        revoke_provider_token_on_logout: true,
        ..POLICY
    };
    let w = world_with(expiring(600), SignInRules::default(), policy);
    let signed_in = sign_in_at(&w, "github").await.expect("signed in");
    // Past the access token's deadline the provider no longer knows it, but its refresh
    // token still works: revoking the dead one would leave the pair alive.
    w.clock.advance(700);
    w.service
        .reconnect("github", Some(&signed_in.session_token), None)
        .await
        .expect("reconnect");
    assert_eq!(
        *w.provider.revoked.lock().expect("lock"),
        vec!["gho_refreshed_from_refresh_0".to_owned()],
        "the grant is removed with a live token"
    );

    w.clock.advance(700);
    let outcome = w
        .service
        .logout(Some(&signed_in.session_token), false)
        .await
        .expect("logout");
    assert_eq!(
        outcome.provider_token,
        Some(ProviderTokenRevocation::Revoked)
    );
    assert_eq!(
        *w.provider.revoked_tokens.lock().expect("lock"),
        vec!["gho_refreshed_from_refresh_1".to_owned()]
    );
}

#[tokio::test]
async fn reconnect_waits_for_a_refresh_in_flight_and_removes_the_grant_with_the_new_token() {
    let w = world_with(expiring(28_800), SignInRules::default(), POLICY);
    let signed_in = sign_in_at(&w, "github").await.expect("signed in");
    *w.provider.profile_error.lock().expect("lock") =
        Some(ProviderError::TokenRejected("ended early".into()));
    let arrived = std::sync::Arc::new(tokio::sync::Notify::new());
    let answer = std::sync::Arc::new(tokio::sync::Notify::new());
    *w.provider.refresh_pause.lock().expect("lock") = Some((arrived.clone(), answer.clone()));
    let (served, reconnected) = tokio::join!(w.service.usable_token(signed_in.user.id), async {
        arrived.notified().await;
        let (reconnected, ()) = tokio::join!(
            w.service
                .reconnect("github", Some(&signed_in.session_token), None),
            async {
                answer.notify_one();
            }
        );
        reconnected
    });
    let served = served.expect("the refresh finished").access_token;
    reconnected.expect("reconnect");
    assert_eq!(
        *w.provider.revoked.lock().expect("lock"),
        vec![served.expose().to_owned()],
        "the grant was removed with the pair the refresh stored"
    );
}
