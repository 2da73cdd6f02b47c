//! Interactive mode: the sign-in page, its form, and the same checks on both.

use nectr_github_standin::{Endpoint, Fault, GithubStandIn, OAuthApp, Person};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

async fn interactive() -> TestResult<GithubStandIn> {
    let standin = standin().await?;
    standin.set_interactive(true);
    Ok(standin)
}

/// Exchanges the code in `back` and answers `GET /user`.
async fn user_behind(standin: &GithubStandIn, back: &url::Url) -> TestResult<Value> {
    let code = param(back, "code").ok_or("no code")?;
    let fields = exchange_code(standin, &code).await?;
    let token = fields["access_token"].as_str().ok_or("no access_token")?;
    Ok(api_get(standin, "/user", token).await?.json().await?)
}

/// Opens the page for `params` and submits it with `fields`.
async fn pick(
    standin: &GithubStandIn,
    params: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> TestResult<reqwest::Response> {
    let (_, page) = open_page(standin, params).await?;
    let query = hidden_query(&page)?;
    let mut form = vec![("query", query.as_str())];
    form.extend_from_slice(fields);
    submit(standin, &form).await
}

#[tokio::test]
async fn the_page_shows_only_in_interactive_mode_with_the_app_scopes_and_people() -> TestResult {
    let standin = standin().await?;
    let params = [("client_id", CLIENT_ID), ("scope", "read:user user:email")];
    assert!(param(&authorize(&standin, &params).await?, "code").is_some());

    standin.set_interactive(true);
    let (content_type, page) = open_page(&standin, &params).await?;
    assert_eq!(content_type, "text/html; charset=utf-8");
    for expected in [
        "<title>Sign in · GitHub stand-in (development)</title>",
        "Development stand-in for GitHub — no real GitHub account is used",
        CLIENT_ID,
        "<li><code>read:user</code></li>",
        "<li><code>user:email</code></li>",
        r#"<form method="post" action="authorize">"#,
        r#"value="octocat" checked"#,
        r#"value="private-email""#,
        r#"value="big-id""#,
        r#"value="unicode-name""#,
        r#"value="custom""#,
        r#"name="login""#,
        r#"name="name""#,
        r#"name="email""#,
        r#"name="decision" value="authorize""#,
        r#"name="decision" value="cancel""#,
        "quiet-person",
        "private email",
        "5000000000",
        "Zoë Ñandú 李雷 🐙",
    ] {
        assert!(page.contains(expected), "missing {expected}");
    }
    assert!(!page.contains("<script") && !page.contains("src=\"http"));
    assert_eq!(
        hidden_query(&page)?,
        "client_id=Ov23liTestClient0001&scope=read%3Auser+user%3Aemail"
    );
    assert_eq!(
        standin.authorizations().len(),
        1,
        "the page decides nothing"
    );

    standin.set_interactive(false);
    assert!(param(&authorize(&standin, &params).await?, "code").is_some());
    Ok(())
}

#[tokio::test]
async fn everything_from_the_request_is_escaped_and_the_query_round_trips() -> TestResult {
    let standin = interactive().await?;
    let hostile = r#""><script>alert(1)</script>"#;
    let params = [
        ("client_id", CLIENT_ID),
        ("scope", hostile),
        ("state", hostile),
    ];
    let (_, page) = open_page(&standin, &params).await?;
    assert!(!page.contains("<script"), "{page}");
    assert!(page.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    let query = hidden_query(&page)?;
    let response = submit(
        &standin,
        &[
            ("query", &query),
            ("person", "octocat"),
            ("decision", "authorize"),
        ],
    )
    .await?;
    assert_eq!(
        param(&location(&response)?, "state").as_deref(),
        Some(hostile)
    );

    // A raw client may leave `'` and `&` unencoded in the query (the HTTP layer refuses a raw
    // `"`, `<` or `>`); the hidden field escapes them too.
    let address = standin.web_url().replace("http://", "");
    let mut socket = tokio::net::TcpStream::connect(&address).await?;
    let request = format!(
        "GET /login/oauth/authorize?client_id={CLIENT_ID}&state='x' HTTP/1.1\r\n\
         Host: {address}\r\nConnection: close\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await?;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(&format!(
        r#"name="query" value="client_id={CLIENT_ID}&amp;state=&#39;x&#39;""#
    )));
    Ok(())
}

