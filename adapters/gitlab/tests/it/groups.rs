//! The person's groups: memberships from Guest up, subgroups by full path, every page, and a
//! token without `read_api`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use nectr_application::ports::{IdentityProvider, Organization, ProviderError};
use nectr_gitlab_standin::{Endpoint, Fault, Group, Person, access_level};

use crate::support::{TestResult, World, param, scripted_server};

#[tokio::test]
async fn groups_are_the_memberships_from_guest_up_by_full_path() -> TestResult {
    let world = World::start().await?;
    let reader = world.group_reader()?;
    let grant = world.sign_in_with(&reader, Person::tanuki()).await?;

    let groups = reader.organizations(&grant.access_token).await?;

    assert_eq!(
        groups,
        vec![
            Organization {
                login: "tanuki-test-group/backend".into(),
                name: Some("Tanuki Test Group / Backend".into()),
                avatar_url: None,
            },
            Organization {
                login: "open-source-friends".into(),
                name: Some("Open Source Friends".into()),
                avatar_url: None,
            },
            Organization {
                login: "tanuki-test-group".into(),
                name: Some("Tanuki Test Group".into()),
                avatar_url: None,
            },
        ],
        "Minimal Access (Minimal Corp) is not a membership"
    );
    let sent = world.gitlab.requests_to(Endpoint::Groups);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, "/api/v4/groups");
    assert_eq!(sent[0].query_param("min_access_level"), Some("10"));
    assert_eq!(sent[0].query_param("per_page"), Some("100"));
    assert_eq!(
        sent[0].header("authorization"),
        Some(format!("Bearer {}", grant.access_token.expose()).as_str())
    );
    Ok(())
}

#[tokio::test]
async fn every_page_is_read() -> TestResult {
    let world = World::start().await?;
    let reader = world.group_reader()?;
    let many = Person {
        groups: (1..=250)
            .map(|n| Group::new(10_000 + n, &format!("Group {n:03}"), access_level::GUEST))
            .collect(),
        ..Person::tanuki()
    };
    let grant = world.sign_in_with(&reader, many).await?;

    let groups = reader.organizations(&grant.access_token).await?;

    assert_eq!(groups.len(), 250);
    assert_eq!(groups[0].login, "group-001");
    assert_eq!(groups[249].login, "group-250");
    let sent = world.gitlab.requests_to(Endpoint::Groups);
    let pages: Vec<Option<&str>> = sent.iter().map(|r| r.query_param("page")).collect();
    assert_eq!(pages, [None, Some("2"), Some("3")]);
    assert!(
        sent.iter()
            .all(|r| r.query_param("min_access_level") == Some("10")
                && r.query_param("per_page") == Some("100"))
    );
    Ok(())
}

#[tokio::test]
async fn no_groups_is_an_empty_list() -> TestResult {
    let world = World::start().await?;
    let reader = world.group_reader()?;
    let grant = world.sign_in_with(&reader, Person::no_email()).await?;

    assert_eq!(reader.organizations(&grant.access_token).await?, []);
    Ok(())
}

#[tokio::test]
async fn without_read_api_groups_are_scope_missing_explaining_read_api() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;

    let result = world.provider.organizations(&grant.access_token).await;

    let Err(ProviderError::ScopeMissing(message)) = result else {
        return Err(format!("expected ScopeMissing, got {result:?}").into());
    };
    assert!(
        message.contains("read_api") && message.contains("ALLOWED_GITLAB_GROUPS"),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn a_token_granted_before_groups_were_read_is_scope_missing_saying_to_sign_in_again()
-> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;
    let reader = world.group_reader()?;

    let result = reader.organizations(&grant.access_token).await;

    let Err(ProviderError::ScopeMissing(message)) = result else {
        return Err(format!("expected ScopeMissing, got {result:?}").into());
    };
    assert!(message.contains("Sign in with GitLab again"), "{message}");
    assert!(
        message.contains("/-/user_settings/applications"),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn teams_are_unsupported() -> TestResult {
    let world = World::start().await?;
    let grant = world.sign_in(Person::tanuki()).await?;

    let result = world.provider.teams(&grant.access_token).await;

    assert!(
        matches!(&result, Err(ProviderError::Unsupported(m)) if m.contains("GitLab")),
        "{result:?}"
    );
    assert!(world.gitlab.requests_to(Endpoint::Groups).is_empty());
    Ok(())
}

#[tokio::test]
async fn a_revoked_token_and_failing_groups_are_reported() -> TestResult {
    let world = World::start().await?;
    let reader = world.group_reader()?;
    let grant = world.sign_in_with(&reader, Person::tanuki()).await?;

    world.gitlab.set_fault(Endpoint::Groups, Fault::Status(502));
    let failing = reader.organizations(&grant.access_token).await;
    world.gitlab.set_fault(Endpoint::Groups, Fault::RateLimited);
    let limited = reader.organizations(&grant.access_token).await;
    world.gitlab.clear_faults();
    reader.revoke_token(&grant.access_token).await?;
    let revoked = reader.organizations(&grant.access_token).await;

    assert!(
        matches!(&failing, Err(ProviderError::BadResponse(m)) if m.contains("502")),
        "{failing:?}"
    );
    assert!(
        matches!(&limited, Err(ProviderError::BadResponse(m)) if m.contains("rate limit")),
        "{limited:?}"
    );
    assert!(
        matches!(revoked, Err(ProviderError::TokenRejected(_))),
        "{revoked:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_next_page_that_never_ends_is_cut_off_at_fifty_pages() -> TestResult {
    let world = World::start().await?;
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    // Every page announces the next one.
    let endless = scripted_server(move |request| {
        counter.fetch_add(1, Ordering::SeqCst);
        let target = request.split_whitespace().nth(1).unwrap_or("/");
        let page = url::Url::parse(&format!("http://x{target}"))
            .ok()
            .and_then(|u| param(&u, "page"))
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1);
        let body = format!(r#"[{{"full_path":"group-{page}","name":"Group {page}"}}]"#);
        (
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-next-page: {}\r\ncontent-length: {}",
                page + 1,
                body.len()
            ),
            body.into_bytes(),
        )
    })?;
    let provider = world.provider_with(|c| {
        c.base_url = endless.clone();
        c.read_groups = true;
    })?;

    let groups = provider
        .organizations(&nectr_domain::AccessToken::new("glpat-x".into())?)
        .await?;

    assert_eq!(groups.len(), 50);
    assert_eq!(groups[49].login, "group-50");
    assert_eq!(served.load(Ordering::SeqCst), 50);
    Ok(())
}

#[tokio::test]
async fn a_next_page_that_goes_backwards_ends_the_list() -> TestResult {
    let world = World::start().await?;
    let body = r#"[{"full_path":"only","name":"Only"}]"#;
    let looping = crate::support::canned_server(
        &format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-next-page: 1\r\ncontent-length: {}",
            body.len()
        ),
        body.as_bytes().to_vec(),
    )?;
    let provider = world.provider_with(|c| c.base_url = looping.clone())?;

    let groups = provider
        .organizations(&nectr_domain::AccessToken::new("glpat-x".into())?)
        .await?;

    assert_eq!(groups.len(), 1);
    Ok(())
}
