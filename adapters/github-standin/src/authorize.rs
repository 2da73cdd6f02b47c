//! `GET /login/oauth/authorize`: checks the request, lets the signed-in person decide (or, in
//! interactive mode, shows a page where someone in a browser decides), and sends the browser
//! back to the app with a code or an error.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header::LOCATION;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::params::first_values;
use url::Url;

use crate::consent_page::{self, Choice, Page};
use crate::faults::{Endpoint, arrive};
use crate::people::{OAuthApp, Person, presets};
use crate::record::AuthorizationRecord;
use crate::scopes;
use crate::state::{Inner, Shared};

const ERRORS_DOC: &str = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/";
const AUTHORIZE_DOC: &str = "https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#1-request-a-users-github-identity";

/// An authorize request that passed every check and now waits for the person's decision,
/// taken at once or, in interactive mode, on the sign-in page.
pub(crate) struct Pending {
    pub client_id: String,
    /// Where the answer goes: the `redirect_uri` sent, else the registered callback.
    pub redirect_to: String,
    redirect_uri: Option<String>,
    pub scopes: Vec<String>,
    state: Option<String>,
    code_challenge: Option<String>,
}

/// Why an authorize request never reaches the person.
enum Refusal {
    /// GitHub shows its 404 page: no such app.
    UnknownApp,
    /// Sent back to `to` with an `error`.
    Redirect {
        to: String,
        error: &'static str,
        description: &'static str,
        error_uri: String,
    },
}

pub(crate) async fn handle(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = arrive(&shared, Some(Endpoint::Authorize), &req, &body).await {
        return fault;
    }
    let params = first_values(req.query_string());
    let mut inner = shared.lock();
    let pending = match screen(&inner, &params) {
        Ok(pending) => pending,
        Err(refused) => return *refused,
    };
    if inner.interactive {
        // Start from the person tests or earlier sign-ins chose, when the page offers them.
        let signed_in = inner.signed_in.id;
        let preselected = presets()
            .into_iter()
            .find(|(_, p)| p.id == signed_in)
            .map_or("octocat", |(key, _)| key);
        let choice = Choice {
            person: Some(preselected.to_owned()),
            ..Choice::default()
        };
        return pending.page(req.query_string(), &choice, None);
    }
    let approve = !std::mem::take(&mut inner.cancel_next);
    let person = inner.signed_in.clone();
    pending.decide(&mut inner, person, approve)
}

/// Every check an authorize request passes before anyone decides; a refusal is the answer
/// to send (the 404 page or an error redirect).
pub(crate) fn screen(
    inner: &Inner,
    params: &HashMap<String, String>,
) -> Result<Pending, Box<HttpResponse>> {
    let app = params.get("client_id").and_then(|id| inner.apps.get(id));
    check(app, params).map_err(|refusal| match refusal {
        Refusal::UnknownApp => Box::new(not_found_page()),
        Refusal::Redirect {
            to,
            error,
            description,
            error_uri,
        } => {
            let state = params.get("state").map(String::as_str);
            Box::new(redirect(
                &to,
                &error_answer(error, description, &error_uri, state),
            ))
        }
    })
}

fn check(app: Option<&OAuthApp>, params: &HashMap<String, String>) -> Result<Pending, Refusal> {
    let app = app.ok_or(Refusal::UnknownApp)?;
    let refuse = |to: &str, error, description, anchor: &str| Refusal::Redirect {
        to: to.to_owned(),
        error,
        description,
        error_uri: format!("{ERRORS_DOC}#{anchor}"),
    };
    if app.suspended {
        return Err(refuse(
            &app.callback_url,
            "application_suspended",
            "Your application has been suspended. Contact support@github.com.",
            "application-suspended",
        ));
    }
    let redirect_uri = params.get("redirect_uri").cloned();
    if let Some(uri) = &redirect_uri
        && !redirect_uri_matches(&app.callback_url, uri)
    {
        return Err(refuse(
            &app.callback_url,
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
            "redirect-uri-mismatch",
        ));
    }
    let redirect_to = redirect_uri.clone().unwrap_or(app.callback_url.clone());
    let code_challenge = params.get("code_challenge").cloned();
    if let Some(challenge) = &code_challenge {
        let invalid = |description| Refusal::Redirect {
            to: redirect_to.clone(),
            error: "invalid_request",
            description,
            error_uri: AUTHORIZE_DOC.to_owned(),
        };
        if params.get("code_challenge_method").map(String::as_str) != Some("S256") {
            return Err(invalid(
                "code_challenge_method must be S256 when a code_challenge is sent.",
            ));
        }
        let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if challenge.len() != 43 || !challenge.chars().all(base64url) {
            return Err(invalid(
                "code_challenge must be the unpadded base64url SHA-256 of the code_verifier (43 characters).",
            ));
        }
    }
    Ok(Pending {
        client_id: app.client_id.clone(),
        redirect_to,
        redirect_uri,
        scopes: params
            .get("scope")
            .map(|s| scopes::parse(s))
            .unwrap_or_default(),
        state: params.get("state").cloned(),
        code_challenge,
    })
}

