//! `/user/orgs` and `/user/teams`: pages, scopes, and organizations that restrict OAuth App
//! access.

use nectr_github_standin::{Endpoint, Fault, Person, Team};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

/// Octocat in `orgs` organizations `org-000`, `org-001`, … and `teams` teams of `octo-org`.
fn member(orgs: usize, teams: usize) -> Person {
    Person {
        orgs: (0..orgs).map(|i| format!("org-{i:03}")).collect(),
        teams: (0..teams)
            .map(|i| Team::new("octo-org", format!("team-{i:03}"), format!("Team {i}")))
            .collect(),
        ..Person::octocat()
    }
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| part.split(['<', '>']).nth(1))
        .map(str::to_owned)
}

#[tokio::test]
async fn orgs_come_in_pages_with_githubs_link_header() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(member(150, 0));
    let token = token(&standin, "read:org").await?;

    let first = api_get(&standin, "/user/orgs?per_page=100", &token).await?;
    let link = header(&first, "link").unwrap_or_default().to_owned();
    let first: Vec<Value> = first.json().await?;
    let next = next_link(&link).ok_or(format!("no next page in {link:?}"))?;
    assert!(link.contains("rel=\"last\""), "{link}");
    let second = client()?
        .get(&next)
        .header("user-agent", USER_AGENT)
        .bearer_auth(&token)
        .send()
        .await?;
    let last_link = header(&second, "link").unwrap_or_default().to_owned();
    let second: Vec<Value> = second.json().await?;

    assert_eq!(first.len(), 100);
    assert_eq!(second.len(), 50);
    assert_eq!(first[0]["login"], "org-000");
    assert_eq!(second[49]["login"], "org-149");
    assert!(next.starts_with(&standin.api_url()), "{next}");
    assert!(
        next.contains("page=2") && next.contains("per_page=100"),
        "{next}"
    );
    assert_eq!(next_link(&last_link), None, "{last_link}");
    assert!(last_link.contains("rel=\"prev\""), "{last_link}");
    // GitHub's default page is 30.
    let default: Vec<Value> = api_get(&standin, "/user/orgs", &token)
        .await?
        .json()
        .await?;
    assert_eq!(default.len(), 30);
    Ok(())
}

#[tokio::test]
async fn teams_list_each_team_with_its_organization() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(Person {
        orgs: vec!["octo-org".into(), "other-org".into()],
        teams: vec![
            Team::new("octo-org", "developers", "Developers"),
            Team::new("other-org", "release-crew", "Release crew"),
        ],
        ..Person::octocat()
    });
    let token = token(&standin, "read:org").await?;

    let response = api_get(&standin, "/user/teams", &token).await?;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-oauth-scopes"), Some("read:org"));
    let teams: Vec<Value> = response.json().await?;
    assert_eq!(teams.len(), 2);
    assert_eq!(teams[0]["slug"], "developers");
    assert_eq!(teams[0]["name"], "Developers");
    assert_eq!(teams[0]["organization"]["login"], "octo-org");
    assert_eq!(teams[1]["slug"], "release-crew");
    assert_eq!(teams[1]["organization"]["login"], "other-org");
    assert!(teams[0]["id"].is_i64());
    assert_ne!(teams[0]["id"], teams[1]["id"]);
    assert_eq!(
        teams[0]["html_url"],
        format!("{}/orgs/octo-org/teams/developers", standin.web_url())
    );
    assert_eq!(standin.requests_to(Endpoint::UserTeams).len(), 1);
    Ok(())
}

#[tokio::test]
async fn teams_come_in_pages_too() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(member(1, 120));
    let token = token(&standin, "read:org").await?;

    let first = api_get(&standin, "/user/teams?per_page=100", &token).await?;
    assert!(
        header(&first, "link").is_some_and(|l| l.contains("rel=\"next\"")),
        "no next page"
    );
    let second: Vec<Value> = api_get(&standin, "/user/teams?per_page=100&page=2", &token)
        .await?
        .json()
        .await?;

    assert_eq!(second.len(), 20);
    assert_eq!(second[19]["slug"], "team-119");
    Ok(())
}

#[tokio::test]
async fn teams_need_read_org_repo_or_user_and_are_hidden_without() -> TestResult {
    let standin = standin().await?;
    let without = token(&standin, "read:user user:email").await?;

    let refused = api_get(&standin, "/user/teams", &without).await?;

    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        header(&refused, "x-oauth-scopes"),
        Some("read:user, user:email")
    );
    let body: Value = refused.json().await?;
    assert_eq!(body["message"], "Not Found");
    for scope in ["read:org", "repo", "user", "write:org"] {
        let with = token(&standin, scope).await?;
        let response = api_get(&standin, "/user/teams", &with).await?;
        assert_eq!(response.status(), StatusCode::OK, "{scope}");
    }
    Ok(())
}

#[tokio::test]
async fn a_restricted_organization_is_hidden_from_unapproved_apps_only() -> TestResult {
    let standin = standin().await?;
    standin.register_app(nectr_github_standin::OAuthApp::new(
        "Ov23liOtherApp000002",
        SECRET,
        CALLBACK,
    ));
    standin.sign_in_as(Person {
        orgs: vec!["octo-org".into(), "Locked-Org".into()],
        teams: vec![
            Team::new("octo-org", "developers", "Developers"),
            Team::new("Locked-Org", "admins", "Admins"),
        ],
        ..Person::octocat()
    });
    // Logins are case-insensitive on GitHub.
    standin.restrict_org_access("locked-org");
    standin.approve_org_access("LOCKED-ORG", "Ov23liOtherApp000002");
    let token = token(&standin, "read:org").await?;
    let logins = |list: &[Value], field: &str| -> Vec<String> {
        list.iter()
            .map(|v| {
                let value = if field == "org" {
                    &v["organization"]["login"]
                } else {
                    &v["login"]
                };
                value.as_str().unwrap_or_default().to_owned()
            })
            .collect()
    };

    let orgs: Vec<Value> = api_get(&standin, "/user/orgs", &token)
        .await?
        .json()
        .await?;
    let teams: Vec<Value> = api_get(&standin, "/user/teams", &token)
        .await?
        .json()
        .await?;
    assert_eq!(logins(&orgs, "login"), ["octo-org"]);
    assert_eq!(logins(&teams, "org"), ["octo-org"]);

    standin.approve_org_access("locked-org", CLIENT_ID);
    let orgs: Vec<Value> = api_get(&standin, "/user/orgs", &token)
        .await?
        .json()
        .await?;
    let teams: Vec<Value> = api_get(&standin, "/user/teams", &token)
        .await?
        .json()
        .await?;
    assert_eq!(logins(&orgs, "login"), ["octo-org", "Locked-Org"]);
    assert_eq!(logins(&teams, "org"), ["octo-org", "Locked-Org"]);
    Ok(())
}

#[tokio::test]
async fn approving_an_unrestricted_organization_changes_nothing() -> TestResult {
    let standin = standin().await?;
    standin.approve_org_access("octo-org", CLIENT_ID);
    standin.restrict_org_access("octo-org");
    let token = token(&standin, "read:org").await?;

    let orgs: Vec<Value> = api_get(&standin, "/user/orgs", &token)
        .await?
        .json()
        .await?;

    assert!(orgs.is_empty(), "the approval came before the restriction");
    Ok(())
}

#[tokio::test]
async fn faults_apply_to_teams() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "read:org").await?;
    standin.set_fault(Endpoint::UserTeams, Fault::Status(502));

    let response = api_get(&standin, "/user/teams", &token).await?;

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    Ok(())
}
