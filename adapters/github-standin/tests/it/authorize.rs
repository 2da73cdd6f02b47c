//! `GET /login/oauth/authorize`: who may ask, where the browser goes back, and what it carries.

use nectr_github_standin::{OAuthApp, Person};
use reqwest::StatusCode;

use crate::common::*;

#[tokio::test]
async fn an_unknown_or_missing_client_id_gets_the_404_page() -> TestResult {
    let standin = standin().await?;
    let unknown = authorize_raw(&standin, &[("client_id", "nope")]).await?;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let missing = authorize_raw(&standin, &[("scope", "read:user")]).await?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(standin.authorizations().is_empty());
    Ok(())
}

#[tokio::test]
async fn approval_sends_a_code_and_the_exact_state_back() -> TestResult {
    let standin = standin().await?;
    let state = "a b+c&d=e/é#f";
    let back = authorize(&standin, &[("client_id", CLIENT_ID), ("state", state)]).await?;
    assert_eq!(back.as_str().split('?').next(), Some(CALLBACK));
    assert_eq!(param(&back, "state").as_deref(), Some(state));
    let code = param(&back, "code").ok_or("no code")?;
    assert_eq!(code.len(), 20);
    assert!(code.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(param(&back, "error"), None);
    Ok(())
}

#[tokio::test]
async fn state_is_left_out_when_none_was_sent() -> TestResult {
    let standin = standin().await?;
    let back = authorize(&standin, &[("client_id", CLIENT_ID)]).await?;
    assert!(param(&back, "code").is_some());
    assert!(back.query_pairs().all(|(name, _)| name != "state"));
    Ok(())
}

#[tokio::test]
async fn the_consent_screen_shows_only_until_the_scopes_are_granted() -> TestResult {
    let standin = standin().await?;
    code(&standin, &[("scope", "read:user")]).await?;
    code(&standin, &[("scope", "read:user")]).await?;
    code(&standin, &[("scope", "read:user,user:email")]).await?;
    let shown: Vec<bool> = standin
        .authorizations()
        .iter()
        .map(|a| a.consent_screen_shown)
        .collect();
    assert_eq!(shown, [true, false, true]);
    assert!(standin.grant_exists(CLIENT_ID, Person::octocat().id));
    Ok(())
}

#[tokio::test]
async fn scopes_split_on_spaces_and_commas_and_come_back_comma_separated() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[("scope", "read:user user:email,read:org")]).await?;
    let fields = exchange_code(&standin, &code).await?;
    assert_eq!(fields["scope"], "read:user,user:email,read:org");
    let record = &standin.authorizations()[0];
    assert_eq!(record.scopes, ["read:user", "user:email", "read:org"]);
    Ok(())
}

#[tokio::test]
async fn a_person_may_grant_fewer_scopes_than_requested() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(Person {
        grants_scopes: Some(vec!["read:user".to_owned()]),
        ..Person::octocat()
    });
    let code = code(&standin, &[("scope", "read:user user:email")]).await?;
    let fields = exchange_code(&standin, &code).await?;
    assert_eq!(fields["scope"], "read:user");
    Ok(())
}

#[tokio::test]
async fn a_redirect_uri_below_the_callback_is_accepted() -> TestResult {
    let standin = standin().await?;
    let below = format!("{CALLBACK}/github?next=1");
    let back = authorize(
        &standin,
        &[("client_id", CLIENT_ID), ("redirect_uri", &below)],
    )
    .await?;
    assert!(back.as_str().starts_with(&below));
    assert!(param(&back, "code").is_some());
    assert_eq!(param(&back, "next").as_deref(), Some("1"));
    Ok(())
}

#[tokio::test]
async fn a_redirect_uri_elsewhere_goes_back_to_the_callback_with_an_error() -> TestResult {
    let standin = standin().await?;
    for elsewhere in [
        "http://app.example.test/other",
        "http://app.example.test:8080/auth/callback",
        "https://app.example.test/auth/callback",
        "http://evil.example/auth/callback",
    ] {
        let params = [
            ("client_id", CLIENT_ID),
            ("redirect_uri", elsewhere),
            ("state", "s1"),
        ];
        let back = authorize(&standin, &params).await?;
        assert_eq!(
            back.as_str().split('?').next(),
            Some(CALLBACK),
            "{elsewhere}"
        );
        assert_eq!(
            param(&back, "error").as_deref(),
            Some("redirect_uri_mismatch")
        );
        assert!(param(&back, "error_description").is_some());
        assert!(param(&back, "error_uri").is_some());
        assert_eq!(param(&back, "state").as_deref(), Some("s1"));
        assert_eq!(param(&back, "code"), None);
    }
    assert!(standin.authorizations().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_suspended_app_gets_application_suspended() -> TestResult {
    let standin = standin_with(OAuthApp {
        suspended: true,
        ..OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)
    })
    .await?;
    let back = authorize(&standin, &[("client_id", CLIENT_ID), ("state", "s")]).await?;
    assert_eq!(
        param(&back, "error").as_deref(),
        Some("application_suspended")
    );
    assert_eq!(param(&back, "code"), None);
    Ok(())
}

#[tokio::test]
async fn cancel_sends_access_denied_without_a_code_once() -> TestResult {
    let standin = standin().await?;
    standin.press_cancel();
    let response = authorize_raw(&standin, &[("client_id", CLIENT_ID), ("state", "xyz")]).await?;
    let location = header(&response, "location").ok_or("no Location")?;
    assert_eq!(
        location,
        format!(
            "{CALLBACK}?error=access_denied&error_description=The+user+has+denied+your+application+access.\
             &error_uri=https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/%23access-denied\
             &state=xyz"
        )
    );
    let record = &standin.authorizations()[0];
    assert!(!record.approved);
    assert!(!standin.grant_exists(CLIENT_ID, record.github_id));
    let next = authorize(&standin, &[("client_id", CLIENT_ID)]).await?;
    assert!(param(&next, "code").is_some(), "cancel is one-shot");
    Ok(())
}

#[tokio::test]
async fn pkce_accepts_only_s256() -> TestResult {
    let standin = standin().await?;
    for method in [Some("plain"), None] {
        let mut params = vec![("client_id", CLIENT_ID), ("code_challenge", CHALLENGE)];
        params.extend(method.map(|m| ("code_challenge_method", m)));
        let back = authorize(&standin, &params).await?;
        assert_eq!(param(&back, "error").as_deref(), Some("invalid_request"));
        assert_eq!(param(&back, "code"), None);
    }
    let s256 = [
        ("client_id", CLIENT_ID),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    assert!(param(&authorize(&standin, &s256).await?, "code").is_some());
    assert_eq!(
        standin.authorizations()[0].code_challenge.as_deref(),
        Some(CHALLENGE)
    );
    Ok(())
}
