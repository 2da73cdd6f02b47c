//! Shared set-up: a started stand-in with one app, an HTTP client, and the OAuth steps.

use std::collections::HashMap;

use nectr_github_standin::{GithubStandIn, OAuthApp};
use reqwest::{Response, StatusCode};
use url::Url;

pub use nectr_standin_kit::testing::{
    CHALLENGE, TestResult, VERIFIER, client, header, location, param,
};

pub const CLIENT_ID: &str = "Ov23liTestClient0001";
pub const SECRET: &str = "0123456789abcdef0123456789abcdef01234567";
pub const CALLBACK: &str = "http://app.example.test/auth/callback";
pub const USER_AGENT: &str = "nectr-standin-tests";

/// A started stand-in with the test app registered.
pub async fn standin() -> TestResult<GithubStandIn> {
    standin_with(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)).await
}

pub async fn standin_with(app: OAuthApp) -> TestResult<GithubStandIn> {
    let standin = GithubStandIn::start().await?;
    standin.register_app(app);
    Ok(standin)
}

/// Sends an authorize request and answers the response (a redirect, normally).
pub async fn authorize_raw(
    standin: &GithubStandIn,
    params: &[(&str, &str)],
) -> TestResult<Response> {
    let url = Url::parse_with_params(
        &format!("{}/login/oauth/authorize", standin.web_url()),
        params,
    )?;
    Ok(client()?.get(url).send().await?)
}

/// Sends an authorize request and answers the redirect target.
pub async fn authorize(standin: &GithubStandIn, params: &[(&str, &str)]) -> TestResult<Url> {
    let response = authorize_raw(standin, params).await?;
    location(&response)
}

/// Approves an authorize request for the test app and answers the code.
pub async fn code(standin: &GithubStandIn, extra: &[(&str, &str)]) -> TestResult<String> {
    let mut params = vec![("client_id", CLIENT_ID)];
    params.extend_from_slice(extra);
    let back = authorize(standin, &params).await?;
    Ok(param(&back, "code").ok_or("no code in the callback")?)
}

/// Posts a form to the token endpoint asking for JSON; answers the status and the fields.
pub async fn exchange(
    standin: &GithubStandIn,
    form: &[(&str, &str)],
) -> TestResult<(StatusCode, HashMap<String, serde_json::Value>)> {
    let response = client()?
        .post(format!("{}/login/oauth/access_token", standin.web_url()))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await?))
}

/// Exchanges `code` with the test app's credentials; answers the fields.
pub async fn exchange_code(
    standin: &GithubStandIn,
    code: &str,
) -> TestResult<HashMap<String, serde_json::Value>> {
    let form = [
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("code", code),
    ];
    Ok(exchange(standin, &form).await?.1)
}

/// The `error` field of a token answer, if any.
pub fn error_of(fields: &HashMap<String, serde_json::Value>) -> Option<&str> {
    fields.get("error").and_then(|v| v.as_str())
}

/// A whole sign-in for the current person with `scope`; answers the access token.
pub async fn token(standin: &GithubStandIn, scope: &str) -> TestResult<String> {
    let code = code(standin, &[("scope", scope)]).await?;
    let fields = exchange_code(standin, &code).await?;
    let token = fields.get("access_token").and_then(|v| v.as_str());
    Ok(token.ok_or("no access_token in the answer")?.to_owned())
}

/// `GET {api}{path}` with a User-Agent and `Authorization: Bearer {token}`.
pub async fn api_get(standin: &GithubStandIn, path: &str, token: &str) -> TestResult<Response> {
    Ok(client()?
        .get(format!("{}{path}", standin.api_url()))
        .header("user-agent", USER_AGENT)
        .header("x-github-api-version", "2022-11-28")
        .bearer_auth(token)
        .send()
        .await?)
}

/// The raw original query the interactive page carries in its hidden `query` field, as a
/// browser would send it back (entities decoded).
pub fn hidden_query(html: &str) -> TestResult<String> {
    let start = html
        .find(r#"name="query" value=""#)
        .ok_or("no hidden query field")?
        + r#"name="query" value=""#.len();
    let end = html[start..].find('"').ok_or("unterminated value")? + start;
    Ok(html[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&"))
}

/// Opens the interactive page for `params` (asserting a 200); answers its content type and
/// body.
pub async fn open_page(
    standin: &GithubStandIn,
    params: &[(&str, &str)],
) -> TestResult<(String, String)> {
    let response = authorize_raw(standin, params).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = header(&response, "content-type")
        .unwrap_or_default()
        .to_owned();
    Ok((content_type, response.text().await?))
}

/// Posts the interactive page's form (url-encoded) to `{web_url}/login/oauth/authorize`.
pub async fn submit(standin: &GithubStandIn, fields: &[(&str, &str)]) -> TestResult<Response> {
    Ok(client()?
        .post(format!("{}/login/oauth/authorize", standin.web_url()))
        .form(fields)
        .send()
        .await?)
}
