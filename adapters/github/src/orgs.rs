//! Memberships: `GET /user/orgs` and `GET /user/teams`, every page of them.

use nectr_application::ports::{Organization, ProviderError, Team};
use nectr_domain::AccessToken;
use reqwest::header::LINK;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use url::Url;

use crate::errors::{self, Call};
use crate::rest::{oauth_scopes, parse, rest, send};
use crate::{Inner, scopes};
use nectr_provider_http::Answer;

/// At 100 entries a page, 5,000 memberships: far more than anyone has, and a bound on what a
/// `Link` header that never ends can cost.
const MAX_PAGES: usize = 50;

/// The scope both lists need. GitHub also lets `user` (orgs) or `repo` (teams) through, but
/// `read:org` is what this service requests for them.
const READ_ORG: &str = "read:org";

/// One entry of `GET /user/orgs` (GitHub's "organization simple", which has no `name`).
#[derive(Deserialize)]
struct OrgEntry {
    login: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    avatar_url: Option<String>,
}

/// One entry of `GET /user/teams`.
#[derive(Deserialize)]
struct TeamEntry {
    slug: String,
    organization: TeamOrganization,
}

#[derive(Deserialize)]
struct TeamOrganization {
    login: String,
}

pub(crate) async fn organizations(
    inner: &Inner,
    token: &AccessToken,
) -> Result<Vec<Organization>, ProviderError> {
    let call = inner.api_call("GET /user/orgs");
    let list = List {
        call,
        first: &inner.endpoints.user_orgs,
        noun: "organizations",
        also_enough: &["user"],
    };
    let entries: Vec<OrgEntry> = all_pages(inner, &list, token).await?;
    Ok(entries
        .into_iter()
        .map(|o| Organization {
            login: o.login,
            name: o.name.filter(|n| !n.trim().is_empty()),
            avatar_url: o.avatar_url.filter(|u| !u.trim().is_empty()),
        })
        .collect())
}

pub(crate) async fn teams(inner: &Inner, token: &AccessToken) -> Result<Vec<Team>, ProviderError> {
    let call = inner.api_call("GET /user/teams");
    let list = List {
        call,
        first: &inner.endpoints.user_teams,
        noun: "teams",
        also_enough: &["user", "repo"],
    };
    let entries: Vec<TeamEntry> = all_pages(inner, &list, token).await?;
    Ok(entries
        .into_iter()
        .map(|t| Team {
            organization: t.organization.login,
            slug: t.slug,
        })
        .collect())
}

/// A paginated membership list.
struct List<'a> {
    call: Call<'a>,
    first: &'a Url,
    /// What the list holds, as named in messages.
    noun: &'static str,
    /// The scopes besides `read:org` that GitHub accepts for this list.
    also_enough: &'static [&'static str],
}

/// Reads the list's first page and every page its `Link: rel="next"` leads to.
async fn all_pages<T: serde::de::DeserializeOwned>(
    inner: &Inner,
    list: &List<'_>,
    token: &AccessToken,
) -> Result<Vec<T>, ProviderError> {
    let call = list.call;
    let mut all = Vec::new();
    let mut next = Some(list.first.clone());
    let mut pages = 0;
    while let Some(url) = next.take() {
        if pages == MAX_PAGES {
            // Fewer memberships than there are means at worst a refused sign-in, never a
            // wrongly allowed one, so the list is used as far as it was read.
            tracing::warn!(
                call = call.what,
                pages,
                "GitHub kept announcing further pages; the list is cut off here"
            );
            break;
        }
        pages += 1;
        let request = rest(inner, Method::GET, &url).bearer_auth(token.expose());
        let answer = send(inner, call, request).await?;
        if answer.status != StatusCode::OK {
            return Err(refused(list, &answer, inner));
        }
        let page: Vec<T> = parse(call, &answer)?;
        all.extend(page);
        next = next_page(&answer, &inner.config.api_url, call)?;
    }
    Ok(all)
}

