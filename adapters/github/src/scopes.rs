//! GitHub's scope hierarchy: a broader scope includes narrower ones, and GitHub reports only
//! what was granted (`user`), never what that implies (`read:user`).

use nectr_domain::Scopes;

/// Each scope with the scopes it directly includes, as GitHub's "Scopes for OAuth apps"
/// lists them. Inclusion is transitive (`admin:org` → `write:org` → `read:org`).
const INCLUDES: &[(&str, &[&str])] = &[
    (
        "repo",
        &[
            "repo:status",
            "repo_deployment",
            "public_repo",
            "repo:invite",
            "security_events",
        ],
    ),
    ("admin:repo_hook", &["write:repo_hook"]),
    ("write:repo_hook", &["read:repo_hook"]),
    ("admin:org", &["write:org"]),
    ("write:org", &["read:org"]),
    ("admin:public_key", &["write:public_key"]),
    ("write:public_key", &["read:public_key"]),
    ("user", &["read:user", "user:email", "user:follow"]),
    ("project", &["read:project"]),
    ("admin:gpg_key", &["write:gpg_key"]),
    ("write:gpg_key", &["read:gpg_key"]),
    ("admin:ssh_signing_key", &["write:ssh_signing_key"]),
    ("write:ssh_signing_key", &["read:ssh_signing_key"]),
    ("codespace", &["codespace:secrets"]),
];

/// Whether `granted` includes `wanted`, directly or through a broader scope.
pub(crate) fn covers(granted: &Scopes, wanted: &str) -> bool {
    granted.cover(wanted, INCLUDES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(text: &str) -> Scopes {
        Scopes::parse(text).unwrap_or_default()
    }

    #[test]
    fn broader_scopes_cover_narrower_ones() {
        assert!(covers(&granted("user"), "read:user"));
        assert!(covers(&granted("user"), "user:email"));
        assert!(covers(&granted("admin:org"), "read:org"));
        assert!(covers(&granted("write:org"), "read:org"));
        assert!(covers(&granted("repo"), "repo:status"));
        assert!(covers(&granted("repo"), "public_repo"));
        assert!(covers(&granted("read:org, repo"), "read:org"));
    }

    #[test]
    fn nothing_covers_a_broader_or_unrelated_scope() {
        assert!(!covers(&granted("read:user"), "user"));
        assert!(!covers(&granted("read:org"), "write:org"));
        assert!(!covers(&granted("repo"), "read:org"));
        assert!(!covers(&granted("user"), "read:org"));
        assert!(!covers(&granted(""), "read:user"));
        // A scope GitHub does not know covers only itself.
        assert!(covers(&granted("future:scope"), "future:scope"));
        assert!(!covers(&granted("future:scope"), "future"));
    }

    #[test]
    fn the_table_has_no_cycles() {
        // `includes` recurses through the table, so a cycle would never end. Walked here with
        // a visited set, so the test fails instead of overflowing the stack.
        for (start, _) in INCLUDES {
            let mut seen = std::collections::BTreeSet::new();
            let mut next: Vec<&str> = vec![start];
            while let Some(scope) = next.pop() {
                let children = INCLUDES
                    .iter()
                    .filter(|(parent, _)| *parent == scope)
                    .flat_map(|(_, children)| children.iter().copied());
                for child in children {
                    assert_ne!(child, *start, "{start} includes itself");
                    if seen.insert(child) {
                        next.push(child);
                    }
                }
            }
        }
    }
}
