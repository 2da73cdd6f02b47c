//! `GET /oauth/authorize`: the checks made before anyone decides, approval and Deny.

use nectr_gitlab_standin::{Endpoint, OAuthApp, Person};
use reqwest::StatusCode;

use crate::common::*;

#[tokio::test]
async fn approval_redirects_to_the_exact_redirect_uri_with_a_code_and_the_state() -> TestResult {
    let standin = standin().await?;
    let back = authorize(&standin, &[("state", "a b&c/é")]).await?;
    assert_eq!(
        format!("{}://{}{}", back.scheme(), back.authority(), back.path()),
        CALLBACK
    );
    assert_eq!(param(&back, "state").as_deref(), Some("a b&c/é"));
    let code = param(&back, "code").ok_or("no code")?;
    assert_eq!(code.len(), 64);
    assert!(code.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(standin.issued_codes(), [code]);
    assert!(param(&back, "error").is_none());
    let record = &standin.authorizations()[0];
    assert!(record.approved);
    assert_eq!(record.gitlab_id, Person::tanuki().id);
    assert_eq!(record.scopes, ["read_user"]);
    assert_eq!(record.code_challenge.as_deref(), Some(CHALLENGE));
    assert_eq!(record.code_challenge_method.as_deref(), Some("S256"));
    Ok(())
}

#[tokio::test]
async fn without_state_the_answer_has_none() -> TestResult {
    let standin = standin().await?;
    let back = authorize(&standin, &[("state", "")]).await?;
    assert!(param(&back, "code").is_some());
    assert!(back.query_pairs().all(|(name, _)| name != "state"));
    Ok(())
}

#[tokio::test]
async fn an_unknown_or_missing_client_gets_the_error_page() -> TestResult {
    let standin = standin().await?;
    let unknown = authorize_raw(&standin, &authorize_params(&[("client_id", "nope")])).await?;
    let page = error_page(unknown).await?;
    assert!(page.contains("unknown client"), "{page}");
    let missing = authorize_raw(&standin, &authorize_params(&[("client_id", "")])).await?;
    let page = error_page(missing).await?;
    assert!(
        page.contains("Missing required parameter: client_id."),
        "{page}"
    );
    assert!(standin.authorizations().is_empty());
    assert!(standin.issued_codes().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_redirect_uri_that_is_not_registered_exactly_gets_the_error_page() -> TestResult {
    let standin = standin().await?;
    let near_misses = [
        format!("{CALLBACK}/"),
        format!("{CALLBACK}/sub"),
        CALLBACK.replace("app.example.test", "app.example.test:8080"),
        CALLBACK.replace("http:", "https:"),
        CALLBACK.replace("app.", "evil.app."),
        String::new(),
    ];
    for uri in &near_misses {
        let response = authorize_raw(
            &standin,
            &authorize_params(&[("redirect_uri", uri.as_str())]),
        )
        .await?;
        let page = error_page(response).await?;
        assert!(
            page.contains("The redirect URI included is not valid."),
            "{uri}: {page}"
        );
    }
    let same_after_normalizing = CALLBACK.replace("app.example.test", "APP.example.test:80");
    let back = authorize(&standin, &[("redirect_uri", &same_after_normalizing)]).await?;
    assert!(param(&back, "code").is_some());
    // A query the registered URI does not have is ignored, and sent back.
    let with_query = format!("{CALLBACK}?next=/home");
    let back = authorize(&standin, &[("redirect_uri", &with_query)]).await?;
    assert_eq!(param(&back, "next").as_deref(), Some("/home"));
    assert!(param(&back, "code").is_some());
    Ok(())
}

#[tokio::test]
async fn a_loopback_redirect_uri_may_use_any_port() -> TestResult {
    let standin = standin_with(OAuthApp::new(
        CLIENT_ID,
        SECRET,
        "http://127.0.0.1:8000/auth/gitlab/callback",
    ))
    .await?;
    let back = authorize(
        &standin,
        &[(
            "redirect_uri",
            "http://127.0.0.1:53123/auth/gitlab/callback",
        )],
    )
    .await?;
    assert_eq!(back.port(), Some(53123));
    assert!(param(&back, "code").is_some());
    // `localhost` is a name: its port counts, as for any host.
    let standin = standin_with(OAuthApp::new(
        CLIENT_ID,
        SECRET,
        "http://localhost:8000/auth/gitlab/callback",
    ))
    .await?;
    let response = authorize_raw(
        &standin,
        &authorize_params(&[("redirect_uri", "http://localhost:8001/auth/gitlab/callback")]),
    )
    .await?;
    let page = error_page(response).await?;
    assert!(
        page.contains("The redirect URI included is not valid."),
        "{page}"
    );
    Ok(())
}

#[tokio::test]
async fn any_registered_redirect_uri_may_be_used() -> TestResult {
    let mut app = OAuthApp::new(CLIENT_ID, SECRET, CALLBACK);
    app.redirect_uris
        .push("http://127.0.0.1:9999/other".to_owned());
    let standin = standin_with(app).await?;
    let back = authorize(&standin, &[("redirect_uri", "http://127.0.0.1:9999/other")]).await?;
    assert_eq!(back.path(), "/other");
    Ok(())
}

#[tokio::test]
async fn response_type_must_be_code() -> TestResult {
    let standin = standin().await?;
    let missing = authorize_raw(&standin, &authorize_params(&[("response_type", "")])).await?;
    let page = error_page(missing).await?;
    assert!(
        page.contains("Missing required parameter: response_type."),
        "{page}"
    );
    let implicit =
        authorize_raw(&standin, &authorize_params(&[("response_type", "token")])).await?;
    let page = error_page(implicit).await?;
    assert!(
        page.contains("does not support this response type"),
        "{page}"
    );
    Ok(())
}

#[tokio::test]
async fn scopes_are_space_separated_known_and_ticked_for_the_app() -> TestResult {
    let standin =
        standin_with(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK).with_scopes("read_user read_api"))
            .await?;
    for bad in ["read_user,read_api", "read_user made_up", "read_user api"] {
        let response = authorize_raw(&standin, &authorize_params(&[("scope", bad)])).await?;
        let page = error_page(response).await?;
        assert!(
            page.contains("The requested scope is invalid, unknown, or malformed."),
            "{bad}: {page}"
        );
    }
    let back = authorize(&standin, &[("scope", "read_user read_api")]).await?;
    assert!(param(&back, "code").is_some());
    assert_eq!(
        standin.authorizations()[0].scopes,
        ["read_user", "read_api"]
    );
    Ok(())
}

#[tokio::test]
async fn without_a_scope_gitlab_asks_for_api() -> TestResult {
    let standin = standin().await?;
    let back = authorize(&standin, &[("scope", "")]).await?;
    let code = param(&back, "code").ok_or("no code")?;
    let (_, answer) = exchange(&standin, &code_form(&code, &[])).await?;
    assert_eq!(answer["scope"], "api");

    let narrow =
        standin_with(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK).with_scopes("read_user")).await?;
    let response = authorize_raw(&narrow, &authorize_params(&[("scope", "")])).await?;
    error_page(response).await?;
    Ok(())
}

#[tokio::test]
async fn a_code_challenge_needs_a_supported_method() -> TestResult {
    let standin = standin().await?;
    for method in ["", "S512", "s256"] {
        let response = authorize_raw(
            &standin,
            &authorize_params(&[("code_challenge_method", method)]),
        )
        .await?;
        let page = error_page(response).await?;
        assert!(page.contains("code_challenge_method"), "{method:?}: {page}");
    }
    let back = authorize(
        &standin,
        &[("code_challenge", ""), ("code_challenge_method", "")],
    )
    .await?;
    assert!(param(&back, "code").is_some(), "PKCE is optional");
    Ok(())
}

#[tokio::test]
async fn deny_sends_access_denied_with_the_state_and_no_code_once() -> TestResult {
    let standin = standin().await?;
    standin.press_cancel();
    // A request refused before the consent screen does not use the cancel up.
    error_page(authorize_raw(&standin, &authorize_params(&[("client_id", "nope")])).await?).await?;
    let back = authorize(&standin, &[]).await?;
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        param(&back, "error_description").as_deref(),
        Some("The resource owner or authorization server denied the request.")
    );
    assert_eq!(param(&back, "state").as_deref(), Some("st4te"));
    assert!(param(&back, "code").is_none());
    assert!(standin.issued_codes().is_empty());
    assert!(!standin.authorizations()[0].approved);
    let again = authorize(&standin, &[]).await?;
    assert!(param(&again, "code").is_some(), "Deny is one-shot");
    Ok(())
}

