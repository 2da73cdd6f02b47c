//! Endpoints for operators and orchestrators: liveness, readiness and metrics. They are
//! outside `/auth`, need no session and are not rate-limited.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::{HttpResponse, web};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use nectr_application::ports::StoreError;
use nectr_db::Database;

use crate::openapi::{ErrorResponse, StatusResponse};

/// What the operator endpoints need.
pub struct Ops {
    pub database: Database,
    pub metrics: PrometheusHandle,
    /// Set once every embedded migration was seen applied.
    pub migrated: std::sync::atomic::AtomicBool,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    use crate::routes::get;
    cfg.service(get("/healthz", healthz))
        .service(get("/readyz", readyz))
        .service(get("/metrics", metrics));
}

/// The process answers: 200 `{"status": "ok"}`. Checks nothing else, so an orchestrator
/// restarts the process only when it is really stuck.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "ops",
    summary = "Liveness: the process answers.",
    description = "Checks nothing else, so an orchestrator restarts the process only when it is really stuck.",
    responses(
        (status = 200, description = "The process answers.", body = StatusResponse,
            example = json!({"status": "ok"})),
    )
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Ready for traffic: the database answers and has every migration this binary expects.
/// 503 with the reason otherwise, so a load balancer sends nothing here meanwhile.
///
/// Once the migrations were seen applied they are not asked again (they only ever get
/// applied). A saturated pool means the database is working, so it counts as ready rather
/// than taking every instance out of rotation under load. Failures are answered without a
/// warning each: a probe every few seconds during an outage would flood the log.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "ops",
    summary = "Readiness: the database answers and has every migration this binary expects.",
    description = "503 with the reason otherwise, so a load balancer sends nothing here meanwhile.",
    responses(
        (status = 200, description = "Ready for traffic.", body = StatusResponse,
            example = json!({"status": "ready"})),
        (status = 503, description = "The database is unreachable or lacks migrations; the detail says which.",
            body = ErrorResponse),
    )
)]
pub async fn readyz(ops: web::Data<Ops>) -> HttpResponse {
    let not_ready = |detail: String| {
        HttpResponse::ServiceUnavailable().json(serde_json::json!({ "detail": detail }))
    };
    let pool = ops.database.pool_status();
    let saturated = pool.open == pool.max && pool.idle == 0;
    if !saturated && let Err(e) = ops.database.ping().await {
        return not_ready(unavailable(&e));
    }
    if ops.migrated.load(std::sync::atomic::Ordering::Relaxed) {
        return ready();
    }
    match ops.database.pending_migrations().await {
        Ok(pending) if pending.is_empty() => {
            ops.migrated
                .store(true, std::sync::atomic::Ordering::Relaxed);
            ready()
        }
        Ok(pending) => not_ready(format!(
            "Not ready: {} database migration(s) are not applied yet ({}); run `nectr-auth migrate` or start with RUN_MIGRATIONS=true",
            pending.len(),
            pending.join(", ")
        )),
        Err(e @ StoreError::Unavailable { .. }) => not_ready(unavailable(&e)),
        Err(StoreError::Failed(_)) => not_ready(
            "Not ready: the database has no migration table; run `nectr-auth migrate`".to_owned(),
        ),
    }
}

fn ready() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ready" }))
}

fn unavailable(e: &StoreError) -> String {
    match e {
        StoreError::Unavailable { database, .. } => {
            format!("Not ready: the database ({database}) cannot be reached")
        }
        StoreError::Failed(_) => "Not ready: the database cannot be used".to_owned(),
    }
}

/// Prometheus text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "ops",
    summary = "Metrics in Prometheus text format.",
    responses(
        (status = 200, description = "Request counts and durations by route, and the database pool's connections.",
            body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
    )
)]
pub async fn metrics(ops: web::Data<Ops>) -> HttpResponse {
    let pool = ops.database.pool_status();
    let gauge = |state: &'static str, value: usize| {
        // Gauges take f64; pool sizes are far below 2^52.
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let value = value as f64;
        metrics::gauge!("nectr_auth_db_pool_connections", "state" => state).set(value);
    };
    gauge("open", pool.open);
    gauge("idle", pool.idle);
    gauge("max", pool.max);
    gauge("waiting", pool.waiting);
    // Folds recorded histogram samples into their buckets before rendering.
    ops.metrics.run_upkeep();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(ops.metrics.render())
}

/// The process-wide Prometheus recorder (the `metrics` facade allows one).
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ];
            let builder = PrometheusBuilder::new()
                .set_buckets(&buckets)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            match builder.install_recorder() {
                Ok(handle) => handle,
                // Another recorder is installed (a host embedding us): render ours anyway.
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            }
        })
        .clone()
}

/// The status as a label without an allocation for the answers this service gives.
fn status_label(status: actix_web::http::StatusCode) -> metrics::SharedString {
    let known = match status.as_u16() {
        200 => "200",
        302 => "302",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        405 => "405",
        414 => "414",
        429 => "429",
        431 => "431",
        502 => "502",
        503 => "503",
        504 => "504",
        other => return metrics::SharedString::from(other.to_string()),
    };
    metrics::SharedString::const_str(known)
}

/// The standard methods by name, anything else as `other`: a client may send any method
/// name, and each distinct label value would be a new series kept forever.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Counts a request by route, method and status, and records how long it took. `route` is
/// the matched pattern, never the raw path (label values must stay few).
///
/// Each worker thread keeps the handles of the series it has used: looking a series up by its
/// labels (and building them) on every request was a measurable share of the session check.
pub fn record(
    route: String,
    method: &actix_web::http::Method,
    status: actix_web::http::StatusCode,
    took: std::time::Duration,
) {
    type Series = (String, &'static str, u16);
    thread_local! {
        static HANDLES: RefCell<HashMap<Series, (Counter, Histogram)>> =
            RefCell::new(HashMap::new());
    }
    let method = method_label(method);
    let key = (route, method, status.as_u16());
    HANDLES.with_borrow_mut(|handles| {
        let (count, duration) = handles.entry(key).or_insert_with_key(|(route, method, _)| {
            let counter = metrics::counter!(
                "nectr_auth_http_requests_total",
                "route" => route.clone(),
                "method" => *method,
                "status" => status_label(status)
            );
            let histogram = metrics::histogram!(
                "nectr_auth_http_request_duration_seconds",
                "route" => route.clone(),
                "method" => *method
            );
            (counter, histogram)
        });
        count.increment(1);
        duration.record(took.as_secs_f64());
    });
}
