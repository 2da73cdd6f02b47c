//! Shared set-up: a started stand-in with one app, an HTTP client, and the OAuth steps.

use nectr_gitlab_standin::{GitlabStandIn, OAuthApp};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use url::Url;

pub use nectr_standin_kit::testing::{
    CHALLENGE, TestResult, VERIFIER, client, header, location, param,
};

pub const CLIENT_ID: &str = "3c1f1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e";
pub const SECRET: &str = "gloas-5e9a2b7c4d1f8e3a6b0c9d2e5f8a1b4c7d0e3f6a9b2c5d8e1f4a7b0c3d6e9f2a";
pub const CALLBACK: &str = "http://app.example.test/auth/gitlab/callback";

/// A started stand-in with the test app registered.
pub async fn standin() -> TestResult<GitlabStandIn> {
    standin_with(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)).await
}

pub async fn standin_with(app: OAuthApp) -> TestResult<GitlabStandIn> {
    let standin = GitlabStandIn::start().await?;
    standin.register_app(app);
    Ok(standin)
}

/// The authorize parameters a well-behaved client sends (with PKCE), plus `extra`, where a
/// later pair with the same name replaces an earlier one and an empty value drops it.
pub fn authorize_params<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("client_id", CLIENT_ID),
        ("redirect_uri", CALLBACK),
        ("response_type", "code"),
        ("state", "st4te"),
        ("scope", "read_user"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, value));
        }
    }
    params
}

/// Sends an authorize request with exactly `params`; answers the response.
pub async fn authorize_raw(
    standin: &GitlabStandIn,
    params: &[(&str, &str)],
) -> TestResult<Response> {
    let url = Url::parse_with_params(&format!("{}/oauth/authorize", standin.web_url()), params)?;
    Ok(client()?.get(url).send().await?)
}

/// Sends an authorize request and answers the redirect target (asserting a 302).
pub async fn authorize(standin: &GitlabStandIn, extra: &[(&str, &str)]) -> TestResult<Url> {
    let response = authorize_raw(standin, &authorize_params(extra)).await?;
    location(&response)
}

/// Asserts GitLab's error page (HTML, no redirect) and answers its text.
pub async fn error_page(response: Response) -> TestResult<String> {
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        header(&response, "location").is_none(),
        "an error page never redirects"
    );
    let content_type = header(&response, "content-type")
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let body = response.text().await?;
    assert!(body.contains("An error has occurred"), "{body}");
    Ok(body)
}

/// Approves an authorize request (PKCE, `read_user` unless `extra` says otherwise) and
/// answers the code.
pub async fn code(standin: &GitlabStandIn, extra: &[(&str, &str)]) -> TestResult<String> {
    let back = authorize(standin, extra).await?;
    Ok(param(&back, "code").ok_or("no code in the callback")?)
}

/// The form exchanging `code` with the test app's credentials and the right verifier.
pub fn code_form<'a>(code: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ];
    for (name, value) in extra {
        form.retain(|(n, _)| n != name);
        if !value.is_empty() {
            form.push((name, value));
        }
    }
    form
}

/// Posts a form to `{web_url}{path}`; answers the status and the JSON body.
pub async fn post_form(
    standin: &GitlabStandIn,
    path: &str,
    form: &[(&str, &str)],
) -> TestResult<(StatusCode, Value)> {
    let response = client()?
        .post(format!("{}{path}", standin.web_url()))
        .form(form)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await?))
}

/// Posts a form to the token endpoint.
pub async fn exchange(
    standin: &GitlabStandIn,
    form: &[(&str, &str)],
) -> TestResult<(StatusCode, Value)> {
    post_form(standin, "/oauth/token", form).await
}

/// The access and refresh token of a successful exchange.
pub struct Pair {
    pub access: String,
    pub refresh: String,
}

impl Pair {
    pub fn from(answer: &Value) -> TestResult<Pair> {
        Ok(Pair {
            access: answer["access_token"]
                .as_str()
                .ok_or("no access_token")?
                .to_owned(),
            refresh: answer["refresh_token"]
                .as_str()
                .ok_or("no refresh_token")?
                .to_owned(),
        })
    }
}

/// A whole sign-in for the current person with `scope`; answers the token pair.
pub async fn sign_in(standin: &GitlabStandIn, scope: &str) -> TestResult<Pair> {
    let code = code(standin, &[("scope", scope)]).await?;
    let (status, answer) = exchange(standin, &code_form(&code, &[])).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    Pair::from(&answer)
}

/// `GET {api}{path}` with `Authorization: Bearer {token}`.
pub async fn api_get(standin: &GitlabStandIn, path: &str, token: &str) -> TestResult<Response> {
    Ok(client()?
        .get(format!("{}{path}", standin.api_url()))
        .bearer_auth(token)
        .send()
        .await?)
}
