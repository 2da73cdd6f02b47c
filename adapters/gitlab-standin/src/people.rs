//! The registered OAuth applications and the people (with their groups) who can sign in.

use crate::scopes;

/// An OAuth application as registered on GitLab ("User settings → Applications", or a group's
/// or the instance's applications).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthApp {
    /// The "Application ID" (`client_id`).
    pub client_id: String,
    /// The "Secret", compared byte for byte (surrounding whitespace makes it wrong).
    pub client_secret: String,
    /// The registered redirect URIs (GitLab takes one per line); `redirect_uri` must be one of
    /// them exactly.
    pub redirect_uris: Vec<String>,
    /// The scopes ticked at registration: an authorize request may ask only for these.
    pub scopes: Vec<String>,
    /// The "Confidential" box (ticked by default). A confidential app must send its secret to
    /// the token endpoint; a public one may send its `client_id` alone (and then uses PKCE).
    pub confidential: bool,
}

impl OAuthApp {
    /// A confidential app with one redirect URI and the scopes [`OAuthApp::DEFAULT_SCOPES`].
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uris: vec![redirect_uri.into()],
            scopes: Self::DEFAULT_SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            confidential: true,
        }
    }

    /// The scopes [`OAuthApp::new`] ticks: enough for sign-in, `GET /user` and `GET /groups`.
    pub const DEFAULT_SCOPES: [&'static str; 6] =
        ["api", "read_api", "read_user", "openid", "profile", "email"];

    /// The same app with exactly these scopes ticked.
    #[must_use]
    pub fn with_scopes(mut self, wanted: &str) -> Self {
        self.scopes = scopes::parse(wanted);
        self
    }
}

/// A role in a group, as GitLab numbers it (`access_level`).
pub mod access_level {
    /// Minimal Access (Premium and Ultimate): sees the group, not its content.
    pub const MINIMAL_ACCESS: u8 = 5;
    /// Guest.
    pub const GUEST: u8 = 10;
    /// Planner.
    pub const PLANNER: u8 = 15;
    /// Reporter.
    pub const REPORTER: u8 = 20;
    /// Developer.
    pub const DEVELOPER: u8 = 30;
    /// Maintainer.
    pub const MAINTAINER: u8 = 40;
    /// Owner.
    pub const OWNER: u8 = 50;

    /// Every value `min_access_level` accepts.
    pub(crate) const ALL: [u8; 7] = [
        MINIMAL_ACCESS,
        GUEST,
        PLANNER,
        REPORTER,
        DEVELOPER,
        MAINTAINER,
        OWNER,
    ];
}

/// A group a person belongs to, with the person's role in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The group's numeric id.
    pub id: i64,
    /// The display name, e.g. `Backend`.
    pub name: String,
    /// The last path segment, e.g. `backend`.
    pub path: String,
    /// The whole path from the top-level group, e.g. `acme/backend`.
    pub full_path: String,
    /// The parent group's id, for a subgroup.
    pub parent_id: Option<i64>,
    /// `public`, `internal` or `private`.
    pub visibility: String,
    /// The person's role: one of the [`access_level`] values.
    pub access_level: u8,
}

impl Group {
    /// A private top-level group whose path is its name lowercased with spaces as hyphens.
    pub fn new(id: i64, name: &str, access_level: u8) -> Self {
        let path = name.to_lowercase().replace(' ', "-");
        Self {
            id,
            name: name.to_owned(),
            full_path: path.clone(),
            path,
            parent_id: None,
            visibility: "private".to_owned(),
            access_level,
        }
    }

    /// A subgroup of `parent` (same visibility) named `name`.
    pub fn subgroup(parent: &Group, id: i64, name: &str, access_level: u8) -> Self {
        let child = Self::new(id, name, access_level);
        Self {
            full_path: format!("{}/{}", parent.full_path, child.path),
            parent_id: Some(parent.id),
            visibility: parent.visibility.clone(),
            ..child
        }
    }
}