impl Pending {
    /// The interactive sign-in page for this request; `query` is the original query string,
    /// which the form carries back.
    pub(crate) fn page(&self, query: &str, choice: &Choice, error: Option<&str>) -> HttpResponse {
        consent_page::page(&Page {
            client_id: &self.client_id,
            scopes: &self.scopes,
            redirect_to: &self.redirect_to,
            query,
            choice,
            error,
        })
    }

    /// `person` approves (a code) or presses Cancel (`access_denied`).
    pub(crate) fn decide(self, inner: &mut Inner, person: Person, approve: bool) -> HttpResponse {
        let already_granted = inner.grant_covers(&self.client_id, person.id, &self.scopes);
        inner.authorizations.push(AuthorizationRecord {
            github_id: person.id,
            client_id: self.client_id.clone(),
            approved: approve,
            consent_screen_shown: !approve || !already_granted,
            scopes: self.scopes.clone(),
            code_challenge: self.code_challenge.clone(),
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
        });
        let state = self.state.as_deref();
        if !approve {
            let answer = error_answer(
                "access_denied",
                "The user has denied your application access.",
                &format!("{ERRORS_DOC}#access-denied"),
                state,
            );
            return redirect(&self.redirect_to, &answer);
        }
        let granted = scopes::granted(&self.scopes, person.grants_scopes.as_deref());
        let code = inner.approve(
            &self.client_id,
            &person,
            granted,
            self.redirect_uri,
            self.code_challenge,
        );
        let mut answer = vec![("code", code)];
        answer.extend(state.map(|s| ("state", s.to_owned())));
        redirect(&self.redirect_to, &answer)
    }
}

/// GitHub's loose matching: same scheme, port and host (or a sub-domain of it), and a path
/// equal to the registered one or below it.
pub(crate) fn redirect_uri_matches(registered: &str, given: &str) -> bool {
    let (Ok(registered), Ok(given)) = (Url::parse(registered), Url::parse(given)) else {
        return false;
    };
    let (Some(home), Some(host)) = (registered.host_str(), given.host_str()) else {
        return false;
    };
    let host_ok = host == home || host.ends_with(&format!(".{home}"));
    let base = registered.path();
    let path = given.path();
    let path_ok = path == base
        || (base.ends_with('/') && path.starts_with(base))
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'));
    registered.scheme() == given.scheme()
        && registered.port_or_known_default() == given.port_or_known_default()
        && host_ok
        && path_ok
}

fn error_answer(
    error: &str,
    description: &str,
    error_uri: &str,
    state: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut answer = vec![
        ("error", error.to_owned()),
        ("error_description", description.to_owned()),
        ("error_uri", error_uri.to_owned()),
    ];
    answer.extend(state.map(|s| ("state", s.to_owned())));
    answer
}

/// A 302 to `to` with `params` appended to whatever query it already has.
fn redirect(to: &str, params: &[(&str, String)]) -> HttpResponse {
    let encoded: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    let (base, fragment) = to.split_once('#').unwrap_or((to, ""));
    let joiner = if base.contains('?') { '&' } else { '?' };
    let mut location = format!("{base}{joiner}{}", encoded.join("&"));
    if !fragment.is_empty() {
        location = format!("{location}#{fragment}");
    }
    HttpResponse::Found()
        .insert_header((LOCATION, location))
        .finish()
}

/// Form-style encoding that, like GitHub, leaves `:` `/` `@` readable (`error_uri=https://…%23…`).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b':'
            | b'/'
            | b'@' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(crate) fn not_found_page() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body("<!DOCTYPE html><html><head><title>Page not found · GitHub</title></head><body><h1>404</h1><p>This is not the web page you are looking for.</p></body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_matching_follows_githubs_examples() {
        let home = "http://example.com/path";
        for good in [
            "http://example.com/path",
            "http://example.com/path/subdir/other",
            "http://oauth.example.com/path",
            "http://oauth.example.com/path/subdir/other",
        ] {
            assert!(redirect_uri_matches(home, good), "{good}");
        }
        for bad in [
            "http://example.com/bar",
            "http://example.com/",
            "http://example.com:8080/path",
            "http://oauth.example.com:8080/path",
            "http://example.org",
            "https://example.com/path",
            "http://example.com/pathology",
            "http://evilexample.com/path",
        ] {
            assert!(!redirect_uri_matches(home, bad), "{bad}");
        }
    }

    #[test]
    fn encoding_keeps_urls_readable() {
        assert_eq!(encode("a b#c:/@&="), "a+b%23c:/@%26%3D");
    }
}
