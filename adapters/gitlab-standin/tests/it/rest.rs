//! The REST API: `GET /user` and `GET /groups`, and how bad, expired, revoked or
//! under-scoped tokens are refused.

use std::time::Duration;

use nectr_gitlab_standin::{Endpoint, Group, Person, access_level};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn user_answers_the_token_owner() -> TestResult {
    let standin = standin().await?;
    let pair = sign_in(&standin, "read_user").await?;
    let response = api_get(&standin, "/user", &pair.access).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let user: Value = response.json().await?;
    assert_eq!(user["id"], Person::tanuki().id);
    assert_eq!(user["username"], "tanuki");
    assert_eq!(user["name"], "Tanuki Test");
    assert_eq!(user["email"], "tanuki@example.com");
    assert_eq!(user["state"], "active");
    assert_eq!(user["web_url"], format!("{}/tanuki", standin.web_url()));
    assert!(user["avatar_url"].is_null());
    let sent = &standin.requests_to(Endpoint::User)[0];
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {}", pair.access).as_str())
    );
    Ok(())
}

#[tokio::test]
async fn the_ready_made_people_keep_their_awkward_details() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(Person::no_email());
    let quiet: Value = api_get(
        &standin,
        "/user",
        &sign_in(&standin, "read_user").await?.access,
    )
    .await?
    .json()
    .await?;
    assert!(quiet.get("email").is_none(), "{quiet}");
    assert!(quiet["public_email"].is_null());

    standin.sign_in_as(Person::big_id());
    let response = api_get(&standin, "/user", &sign_in(&standin, "api").await?.access).await?;
    let text = response.text().await?;
    assert!(
        text.contains("\"id\":9007199254740993"),
        "the id is written exactly: {text}"
    );

    standin.sign_in_as(Person::unicode_name());
    let token = sign_in(&standin, "read_api").await?.access;
    let zoe: Value = api_get(&standin, "/user", &token).await?.json().await?;
    assert_eq!(zoe["name"], "Zoë Ñandú 李雷 🦊");
    Ok(())
}

#[tokio::test]
async fn user_without_a_token_or_with_an_unknown_one_is_401_unauthorized() -> TestResult {
    let standin = standin().await?;
    let anonymous = client()?
        .get(format!("{}/user", standin.api_url()))
        .send()
        .await?;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.json::<Value>().await?,
        serde_json::json!({"message": "401 Unauthorized"})
    );
    let unknown = api_get(&standin, "/user", &"f".repeat(64)).await?;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.json::<Value>().await?["message"],
        "401 Unauthorized"
    );
    let pair = sign_in(&standin, "read_user").await?;
    let refresh_as_access = api_get(&standin, "/user", &pair.refresh).await?;
    assert_eq!(refresh_as_access.status(), StatusCode::UNAUTHORIZED);
    let private = client()?
        .get(format!("{}/user", standin.api_url()))
        .header("private-token", &pair.access)
        .send()
        .await?;
    assert_eq!(
        private.status(),
        StatusCode::UNAUTHORIZED,
        "an OAuth token is not a PAT"
    );
    Ok(())
}

#[tokio::test]
async fn the_token_may_also_come_as_the_access_token_parameter() -> TestResult {
    let standin = standin().await?;
    let pair = sign_in(&standin, "read_user").await?;
    let response = client()?
        .get(format!(
            "{}/user?access_token={}",
            standin.api_url(),
            pair.access
        ))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn an_expired_token_gets_gitlabs_invalid_token_answer() -> TestResult {
    let standin = standin().await?;
    let pair = sign_in(&standin, "read_user").await?;
    standin.advance_clock(Duration::from_secs(2 * 60 * 60 - 10));
    let response = api_get(&standin, "/user", &pair.access).await?;
    assert_eq!(response.status(), StatusCode::OK, "live for two hours");
    standin.advance_clock(Duration::from_secs(11));
    let response = api_get(&standin, "/user", &pair.access).await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = header(&response, "www-authenticate")
        .unwrap_or_default()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer realm=\"The API\", error=\"invalid_token\""),
        "{challenge}"
    );
    let body: Value = response.json().await?;
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(
        body["error_description"],
        "Token is expired. You can either do re-authorization or token refresh."
    );
    Ok(())
}

#[tokio::test]
async fn a_revoked_token_gets_gitlabs_revoked_answer() -> TestResult {
    let standin = standin().await?;
    let pair = sign_in(&standin, "read_user").await?;
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
    let response = api_get(&standin, "/user", &pair.access).await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await?;
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(
        body["error_description"],
        "Token was revoked. You have to re-authorize from the user."
    );
    Ok(())
}