#[tokio::test]
async fn the_signed_in_person_approves() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(Person::big_id());
    authorize(&standin, &[]).await?;
    assert_eq!(standin.authorizations()[0].gitlab_id, 9_007_199_254_740_993);
    Ok(())
}

#[tokio::test]
async fn approve_as_signs_someone_in_without_http_and_with_the_same_checks() -> TestResult {
    let standin = standin().await?;
    let url = url::Url::parse_with_params(
        &format!("{}/oauth/authorize", standin.web_url()),
        authorize_params(&[]),
    )?;
    let back = url::Url::parse(&standin.approve_as(url.as_str(), &Person::numbered(7))?)?;
    let code = param(&back, "code").ok_or("no code")?;
    let (status, answer) = exchange(&standin, &code_form(&code, &[])).await?;
    assert_eq!(status, StatusCode::OK);
    let user: serde_json::Value = api_get(
        &standin,
        "/user",
        answer["access_token"].as_str().ok_or("no token")?,
    )
    .await?
    .json()
    .await?;
    assert_eq!(user["username"], "person-7");
    assert_eq!(
        standin.authorizations()[0].gitlab_id,
        Person::numbered(7).id
    );
    assert!(standin.requests_to(Endpoint::Authorize).is_empty());

    let bad = url.as_str().replace("read_user", "nonsense");
    let refused = standin.approve_as(&bad, &Person::tanuki());
    assert_eq!(
        refused.map_err(|r| r.error),
        Err("invalid_scope".to_owned())
    );
    Ok(())
}
