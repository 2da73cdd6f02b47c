//! What the stand-in received and what people decided, kept for tests to assert on.

use crate::faults::Endpoint;

/// One HTTP request as the stand-in received it; the kit records it, this names its endpoints.
pub type RecordedRequest = nectr_standin_kit::RecordedRequest<Endpoint>;

/// One authorize request that reached the person, who approved or denied it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationRecord {
    /// The person who decided.
    pub gitlab_id: i64,
    /// The app that asked.
    pub client_id: String,
    /// `true` when approved, `false` when denied.
    pub approved: bool,
    /// The scopes granted (the requested ones, or GitLab's default `api` when none were sent).
    pub scopes: Vec<String>,
    /// The `code_challenge` sent, if any.
    pub code_challenge: Option<String>,
    /// The `code_challenge_method` sent with it.
    pub code_challenge_method: Option<String>,
    /// The `redirect_uri` sent.
    pub redirect_uri: String,
    /// The `state` sent, if any.
    pub state: Option<String>,
}
