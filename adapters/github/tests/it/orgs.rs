//! Memberships: organizations and teams, every page of them, the organizations GitHub hides
//! from an app, and a token without `read:org`.

use nectr_application::ports::{IdentityProvider, ProviderError, Team as PortTeam};
use nectr_domain::AccessToken;
use nectr_github::GithubConfig;
use nectr_github_standin::{Endpoint, Person, Team};

use crate::support::{
    CLIENT_ID, TestResult, World, canned_server, canned_server_knowing_its_address, granting,
};

/// Octocat in `orgs` organizations named `org-000`, `org-001`, ….
fn member_of(orgs: usize) -> Person {
    Person {
        orgs: (0..orgs).map(|i| format!("org-{i:03}")).collect(),
        ..Person::octocat()
    }
}

fn logins(orgs: &[nectr_application::ports::Organization]) -> Vec<&str> {
    orgs.iter().map(|o| o.login.as_str()).collect()
}

#[tokio::test]
async fn organizations_are_listed_with_githubs_headers() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;

    let orgs = world.provider.organizations(&token).await?;

    assert_eq!(logins(&orgs), ["octo-org"]);
    assert!(
        orgs[0]
            .avatar_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    );
    let sent = world.github.requests_to(Endpoint::UserOrgs);
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("GET", "/api/v3/user/orgs")
    );
    assert_eq!(sent.query_param("per_page"), Some("100"));
    assert_eq!(
        sent.header("user-agent"),
        Some(GithubConfig::DEFAULT_USER_AGENT)
    );
    assert_eq!(sent.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(sent.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {}", token.expose()).as_str())
    );
    Ok(())
}

#[tokio::test]
async fn every_page_of_150_organizations_is_read() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(member_of(150)).await?;

    let orgs = world.provider.organizations(&token).await?;

    let expected: Vec<String> = (0..150).map(|i| format!("org-{i:03}")).collect();
    assert_eq!(logins(&orgs), expected);
    let sent = world.github.requests_to(Endpoint::UserOrgs);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].query_param("page"), Some("2"));
    assert_eq!(sent[1].query_param("per_page"), Some("100"));
    Ok(())
}

