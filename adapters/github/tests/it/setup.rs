//! Building the provider: settings that cannot work are refused at start-up.

use nectr_github::{GithubProvider, GithubSetupError};
use secrecy::SecretString;
use url::Url;

use crate::support::{TestResult, World, config};

/// A change to otherwise good settings.
type Change = fn(&mut nectr_github::GithubConfig);

#[tokio::test]
async fn empty_credentials_and_odd_urls_are_refused() -> TestResult {
    let world = World::start().await?;
    let cases: [(&str, Change); 5] = [
        ("GITHUB_CLIENT_ID", |c| c.client_id = " ".into()),
        ("GITHUB_CLIENT_SECRET", |c| {
            c.client_secret = SecretString::from("")
        }),
        ("GITHUB_URL", |c| {
            c.web_url = Url::parse("ftp://github.com").unwrap_or_else(|_| unreachable!())
        }),
        ("GITHUB_API_URL", |c| {
            c.api_url = Url::parse("data:text/plain,x").unwrap_or_else(|_| unreachable!())
        }),
        ("BACKEND_URL", |c| c.redirect_url = "not a url".into()),
    ];
    for (setting, change) in cases {
        let mut settings = config(&world.github)?;
        change(&mut settings);
        let error = GithubProvider::new(settings).err().ok_or(setting)?;
        assert!(error.to_string().contains(setting), "{setting}: {error}");
    }
    Ok(())
}

#[tokio::test]
async fn a_user_agent_that_is_not_a_header_is_refused() -> TestResult {
    let world = World::start().await?;
    let mut settings = config(&world.github)?;
    settings.user_agent = "nectr\r\nX-Evil: 1".into();

    let result = GithubProvider::new(settings);

    assert!(
        matches!(result, Err(GithubSetupError::BadUserAgent(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn defaults_follow_the_spec() -> TestResult {
    let world = World::start().await?;
    let settings = config(&world.github)?;
    assert!(settings.pkce);
    assert_eq!(settings.connect_timeout.as_secs(), 5);
    assert_eq!(settings.request_timeout.as_secs(), 10);
    assert_eq!(settings.user_agent, "nectr-auth/0.1.0");
    assert_eq!(
        nectr_github::SCOPES,
        ["repo", "read:user", "user:email", "read:org"]
    );
    Ok(())
}
