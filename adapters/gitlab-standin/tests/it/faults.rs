//! Faults: each kind, per endpoint, recorded like any other request.

use std::time::Duration;

use nectr_gitlab_standin::{Endpoint, Fault};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn a_status_fault_answers_that_status_with_gitlabs_json_until_cleared() -> TestResult {
    let standin = standin().await?;
    let token = sign_in(&standin, "read_api").await?.access;
    standin.set_fault(Endpoint::User, Fault::Status(502));
    let response = api_get(&standin, "/user", &token).await?;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body: Value = response.json().await?;
    assert_eq!(body["message"], "502 Bad Gateway");
    let groups = api_get(&standin, "/groups", &token).await?;
    assert_eq!(
        groups.status(),
        StatusCode::OK,
        "other endpoints are unaffected"
    );
    standin.clear_faults();
    assert_eq!(
        api_get(&standin, "/user", &token).await?.status(),
        StatusCode::OK
    );
    assert_eq!(
        standin.requests_to(Endpoint::User).len(),
        2,
        "faulted requests are recorded"
    );
    Ok(())
}

#[tokio::test]
async fn a_garbage_fault_answers_200_with_html_and_leaves_the_code_unused() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    standin.set_fault(Endpoint::Token, Fault::Garbage);
    let response = client()?
        .post(format!("{}/oauth/token", standin.web_url()))
        .form(&code_form(&code, &[]))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&response.text().await?).is_err());
    let recorded = &standin.requests_to(Endpoint::Token)[0];
    assert_eq!(recorded.form_param("code"), Some(code.clone()));
    assert_eq!(recorded.method, "POST");
    standin.clear_faults();
    let (status, _) = exchange(&standin, &code_form(&code, &[])).await?;
    assert_eq!(
        status,
        StatusCode::OK,
        "the fault came before the code was looked at"
    );
    Ok(())
}

#[tokio::test]
async fn a_hang_fault_never_answers() -> TestResult {
    let standin = standin().await?;
    standin.set_fault(Endpoint::Authorize, Fault::Hang);
    let url = url::Url::parse_with_params(
        &format!("{}/oauth/authorize", standin.web_url()),
        authorize_params(&[]),
    )?;
    let result = client()?
        .get(url)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(result.is_err_and(|e| e.is_timeout()));
    assert_eq!(standin.requests_to(Endpoint::Authorize).len(), 1);
    assert!(standin.issued_codes().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_delay_fault_answers_normally_but_late() -> TestResult {
    let standin = standin().await?;
    let token = sign_in(&standin, "read_api").await?.access;
    standin.set_fault(Endpoint::Groups, Fault::Delay(Duration::from_millis(300)));
    let impatient = client()?
        .get(format!("{}/groups", standin.api_url()))
        .bearer_auth(&token)
        .timeout(Duration::from_millis(50))
        .send()
        .await;
    assert!(impatient.is_err_and(|e| e.is_timeout()));
    let patient = api_get(&standin, "/groups", &token).await?;
    assert_eq!(patient.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_rate_limit_fault_answers_429_with_retry_after() -> TestResult {
    let standin = standin().await?;
    let pair = sign_in(&standin, "read_api").await?;
    standin.set_fault(Endpoint::Revoke, Fault::RateLimited);
    let response = client()?
        .post(format!("{}/oauth/revoke", standin.web_url()))
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("token", pair.access.as_str()),
        ])
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&response, "retry-after"), Some("60"));
    assert_eq!(header(&response, "ratelimit-remaining"), Some("0"));
    assert_eq!(response.text().await?, "Retry later\n");
    assert!(
        standin.is_token_live(&pair.access),
        "the revocation never happened"
    );
    Ok(())
}