#[tokio::test]
async fn groups_need_read_api_or_api() -> TestResult {
    let standin = standin().await?;
    let read_user = sign_in(&standin, "read_user").await?;
    let response = api_get(&standin, "/groups?min_access_level=10", &read_user.access).await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await?;
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(
        body["error_description"],
        "The request requires higher privileges than provided by the access token."
    );
    assert_eq!(body["scope"], "api read_api");
    for scope in ["read_api", "api"] {
        let token = sign_in(&standin, scope).await?.access;
        let response = api_get(&standin, "/groups", &token).await?;
        assert_eq!(response.status(), StatusCode::OK, "{scope}");
    }
    Ok(())
}

#[tokio::test]
async fn min_access_level_keeps_the_groups_the_person_has_at_least_that_role_in() -> TestResult {
    let standin = standin().await?;
    let token = sign_in(&standin, "read_api").await?.access;
    let all: Vec<Value> = api_get(&standin, "/groups", &token).await?.json().await?;
    assert_eq!(all.len(), 4);
    let members: Vec<Value> = api_get(&standin, "/groups?min_access_level=10", &token)
        .await?
        .json()
        .await?;
    let names: Vec<&str> = members.iter().filter_map(|g| g["name"].as_str()).collect();
    assert_eq!(
        names,
        ["Backend", "Open Source Friends", "Tanuki Test Group"],
        "by name, no Minimal Access"
    );
    let backend = &members[0];
    assert_eq!(backend["path"], "backend");
    assert_eq!(backend["full_path"], "tanuki-test-group/backend");
    assert_eq!(backend["full_name"], "Tanuki Test Group / Backend");
    assert_eq!(backend["parent_id"], 7_001);
    assert_eq!(
        backend["web_url"],
        format!("{}/groups/tanuki-test-group/backend", standin.web_url())
    );
    let owners: Vec<Value> = api_get(&standin, "/groups?min_access_level=50", &token)
        .await?
        .json()
        .await?;
    assert_eq!(owners.len(), 1);
    for bad in ["11", "abc"] {
        let response =
            api_get(&standin, &format!("/groups?min_access_level={bad}"), &token).await?;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: Value = response.json().await?;
        assert!(
            body["error"]
                .as_str()
                .unwrap_or_default()
                .starts_with("min_access_level")
        );
    }
    Ok(())
}

#[tokio::test]
async fn groups_are_paginated_with_gitlabs_headers() -> TestResult {
    let standin = standin().await?;
    let mut person = Person::numbered(1);
    person.groups = (1..=5)
        .map(|n| Group::new(100 + n, &format!("Group {n}"), access_level::DEVELOPER))
        .collect();
    standin.sign_in_as(person);
    let token = sign_in(&standin, "read_api").await?.access;
    let first = api_get(&standin, "/groups?min_access_level=10&per_page=2", &token).await?;
    assert_eq!(header(&first, "x-page"), Some("1"));
    assert_eq!(header(&first, "x-per-page"), Some("2"));
    assert_eq!(header(&first, "x-next-page"), Some("2"));
    assert_eq!(header(&first, "x-prev-page"), Some(""));
    assert_eq!(header(&first, "x-total"), Some("5"));
    assert_eq!(header(&first, "x-total-pages"), Some("3"));
    let link = header(&first, "link").unwrap_or_default().to_owned();
    assert!(link.contains("page=2&per_page=2>; rel=\"next\""), "{link}");
    assert!(
        link.contains("min_access_level=10"),
        "other parameters are kept: {link}"
    );
    let page: Vec<Value> = first.json().await?;
    assert_eq!(page.len(), 2);
    let last = api_get(&standin, "/groups?per_page=2&page=3", &token).await?;
    assert_eq!(header(&last, "x-next-page"), Some(""));
    assert_eq!(header(&last, "x-prev-page"), Some("2"));
    let page: Vec<Value> = last.json().await?;
    assert_eq!(page.len(), 1);
    assert_eq!(page[0]["name"], "Group 5");
    let bad = api_get(&standin, "/groups?per_page=many", &token).await?;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn groups_without_a_token_are_the_public_ones_of_which_there_are_none() -> TestResult {
    let standin = standin().await?;
    let response = client()?
        .get(format!("{}/groups", standin.api_url()))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Vec<Value>>().await?.len(), 0);
    let bad = api_get(&standin, "/groups", "not-a-token").await?;
    assert_eq!(
        bad.status(),
        StatusCode::UNAUTHORIZED,
        "a bad token is refused, not ignored"
    );
    Ok(())
}

#[tokio::test]
async fn unknown_api_paths_answer_gitlabs_json_404() -> TestResult {
    let standin = standin().await?;
    let token = sign_in(&standin, "api").await?.access;
    let response = api_get(&standin, "/projects", &token).await?;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.json::<Value>().await?["error"], "404 Not Found");
    let recorded = standin.requests();
    assert!(
        recorded
            .iter()
            .any(|r| r.endpoint.is_none() && r.path == "/api/v4/projects")
    );
    Ok(())
}
