//! Mounting the routes inside another actix `App` under a prefix, as a development mode would.

use actix_web::{App, HttpServer, web};
use nectr_github_standin::{Endpoint, GithubStandIn, OAuthApp};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn the_whole_flow_works_under_a_prefix() -> TestResult {
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