#[tokio::test]
async fn authorizing_as_a_preset_signs_that_person_in() -> TestResult {
    let standin = interactive().await?;
    let params = [
        ("client_id", CLIENT_ID),
        ("scope", "read:user"),
        ("state", "s-1"),
    ];
    let fields = [("person", "big-id"), ("decision", "authorize")];
    let back = location(&pick(&standin, &params, &fields).await?)?;
    assert_eq!(back.as_str().split('?').next(), Some(CALLBACK));
    assert_eq!(param(&back, "state").as_deref(), Some("s-1"));
    let user = user_behind(&standin, &back).await?;
    assert_eq!(user["id"].as_i64(), Some(Person::big_id().id));
    assert_eq!(user["login"], "big-id-person");
    let record = &standin.authorizations()[0];
    assert!(record.approved && record.github_id == Person::big_id().id);
    assert_eq!(record.state.as_deref(), Some("s-1"));

    // The pick stays signed in, and the next page starts from it.
    let (_, page) = open_page(&standin, &params).await?;
    assert!(page.contains(r#"value="big-id" checked"#));
    Ok(())
}

#[tokio::test]
async fn authorizing_as_someone_else_makes_a_stable_person() -> TestResult {
    let standin = interactive().await?;
    let params = [("client_id", CLIENT_ID), ("scope", "user:email")];
    let someone = [
        ("person", "custom"),
        ("login", "Dev-Person"),
        ("name", "Dev Person"),
        ("email", "dev@example.com"),
        ("decision", "authorize"),
    ];
    let back = location(&pick(&standin, &params, &someone).await?)?;
    let user = user_behind(&standin, &back).await?;
    assert_eq!(user["login"], "Dev-Person");
    assert_eq!(user["name"], "Dev Person");
    assert_eq!(user["email"], "dev@example.com");
    let id = user["id"].as_i64().ok_or("no id")?;
    assert!((100_000_000..1_100_000_000).contains(&id), "{id}");

    // Another stand-in (another run), the same login in other case, no name or email.
    let again = interactive().await?;
    let bare = [
        ("person", "custom"),
        ("login", "dev-person"),
        ("decision", "authorize"),
    ];
    let back = location(&pick(&again, &params, &bare).await?)?;
    let user = user_behind(&again, &back).await?;
    assert_eq!(user["id"].as_i64(), Some(id));
    assert!(user["name"].is_null() && user["email"].is_null());
    Ok(())
}

#[tokio::test]
async fn an_invalid_login_shows_the_page_again_with_the_reason() -> TestResult {
    let standin = interactive().await?;
    let params = [("client_id", CLIENT_ID), ("state", "s")];
    for (login, shown) in [
        ("-bad-", "“-bad-” is not a GitHub login"),
        ("<b>x", "“&lt;b&gt;x” is not a GitHub login"),
        (&"x".repeat(40), "is not a GitHub login"),
        ("", "Type a login"),
    ] {
        let fields = [
            ("person", "custom"),
            ("login", login),
            ("decision", "authorize"),
        ];
        let response = pick(&standin, &params, &fields).await?;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(header(&response, "location").is_none());
        let page = response.text().await?;
        assert!(page.contains(shown), "{login}: {page}");
        assert!(page.contains(r#"value="custom" checked"#));
        assert!(!page.contains("<b>"));
    }
    assert!(standin.authorizations().is_empty());
    assert_eq!(
        standin.live_tokens(CLIENT_ID, Person::octocat().id).len(),
        0
    );
    Ok(())
}

#[tokio::test]
async fn cancel_sends_access_denied_with_the_state_and_no_code() -> TestResult {
    let standin = interactive().await?;
    let params = [("client_id", CLIENT_ID), ("state", "xyz")];
    let fields = [("person", "octocat"), ("decision", "cancel")];
    let response = pick(&standin, &params, &fields).await?;
    assert_eq!(
        header(&response, "location"),
        Some(
            format!(
                "{CALLBACK}?error=access_denied&error_description=The+user+has+denied+your+application+access.\
                 &error_uri=https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/%23access-denied\
                 &state=xyz"
            )
            .as_str()
        )
    );
    let record = &standin.authorizations()[0];
    assert!(!record.approved && record.consent_screen_shown);
    assert!(!standin.grant_exists(CLIENT_ID, record.github_id));
    Ok(())
}

#[tokio::test]
async fn the_form_goes_through_the_same_checks() -> TestResult {
    let standin = interactive().await?;
    let send = |query: String| {
        let standin = standin.clone();
        async move {
            let form = [
                ("query", query.as_str()),
                ("person", "octocat"),
                ("decision", "authorize"),
            ];
            submit(&standin, &form).await
        }
    };
    let unknown = send("client_id=nope&state=s".to_owned()).await?;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let elsewhere = send(format!(
        "client_id={CLIENT_ID}&redirect_uri=http%3A%2F%2Fevil.example%2Fcb&state=s"
    ))
    .await?;
    let back = location(&elsewhere)?;
    assert_eq!(
        param(&back, "error").as_deref(),
        Some("redirect_uri_mismatch")
    );
    assert_eq!(back.as_str().split('?').next(), Some(CALLBACK));
    let plain = send(format!(
        "client_id={CLIENT_ID}&code_challenge={CHALLENGE}&code_challenge_method=plain"
    ))
    .await?;
    assert_eq!(
        param(&location(&plain)?, "error").as_deref(),
        Some("invalid_request")
    );

    // Suspended between showing the page and pressing Authorize.
    let (_, page) = open_page(&standin, &[("client_id", CLIENT_ID)]).await?;
    standin.register_app(OAuthApp {
        suspended: true,
        ..OAuthApp::new(CLIENT_ID, SECRET, CALLBACK)
    });
    let suspended = send(hidden_query(&page)?).await?;
    let back = location(&suspended)?;
    assert_eq!(
        param(&back, "error").as_deref(),
        Some("application_suspended")
    );
    assert_eq!(param(&back, "code"), None);
    assert!(standin.authorizations().is_empty());

    standin.set_fault(Endpoint::Authorize, Fault::Status(503));
    let faulted = send(format!("client_id={CLIENT_ID}")).await?;
    assert_eq!(faulted.status(), StatusCode::SERVICE_UNAVAILABLE);
    Ok(())
}

#[tokio::test]
async fn the_form_is_refused_outside_interactive_mode_and_when_malformed() -> TestResult {
    let standin = standin().await?;
    let query = format!("client_id={CLIENT_ID}");
    let good = [
        ("query", query.as_str()),
        ("person", "octocat"),
        ("decision", "authorize"),
    ];
    let off = submit(&standin, &good).await?;
    assert_eq!(off.status(), StatusCode::NOT_FOUND);
    assert_eq!(standin.requests().last().map(|r| r.endpoint), Some(None));

    standin.set_interactive(true);
    for bad in [
        vec![("person", "octocat"), ("decision", "authorize")],
        vec![
            ("query", query.as_str()),
            ("person", "octocat"),
            ("decision", "yes"),
        ],
        vec![
            ("query", query.as_str()),
            ("person", "root"),
            ("decision", "authorize"),
        ],
    ] {
        let response = submit(&standin, &bad).await?;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(
            header(&response, "content-type"),
            Some("text/html; charset=utf-8")
        );
    }
    let binary = client()?
        .post(format!("{}/login/oauth/authorize", standin.web_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff_u8, 0xfe, 0x00])
        .send()
        .await?;
    assert_eq!(binary.status(), StatusCode::BAD_REQUEST);
    assert!(standin.authorizations().is_empty());
    Ok(())
}