/// A GitLab account that can approve (or deny) an authorization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// The stable numeric id (int64 on GitLab).
    pub id: i64,
    /// The username, which people can change.
    pub username: String,
    /// The full name.
    pub name: String,
    /// The primary email `GET /user` reports as `email`; `None` leaves the field out.
    pub email: Option<String>,
    /// The public email (`public_email`, null when unset).
    pub public_email: Option<String>,
    /// The avatar URL; `None` reports null, as a self-managed instance without Gravatar does
    /// (so nothing is fetched from the internet).
    pub avatar_url: Option<String>,
    /// The groups the person belongs to.
    pub groups: Vec<Group>,
}

impl Person {
    fn base(id: i64, username: &str, name: &str, email: Option<&str>) -> Self {
        Self {
            id,
            username: username.to_owned(),
            name: name.to_owned(),
            email: email.map(str::to_owned),
            public_email: None,
            avatar_url: None,
            groups: Vec::new(),
        }
    }

    /// The default person: an email (also public), three groups with different roles (one a
    /// subgroup) and one with Minimal Access, which `min_access_level=10` leaves out.
    pub fn tanuki() -> Self {
        let top = Group::new(7_001, "Tanuki Test Group", access_level::OWNER);
        let backend = Group::subgroup(&top, 7_002, "Backend", access_level::DEVELOPER);
        let guest = Group {
            visibility: "public".to_owned(),
            ..Group::new(7_003, "Open Source Friends", access_level::GUEST)
        };
        let minimal = Group::new(7_004, "Minimal Corp", access_level::MINIMAL_ACCESS);
        Self {
            public_email: Some("tanuki@example.com".to_owned()),
            groups: vec![top, backend, guest, minimal],
            ..Self::base(
                4_242_001,
                "tanuki",
                "Tanuki Test",
                Some("tanuki@example.com"),
            )
        }
    }

    /// No email at all: `email` is left out of `GET /user` and `public_email` is null.
    pub fn no_email() -> Self {
        Self::base(4_242_002, "quiet.person", "Quiet Person", None)
    }

    /// An id above 2^53 (9 007 199 254 740 993): too big for 32-bit integers, and not exact
    /// as a JavaScript number or an `f64`.
    pub fn big_id() -> Self {
        Self::base(
            9_007_199_254_740_993,
            "big_id_person",
            "Big Id",
            Some("big@example.com"),
        )
    }

    /// A name outside ASCII, including a character outside the Basic Multilingual Plane.
    pub fn unicode_name() -> Self {
        Self {
            groups: vec![Group::new(7_010, "Équipe Ñandú", access_level::MAINTAINER)],
            ..Self::base(
                4_242_003,
                "zoe.nandu",
                "Zoë Ñandú 李雷 🦊",
                Some("zoe@example.com"),
            )
        }
    }

    /// A distinct person per `n` (id `20_000_000 + n`, username `person-{n}`), for load tests.
    pub fn numbered(n: u64) -> Self {
        let id = i64::try_from(n)
            .ok()
            .and_then(|n| n.checked_add(20_000_000))
            .unwrap_or(i64::MAX);
        Self::base(
            id,
            &format!("person-{n}"),
            &format!("Person {n}"),
            Some(&format!("person-{n}@example.com")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subgroups_carry_the_full_path_and_parent() {
        let top = Group::new(1, "Acme Corp", access_level::OWNER);
        assert_eq!(top.path, "acme-corp");
        let child = Group::subgroup(&top, 2, "Backend", access_level::GUEST);
        assert_eq!(child.full_path, "acme-corp/backend");
        assert_eq!(child.parent_id, Some(1));
    }

    #[test]
    fn ready_made_people_are_distinct() {
        let ids = [
            Person::tanuki().id,
            Person::no_email().id,
            Person::big_id().id,
            Person::unicode_name().id,
            Person::numbered(1).id,
        ];
        for (i, id) in ids.iter().enumerate() {
            assert!(!ids[i + 1..].contains(id));
        }
        assert!(Person::big_id().id > i64::from(i32::MAX));
        assert!(Person::no_email().email.is_none());
    }
}
