//! The kit's pieces put together as a stand-in would: one endpoint, served on its own port.

use std::sync::Arc;

use actix_web::web::{self, Bytes, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::{
    Fault, FaultAnswer, Shared, Traffic, bind_loopback, handler, serve, wait_out,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Endpoint {
    Echo,
}

#[derive(Default)]
struct Inner {
    traffic: Traffic<Endpoint>,
}

/// What every stand-in's handlers start with: record, then let a fault answer instead.
async fn arrive(
    shared: &Shared<Inner>,
    endpoint: Option<Endpoint>,
    req: &HttpRequest,
    body: &[u8],
) -> Option<HttpResponse> {
    let fault = shared.lock().traffic.arrive(endpoint, req, body);
    match wait_out(fault?).await? {
        FaultAnswer::Status(status) => Some(HttpResponse::build(status).finish()),
        FaultAnswer::Garbage | FaultAnswer::RateLimited => Some(HttpResponse::ImATeapot().finish()),
    }
}

async fn echo(shared: Arc<Shared<Inner>>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(answer) = arrive(&shared, Some(Endpoint::Echo), &req, &body).await {
        return answer;
    }
    HttpResponse::Ok().body(body)
}

async fn unknown(shared: Arc<Shared<Inner>>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(answer) = arrive(&shared, None, &req, &body).await {
        return answer;
    }
    HttpResponse::NotFound().finish()
}

fn started() -> std::io::Result<Arc<Shared<Inner>>> {
    let (listener, web_url) = bind_loopback()?;
    let shared = Arc::new(Shared::<Inner>::new(web_url));
    let routes = {
        let shared = shared.clone();
        move |config: &mut ServiceConfig| {
            config.route("/echo", web::post().to(handler(&shared, echo)));
        }
    };
    serve(listener, routes, handler(&shared, unknown))?;
    Ok(shared)
}

#[tokio::test]
async fn requests_are_recorded_and_faults_answer_instead() -> TestResult {
    let shared = started()?;
    let client = reqwest::Client::new();
    let echo_url = format!("{}/echo?a=1&a=2", shared.web_url);

    let answer = client
        .post(&echo_url)
        .header("X-Probe", "yes")
        .body("k=v%20w")
        .send()
        .await?;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await?, "k=v%20w");

    shared
        .lock()
        .traffic
        .set_fault(Endpoint::Echo, Fault::Status(503));
    assert_eq!(client.post(&echo_url).send().await?.status(), 503);
    shared.lock().traffic.clear_faults();
    assert_eq!(client.post(&echo_url).send().await?.status(), 200);

    let missing = client
        .get(format!("{}/nowhere", shared.web_url))
        .send()
        .await?;
    assert_eq!(missing.status(), 404);

    let inner = shared.lock();
    let requests = inner.traffic.requests();
    assert_eq!(requests.len(), 4);
    let first = &requests[0];
    assert_eq!(first.endpoint, Some(Endpoint::Echo));
    assert_eq!(
        (first.method.as_str(), first.path.as_str()),
        ("POST", "/echo")
    );
    assert_eq!(first.query_param("a"), Some("1"));
    assert_eq!(first.header("x-PROBE"), Some("yes"));
    assert_eq!(first.form_param("k").as_deref(), Some("v w"));
    assert_eq!(inner.traffic.requests_to(Endpoint::Echo).len(), 3);
    assert_eq!(requests[3].endpoint, None);
    Ok(())
}
