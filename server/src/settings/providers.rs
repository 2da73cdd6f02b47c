//! Settings of the identity providers beyond GitHub's credentials: who may sign in, the
//! GitLab application, and the credentials of the internal API.

use nectr_application::SignInRules;
use secrecy::SecretString;

use super::GitlabSettings;
use super::parse::Reader;

/// Service credentials shorter than this are guessable; `openssl rand -hex 32` gives 64.
const MIN_INTERNAL_TOKEN_LEN: usize = 32;

/// A comma-separated list of names, trimmed, empty items dropped.
fn list(r: &Reader<'_>, name: &str) -> Vec<String> {
    r.get(name)
        .map(|text| {
            text.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Names as providers spell them: letters, digits, `-`, `_`, `.`; GitLab group paths also
/// have `/`.
fn plausible(name: &str, slash: bool) -> bool {
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') || (slash && c == '/'))
}

pub(super) fn sign_in_rules(
    r: &mut Reader<'_>,
    users: &str,
    organizations: &str,
    teams: Option<&str>,
) -> SignInRules {
    let rules = SignInRules {
        users: list(r, users),
        organizations: list(r, organizations),
        teams: teams.map(|t| list(r, t)).unwrap_or_default(),
    };
    if let Some(bad) = rules.users.iter().find(|u| !plausible(u, false)) {
        r.problem(
            users,
            format!("has {bad:?}, which is not a username: list usernames separated by commas"),
        );
    }
    // GitLab groups nest (`parent/child`); GitHub organizations do not.
    let nested = teams.is_none();
    if let Some(bad) = rules.organizations.iter().find(|o| !plausible(o, nested)) {
        r.problem(
            organizations,
            format!(
                "has {bad:?}, which is not an organization name: list names separated by commas"
            ),
        );
    }
    if let (Some(name), Some(bad)) = (
        teams,
        rules.teams.iter().find(|t| {
            !matches!(t.split_once('/'), Some((org, team)) if !org.is_empty() && !team.is_empty() && plausible(org, false) && plausible(team, false))
        }),
    ) {
        r.problem(
            name,
            format!("has {bad:?}: write each team as organization/team-slug, e.g. acme/reviewers"),
        );
    }
    rules
}

/// GitLab is offered when both its credentials are set.
pub(super) fn gitlab(r: &mut Reader<'_>, production: bool) -> Option<GitlabSettings> {
    let id = r.get("GITLAB_CLIENT_ID").map(str::to_owned);
    let secret = r.get("GITLAB_CLIENT_SECRET").map(str::to_owned);
    let url = r.url(
        "GITLAB_URL",
        nectr_gitlab::GitlabConfig::GITLAB_COM,
        production,
    );
    let rules = sign_in_rules(r, "ALLOWED_GITLAB_USERS", "ALLOWED_GITLAB_GROUPS", None);
    for (name, value) in [("GITLAB_CLIENT_ID", &id), ("GITLAB_CLIENT_SECRET", &secret)] {
        if value.as_deref().is_some_and(|v| v.trim() != v) {
            r.problem(
                name,
                "has leading or trailing whitespace: copy it again without spaces or newlines",
            );
        }
    }
    match (id, secret) {
        (Some(client_id), Some(secret)) => Some(GitlabSettings {
            client_id,
            client_secret: SecretString::from(secret),
            url,
            rules,
        }),
        (Some(_), None) => {
            r.problem("GITLAB_CLIENT_SECRET", "is not set while GITLAB_CLIENT_ID is: copy the secret from the GitLab application's page, or unset GITLAB_CLIENT_ID to offer GitHub only");
            None
        }
        (None, Some(_)) => {
            r.problem("GITLAB_CLIENT_ID", "is not set while GITLAB_CLIENT_SECRET is: copy the application id from the GitLab application's page, or unset GITLAB_CLIENT_SECRET");
            None
        }
        (None, None) => {
            if !rules.is_open() {
                r.problem("ALLOWED_GITLAB_USERS", "and ALLOWED_GITLAB_GROUPS need GitLab sign-in: set GITLAB_CLIENT_ID and GITLAB_CLIENT_SECRET, or unset them");
            }
            None
        }
    }
}

pub(super) fn internal_api_tokens(r: &mut Reader<'_>) -> Vec<SecretString> {
    let tokens = list(r, "INTERNAL_API_TOKENS");
    if tokens
        .iter()
        .any(|t| t.len() < MIN_INTERNAL_TOKEN_LEN || !t.bytes().all(|b| b.is_ascii_graphic()))
    {
        // The message never repeats a value: these are credentials.
        r.problem(
            "INTERNAL_API_TOKENS",
            format!("has a token shorter than {MIN_INTERNAL_TOKEN_LEN} characters or with spaces: generate each with `openssl rand -hex 32`"),
        );
        return Vec::new();
    }
    tokens.into_iter().map(SecretString::from).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret as _;

    use crate::settings::Settings;

    fn parse(pairs: &[(&str, &str)]) -> (Settings, Vec<String>) {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let (settings, problems) = Settings::parse_all(&vars);
        (
            settings,
            problems.0.iter().map(ToString::to_string).collect(),
        )
    }

    #[test]
    fn rules_are_comma_separated_lists() {
        let (settings, problems) = parse(&[
            ("ALLOWED_GITHUB_USERS", " alice, bob ,,"),
            ("ALLOWED_GITHUB_ORGS", "acme"),
            ("ALLOWED_GITHUB_TEAMS", "acme/core, acme/review-team"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        let rules = settings.github.rules;
        assert_eq!(rules.users, ["alice", "bob"]);
        assert_eq!(rules.organizations, ["acme"]);
        assert_eq!(rules.teams, ["acme/core", "acme/review-team"]);
    }

    #[test]
    fn malformed_rules_are_named() {
        let (_, problems) = parse(&[
            ("ALLOWED_GITHUB_TEAMS", "acme"),
            ("ALLOWED_GITHUB_ORGS", "acme/core"),
            ("ALLOWED_GITHUB_USERS", "al ice"),
        ]);
        for setting in [
            "ALLOWED_GITHUB_TEAMS",
            "ALLOWED_GITHUB_ORGS",
            "ALLOWED_GITHUB_USERS",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(setting)),
                "{setting}: {problems:?}"
            );
        }
        // GitLab groups nest, so a path is a valid group.
        let (_, problems) = parse(&[
            ("GITLAB_CLIENT_ID", "id"),
            ("GITLAB_CLIENT_SECRET", "secret"),
            ("ALLOWED_GITLAB_GROUPS", "parent/child"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn gitlab_needs_both_credentials() {
        let (settings, problems) = parse(&[]);
        assert!(settings.gitlab.is_none() && problems.is_empty());
        let (settings, problems) = parse(&[
            ("GITLAB_CLIENT_ID", "id"),
            ("GITLAB_CLIENT_SECRET", "secret"),
            ("GITLAB_URL", "https://gitlab.example.com"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        let gitlab = settings.gitlab.expect("configured");
        assert_eq!(gitlab.url.as_str(), "https://gitlab.example.com/");
        let (_, problems) = parse(&[("GITLAB_CLIENT_ID", "id")]);
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("GITLAB_CLIENT_SECRET")),
            "{problems:?}"
        );
        let (_, problems) = parse(&[("GITLAB_CLIENT_SECRET", "secret")]);
        assert!(
            problems.iter().any(|p| p.starts_with("GITLAB_CLIENT_ID")),
            "{problems:?}"
        );
        let (_, problems) = parse(&[("ALLOWED_GITLAB_USERS", "alice")]);
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("ALLOWED_GITLAB_USERS")),
            "{problems:?}"
        );
    }

    #[test]
    fn internal_tokens_must_be_long_and_are_never_echoed() {
        let good = "a".repeat(32);
        let (settings, problems) = parse(&[("INTERNAL_API_TOKENS", &format!("{good}, {good}b"))]);
        assert!(problems.is_empty(), "{problems:?}");
        let tokens: Vec<&str> = settings
            .internal_api_tokens
            .iter()
            .map(|t| t.expose_secret())
            .collect();
        assert_eq!(tokens, [good.clone(), format!("{good}b")]);
        let short = "short-but-secret-value";
        let (settings, problems) = parse(&[("INTERNAL_API_TOKENS", &format!("{good},{short}"))]);
        assert!(settings.internal_api_tokens.is_empty(), "all or nothing");
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("INTERNAL_API_TOKENS"))
        );
        assert!(
            problems
                .iter()
                .all(|p| !p.contains(short) && !p.contains(&good))
        );
    }

    #[test]
    fn logout_revocation_is_off_unless_asked() {
        assert!(!parse(&[]).0.revoke_provider_token_on_logout);
        assert!(
            parse(&[("REVOKE_PROVIDER_TOKEN_ON_LOGOUT", "true")])
                .0
                .revoke_provider_token_on_logout
        );
    }
}
