//! The interactive sign-in page: which app asks, for which scopes, and who signs in. One
//! self-contained HTML document (inline styles, inline avatars, no scripts).

use std::fmt::Write;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use crate::avatars;
use crate::people::{Person, presets};

/// What the person picked on the page (or, on first display, what is preselected).
#[derive(Clone, Debug, Default)]
pub(crate) struct Choice {
    /// A preset key, `custom`, or nothing.
    pub person: Option<String>,
    pub login: String,
    pub name: String,
    pub email: String,
}

/// Everything the page shows.
pub(crate) struct Page<'a> {
    pub client_id: &'a str,
    pub scopes: &'a [String],
    /// Where the browser is sent afterwards.
    pub redirect_to: &'a str,
    /// The original authorize query, carried through the form unchanged.
    pub query: &'a str,
    pub choice: &'a Choice,
    /// Why the last submission decided nothing.
    pub error: Option<&'a str>,
}

const TITLE: &str = "Sign in · GitHub stand-in (development)";
const BANNER: &str = "Development stand-in for GitHub — no real GitHub account is used";
/// GitHub's login rule for the browser's own check (written to also parse with the `v` flag
/// that browsers apply to `pattern`); the server checks again.
const LOGIN_PATTERN: &str = r"[A-Za-z0-9]([A-Za-z0-9\-]{0,37}[A-Za-z0-9])?";

