//! Building the provider: settings that cannot work are refused at start-up.

use nectr_gitlab::{GitlabConfig, GitlabProvider, GitlabSetupError};
use secrecy::SecretString;
use url::Url;

use crate::support::{TestResult, World, config};

/// A change to otherwise good settings.
type Change = fn(&mut GitlabConfig);

#[tokio::test]
async fn empty_credentials_and_odd_urls_are_refused_naming_the_setting() -> TestResult {
    let world = World::start().await?;
    let cases: [(&str, Change); 6] = [
        ("GITLAB_CLIENT_ID", |c| c.client_id = " ".into()),
        ("GITLAB_CLIENT_SECRET", |c| {
            c.client_secret = SecretString::from("")
        }),
        ("GITLAB_URL", |c| {
            c.base_url = Url::parse("ftp://gitlab.com").unwrap_or_else(|_| unreachable!())
        }),
        ("GITLAB_URL", |c| {
            c.base_url = Url::parse("data:text/plain,x").unwrap_or_else(|_| unreachable!())
        }),
        ("GITLAB_URL", |c| {
            c.base_url =
                Url::parse("https://gitlab.com/?private_token=x").unwrap_or_else(|_| unreachable!())
        }),
        ("BACKEND_URL", |c| c.redirect_url = "not a url".into()),
    ];
    for (setting, change) in cases {
        let mut settings = config(&world.gitlab)?;
        change(&mut settings);
        let error = GitlabProvider::new(settings).err().ok_or(setting)?;
        assert!(error.to_string().contains(setting), "{setting}: {error}");
    }
    Ok(())
}

#[tokio::test]
async fn a_user_agent_that_is_not_a_header_is_refused() -> TestResult {
    let world = World::start().await?;
    let mut settings = config(&world.gitlab)?;
    settings.user_agent = "nectr\r\nX-Evil: 1".into();

    let result = GitlabProvider::new(settings);

    assert!(
        matches!(result, Err(GitlabSetupError::BadUserAgent(_))),
        "{result:?}"
    );
    Ok(())
}

#[tokio::test]
async fn defaults() -> TestResult {
    let world = World::start().await?;
    let settings = config(&world.gitlab)?;
    assert!(!settings.read_groups);
    assert_eq!(settings.connect_timeout.as_secs(), 5);
    assert_eq!(settings.request_timeout.as_secs(), 10);
    assert_eq!(settings.user_agent, "nectr-auth/0.1.0");
    assert_eq!(GitlabConfig::GITLAB_COM, "https://gitlab.com");
    assert_eq!(
        (nectr_gitlab::READ_USER, nectr_gitlab::READ_API),
        ("read_user", "read_api")
    );
    Ok(())
}

#[tokio::test]
async fn gitlab_under_a_path_prefix_works_end_to_end() -> TestResult {
    use actix_web::{App, HttpServer, web};
    use nectr_application::ports::IdentityProvider;
    use nectr_gitlab_standin::{GitlabStandIn, OAuthApp, Person};

    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let address = listener.local_addr()?;
    let gitlab = GitlabStandIn::mounted_at(format!("http://{address}/gitlab"));
    gitlab.register_app(OAuthApp::new(
        crate::support::CLIENT_ID,
        crate::support::SECRET,
        crate::support::CALLBACK,
    ));
    let routes = gitlab.configure();
    let server = HttpServer::new(move || {
        App::new().service(web::scope("/gitlab").configure(routes.clone()))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    tokio::spawn(server);
    let world = World {
        provider: GitlabProvider::new(config(&gitlab)?)?,
        gitlab,
    };

    let grant = world.sign_in(Person::tanuki()).await?;
    let profile = world.provider.fetch_profile(&grant.access_token).await?;

    assert_eq!(profile.username(), "tanuki");
    let paths: Vec<String> = world
        .gitlab
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert!(
        paths.contains(&"/gitlab/oauth/token".to_owned()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"/gitlab/api/v4/user".to_owned()),
        "{paths:?}"
    );
    Ok(())
}