/// The `rel="next"` URL of GitHub's `Link` header, if any. The bearer token goes wherever it
/// points, so only a URL under `GITHUB_API_URL` is followed.
fn next_page(answer: &Answer, api: &Url, call: Call<'_>) -> Result<Option<Url>, ProviderError> {
    let Some(link) = answer.headers.get(LINK) else {
        return Ok(None);
    };
    let Some(next) = link.to_str().ok().and_then(rel_next) else {
        return Ok(None);
    };
    let under_api = Url::parse(next).ok().filter(|url| is_under(url, api));
    under_api.map(Some).ok_or_else(|| {
        ProviderError::BadResponse(format!(
            "GitHub answered {} with a next page outside {} (is GITHUB_API_URL the address \
             GitHub itself uses?)",
            call.what,
            crate::config::shown(api)
        ))
    })
}

/// Whether `url` is on the API's origin and under its path (`/api/v3`, not `/api/v3x`).
fn is_under(url: &Url, api: &Url) -> bool {
    let base = api.path().trim_end_matches('/');
    url.scheme() == api.scheme()
        && url.host() == api.host()
        && url.port_or_known_default() == api.port_or_known_default()
        && url
            .path()
            .strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The target of `rel="next"` in a `Link` header: `<url>; rel="next", <url>; rel="last"`.
fn rel_next(header: &str) -> Option<&str> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            p.trim()
                .strip_prefix("rel=")
                .is_some_and(|v| v.trim_matches('"').split(' ').any(|r| r == "next"))
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then_some(target)
    })
}

/// A refused membership list. GitHub answers 403 (orgs) or 404 (teams) for a token without
/// the scope; `X-OAuth-Scopes` tells that apart from other refusals (an organization's SAML
/// enforcement, say), which keep GitHub's own explanation.
fn refused(list: &List<'_>, answer: &Answer, inner: &Inner) -> ProviderError {
    let call = list.call;
    let maybe_scope = matches!(answer.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
        && errors::rate_limited(call, answer).is_none();
    if !maybe_scope {
        return errors::rest_status(call, answer);
    }
    let has_scope = oauth_scopes(answer).is_some_and(|granted| {
        std::iter::once(READ_ORG)
            .chain(list.also_enough.iter().copied())
            .any(|s| scopes::covers(&granted, s))
    });
    if has_scope {
        return errors::unexpected_status(call, answer);
    }
    ProviderError::ScopeMissing(format!(
        "GitHub did not let this sign-in see your {} ({} answered HTTP {}): access was \
         granted without the {READ_ORG} scope. Reconnect with GitHub to grant it, or review \
         the app's access at {}.",
        list.noun, call.what, answer.status, inner.endpoints.access_settings
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_page_among_githubs_links() {
        let header = r#"<https://api.github.com/user/orgs?per_page=100&page=3>; rel="next", <https://api.github.com/user/orgs?per_page=100&page=5>; rel="last", <https://api.github.com/user/orgs?per_page=100&page=1>; rel="first""#;
        assert_eq!(
            rel_next(header),
            Some("https://api.github.com/user/orgs?per_page=100&page=3")
        );
        let last_page = r#"<https://api.github.com/user/orgs?page=1>; rel="prev", <https://api.github.com/user/orgs?page=1>; rel="first""#;
        assert_eq!(rel_next(last_page), None);
        assert_eq!(rel_next("garbage"), None);
        assert_eq!(rel_next(""), None);
    }

    #[test]
    fn only_urls_under_the_api_base_are_followed() -> Result<(), url::ParseError> {
        let api = Url::parse("https://ghe.example.com/api/v3")?;
        let under = |u: &str| Url::parse(u).map(|u| is_under(&u, &api));
        assert!(under("https://ghe.example.com/api/v3/user/orgs?page=2")?);
        assert!(under("https://ghe.example.com:443/api/v3/user/orgs")?);
        assert!(!under("https://ghe.example.com/api/v3x/user/orgs")?);
        assert!(!under("https://ghe.example.com/user/orgs")?);
        assert!(!under("http://ghe.example.com/api/v3/user/orgs")?);
        assert!(!under("https://ghe.example.com:8443/api/v3/user/orgs")?);
        assert!(!under("https://evil.example.com/api/v3/user/orgs")?);
        let github = Url::parse("https://api.github.com")?;
        assert!(is_under(
            &Url::parse("https://api.github.com/user/orgs?page=2")?,
            &github
        ));
        Ok(())
    }
}
