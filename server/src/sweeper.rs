//! Deletes expired sign-in attempts and sessions now and then, so the tables stay small.

use std::time::Duration;

use std::sync::Arc;

use nectr_application::AuthService;

use crate::rate_limit::LoginRateLimit;

/// Sweeps every `interval` until the task is aborted (and lets the rate limiter forget idle
/// addresses). A failed sweep (database down) is
/// logged and retried at the next tick; the deletes are idempotent, so several instances may
/// sweep the same database.
pub async fn run(service: AuthService, login_limit: Arc<LoginRateLimit>, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        login_limit.forget_idle();
        match service.sweep().await {
            Ok(report) if report.states + report.sessions > 0 => {
                tracing::info!(
                    states = report.states,
                    sessions = report.sessions,
                    "expired rows swept"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sweep failed; retrying at the next interval"),
        }
    }
}
