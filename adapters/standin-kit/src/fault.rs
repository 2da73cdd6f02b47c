//! The ways a test can make an endpoint misbehave. Which endpoints exist, and what an error
//! or rate limit looks like, is the provider's; the waiting is the same everywhere.

use std::time::Duration;

use actix_web::http::StatusCode;

/// A way for an endpoint to misbehave, applied before its normal handling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Never answer (in practice: wait an hour).
    Hang,
    /// Answer this HTTP status with the provider's JSON error body (an invalid code answers
    /// 500).
    Status(u16),
    /// Answer HTTP 200 with an HTML page that is neither JSON nor a form, as a provider's
    /// overloaded front end does.
    Garbage,
    /// Answer the provider's rate-limit refusal, with its headers.
    RateLimited,
}

/// What a fault answers instead of the normal answer; the stand-in words it as its provider
/// does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultAnswer {
    /// An error with this status (already checked: an invalid code became 500).
    Status(StatusCode),
    /// An HTML page where JSON or a form was expected.
    Garbage,
    /// A rate-limit refusal.
    RateLimited,
}

/// An hour outlasts any client timeout a test sets, and the server stops with the runtime.
const HANG_FOR: Duration = Duration::from_secs(3600);

/// Does the waiting of a fault (call it after the state lock is released): `None` means
/// answer normally afterwards, `Some` what to answer instead.
pub async fn wait_out(fault: Fault) -> Option<FaultAnswer> {
    match fault {
        Fault::Delay(pause) => {
            tokio::time::sleep(pause).await;
            None
        }
        Fault::Hang => {
            tokio::time::sleep(HANG_FOR).await;
            None
        }
        Fault::Status(code) => Some(FaultAnswer::Status(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )),
        Fault::Garbage => Some(FaultAnswer::Garbage),
        Fault::RateLimited => Some(FaultAnswer::RateLimited),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use actix_web::http::StatusCode;

    use super::{Fault, FaultAnswer, wait_out};

    #[tokio::test]
    async fn answers_replace_and_delays_do_not() {
        assert_eq!(wait_out(Fault::Delay(Duration::ZERO)).await, None);
        assert_eq!(
            wait_out(Fault::Status(503)).await,
            Some(FaultAnswer::Status(StatusCode::SERVICE_UNAVAILABLE))
        );
        assert_eq!(
            wait_out(Fault::Status(1000)).await,
            Some(FaultAnswer::Status(StatusCode::INTERNAL_SERVER_ERROR))
        );
        assert_eq!(wait_out(Fault::Garbage).await, Some(FaultAnswer::Garbage));
        assert_eq!(
            wait_out(Fault::RateLimited).await,
            Some(FaultAnswer::RateLimited)
        );
    }
}
