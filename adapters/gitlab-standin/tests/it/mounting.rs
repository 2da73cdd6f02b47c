//! Mounting the routes inside another actix `App` under a prefix, as a development mode would
//! (and as a self-managed GitLab under a relative URL root looks).

use actix_web::{App, HttpServer, web};
use nectr_gitlab_standin::{Endpoint, GitlabStandIn, OAuthApp};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

/// A stand-in mounted under `/gitlab` in a host app, served on a random port.
fn mounted() -> TestResult<GitlabStandIn> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let standin = GitlabStandIn::mounted_at(format!("http://{}/gitlab/", listener.local_addr()?));
    standin.register_app(OAuthApp::new(CLIENT_ID, SECRET, CALLBACK));
    let routes = standin.configure();
    let server = HttpServer::new(move || {
        App::new()
            .route("/", web::get().to(|| async { "the host app" }))
            .service(web::scope("/gitlab").configure(routes.clone()))
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
    assert!(standin.web_url().ends_with("/gitlab"));
    assert!(standin.api_url().ends_with("/gitlab/api/v4"));
    let pair = sign_in(&standin, "read_user read_api").await?;
    let response = api_get(&standin, "/user", &pair.access).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let user: Value = response.json().await?;
    assert_eq!(user["web_url"], format!("{}/tanuki", standin.web_url()));
    let groups = api_get(&standin, "/groups?per_page=1", &pair.access).await?;
    let link = header(&groups, "link").unwrap_or_default().to_owned();
    assert!(link.contains("/gitlab/api/v4/groups?"), "{link}");

    let authorize = &standin.requests_to(Endpoint::Authorize)[0];
    assert_eq!(authorize.path, "/gitlab/oauth/authorize");
    assert_eq!(authorize.query_param("scope"), Some("read_user read_api"));
    let (status, _) = post_form(
        &standin,
        "/oauth/revoke",
        &[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("token", &pair.access),
        ],
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(!standin.is_token_live(&pair.access));
    let missing = client()?
        .get(format!("{}/api/v4/nothing", standin.web_url()))
        .send()
        .await?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    Ok(())
}
