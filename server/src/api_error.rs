//! Every error-to-HTTP mapping of the service, in one place. Each error becomes
//! `{"detail": "…"}` with a fitting status; 5xx only for an outage of the database or the
//! identity provider, and the detail says which. Errors are logged here, once.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use nectr_application::ports::{ProviderError, StoreError};
use nectr_application::{CompleteSignInError, CurrentUserError, ReconnectError, StartSignInError};

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    retry_after_seconds: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::with_cause(status, detail, None)
    }

    /// An error whose `cause` is for the operator's log only (where the database is, what
    /// its driver said): it is logged with the answer, in one line, and never sent.
    fn with_cause(status: StatusCode, detail: impl Into<String>, cause: Option<&str>) -> Self {
        let error = Self {
            status,
            detail: detail.into(),
            retry_after_seconds: None,
        };
        let cause = cause.unwrap_or_default();
        // Refusals are routine (every signed-out page load asks `/auth/me`); outages are not.
        if status.is_server_error() {
            tracing::warn!(http.status = status.as_u16(), detail = %error.detail, cause, "request failed");
        } else {
            tracing::debug!(http.status = status.as_u16(), detail = %error.detail, "request refused");
        }
        error
    }
}

impl ApiError {
    /// Tells the client when to try again (`Retry-After`).
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after_seconds {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(serde_json::json!({ "detail": self.detail }))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        // The answer names only the kind of database; the rest goes to the log.
        let cause = e.to_string();
        match e {
            StoreError::Unavailable { database, .. } => Self::with_cause(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "Database unavailable ({database}): the service cannot reach its database right now. Try again shortly."
                ),
                Some(&cause),
            ),
            // Never a 500: the database answered something we cannot use, typically a schema
            // that was not migrated.
            StoreError::Failed(_) => Self::with_cause(
                StatusCode::SERVICE_UNAVAILABLE,
                "Database error: the request could not be completed. If this persists, the operator should check the service's log and that migrations were applied (`nectr-auth migrate`).",
                Some(&cause),
            ),
        }
    }
}

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        let status = match &e {
            ProviderError::CodeRejected(_) => StatusCode::BAD_REQUEST,
            ProviderError::AccountRefused(_) => StatusCode::FORBIDDEN,
            ProviderError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            // The provider refused our own configuration or a token it had just issued, or
            // could not be reached or understood: all failures of the upstream side.
            ProviderError::Misconfigured(_)
            | ProviderError::TokenRejected(_)
            | ProviderError::Unreachable(_)
            | ProviderError::BadResponse(_) => StatusCode::BAD_GATEWAY,
        };
        Self::new(status, e.to_string())
    }
}

impl From<StartSignInError> for ApiError {
    fn from(e: StartSignInError) -> Self {
        match e {
            StartSignInError::Store(e) => e.into(),
            // Load protection, not a fault of the request: retry once attempts have expired.
            StartSignInError::Busy => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()).retry_after(60)
            }
        }
    }
}

impl From<CompleteSignInError> for ApiError {
    fn from(e: CompleteSignInError) -> Self {
        match e {
            CompleteSignInError::Provider(e) => e.into(),
            CompleteSignInError::Store(e) => e.into(),
            CompleteSignInError::InvalidState
            | CompleteSignInError::Cancelled { .. }
            | CompleteSignInError::ProviderRefused { .. }
            | CompleteSignInError::MissingCode => Self::new(StatusCode::BAD_REQUEST, e.to_string()),
        }
    }
}

impl From<CurrentUserError> for ApiError {
    fn from(e: CurrentUserError) -> Self {
        match e {
            CurrentUserError::Store(e) => e.into(),
            CurrentUserError::NotAuthenticated | CurrentUserError::InvalidToken => {
                Self::new(StatusCode::UNAUTHORIZED, e.to_string())
            }
        }
    }
}

impl From<ReconnectError> for ApiError {
    fn from(e: ReconnectError) -> Self {
        match e {
            ReconnectError::Session(e) => e.into(),
            ReconnectError::Provider(e) => e.into(),
            ReconnectError::Store(e) => e.into(),
            ReconnectError::Start(e) => e.into(),
            ReconnectError::TokenUnreadable => Self::new(StatusCode::UNAUTHORIZED, e.to_string()),
        }
    }
}

/// JSON answers for the framework's own rejections, which it would otherwise send as text.
pub mod framework {
    use actix_web::http::StatusCode;
    use actix_web::{HttpRequest, HttpResponse, ResponseError, error};

    use super::ApiError;

    pub fn query_error(err: error::QueryPayloadError, _: &HttpRequest) -> error::Error {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Invalid query string: {err}. Check the URL's parameters."),
        )
        .into()
    }

    pub async fn not_found(request: HttpRequest) -> HttpResponse {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "Not found: {} is not an endpoint of this service",
                request.path().chars().take(200).collect::<String>()
            ),
        )
        .error_response()
    }

    pub async fn method_not_allowed(request: HttpRequest) -> HttpResponse {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "Method {} is not allowed on {}",
                request.method(),
                request.path()
            ),
        )
        .error_response()
    }
}
