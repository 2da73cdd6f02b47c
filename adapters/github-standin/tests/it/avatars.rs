//! Avatars drawn by the stand-in, so a frontend shows them without internet access.

use nectr_github_standin::{GithubStandIn, Person};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

async fn avatar(standin: &GithubStandIn, id: &str) -> TestResult<reqwest::Response> {
    let url = format!("{}/avatars/u/{id}", standin.web_url());
    Ok(client()?.get(url).send().await?)
}

#[tokio::test]
async fn user_reports_an_avatar_the_standin_serves_as_svg() -> TestResult {
    let standin = standin().await?;
    standin.sign_in_as(Person::unicode_name());
    let token = token(&standin, "read:user").await?;
    let user: Value = api_get(&standin, "/user", &token).await?.json().await?;
    let avatar_url = user["avatar_url"].as_str().ok_or("no avatar_url")?;
    assert_eq!(
        avatar_url,
        format!(
            "{}/avatars/u/{}",
            standin.web_url(),
            Person::unicode_name().id
        )
    );
    assert!(avatar_url.starts_with("http://"));

    let response = client()?.get(avatar_url).send().await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), Some("image/svg+xml"));
    let svg = response.text().await?;
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(">ZÑ</text>") && svg.contains("<circle"));
    assert!(svg.contains(r#"aria-label="zoe-unicode""#));
    Ok(())
}

#[tokio::test]
async fn every_ready_made_person_has_an_avatar_and_others_get_a_placeholder() -> TestResult {
    let standin = standin().await?;
    let mut colours = Vec::new();
    for (person, initials) in [
        (Person::octocat(), "TO"),
        (Person::private_email(), "QP"),
        (Person::big_id(), "BI"),
        (Person::unverified(), "UP"),
    ] {
        let response = avatar(&standin, &person.id.to_string()).await?;
        let svg = response.text().await?;
        assert!(svg.contains(&format!(">{initials}</text>")), "{svg}");
        let fill = svg.split("fill=\"").nth(1).ok_or("no fill")?;
        colours.push(fill[..7].to_owned());
    }
    colours.sort();
    colours.dedup();
    assert_eq!(colours.len(), 4, "colours differ by id: {colours:?}");

    let unknown = avatar(&standin, "424242").await?;
    assert_eq!(unknown.status(), StatusCode::OK);
    assert!(unknown.text().await?.contains(">?</text>"));
    let nonsense = avatar(&standin, "octocat").await?;
    assert_eq!(nonsense.status(), StatusCode::NOT_FOUND);
    Ok(())
}
