//! GitLab's scopes: which ones this service asks for, and which broader scope includes a
//! narrower one.

use nectr_domain::Scopes;

/// Read-only access to the signed-in person's profile through `GET /api/v4/user`.
pub const READ_USER: &str = "read_user";
/// Read access to the whole API, which `GET /api/v4/groups` needs.
pub const READ_API: &str = "read_api";

/// Each scope with the scopes it includes as far as this service's calls go: `api` (read and
/// write access to the whole API) opens everything `read_api` does, which opens
/// `GET /api/v4/user`, all `read_user` is asked for.
const INCLUDES: &[(&str, &[&str])] = &[("api", &[READ_API]), (READ_API, &[READ_USER])];

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
        assert!(covers(&granted("read_user"), READ_USER));
        assert!(covers(&granted("read_api"), READ_USER));
        assert!(covers(&granted("api"), READ_USER));
        assert!(covers(&granted("api"), READ_API));
        assert!(covers(&granted("read_user read_api"), READ_API));
    }

    #[test]
    fn nothing_covers_a_broader_or_unrelated_scope() {
        assert!(!covers(&granted("read_user"), READ_API));
        assert!(!covers(&granted("read_api"), "api"));
        assert!(!covers(&granted("openid profile email"), READ_USER));
        assert!(!covers(&granted(""), READ_USER));
    }
}
