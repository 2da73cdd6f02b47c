//! OAuth scopes: GitLab's list, parsing the space-separated `scope` parameter, and checks.

/// The scopes GitLab knows (Doorkeeper's "server scopes"); any other name is `invalid_scope`.
pub(crate) const KNOWN: [&str; 21] = [
    "api",
    "read_api",
    "read_user",
    "create_runner",
    "manage_runner",
    "k8s_proxy",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "read_virtual_registry",
    "write_virtual_registry",
    "read_observability",
    "write_observability",
    "ai_features",
    "sudo",
    "admin_mode",
    "read_service_ping",
    "openid",
    "profile",
    "email",
];

/// The scope an authorize request without `scope` asks for (GitLab's default scope).
pub(crate) const DEFAULT: &str = "api";

/// Splits a `scope` parameter on spaces, dropping empties and repeats, keeping order. Commas
/// are not separators: `read_user,read_api` is one (unknown) scope.
pub(crate) fn parse(raw: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in raw.split(' ').filter(|s| !s.is_empty()) {
        if !scopes.iter().any(|known| known == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}

/// Whether a requested `scope` string is acceptable for an app that ticked `app_scopes`:
/// not empty, no tabs or line breaks, and every scope known and ticked.
pub(crate) fn valid(raw: &str, app_scopes: &[String]) -> bool {
    let requested = parse(raw);
    !requested.is_empty()
        && !raw.contains(['\t', '\n', '\r'])
        && requested
            .iter()
            .all(|s| KNOWN.contains(&s.as_str()) && app_scopes.contains(s))
}

/// Whether `held` includes any of `accepted`.
pub(crate) fn has_any(held: &[String], accepted: &[&str]) -> bool {
    held.iter().any(|scope| accepted.contains(&scope.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn splits_on_spaces_only() {
        assert_eq!(
            parse("read_user  read_api read_user"),
            ["read_user", "read_api"]
        );
        assert_eq!(parse("read_user,read_api"), ["read_user,read_api"]);
    }

    #[test]
    fn every_scope_must_be_known_and_ticked() {
        let app = owned(&["read_user", "read_api", "made_up"]);
        assert!(valid("read_user read_api", &app));
        assert!(!valid("read_user api", &app), "api is not ticked");
        assert!(!valid("made_up", &app), "GitLab does not know it");
        assert!(!valid("read_user,read_api", &app));
        assert!(!valid("read_user\tread_api", &app));
        assert!(!valid("", &app));
    }
}
