//! `GET /oauth/authorize`: checks the request as GitLab (Doorkeeper) does, lets the signed-in
//! person decide at once, and sends the browser back with a code or `access_denied`. A request
//! that fails a check never leaves GitLab: it shows its "An error has occurred" page.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header::LOCATION;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::params::first_values;
use url::Url;

use crate::faults::{Endpoint, arrive};
use crate::people::Person;
use crate::record::AuthorizationRecord;
use crate::scopes;
use crate::state::{Challenge, Inner, Shared};

const ACCESS_DENIED: &str = "The resource owner or authorization server denied the request.";
const PKCE_METHODS: [&str; 2] = ["plain", "S256"];

/// Why an authorize request never reaches the person: GitLab shows its error page with the
/// OAuth error's description instead of redirecting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The OAuth error, e.g. `invalid_redirect_uri` or `invalid_scope`.
    pub error: String,
    /// The description GitLab's page shows.
    pub description: String,
}

impl Refused {
    fn new(error: &str, description: &str) -> Self {
        Self {
            error: error.to_owned(),
            description: description.to_owned(),
        }
    }

    fn missing(param: &str) -> Self {
        Self::new(
            "invalid_request",
            &format!("Missing required parameter: {param}."),
        )
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.description)
    }
}

impl std::error::Error for Refused {}

/// An authorize request that passed every check and waits for the person's decision.
struct Pending {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
    challenge: Option<Challenge>,
}

pub(crate) async fn handle(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    if let Some(fault) = arrive(&shared, Some(Endpoint::Authorize), &req, &body).await {
        return fault;
    }
    let params = first_values(req.query_string());
    let mut inner = shared.lock();
    let pending = match screen(&inner, &params) {
        Ok(pending) => pending,
        Err(refused) => return error_page(&refused),
    };
    let approve = !std::mem::take(&mut inner.cancel_next);
    let person = inner.signed_in.clone();
    redirect(&pending.decide(&mut inner, &person, approve))
}

/// Approves the authorize request `authorize_url` as `person`, without HTTP: answers where
/// GitLab would send the browser (the redirect URI with `code` and `state`).
pub(crate) fn approve_as(
    inner: &mut Inner,
    authorize_url: &str,
    person: &Person,
) -> Result<String, Refused> {
    let url = Url::parse(authorize_url)
        .map_err(|_| Refused::new("invalid_request", "The authorize URL is not a URL."))?;
    let params = first_values(url.query().unwrap_or_default());
    let pending = screen(inner, &params)?;
    Ok(pending.decide(inner, person, true))
}

/// Every check GitLab makes before showing the consent screen, in Doorkeeper's order.
fn screen(inner: &Inner, params: &HashMap<String, String>) -> Result<Pending, Refused> {
    let param = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let client_id = param("client_id").ok_or_else(|| Refused::missing("client_id"))?;
    let app = inner.apps.get(client_id).ok_or_else(|| {
        Refused::new(
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        )
    })?;
    let redirect_uri = param("redirect_uri")
        .filter(|given| app.redirect_uris.iter().any(|r| same_uri(r, given)))
        .ok_or_else(|| {
            Refused::new(
                "invalid_redirect_uri",
                "The redirect URI included is not valid.",
            )
        })?;
    let response_type = param("response_type").ok_or_else(|| Refused::missing("response_type"))?;
    if response_type != "code" {
        return Err(Refused::new(
            "unsupported_response_type",
            "The authorization server does not support this response type.",
        ));
    }
    let requested = param("scope").unwrap_or(scopes::DEFAULT);
    if !scopes::valid(requested, &app.scopes) {
        return Err(Refused::new(
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        ));
    }
    let challenge = match (param("code_challenge"), param("code_challenge_method")) {
        (None, _) => None,
        (Some(value), Some(method)) if PKCE_METHODS.contains(&method) => Some(Challenge {
            value: value.to_owned(),
            method: method.to_owned(),
        }),
        (Some(_), _) => {
            return Err(Refused::new(
                "invalid_code_challenge_method",
                "The code_challenge_method must be one of plain, S256.",
            ));
        }
    };
    Ok(Pending {
        client_id: app.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scopes: scopes::parse(requested),
        state: params.get("state").cloned(),
        challenge,
    })
}

impl Pending {
    /// `person` approves (a code) or presses Deny (`access_denied`); answers the `Location`.
    fn decide(self, inner: &mut Inner, person: &Person, approve: bool) -> String {
        inner.authorizations.push(AuthorizationRecord {
            gitlab_id: person.id,
            client_id: self.client_id.clone(),
            approved: approve,
            scopes: self.scopes.clone(),
            code_challenge: self.challenge.as_ref().map(|c| c.value.clone()),
            code_challenge_method: self.challenge.as_ref().map(|c| c.method.clone()),
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
        });
        let mut answer = if approve {
            let code = inner.approve(
                &self.client_id,
                person,
                self.scopes,
                &self.redirect_uri,
                self.challenge,
            );
            vec![("code", code)]
        } else {
            vec![
                ("error", "access_denied".to_owned()),
                ("error_description", ACCESS_DENIED.to_owned()),
            ]
        };
        answer.extend(self.state.map(|s| ("state", s)));
        with_query(&self.redirect_uri, &answer)
    }
}

