//! Fuzz target: the OAuth callback's query string, deserialized as actix-web's `web::Query`
//! does (`serde_urlencoded::from_str` of the raw query), into a copy of the handler's
//! `CallbackQuery` (server/src/routes/callback.rs; keep the two in step), then the
//! `state` through the domain parser the use case applies to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nectr_domain::StateToken;
use serde::Deserialize;

/// The same shape as `CallbackQuery` in server/src/routes/callback.rs.
#[derive(Debug, Deserialize)]
#[expect(dead_code, reason = "only deserialized, as by the handler")]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fuzz_target!(|data: &[u8]| {
    // A request's query string is always text (actix reads it from the URI).
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = serde_urlencoded::from_str::<CallbackQuery>(query) else {
        return;
    };
    if let Some(state) = parsed.state.as_deref()
        && let Ok(token) = StateToken::parse(state)
    {
        assert_eq!(token.as_str(), state);
        assert_eq!(state.len(), 43);
    }
});
