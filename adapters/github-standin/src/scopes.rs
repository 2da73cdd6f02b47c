//! OAuth scope lists: parsing, granting and the parent scopes GitHub lets stand in for children.

/// Splits a `scope` parameter on spaces and commas, dropping empties and repeats, keeping order.
pub(crate) fn parse(raw: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in raw.split([' ', ',']).filter(|s| !s.is_empty()) {
        if !scopes.iter().any(|known| known == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}

/// The scopes a person grants: what was requested, limited to what they are willing to grant.
pub(crate) fn granted(requested: &[String], allowed: Option<&[String]>) -> Vec<String> {
    match allowed {
        None => requested.to_vec(),
        Some(allowed) => requested
            .iter()
            .filter(|scope| allowed.contains(scope))
            .cloned()
            .collect(),
    }
}

/// Whether `held` includes every scope in `wanted`.
pub(crate) fn covers(held: &[String], wanted: &[String]) -> bool {
    wanted.iter().all(|scope| held.contains(scope))
}

/// Whether `held` includes any of `accepted`; a token with a parent scope (e.g. `user`) has
/// access to its children (e.g. `user:email`), so callers list both.
pub(crate) fn has_any(held: &[String], accepted: &[&str]) -> bool {
    held.iter().any(|scope| accepted.contains(&scope.as_str()))
}

/// A scope set in a canonical order, to compare "the same scope set" regardless of order.
pub(crate) fn canonical(scopes: &[String]) -> Vec<String> {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_spaces_and_commas() {
        assert_eq!(
            parse("read:user, user:email repo,,"),
            ["read:user", "user:email", "repo"]
        );
    }

    #[test]
    fn grants_the_intersection() {
        let requested = parse("read:user user:email");
        let allowed = parse("read:user");
        assert_eq!(granted(&requested, Some(&allowed)), ["read:user"]);
        assert_eq!(granted(&requested, None), requested);
    }
}
