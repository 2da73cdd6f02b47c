//! Every error-to-HTTP mapping of the service, in one place. Each error becomes
//! `{"detail": "…"}` with a fitting status; 5xx only for an outage of the database or the
//! identity provider, and the detail says which. Each error is logged once, when it becomes
//! the answer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use nectr_application::ports::{ProviderError, StoreError};
use nectr_application::{
    CompleteSignInError, CurrentUserError, OrganizationAccessError, ProviderTokenError,
    ReconnectError, StartSignInError,
};

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    retry_after_seconds: Option<u64>,
    /// For the operator's log only (where the database is, what its driver said).
    cause: Option<String>,
    /// Set when the error ends a sign-in: its reason label.
    sign_in_failure: Option<&'static str>,
    /// A stable code for programs, sent as `reason` beside `detail`.
    reason: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            retry_after_seconds: None,
            cause: None,
            sign_in_failure: None,
            reason: None,
        }
    }

    /// Adds a stable `reason` code to the answer, for programs to act on.
    #[must_use]
    pub fn with_reason(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }

    /// An error whose `cause` is logged with the answer, in one line, and never sent.
    fn with_cause(status: StatusCode, detail: impl Into<String>, cause: String) -> Self {
        Self {
            cause: Some(cause),
            ..Self::new(status, detail)
        }
    }

    /// Tells the client when to try again (`Retry-After`).
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }

    /// The one log line of this answer. A failed sign-in is always worth a line (with its
    /// reason); other refusals are routine (every signed-out page load asks `/auth/me`);
    /// outages are warnings.
    fn log(&self) {
        let status = self.status.as_u16();
        let cause = self.cause.as_deref().unwrap_or_default();
        match (self.sign_in_failure, self.status.is_server_error()) {
            (Some(reason), true) => {
                tracing::warn!(reason, http.status = status, detail = %self.detail, cause, "sign-in failed");
            }
            (Some(reason), false) => {
                tracing::info!(reason, http.status = status, "sign-in failed");
            }
            (None, true) => {
                tracing::warn!(http.status = status, detail = %self.detail, cause, "request failed");
            }
            (None, false) => {
                tracing::debug!(http.status = status, detail = %self.detail, "request refused");
            }
        }
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
        self.log();
        let mut response = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after_seconds {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        match self.reason {
            Some(reason) => {
                response.json(serde_json::json!({ "detail": self.detail, "reason": reason }))
            }
            None => response.json(serde_json::json!({ "detail": self.detail })),
        }
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
                cause.clone(),
            ),
            // Never a 500: the database answered something we cannot use, typically a schema
            // that was not migrated.
            StoreError::Failed(_) => Self::with_cause(
                StatusCode::SERVICE_UNAVAILABLE,
                "Database error: the request could not be completed. If this persists, the operator should check the service's log and that migrations were applied (`nectr-auth migrate`).",
                cause.clone(),
            ),
        }
    }
}

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        let status = match &e {
            ProviderError::CodeRejected(_) => StatusCode::BAD_REQUEST,
            ProviderError::AccountRefused(_) | ProviderError::ScopeMissing(_) => {
                StatusCode::FORBIDDEN
            }
            ProviderError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            // The provider refused our own configuration or a token it had just issued, or
            // could not be reached or understood: all failures of the upstream side.
            ProviderError::Misconfigured(_)
            | ProviderError::TokenRejected(_)
            | ProviderError::Unreachable(_)
            | ProviderError::BadResponse(_)
            | ProviderError::Unsupported(_) => StatusCode::BAD_GATEWAY,
        };
        Self::new(status, e.to_string())
    }
}

impl From<StartSignInError> for ApiError {
    fn from(e: StartSignInError) -> Self {
        match e {
            StartSignInError::Store(e) => e.into(),
            StartSignInError::UnknownProvider(_) => Self::new(StatusCode::NOT_FOUND, e.to_string()),
            // Load protection, not a fault of the request: retry once attempts have expired.
            StartSignInError::Busy => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()).retry_after(60)
            }
        }
    }
}

impl From<CompleteSignInError> for ApiError {
    fn from(e: CompleteSignInError) -> Self {
        let reason = e.reason();
        let error: Self = match e {
            CompleteSignInError::Provider(e) => e.into(),
            CompleteSignInError::Store(e) => e.into(),
            CompleteSignInError::InvalidState
            | CompleteSignInError::Cancelled { .. }
            | CompleteSignInError::ProviderRefused { .. }
            | CompleteSignInError::MissingCode => Self::new(StatusCode::BAD_REQUEST, e.to_string()),
            CompleteSignInError::NotAllowed(_) => Self::new(StatusCode::FORBIDDEN, e.to_string()),
        };
        Self {
            sign_in_failure: Some(reason),
            ..error
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
            ReconnectError::OtherProvider { .. } => {
                Self::new(StatusCode::BAD_REQUEST, e.to_string())
            }
        }
    }
}

impl From<ProviderTokenError> for ApiError {
    fn from(e: ProviderTokenError) -> Self {
        match e {
            ProviderTokenError::Store(e) => e.into(),
            ProviderTokenError::Provider(e) => e.into(),
            ProviderTokenError::UnknownUser => {
                Self::new(StatusCode::NOT_FOUND, "No user has this id.").with_reason("unknown_user")
            }
            // The caller's request was fine; the person's state at the provider is not.
            ProviderTokenError::ReauthenticationNeeded(reason) => {
                Self::new(StatusCode::CONFLICT, e.to_string()).with_reason(reason.code())
            }
            ProviderTokenError::NotAllowed(_) => {
                Self::new(StatusCode::CONFLICT, e.to_string()).with_reason("not_allowed")
            }
        }
    }
}

impl From<OrganizationAccessError> for ApiError {
    fn from(e: OrganizationAccessError) -> Self {
        match e {
            OrganizationAccessError::Session(e) => e.into(),
            OrganizationAccessError::Token(e) => e.into(),
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