/// The typed-in fields show only once "Someone else" is picked, so a login is never typed
/// while a ready-made person stays selected (browsers without `:has` show them always).
const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;background:#f6f8fa;color:#1f2328}
.banner{background:#9a6700;color:#fff;text-align:center;padding:10px 16px;font-weight:600}
main{max-width:560px;margin:24px auto;padding:24px;background:#fff;border:1px solid #d0d7de;border-radius:12px}
h1{font-size:22px;margin:0 0 8px}
h2{font-size:15px;margin:20px 0 6px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eff2f5;padding:1px 5px;border-radius:6px;overflow-wrap:anywhere}
.muted{color:#59636e;font-size:13px}
ul.scopes{margin:0;padding-left:20px}
.error{background:#ffebe9;border:1px solid #ff8182;color:#82071e;padding:8px 12px;border-radius:8px}
fieldset{border:0;padding:0;margin:16px 0 0}
legend{font-weight:600;margin-bottom:6px}
.person{display:flex;align-items:center;gap:12px;padding:8px 10px;border:1px solid #d0d7de;border-radius:8px;margin-bottom:6px;cursor:pointer}
.person:has(input:checked){border-color:#0969da;background:#ddf4ff}
.person svg{flex:none}
.who small{color:#59636e}
.custom{display:grid;gap:8px;margin:4px 0 0 34px}
fieldset:has(input[value=custom]:not(:checked)) .custom{display:none}
.custom label{display:grid;gap:2px;font-size:13px;font-weight:600}
.custom input{font:inherit;padding:5px 8px;border:1px solid #d0d7de;border-radius:6px}
.actions{display:flex;gap:8px;margin-top:20px}
button{font:inherit;font-weight:600;padding:6px 16px;border-radius:6px;border:1px solid #d0d7de;background:#f6f8fa;color:#1f2328;cursor:pointer}
button.primary{background:#1f883d;border-color:#1a7f37;color:#fff}
";

/// The page, HTTP 200 (also when it shows an error: the flow goes on from it).
pub(crate) fn page(page: &Page<'_>) -> HttpResponse {
    html_response(StatusCode::OK, &render(page))
}

/// A small page for a submission that is not this page's form.
pub(crate) fn bad_request_page(why: &str) -> HttpResponse {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bad request · GitHub stand-in (development)</title></head><body><h1>400 Bad request</h1><p>{}</p></body></html>",
        escape(why)
    );
    html_response(StatusCode::BAD_REQUEST, &body)
}

fn html_response(status: StatusCode, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("cache-control", "no-store"))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("referrer-policy", "no-referrer"))
        // No `form-action`: browsers apply it to the redirect that follows the form, which
        // goes to the app's callback on another origin.
        .insert_header((
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        ))
        .body(body.to_owned())
}

fn render(page: &Page<'_>) -> String {
    let mut html = String::with_capacity(8 * 1024);
    let client_id = escape(page.client_id);
    // `write!` into a String cannot fail.
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{TITLE}</title><style>{STYLE}</style></head>\
         <body><div class=\"banner\" role=\"note\">{BANNER}</div><main>\
         <h1>Sign in to <code>{client_id}</code></h1>\
         <p>The app <code>{client_id}</code> asks who you are. Pick a person below: no password \
         is needed, and nothing is sent to GitHub.</p>"
    );
    html.push_str("<h2>Requested scopes</h2>");
    if page.scopes.is_empty() {
        html.push_str("<p class=\"muted\">No scopes: read-only access to public information.</p>");
    } else {
        html.push_str("<ul class=\"scopes\">");
        for scope in page.scopes {
            let _ = write!(html, "<li><code>{}</code></li>", escape(scope));
        }
        html.push_str("</ul>");
    }
    let _ = write!(
        html,
        "<p class=\"muted\">Afterwards your browser returns to <code>{}</code>.</p>",
        escape(page.redirect_to)
    );
    if let Some(error) = page.error {
        let _ = write!(
            html,
            "<p class=\"error\" role=\"alert\">{}</p>",
            escape(error)
        );
    }
    // Relative, so the form reaches this route wherever the stand-in is mounted.
    let _ = write!(
        html,
        "<form method=\"post\" action=\"authorize\">\
         <input type=\"hidden\" name=\"query\" value=\"{}\">\
         <fieldset><legend>Sign in as</legend>",
        escape(page.query)
    );
    let picked = page.choice.person.as_deref();
    for (key, person) in presets() {
        preset_row(&mut html, key, &person, picked == Some(key));
    }
    custom_rows(&mut html, page.choice, picked == Some("custom"));
    html.push_str(
        "</fieldset><div class=\"actions\">\
         <button type=\"submit\" name=\"decision\" value=\"authorize\" class=\"primary\">Authorize</button>\
         <button type=\"submit\" name=\"decision\" value=\"cancel\" formnovalidate>Cancel</button>\
         </div></form></main></body></html>",
    );
    html
}

fn preset_row(html: &mut String, key: &str, person: &Person, checked: bool) {
    let email = match (&person.public_email, person.verified_email) {
        // Say so up front: this person's sign-in ends at the token exchange.
        (_, false) => "unverified email, so GitHub refuses the sign-in".to_owned(),
        (Some(email), true) => escape(email),
        (None, true) => "private email".to_owned(),
    };
    let name = person
        .name
        .as_deref()
        .map_or_else(|| "<em>no name</em>".to_owned(), escape);
    let avatar = avatars::svg(person.id, &avatars::initials(person), &person.login, 36);
    let _ = write!(
        html,
        "<label class=\"person\"><input type=\"radio\" name=\"person\" value=\"{key}\"{checked}>\
         {avatar}<span class=\"who\"><strong>{login}</strong> {name}<br>\
         <small>{email} · id {id}</small></span></label>",
        key = escape(key),
        checked = if checked { " checked" } else { "" },
        login = escape(&person.login),
        id = person.id,
    );
}

fn custom_rows(html: &mut String, choice: &Choice, checked: bool) {
    let _ = write!(
        html,
        "<label class=\"person\"><input type=\"radio\" name=\"person\" value=\"custom\"{checked}>\
         <span class=\"who\"><strong>Someone else</strong><br>\
         <small>The same login always gets the same id.</small></span></label>\
         <div class=\"custom\">\
         <label>Login <input name=\"login\" value=\"{login}\" maxlength=\"39\" pattern=\"{pattern}\" \
         title=\"1–39 letters, digits or hyphens, not starting or ending with a hyphen\" \
         autocomplete=\"off\" autocapitalize=\"none\" spellcheck=\"false\"></label>\
         <label>Name (optional) <input name=\"name\" value=\"{name}\" maxlength=\"255\" autocomplete=\"off\"></label>\
         <label>Email (optional) <input name=\"email\" type=\"email\" value=\"{email}\" maxlength=\"254\" autocomplete=\"off\"></label>\
         </div>",
        checked = if checked { " checked" } else { "" },
        login = escape(&choice.login),
        pattern = escape(LOGIN_PATTERN),
        name = escape(&choice.name),
        email = escape(&choice.email),
    );
}

/// Text made safe inside HTML (and SVG) elements and quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_page_keeps_what_was_typed_and_marks_the_pick() {
        let choice = Choice {
            person: Some("custom".to_owned()),
            login: "a\"b".to_owned(),
            ..Choice::default()
        };
        let html = render(&Page {
            client_id: "id",
            scopes: &[],
            redirect_to: "http://x/cb",
            query: "client_id=id",
            choice: &choice,
            error: Some("<bad>"),
        });
        assert!(html.contains(r#"value="custom" checked"#));
        assert!(!html.contains(r#"value="octocat" checked"#));
        assert!(html.contains(r#"name="login" value="a&quot;b""#));
        assert!(html.contains("&lt;bad&gt;") && !html.contains("<bad>"));
        assert!(html.contains("No scopes"));
    }
}
