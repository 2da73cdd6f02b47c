//! Use-case tests on in-memory ports.

use super::fakes::{POLICY, World, world};
use super::{CallbackParams, CompleteSignInError, CurrentUserError, ReconnectError};
use crate::ports::ProviderError;

/// Starts a sign-in and returns (binding, state) as the browser would hold them.
async fn start(w: &World, binding: Option<&str>) -> (String, String) {
    let started = w
        .service
        .start_sign_in("github", binding)
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

fn callback(state: &str, code: &str) -> CallbackParams {
    CallbackParams {
        code: Some(code.into()),
        state: Some(state.into()),
        ..CallbackParams::default()
    }
}

#[tokio::test]
async fn start_stores_a_live_state_with_pkce_bound_to_the_browser() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    let states = w.store.states.lock().expect("lock");
    let stored = states.get(&state).expect("state stored");
    assert!(stored.pkce_verifier.is_some());
    assert_eq!(
        stored.expires_at.unix_seconds() - stored.created_at.unix_seconds(),
        POLICY.state_ttl_seconds
    );
    assert_ne!(
        stored.binding_digest, binding,
        "only a digest of the binding is stored"
    );
}

#[tokio::test]
async fn start_reuses_a_well_formed_binding_and_replaces_a_malformed_one() {
    let w = world();
    let (first, _) = start(&w, None).await;
    let (again, _) = start(&w, Some(&first)).await;
    assert_eq!(first, again);
    let (fresh, _) = start(&w, Some("not-a-binding")).await;
    assert_ne!(fresh, "not-a-binding");
}

#[tokio::test]
async fn callback_signs_in_and_sends_the_pkce_verifier() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    let signed_in = w
        .service
        .complete_sign_in("github", callback(&state, "code1"), Some(&binding), None)
        .await
        .expect("signed in");
    assert_eq!(
        signed_in.user.identity.numeric_subject_at("github"),
        Some(5_000_000_000)
    );
    assert_eq!(signed_in.max_age_seconds, POLICY.session_ttl_seconds);
    let exchanged = w.provider.exchanged.lock().expect("lock").clone();
    assert_eq!(exchanged.len(), 1);
    assert!(exchanged[0].1.is_some(), "PKCE verifier sent with the code");
    let me = w
        .service
        .current_user(Some(&signed_in.session_token))
        .await
        .expect("session works");
    assert_eq!(me.id, signed_in.user.id);
}

#[tokio::test]
async fn a_state_works_once_and_only_in_its_own_browser() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    let (other_browser, _) = start(&w, None).await;
    let foreign = w
        .service
        .complete_sign_in("github", callback(&state, "c"), Some(&other_browser), None)
        .await;
    assert!(matches!(foreign, Err(CompleteSignInError::InvalidState)));
    let no_cookie = w
        .service
        .complete_sign_in("github", callback(&state, "c"), None, None)
        .await;
    assert!(matches!(no_cookie, Err(CompleteSignInError::InvalidState)));
    let first = w
        .service
        .complete_sign_in("github", callback(&state, "c"), Some(&binding), None)
        .await;
    assert!(first.is_ok());
    let replay = w
        .service
        .complete_sign_in("github", callback(&state, "c"), Some(&binding), None)
        .await;
    assert!(matches!(replay, Err(CompleteSignInError::InvalidState)));
}

#[tokio::test]
async fn an_expired_state_is_refused_and_swept() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    w.clock.advance(POLICY.state_ttl_seconds);
    let late = w
        .service
        .complete_sign_in("github", callback(&state, "c"), Some(&binding), None)
        .await;
    assert!(matches!(late, Err(CompleteSignInError::InvalidState)));
    assert_eq!(w.service.sweep().await.map(|r| r.states).ok(), Some(1));
    assert!(w.store.states.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn cancel_is_reported_and_burns_the_state() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    let params = CallbackParams {
        state: Some(state.clone()),
        error: Some("access_denied".into()),
        error_description: Some("The user has denied your application access.".into()),
        ..CallbackParams::default()
    };
    let cancelled = w
        .service
        .complete_sign_in("github", params, Some(&binding), None)
        .await;
    assert!(matches!(
        cancelled,
        Err(CompleteSignInError::Cancelled { .. })
    ));
    let after = w
        .service
        .complete_sign_in("github", callback(&state, "c"), Some(&binding), None)
        .await;
    assert!(matches!(after, Err(CompleteSignInError::InvalidState)));
    assert_eq!(w.store.session_count(), 0);
}

fn provider_error(state: &str, error: &str, description: Option<&str>) -> CallbackParams {
    CallbackParams {
        state: Some(state.into()),
        error: Some(error.into()),
        error_description: description.map(Into::into),
        ..CallbackParams::default()
    }
}

