//! Faults: each kind, per endpoint, recorded like any other request.

use std::time::Duration;

use nectr_github_standin::{Endpoint, Fault};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn a_status_fault_answers_that_status_with_a_json_body_until_cleared() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "read:user read:org").await?;
    standin.set_fault(Endpoint::User, Fault::Status(502));
    let response = api_get(&standin, "/user", &token).await?;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body: Value = response.json().await?;
    assert_eq!(body["status"], "502");
    assert!(body["message"].is_string());
    let orgs = api_get(&standin, "/user/orgs", &token).await?;
    assert_eq!(
        orgs.status(),
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
async fn a_garbage_fault_answers_200_with_a_body_that_is_not_json() -> TestResult {
    let standin = standin().await?;
    let code = code(&standin, &[]).await?;
    standin.set_fault(Endpoint::AccessToken, Fault::Garbage);
    let response = client()?
        .post(format!("{}/login/oauth/access_token", standin.web_url()))
        .header("accept", "application/json")
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("code", code.as_str()),
        ])
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&response.text().await?).is_err());
    let recorded = &standin.requests_to(Endpoint::AccessToken)[0];
    assert_eq!(recorded.form_param("code"), Some(code.clone()));
    standin.clear_faults();
    assert!(
        exchange_code(&standin, &code)
            .await?
            .contains_key("access_token"),
        "the fault came before the code was used"
    );
    Ok(())
}

#[tokio::test]
async fn a_rate_limit_fault_answers_403_with_no_requests_remaining() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "read:user").await?;
    standin.set_fault(Endpoint::User, Fault::RateLimited);
    let response = api_get(&standin, "/user", &token).await?;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&response, "x-ratelimit-remaining"), Some("0"));
    assert!(header(&response, "x-ratelimit-reset").is_some());
    let body: Value = response.json().await?;
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("rate limit")
    );
    Ok(())
}

#[tokio::test]
async fn a_hang_fault_never_answers() -> TestResult {
    let standin = standin().await?;
    standin.set_fault(Endpoint::Authorize, Fault::Hang);
    let result = client()?
        .get(format!(
            "{}/login/oauth/authorize?client_id={CLIENT_ID}",
            standin.web_url()
        ))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(result.is_err_and(|e| e.is_timeout()));
    assert_eq!(standin.requests_to(Endpoint::Authorize).len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_delay_fault_answers_normally_but_late() -> TestResult {
    let standin = standin().await?;
    let token = token(&standin, "read:user").await?;
    standin.set_fault(Endpoint::User, Fault::Delay(Duration::from_millis(300)));
    let impatient = client()?
        .get(format!("{}/user", standin.api_url()))
        .header("user-agent", USER_AGENT)
        .bearer_auth(&token)
        .timeout(Duration::from_millis(50))
        .send()
        .await;
    assert!(impatient.is_err_and(|e| e.is_timeout()));
    let patient = api_get(&standin, "/user", &token).await?;
    assert_eq!(patient.status(), StatusCode::OK);
    Ok(())
}
