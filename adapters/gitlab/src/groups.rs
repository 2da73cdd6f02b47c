//! The person's groups: `GET /api/v4/groups?min_access_level=10&per_page=100`, every page.

use nectr_application::ports::{Organization, ProviderError};
use nectr_domain::AccessToken;
use nectr_provider_http::Answer;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use url::Url;

use crate::errors;
use crate::rest::{parse, rest, send};
use crate::{Inner, READ_API};

/// At 100 groups a page, 5,000 memberships: far more than anyone has, and a bound on what an
/// `x-next-page` that never ends can cost.
pub(crate) const MAX_PAGES: u32 = 50;

/// One entry of `GET /groups`.
#[derive(Deserialize)]
struct GroupEntry {
    /// The whole path from the top-level group (`acme/backend`): what settings name.
    full_path: String,
    /// The names from the top-level group down (`Acme / Backend`).
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    avatar_url: Option<String>,
}

/// The groups (and subgroups) the person is a member of with at least the Guest role.
/// `min_access_level` also keeps an administrator's token, which `GET /groups` would answer
/// with every group of the instance, to the groups they belong to.
pub(crate) async fn organizations(
    inner: &Inner,
    token: &AccessToken,
) -> Result<Vec<Organization>, ProviderError> {
    let call = inner.call("GET /api/v4/groups");
    let sent = [token.expose()];
    let mut all = Vec::new();
    let mut page: u32 = 1;
    loop {
        let url = page_url(&inner.endpoints.groups, page);
        let request = rest(inner, Method::GET, &url).bearer_auth(token.expose());
        let answer = send(inner, call, request).await?;
        if answer.status != StatusCode::OK {
            return Err(refused(inner, &answer, &sent));
        }
        let entries: Vec<GroupEntry> = parse(call, &answer)?;
        all.extend(entries.into_iter().map(|g| {
            let name = g.full_name.or(g.name).filter(|n| !n.trim().is_empty());
            Organization {
                login: g.full_path,
                name,
                avatar_url: g.avatar_url.filter(|u| !u.trim().is_empty()),
            }
        }));
        match next_page(&answer) {
            // Only forward: a next page that is not after this one would loop.
            Some(next) if next > page => {
                if page == MAX_PAGES {
                    // Fewer memberships than there are means at worst a refused sign-in,
                    // never a wrongly allowed one, so the list is used as far as it was read.
                    tracing::warn!(
                        pages = page,
                        "GitLab kept announcing further pages of groups; the list is cut off here"
                    );
                    break;
                }
                page = next;
            }
            _ => break,
        }
    }
    Ok(all)
}

/// The first page's URL (which carries `min_access_level` and `per_page`) for page `page`.
/// Pages are numbered here rather than followed through GitLab's `Link` header, so the bearer
/// token only ever goes to the URL built from `GITLAB_URL`.
fn page_url(first: &Url, page: u32) -> Url {
    let mut url = first.clone();
    if page > 1 {
        url.query_pairs_mut().append_pair("page", &page.to_string());
    }
    url
}

/// GitLab's `x-next-page`: the next page's number, empty on the last page.
fn next_page(answer: &Answer) -> Option<u32> {
    answer
        .headers
        .get("x-next-page")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// A refused list. A token without `read_api` (or `api`) gets 403 `insufficient_scope`;
/// the message then says what the operator or the person must do.
fn refused(inner: &Inner, answer: &Answer, sent: &[&str]) -> ProviderError {
    let call = inner.call("GET /api/v4/groups");
    let missing_scope = answer.status == StatusCode::FORBIDDEN
        && errors::oauth_error(&answer.body).as_deref() == Some("insufficient_scope");
    if !missing_scope {
        return errors::rest_status(call, answer, sent);
    }
    if inner.config.read_groups {
        ProviderError::ScopeMissing(format!(
            "GitLab did not let this sign-in see your groups (GET /api/v4/groups answered HTTP \
             403 insufficient_scope): access was granted without the {READ_API} scope. Sign in \
             with GitLab again to grant it, or review the application's access at {}.",
            inner.endpoints.access_settings
        ))
    } else {
        ProviderError::ScopeMissing(format!(
            "GitLab groups cannot be read: this service asks GitLab only for read_user, and \
             listing groups needs {READ_API}. An operator must have the service ask for \
             {READ_API} too (it does when sign-in is restricted to GitLab groups with \
             ALLOWED_GITLAB_GROUPS) and tick {READ_API} in the GitLab application; people then \
             sign in again."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn answer_with_next(next: &'static str) -> Answer {
        let mut headers = HeaderMap::new();
        headers.insert("x-next-page", HeaderValue::from_static(next));
        Answer {
            status: StatusCode::OK,
            headers,
            body: b"[]".to_vec(),
        }
    }

    #[test]
    fn reads_the_next_page_number() {
        assert_eq!(next_page(&answer_with_next("3")), Some(3));
        assert_eq!(next_page(&answer_with_next("")), None);
        assert_eq!(next_page(&answer_with_next("x")), None);
    }

    #[test]
    fn later_pages_keep_the_filter_and_page_size() -> Result<(), url::ParseError> {
        let first =
            Url::parse("https://gitlab.com/api/v4/groups?min_access_level=10&per_page=100")?;
        assert_eq!(page_url(&first, 1), first);
        assert_eq!(
            page_url(&first, 2).as_str(),
            "https://gitlab.com/api/v4/groups?min_access_level=10&per_page=100&page=2"
        );
        Ok(())
    }
}
