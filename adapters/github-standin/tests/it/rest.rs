//! The REST API: User-Agent, credentials, the `/user` routes and their scope rules.

use std::time::Duration;

use nectr_github_standin::{Endpoint, Person};
use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn a_request_without_user_agent_is_forbidden() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "read:user").await?;
    let response = client()?
        .get(format!("{}/user", standin.api_url()))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await?;
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("User-Agent")
    );
    Ok(())
}

#[tokio::test]
async fn bad_or_revoked_tokens_get_401_bad_credentials() -> TestResult {
    let standin = standin().await?;
    for token in ["gho_notissued", ""] {
        let response = api_get(&standin, "/user", token).await?;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body: Value = response.json().await?;
        assert_eq!(body["message"], "Bad credentials");
        assert_eq!(body["status"], "401");
        assert_eq!(body["documentation_url"], "https://docs.github.com/rest");
    }
    let anonymous = client()?
        .get(format!("{}/user", standin.api_url()))
        .header("user-agent", USER_AGENT)
        .send()
        .await?;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn user_reports_the_person_and_the_granted_scopes() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "read:user").await?;
    let response = api_get(&standin, "/user", &token).await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-oauth-scopes"), Some("read:user"));
    assert_eq!(
        header(&response, "x-github-api-version-selected"),
        Some("2022-11-28")
    );
    assert_eq!(header(&response, "x-ratelimit-limit"), Some("5000"));
    assert_eq!(header(&response, "x-ratelimit-remaining"), Some("4999"));
    let user: Value = response.json().await?;
    assert_eq!(user["login"], "octocat");
    assert_eq!(user["id"], 583_231);
    assert_eq!(user["type"], "User");
    assert_eq!(user["email"], "octocat@github.com");
    assert_eq!(user["html_url"], format!("{}/octocat", standin.web_url()));
    let recorded = &standin.requests_to(Endpoint::User)[0];
    assert_eq!(
        recorded.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    Ok(())
}

#[tokio::test]
async fn the_token_scheme_works_like_bearer() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "").await?;
    let response = client()?
        .get(format!("{}/user", standin.api_url()))
        .header("user-agent", USER_AGENT)
        .header("authorization", format!("token {token}"))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-oauth-scopes"), Some(""));
    assert_eq!(header(&response, "x-github-api-version-selected"), None);
    Ok(())
}

#[tokio::test]
async fn unusual_people_come_through_intact() -> TestResult {
    let standin = standin().await?;
    for person in [
        Person::big_id(),
        Person::private_email(),
        Person::unicode_name(),
    ] {
        standin.sign_in_as(person.clone());
        let token = token(&standin, "read:user").await?;
        let user: Value = api_get(&standin, "/user", &token).await?.json().await?;
        assert_eq!(user["id"].as_i64(), Some(person.id));
        assert_eq!(user["name"].as_str(), person.name.as_deref());
        assert_eq!(user["email"].as_str(), person.public_email.as_deref());
    }
    assert!(Person::big_id().id > i64::from(i32::MAX));
    assert!(Person::private_email().public_email.is_none());
    Ok(())
}

#[tokio::test]
async fn an_unsupported_api_version_is_refused() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "").await?;
    let response = client()?
        .get(format!("{}/user", standin.api_url()))
        .header("user-agent", USER_AGENT)
        .header("x-github-api-version", "1999-01-01")
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn emails_need_the_user_email_scope() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(Person::private_email());
    let without = token(&standin, "read:user").await?;
    let response = api_get(&standin, "/user/emails", &without).await?;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await?;
    assert_eq!(body["message"], "Not Found");
    for scope in ["user:email", "user"] {
        let with = token(&standin, scope).await?;
        let response = api_get(&standin, "/user/emails", &with).await?;
        assert_eq!(response.status(), StatusCode::OK, "{scope}");
        let emails: Vec<Value> = response.json().await?;
        assert_eq!(emails.len(), 2);
        let primary = emails
            .iter()
            .find(|e| e["primary"] == true)
            .ok_or("no primary")?;
        assert_eq!(primary["email"], "quiet@example.com");
        assert_eq!(primary["verified"], true);
        assert_eq!(primary["visibility"], "private");
    }
    Ok(())
}

#[tokio::test]
async fn emails_are_paginated() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(Person::private_email());
    let token = token(&standin, "user:email").await?;
    let response = api_get(&standin, "/user/emails?per_page=1", &token).await?;
    let link = header(&response, "link").unwrap_or_default().to_owned();
    assert!(
        link.contains("rel=\"next\"") && link.contains("page=2"),
        "{link}"
    );
    let first: Vec<Value> = response.json().await?;
    assert_eq!(first.len(), 1);
    let second: Vec<Value> = api_get(&standin, "/user/emails?per_page=1&page=2", &token)
        .await?
        .json()
        .await?;
    assert_eq!(second.len(), 1);
    assert_ne!(first[0]["email"], second[0]["email"]);
    Ok(())
}

#[tokio::test]
async fn orgs_need_read_org_or_user_and_answer_403_without() -> TestResult {
    let standin = standin().await?;
    let without = token(&standin, "read:user repo").await?;
    let refused = api_get(&standin, "/user/orgs", &without).await?;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&refused, "x-oauth-scopes"), Some("read:user, repo"));
    assert_eq!(
        header(&refused, "x-accepted-oauth-scopes"),
        Some("admin:org, read:org, write:org, user")
    );
    let body: Value = refused.json().await?;
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("read:org"),
        "{body}"
    );
    for scope in ["read:user read:org", "user", "admin:org"] {
        let with = token(&standin, scope).await?;
        let response = api_get(&standin, "/user/orgs", &with).await?;
        assert_eq!(response.status(), StatusCode::OK, "{scope}");
        let orgs: Vec<Value> = response.json().await?;
        assert_eq!(orgs.len(), 1);
        assert_eq!(orgs[0]["login"], "octo-org");
        assert!(orgs[0]["id"].is_i64());
    }
    Ok(())
}

#[tokio::test]
async fn unknown_api_paths_are_recorded_and_answer_json_404() -> TestResult {
    let standin = standin().await?;
    let response = api_get(&standin, "/repos/octocat/hello", "x").await?;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await?;
    assert_eq!(body["message"], "Not Found");
    let recorded = standin.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].endpoint, None);
    assert_eq!(recorded[0].path, "/api/v3/repos/octocat/hello");
    Ok(())
}

#[tokio::test]
async fn the_rate_limit_window_resets_an_hour_after_its_first_request() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "read:user").await?;
    let reset_of = |response: &Response| -> TestResult<u64> {
        Ok(header(response, "x-ratelimit-reset")
            .ok_or("no x-ratelimit-reset")?
            .parse()?)
    };
    let first = api_get(&standin, "/user", &token).await?;
    assert_eq!(header(&first, "x-ratelimit-remaining"), Some("4999"));
    let reset = reset_of(&first)?;
    // Later requests in the same window report the same reset, and one fewer request left.
    standin.advance_clock(Duration::from_secs(600));
    let later = api_get(&standin, "/user", &token).await?;
    assert_eq!(header(&later, "x-ratelimit-remaining"), Some("4998"));
    // (Within a second: the stand-in's clock is the real one moved forward.)
    assert!(reset_of(&later)?.abs_diff(reset) <= 1);
    // Past it, a new window starts with the next request.
    standin.advance_clock(Duration::from_secs(3000));
    let next = api_get(&standin, "/user", &token).await?;
    assert_eq!(header(&next, "x-ratelimit-remaining"), Some("4999"));
    assert!(reset_of(&next)?.abs_diff(reset + 3600) <= 1);
    Ok(())
}
