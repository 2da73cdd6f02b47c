//! `POST /login/oauth/authorize`: the interactive sign-in page's form. The original authorize
//! request is checked again (the form comes from a browser, not from the stand-in), then the
//! person picked approves or cancels it.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use nectr_standin_kit::params::first_values;

use crate::authorize::{not_found_page, screen};
use crate::consent_page::{Choice, bad_request_page};
use crate::faults::{Endpoint, arrive};
use crate::people::{self, Person, presets};
use crate::state::Shared;

/// Which button was pressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    Authorize,
    Cancel,
}

/// The submitted form, with every field the page sends in a usable shape.
#[derive(Debug)]
struct Form {
    query: String,
    decision: Decision,
    choice: Choice,
}

pub(crate) async fn handle(shared: Arc<Shared>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let interactive = shared.lock().interactive;
    // Outside interactive mode this route does not exist: recorded and answered like any
    // unknown path, so the default behaviour is the one the stand-in always had.
    let endpoint = interactive.then_some(Endpoint::Authorize);
    if let Some(fault) = arrive(&shared, endpoint, &req, &body).await {
        return fault;
    }
    if !interactive {
        return not_found_page();
    }
    let form = match Form::parse(&body) {
        Ok(form) => form,
        Err(why) => return bad_request_page(why),
    };
    let params = first_values(&form.query);
    let mut inner = shared.lock();
    let pending = match screen(&inner, &params) {
        Ok(pending) => pending,
        Err(refused) => return *refused,
    };
    match (form.decision, chosen(&form.choice)) {
        (Decision::Authorize, Ok(person)) => {
            inner.signed_in = person.clone();
            pending.decide(&mut inner, person, true)
        }
        (Decision::Authorize, Err(problem)) => {
            pending.page(&form.query, &form.choice, Some(&problem))
        }
        // A cancel needs no valid pick; the record names the person picked if there is one.
        (Decision::Cancel, picked) => {
            let person = picked.unwrap_or_else(|_| inner.signed_in.clone());
            pending.decide(&mut inner, person, false)
        }
    }
}

impl Form {
    /// The form as the page sends it (first value of each field, like queries); `Err` says
    /// why a body is not that form.
    fn parse(body: &[u8]) -> Result<Form, &'static str> {
        let fields: HashMap<String, String> = match std::str::from_utf8(body) {
            Ok(text) => first_values(text),
            Err(_) => return Err("The form is not UTF-8 text."),
        };
        let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
        let query = fields
            .get("query")
            .cloned()
            .ok_or("The form has no `query` field: submit the sign-in page itself.")?;
        let decision = match fields.get("decision").map(String::as_str) {
            Some("authorize") => Decision::Authorize,
            Some("cancel") => Decision::Cancel,
            _ => return Err("`decision` must be `authorize` or `cancel`."),
        };
        let person = fields.get("person").filter(|p| !p.is_empty()).cloned();
        if let Some(key) = &person
            && key != "custom"
            && !presets().iter().any(|(preset, _)| preset == key)
        {
            return Err("`person` must be one of the page's choices.");
        }
        Ok(Form {
            query,
            decision,
            choice: Choice {
                person,
                login: field("login"),
                name: field("name"),
                email: field("email"),
            },
        })
    }
}

/// The person picked on the page, or a message saying what to fix.
fn chosen(choice: &Choice) -> Result<Person, String> {
    let key = choice.person.as_deref().ok_or("Pick who signs in.")?;
    if let Some((_, person)) = presets().into_iter().find(|(preset, _)| *preset == key) {
        return Ok(person);
    }
    let login = choice.login.trim();
    if login.is_empty() {
        return Err("Type a login for “Someone else”.".to_owned());
    }
    if !people::valid_login(login) {
        return Err(format!(
            "“{login}” is not a GitHub login: use 1 to 39 letters, digits or hyphens, not starting or ending with a hyphen."
        ));
    }
    let name = Some(choice.name.trim()).filter(|n| !n.is_empty());
    if let Some(name) = name
        && (name.chars().count() > 255 || name.chars().any(char::is_control))
    {
        return Err(
            "The name can have at most 255 characters, and no control characters.".to_owned(),
        );
    }
    let email = Some(choice.email.trim()).filter(|e| !e.is_empty());
    if let Some(email) = email
        && !looks_like_email(email)
    {
        return Err(format!("“{email}” does not look like an email address."));
    }
    Ok(people::custom(login, name, email))
}

/// A loose check (one `@` with text on both sides, no spaces, at most 254 bytes): enough to
/// catch typing slips without refusing addresses GitHub would accept.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The body of `POST /login/oauth/authorize` that the page sends when someone types in `login`
/// (as name too, with the email `{login}@example.com`) and presses Authorize, for the
/// authorize request `authorize_url`. The person is chosen by this request alone, so load
/// tests can sign many people in at once, which the shared `sign_in_as` cannot.
///
/// # Errors
/// When `authorize_url` is not a URL.
pub fn typed_in_approval(authorize_url: &str, login: &str) -> Result<String, url::ParseError> {
    let url = url::Url::parse(authorize_url)?;
    let email = format!("{login}@example.com");
    Ok(url::form_urlencoded::Serializer::new(String::new())
        .append_pair("query", url.query().unwrap_or_default())
        .append_pair("person", "custom")
        .append_pair("login", login)
        .append_pair("name", login)
        .append_pair("email", &email)
        .append_pair("decision", "authorize")
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(login: &str, name: &str, email: &str) -> Choice {
        Choice {
            person: Some("custom".to_owned()),
            login: login.to_owned(),
            name: name.to_owned(),
            email: email.to_owned(),
        }
    }

    #[test]
    fn forms_that_are_not_the_page_are_refused() {
        assert!(Form::parse(b"decision=authorize").is_err());
        assert!(Form::parse(b"query=a&decision=maybe").is_err());
        assert!(Form::parse(b"query=a&decision=cancel&person=nobody").is_err());
        assert!(Form::parse(b"query=a&decision=cancel&person=%FF").is_err());
        assert!(Form::parse(&[0xff, 0xfe]).is_err());
        let form = Form::parse(b"query=client_id%3Dx%26state%3Dy&decision=cancel&person=big-id");
        let form = form.map_err(|e| e.to_owned());
        assert!(form.is_ok_and(|f| f.query == "client_id=x&state=y"
            && f.decision == Decision::Cancel
            && f.choice.person.as_deref() == Some("big-id")));
    }

    #[test]
    fn custom_people_are_checked_and_built() -> Result<(), String> {
        assert!(chosen(&custom("", "", "")).is_err());
        assert!(chosen(&custom("-bad", "", "")).is_err());
        assert!(chosen(&custom("ok", "", "not-an-email")).is_err());
        assert!(chosen(&custom("ok", "a\u{7}b", "")).is_err());
        assert!(chosen(&Choice::default()).is_err());
        let person = chosen(&custom(" dev-1 ", " Dev One ", "dev@example.com"));
        let person = person?;
        assert_eq!(person.login, "dev-1");
        assert_eq!(person.name.as_deref(), Some("Dev One"));
        assert_eq!(person.public_email.as_deref(), Some("dev@example.com"));
        let bare = chosen(&custom("dev-1", "", ""));
        assert!(bare.is_ok_and(|p| p.id == person.id && p.name.is_none() && p.emails.is_empty()));
        Ok(())
    }
}