#[tokio::test]
async fn a_provider_error_without_a_valid_state_is_an_invalid_state() {
    let w = world();
    let (binding, _) = start(&w, None).await;
    let forged = provider_error(&"A".repeat(43), "access_denied", Some("call +1 555"));
    let err = w
        .service
        .complete_sign_in("github", forged, Some(&binding), None)
        .await;
    assert!(matches!(err, Err(CompleteSignInError::InvalidState)));
    let stateless = CallbackParams {
        error: Some("access_denied".into()),
        ..CallbackParams::default()
    };
    let err = w
        .service
        .complete_sign_in("github", stateless, Some(&binding), None)
        .await;
    assert!(matches!(err, Err(CompleteSignInError::InvalidState)));
}

#[tokio::test]
async fn provider_errors_are_echoed_plainly() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    let params = provider_error(&state, "server_error<script>", Some("bad\ncallback"));
    let err = w
        .service
        .complete_sign_in("github", params, Some(&binding), None)
        .await
        .expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("(server_errorscript: bad callback)"),
        "{text}"
    );
}

#[tokio::test]
async fn redirect_uri_mismatch_points_the_operator_to_check() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    let params = provider_error(&state, "redirect_uri_mismatch", None);
    let err = w
        .service
        .complete_sign_in("github", params, Some(&binding), None)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("nectr-auth check"), "{err}");
}

#[tokio::test]
async fn a_callback_without_code_is_refused_after_consuming_the_state() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    let params = CallbackParams {
        state: Some(state),
        ..CallbackParams::default()
    };
    let err = w
        .service
        .complete_sign_in("github", params, Some(&binding), None)
        .await;
    assert!(matches!(err, Err(CompleteSignInError::MissingCode)));
    assert!(w.store.states.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn a_rejected_code_creates_no_session() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    *w.provider.exchange.lock().expect("lock") =
        Some(ProviderError::CodeRejected("bad code".into()));
    let err = w
        .service
        .complete_sign_in("github", callback(&state, "c"), Some(&binding), None)
        .await;
    assert!(matches!(
        err,
        Err(CompleteSignInError::Provider(ProviderError::CodeRejected(
            _
        )))
    ));
    assert_eq!((w.store.session_count(), w.store.user_count()), (0, 0));
}

