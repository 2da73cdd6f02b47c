//! What the stand-in received and what people decided, kept for tests to assert on.

use crate::faults::Endpoint;

/// One HTTP request as the stand-in received it; the kit records it, this names its endpoints.
pub type RecordedRequest = nectr_standin_kit::RecordedRequest<Endpoint>;

/// One authorize request that reached the person, who approved or cancelled it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationRecord {
    /// The person who decided.
    pub github_id: i64,
    /// The app that asked.
    pub client_id: String,
    /// `true` when approved, `false` when cancelled.
    pub approved: bool,
    /// Whether GitHub showed the consent screen. It does when the person holds no grant for the
    /// app covering the requested scopes; a cancel always happens on that screen.
    pub consent_screen_shown: bool,
    /// The scopes requested (the parsed `scope` parameter), before the person's choice.
    pub scopes: Vec<String>,
    /// The `code_challenge` sent, if any.
    pub code_challenge: Option<String>,
    /// The `redirect_uri` sent, if any.
    pub redirect_uri: Option<String>,
    /// The `state` sent, if any.
    pub state: Option<String>,
}