/// Whether a `redirect_uri` is the registered one, by the rule of Doorkeeper (the OAuth
/// library GitLab is built on, `URIChecker.matches?`): scheme, host, port, path and fragment
/// compare exactly, after URL parsing's normalization (letter case of scheme and host, a
/// default port written out); the given URI's query is ignored unless the registered one has
/// a query, which must then hold the same parameters in any order; and when both hosts are
/// loopback IP addresses the port may differ (RFC 8252 §7.3). `localhost` is a name, not a
/// loopback address, so its port counts.
pub(crate) fn same_uri(registered: &str, given: &str) -> bool {
    let (Ok(mut registered), Ok(mut given)) = (Url::parse(registered), Url::parse(given)) else {
        return false;
    };
    if let Some(wanted) = registered.query() {
        if !same_query(wanted, given.query()) {
            return false;
        }
        registered.set_query(None);
    }
    given.set_query(None);
    if is_loopback_ip(&registered) && is_loopback_ip(&given) {
        let _ = registered.set_port(None);
        let _ = given.set_port(None);
    }
    registered == given
}

fn same_query(registered: &str, given: Option<&str>) -> bool {
    let given = given.unwrap_or_default();
    if registered.is_empty() || given.is_empty() {
        return registered.is_empty() && given.is_empty();
    }
    let sorted = |query: &str| {
        let mut pairs: Vec<String> = query.split('&').map(str::to_owned).collect();
        pairs.sort();
        pairs
    };
    sorted(registered) == sorted(given)
}

fn is_loopback_ip(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    }
}

/// `to` with `params` added to whatever query it already has (form encoding, as Rack builds it).
fn with_query(to: &str, params: &[(&str, String)]) -> String {
    let (base, fragment) = to.split_once('#').unwrap_or((to, ""));
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().map(|(n, v)| (*n, v.as_str())))
        .finish();
    let joiner = match base.split_once('?') {
        Some((_, "")) => "",
        Some(_) => "&",
        None => "?",
    };
    let mut location = format!("{base}{joiner}{encoded}");
    if !fragment.is_empty() {
        location = format!("{location}#{fragment}");
    }
    location
}

fn redirect(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((LOCATION, location))
        .finish()
}

/// GitLab's "An error has occurred" page: HTTP 200, HTML, the description in a `<pre>`.
fn error_page(refused: &Refused) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!DOCTYPE html><html><head><title>GitLab</title></head><body><h3 class=\"page-title\">An error has occurred</h3><main role=\"main\"><pre>{}</pre></main></body></html>",
            escape(&refused.description)
        ))
}

/// GitLab's 404 page, for paths the stand-in does not serve.
pub(crate) fn not_found_page() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body("<!DOCTYPE html><html><head><title>Not Found · GitLab</title></head><body><h1>404</h1><h3>Page not found</h3><p>Make sure the address is correct and the page has not moved.</p></body></html>")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_match_as_doorkeeper_matches_them() {
        let registered = "http://127.0.0.1:8080/auth/gitlab/callback";
        for same in [
            registered,
            "HTTP://127.0.0.1:8080/auth/gitlab/callback",
            // Loopback IP addresses may use any port (RFC 8252 §7.3).
            "http://127.0.0.1:8081/auth/gitlab/callback",
            // A query is ignored when the registered URI has none.
            "http://127.0.0.1:8080/auth/gitlab/callback?x=1",
        ] {
            assert!(same_uri(registered, same), "{same}");
        }
        assert!(same_uri(
            "https://app.example/cb",
            "https://APP.example:443/cb?from=gitlab"
        ));
        assert!(same_uri("http://[::1]:3000/cb", "http://[::1]:4000/cb"));
        for other in [
            "http://127.0.0.1:8080/auth/gitlab/callback/",
            "http://127.0.0.1:8080/auth/gitlab/callback/sub",
            "http://localhost:8080/auth/gitlab/callback",
            "https://127.0.0.1:8080/auth/gitlab/callback",
            "http://127.0.0.1:8080/auth/gitlab/callback#x",
            "not a url",
        ] {
            assert!(!same_uri(registered, other), "{other}");
        }
        // Ports count everywhere else, `localhost` included.
        assert!(!same_uri(
            "https://app.example/cb",
            "https://app.example:8443/cb"
        ));
        assert!(!same_uri(
            "http://localhost:8000/cb",
            "http://localhost:8001/cb"
        ));
        // A registered query must be there, in any order, and nothing else.
        let with_query = "https://app.example/cb?a=1&b=2";
        assert!(same_uri(with_query, "https://app.example/cb?b=2&a=1"));
        for other in [
            "https://app.example/cb",
            "https://app.example/cb?a=1",
            "https://app.example/cb?a=1&b=2&c=3",
        ] {
            assert!(!same_uri(with_query, other), "{other}");
        }
    }

    #[test]
    fn the_answer_joins_an_existing_query() {
        let code = [("code", "c".to_owned()), ("state", "a b&c".to_owned())];
        assert_eq!(
            with_query("https://a/cb", &code),
            "https://a/cb?code=c&state=a+b%26c"
        );
        assert_eq!(
            with_query("https://a/cb?x=1", &code[..1]),
            "https://a/cb?x=1&code=c"
        );
        assert_eq!(
            with_query("https://a/cb?", &code[..1]),
            "https://a/cb?code=c"
        );
    }
}