#[tokio::test]
async fn signing_in_again_updates_the_same_person_and_revokes_the_old_session() {
    let w = world();
    let (binding, state) = start(&w, None).await;
    let first = w
        .service
        .complete_sign_in("github", callback(&state, "a"), Some(&binding), None)
        .await
        .expect("first");
    let (_, state) = start(&w, Some(&binding)).await;
    let second = w
        .service
        .complete_sign_in(
            "github",
            callback(&state, "b"),
            Some(&binding),
            Some(&first.session_token),
        )
        .await
        .expect("second");
    assert_eq!(first.user.id, second.user.id);
    assert_eq!(w.store.user_count(), 1);
    let old = w.service.current_user(Some(&first.session_token)).await;
    assert!(matches!(old, Err(CurrentUserError::InvalidToken)));
    assert!(
        w.service
            .current_user(Some(&second.session_token))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn session_check_distinguishes_missing_from_invalid() {
    let w = world();
    assert!(matches!(
        w.service.current_user(None).await,
        Err(CurrentUserError::NotAuthenticated)
    ));
    assert!(matches!(
        w.service.current_user(Some("")).await,
        Err(CurrentUserError::NotAuthenticated)
    ));
    assert!(matches!(
        w.service.current_user(Some("garbage")).await,
        Err(CurrentUserError::InvalidToken)
    ));
}

async fn signed_in(w: &World) -> String {
    let (binding, state) = start(w, None).await;
    w.service
        .complete_sign_in("github", callback(&state, "c"), Some(&binding), None)
        .await
        .expect("signed in")
        .session_token
}

#[tokio::test]
async fn logout_kills_the_session_and_is_idempotent() {
    let w = world();
    let token = signed_in(&w).await;
    assert!(w.service.logout(Some(&token), false).await.is_ok());
    assert!(matches!(
        w.service.current_user(Some(&token)).await,
        Err(CurrentUserError::InvalidToken)
    ));
    assert!(w.service.logout(Some(&token), false).await.is_ok());
    assert!(w.service.logout(None, false).await.is_ok());
}

#[tokio::test]
async fn sessions_expire_server_side() {
    let w = world();
    let token = signed_in(&w).await;
    w.clock.advance(POLICY.session_ttl_seconds);
    assert!(matches!(
        w.service.current_user(Some(&token)).await,
        Err(CurrentUserError::InvalidToken)
    ));
    assert_eq!(w.service.sweep().await.map(|r| r.sessions).ok(), Some(1));
}

#[tokio::test]
async fn reconnect_revokes_the_grant_with_the_stored_token_then_starts_again() {
    let w = world();
    let token = signed_in(&w).await;
    let started = w
        .service
        .reconnect("github", Some(&token), None)
        .await
        .expect("reconnect");
    assert!(started.redirect_url.contains("state="));
    assert_eq!(
        *w.provider.revoked.lock().expect("lock"),
        vec!["gho_token_for_c".to_owned()]
    );
}

#[tokio::test]
async fn reconnect_keeps_the_grant_when_no_sign_in_could_start() {
    let w = world();
    let token = signed_in(&w).await;
    while w.service.start_sign_in("github", None).await.is_ok() {}
    let refused = w.service.reconnect("github", Some(&token), None).await;
    assert!(
        matches!(
            refused,
            Err(super::ReconnectError::Start(super::StartSignInError::Busy))
        ),
        "{refused:?}"
    );
    assert!(
        w.provider.revoked.lock().expect("lock").is_empty(),
        "the grant is still there"
    );
}

#[tokio::test]
async fn reconnect_goes_on_when_the_provider_no_longer_knows_the_token() {
    let w = world();
    let token = signed_in(&w).await;
    *w.provider.revoke.lock().expect("lock") = Some(ProviderError::TokenRejected("gone".into()));
    assert!(
        w.service
            .reconnect("github", Some(&token), None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn reconnect_stops_when_the_provider_is_down() {
    let w = world();
    let token = signed_in(&w).await;
    *w.provider.revoke.lock().expect("lock") = Some(ProviderError::Unreachable("down".into()));
    let err = w.service.reconnect("github", Some(&token), None).await;
    assert!(matches!(
        err,
        Err(ReconnectError::Provider(ProviderError::Unreachable(_)))
    ));
}

#[tokio::test]
async fn reconnect_with_an_unreadable_token_asks_to_sign_in_again() {
    let w = world();
    let token = signed_in(&w).await;
    w.cipher
        .rotated_away
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let err = w
        .service
        .reconnect("github", Some(&token), None)
        .await
        .expect_err("refused");
    assert_eq!(
        err.to_string(),
        "Session expired — please log out and sign in again"
    );
}

#[tokio::test]
async fn reconnect_needs_a_session() {
    let w = world();
    let err = w.service.reconnect("github", None, None).await;
    assert!(matches!(
        err,
        Err(ReconnectError::Session(CurrentUserError::NotAuthenticated))
    ));
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_person_only() {
    let w = world();
    let first = signed_in(&w).await;
    let second = signed_in(&w).await;
    assert_eq!(
        w.service
            .logout(Some(&second), true)
            .await
            .ok()
            .map(|o| o.ended),
        Some(2)
    );
    for token in [&first, &second] {
        assert!(matches!(
            w.service.current_user(Some(token)).await,
            Err(CurrentUserError::InvalidToken)
        ));
    }
    // A dead cookie cannot end anything.
    let third = signed_in(&w).await;
    assert_eq!(
        w.service
            .logout(Some(&first), true)
            .await
            .ok()
            .map(|o| o.ended),
        Some(0)
    );
    assert!(w.service.current_user(Some(&third)).await.is_ok());
}

#[tokio::test]
async fn a_flood_of_starts_hits_the_cap_until_states_expire() {
    let w = world();
    for _ in 0..POLICY.max_live_states {
        assert!(w.service.start_sign_in("github", None).await.is_ok());
    }
    let refused = w.service.start_sign_in("github", None).await;
    assert!(matches!(refused, Err(super::StartSignInError::Busy)));
    w.clock.advance(POLICY.state_ttl_seconds);
    assert!(
        w.service.start_sign_in("github", None).await.is_ok(),
        "expired states do not count"
    );
}

#[tokio::test]
async fn rotation_reseals_old_tokens_once_and_reports_what_it_did() {
    let w = world();
    let first = signed_in(&w).await;
    drop(first);
    *w.cipher.current_key.lock().expect("lock") = "bb".into();
    let rotation = crate::KeyRotation::new(w.store.clone(), w.cipher.clone());
    let mut pages = 0;
    let report = rotation.run(1, |_| pages += 1).await.expect("rotated");
    assert_eq!(
        (report.examined, report.resealed, report.unreadable),
        (1, 1, 0)
    );
    assert_eq!(pages, 1);
    let again = rotation.run(10, |_| {}).await.expect("rotated again");
    assert_eq!(
        (again.resealed, again.already_current),
        (0, 1),
        "a rerun skips current tokens"
    );
}

#[tokio::test]
async fn reconnect_reseals_a_token_read_under_an_old_key() {
    let w = world();
    let token = signed_in(&w).await;
    *w.cipher.current_key.lock().expect("lock") = "bb".into();
    w.service
        .reconnect("github", Some(&token), None)
        .await
        .expect("reconnect");
    let id = nectr_domain::UserId::new(1).expect("id");
    let sealed = crate::ports::UserStore::sealed_token(w.store.as_ref(), id)
        .await
        .expect("read")
        .expect("a token");
    assert_eq!(sealed.key_id().as_str(), "bb");
}
