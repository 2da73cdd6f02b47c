//! OAuth scopes, as a provider reports what it granted.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::DomainError;

/// A set of OAuth scopes. Providers write them space-separated (RFC 6749, GitLab) or
/// comma-separated (GitHub's token answer and `X-OAuth-Scopes`), so both are read. Shared, not
/// copied: every session check clones the person they belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Scopes(Arc<BTreeSet<String>>);

/// Far more than any provider grants; a longer list is not a real answer.
const MAX_SCOPES: usize = 64;
const MAX_SCOPE_LEN: usize = 128;

impl Scopes {
    /// Reads a space- or comma-separated list; empty items are skipped.
    ///
    /// # Errors
    /// `DomainError::Malformed` for more than 64 scopes, or one over 128 bytes or with
    /// characters outside RFC 6749's scope syntax.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let set: BTreeSet<String> = text
            .split([' ', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let ok = set.len() <= MAX_SCOPES
            && set.iter().all(|s| {
                s.len() <= MAX_SCOPE_LEN
                    && s.bytes()
                        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
            });
        if ok {
            Ok(Self(Arc::new(set)))
        } else {
            Err(DomainError::Malformed {
                what: "scope list",
                rule: "at most 64 scopes of up to 128 printable characters",
            })
        }
    }

    /// The scopes in `names`, which are known to be well-formed.
    pub fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self(Arc::new(names.into_iter().map(str::to_owned).collect()))
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether these scopes give `wanted`, directly or through a broader one. `hierarchy`
    /// lists each scope with the scopes it directly includes, as the provider documents them;
    /// inclusion is transitive, and the table must have no cycle.
    pub fn cover(&self, wanted: &str, hierarchy: &[(&str, &[&str])]) -> bool {
        fn includes(scope: &str, wanted: &str, hierarchy: &[(&str, &[&str])]) -> bool {
            scope == wanted
                || hierarchy
                    .iter()
                    .find(|(parent, _)| *parent == scope)
                    .is_some_and(|(_, children)| {
                        children
                            .iter()
                            .any(|child| includes(child, wanted, hierarchy))
                    })
        }
        self.iter().any(|scope| includes(scope, wanted, hierarchy))
    }

    /// Space-separated, in sorted order: the stored form.
    pub fn to_text(&self) -> String {
        self.iter().collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broader_scopes_cover_what_they_include_transitively() {
        const HIERARCHY: &[(&str, &[&str])] = &[("admin", &["write"]), ("write", &["read"])];
        let admin = Scopes::of(["admin"]);
        assert!(admin.cover("admin", HIERARCHY));
        assert!(admin.cover("read", HIERARCHY));
        assert!(!Scopes::of(["read"]).cover("write", HIERARCHY));
        assert!(!Scopes::of(["other"]).cover("read", HIERARCHY));
        assert!(Scopes::of(["read"]).cover("read", &[]));
    }

    #[test]
    fn reads_both_separators() -> Result<(), DomainError> {
        let s = Scopes::parse("repo,read:user, user:email  read:org")?;
        assert_eq!(s.to_text(), "read:org read:user repo user:email");
        assert!(Scopes::parse("")?.is_empty());
        Ok(())
    }

    #[test]
    fn refuses_nonsense() {
        assert!(Scopes::parse("a\"b").is_err());
        assert!(Scopes::parse(&"x".repeat(129)).is_err());
        let many: Vec<String> = (0..65).map(|i| format!("s{i}")).collect();
        assert!(Scopes::parse(&many.join(" ")).is_err());
    }
}
