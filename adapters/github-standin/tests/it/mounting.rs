//! Mounting the routes inside another actix `App` under a prefix, as a development mode would.

use actix_web::{App, HttpServer, web};
use nectr_github_standin::{Endpoint, GithubStandIn, OAuthApp, Person};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

/// A stand-in mounted under `/github` in a host app, served on a random port.
fn mounted() -> TestResult<GithubStandIn> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let standin = GithubStandIn::mounted_at(format!("http://{}/github/", listener.local_addr()?));
    standin.register_app(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK));
    let routes = standin.configure();
    let server = HttpServer::new(move || {
        App::new()
            .route("/", web::get().to(|| async { "the host app" }))
            .service(web::scope("/github").configure(routes.clone()))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(standin)
}

#[tokio::test]
async fn the_whole_flow_works_under_a_prefix() -> TestResult {
    let standin = mounted()?;
    assert!(standin.web_url().ends_with("/github"));
    assert!(standin.api_url().ends_with("/github/api/v3"));
    let token = token(&standin, "read:user").await?;
    let response = api_get(&standin, "/user", &token).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let user: Value = response.json().await?;
    assert_eq!(user["html_url"], format!("{}/octocat", standin.web_url()));
    assert_eq!(user["url"], format!("{}/users/octocat", standin.api_url()));

    let authorize = &standin.requests_to(Endpoint::Authorize)[0];
    assert_eq!(authorize.path, "/github/login/oauth/authorize");
    assert_eq!(authorize.query_param("scope"), Some("read:user"));
    let user_request = &standin.requests_to(Endpoint::User)[0];
    assert_eq!(user_request.header("User-Agent"), Some(USER_AGENT));
    assert!(
        user_request
            .headers
            .iter()
            .any(|(name, _)| name == "user-agent")
    );
    Ok(())
}

#[tokio::test]
async fn the_interactive_page_and_avatars_work_under_a_prefix() -> TestResult {
    let standin = mounted()?;
    standin.set_interactive(true);
    let params = [
        ("client_id", CLIENT_ID),
        ("scope", "read:user"),
        ("state", "p"),
    ];
    let page_url = url::Url::parse_with_params(
        &format!("{}/login/oauth/authorize", standin.web_url()),
        params,
    )?;
    let (_, page) = open_page(&standin, &params).await?;
    // Where a browser sends the form: its action, resolved against the page's URL.
    let action = page
        .split(r#"<form method="post" action=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("no form action")?;
    let target = page_url.join(action)?;
    assert_eq!(target.path(), "/github/login/oauth/authorize");
    let query = hidden_query(&page)?;
    let form = [
        ("query", query.as_str()),
        ("person", "private-email"),
        ("decision", "authorize"),
    ];
    let response = client()?.post(target).form(&form).send().await?;
    let back = location(&response)?;
    assert_eq!(param(&back, "state").as_deref(), Some("p"));
    let code = param(&back, "code").ok_or("no code")?;
    let fields = exchange_code(&standin, &code).await?;
    let token = fields["access_token"].as_str().ok_or("no access_token")?;
    let user: Value = api_get(&standin, "/user", token).await?.json().await?;
    assert_eq!(user["id"].as_i64(), Some(Person::private_email().id));
    let avatar_url = user["avatar_url"].as_str().ok_or("no avatar_url")?;
    assert_eq!(
        avatar_url,
        format!(
            "{}/avatars/u/{}",
            standin.web_url(),
            Person::private_email().id
        )
    );
    assert!(avatar_url.contains("/github/avatars/u/"));
    let avatar = client()?.get(avatar_url).send().await?;
    assert_eq!(avatar.status(), StatusCode::OK);
    assert_eq!(header(&avatar, "content-type"), Some("image/svg+xml"));
    Ok(())
}