#[tokio::test]
async fn no_organizations_is_an_empty_list() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::big_id()).await?;

    assert!(world.provider.organizations(&token).await?.is_empty());
    assert!(world.provider.teams(&token).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn an_organization_with_app_access_restrictions_stays_hidden_until_approved() -> TestResult {
    let world = World::start().await?;
    let person = Person {
        orgs: vec!["octo-org".into(), "locked-org".into()],
        teams: vec![
            Team::new("octo-org", "developers", "Developers"),
            Team::new("locked-org", "admins", "Admins"),
        ],
        ..Person::octocat()
    };
    world.github.restrict_org_access("locked-org");
    let token = world.sign_in(person).await?;

    let hidden = world.provider.organizations(&token).await?;
    let hidden_teams = world.provider.teams(&token).await?;
    world.github.approve_org_access("locked-org", CLIENT_ID);
    let approved = world.provider.organizations(&token).await?;
    let approved_teams = world.provider.teams(&token).await?;

    assert_eq!(logins(&hidden), ["octo-org"]);
    assert_eq!(hidden_teams.len(), 1);
    assert_eq!(logins(&approved), ["octo-org", "locked-org"]);
    assert_eq!(approved_teams.len(), 2);
    Ok(())
}

#[tokio::test]
async fn teams_are_listed_with_their_organization() -> TestResult {
    let world = World::start().await?;
    let person = Person {
        orgs: vec!["octo-org".into(), "other-org".into()],
        teams: vec![
            Team::new("octo-org", "developers", "Developers"),
            Team::new("other-org", "release-crew", "Release crew"),
        ],
        ..Person::octocat()
    };
    let token = world.sign_in(person).await?;

    let teams = world.provider.teams(&token).await?;

    let team = |org: &str, slug: &str| PortTeam {
        organization: org.to_owned(),
        slug: slug.to_owned(),
    };
    assert_eq!(
        teams,
        [
            team("octo-org", "developers"),
            team("other-org", "release-crew")
        ]
    );
    let sent = world.github.requests_to(Endpoint::UserTeams);
    assert_eq!(sent[0].path, "/api/v3/user/teams");
    assert_eq!(sent[0].query_param("per_page"), Some("100"));
    Ok(())
}

#[tokio::test]
async fn every_page_of_teams_is_read() -> TestResult {
    let world = World::start().await?;
    let person = Person {
        teams: (0..230)
            .map(|i| Team::new("octo-org", format!("team-{i:03}"), format!("Team {i}")))
            .collect(),
        ..Person::octocat()
    };
    let token = world.sign_in(person).await?;

    let teams = world.provider.teams(&token).await?;

    assert_eq!(teams.len(), 230);
    assert_eq!(teams[229].slug, "team-229");
    assert_eq!(world.github.requests_to(Endpoint::UserTeams).len(), 3);
    Ok(())
}

#[tokio::test]
async fn without_read_org_both_lists_are_scope_missing_and_say_how_to_fix_it() -> TestResult {
    let world = World::start().await?;
    let token = world
        .sign_in(granting(&["repo", "read:user", "user:email"]))
        .await?;

    let orgs = world.provider.organizations(&token).await;

    let Err(ProviderError::ScopeMissing(message)) = orgs else {
        return Err(format!("expected ScopeMissing, got {orgs:?}").into());
    };
    assert!(message.contains("read:org"), "{message}");
    assert!(message.contains("Reconnect"), "{message}");
    assert!(
        message.contains(&format!("/settings/connections/applications/{CLIENT_ID}")),
        "{message}"
    );
    // GitHub lets `repo` list teams, so this token still may.
    assert_eq!(world.provider.teams(&token).await?.len(), 1);
    let narrower = world.sign_in(granting(&["read:user"])).await?;
    let teams = world.provider.teams(&narrower).await;
    assert!(
        matches!(&teams, Err(ProviderError::ScopeMissing(m)) if m.contains("read:org") && m.contains("teams")),
        "{teams:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_refusal_despite_read_org_keeps_githubs_explanation() -> TestResult {
    // For instance an organization enforcing SAML single sign-on: the token has the scope,
    // so reconnecting would not help.
    let world = World::start().await?;
    let server = canned_server(
        "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nx-oauth-scopes: read:org, repo",
        br#"{"message":"Resource protected by organization SAML enforcement."}"#.to_vec(),
    )?;
    let provider = world.provider_with(|c| c.api_url = server)?;

    let result = provider
        .organizations(&AccessToken::new("gho_canned".into())?)
        .await;

    assert!(
        matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains("SAML") && m.contains("403")),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_next_page_outside_the_api_is_not_followed() -> TestResult {
    let world = World::start().await?;
    let server = canned_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nlink: <http://elsewhere.example/user/orgs?page=2>; rel=\"next\"",
        br#"[{"login":"one"}]"#.to_vec(),
    )?;
    let provider = world.provider_with(|c| c.api_url = server)?;

    let result = provider
        .organizations(&AccessToken::new("gho_canned".into())?)
        .await;

    assert!(
        matches!(&result, Err(ProviderError::BadResponse(m)) if m.contains("outside")),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_next_page_that_never_ends_is_cut_off() -> TestResult {
    let world = World::start().await?;
    let looping = canned_server_knowing_its_address(
        |address| {
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nlink: <http://{address}/user/orgs?page=2>; rel=\"next\""
            )
        },
        br#"[{"login":"again"}]"#.to_vec(),
    )?;
    let provider = world.provider_with(|c| c.api_url = looping)?;

    let orgs = provider
        .organizations(&AccessToken::new("gho_canned".into())?)
        .await?;

    assert_eq!(orgs.len(), 50, "one entry per page, 50 pages at most");
    Ok(())
}

#[tokio::test]
async fn a_dead_token_is_token_rejected_for_both_lists() -> TestResult {
    let world = World::start().await?;
    let token = world.sign_in(Person::octocat()).await?;
    world.github.revoke_token(token.expose());

    let orgs = world.provider.organizations(&token).await;
    let teams = world.provider.teams(&token).await;

    assert!(
        matches!(orgs, Err(ProviderError::TokenRejected(_))),
        "{orgs:?}"
    );
    assert!(
        matches!(teams, Err(ProviderError::TokenRejected(_))),
        "{teams:?}"
    );
    Ok(())
}
