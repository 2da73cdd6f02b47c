//! The registered OAuth Apps and the people who can sign in at the stand-in.

/// An OAuth App as registered on GitHub ("Settings → Developer settings → OAuth Apps").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthApp {
    /// The app's client ID.
    pub client_id: String,
    /// The app's client secret, compared byte for byte (surrounding whitespace makes it wrong).
    pub client_secret: String,
    /// The registered "Authorization callback URL".
    pub callback_url: String,
    /// Whether the app opted into expiring user tokens (8-hour access tokens plus refresh tokens).
    pub expiring_tokens: bool,
    /// Whether GitHub has suspended the app (authorize answers `application_suspended`).
    pub suspended: bool,
}

impl OAuthApp {
    /// An active app with non-expiring tokens.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        callback_url: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            callback_url: callback_url.into(),
            expiring_tokens: false,
            suspended: false,
        }
    }
}

/// One address of a person, as `GET /user/emails` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// The address.
    pub email: String,
    /// Whether it is the primary address.
    pub primary: bool,
    /// Whether the person verified it.
    pub verified: bool,
    /// `Some("public")`, `Some("private")` or `None`, as GitHub reports it.
    pub visibility: Option<String>,
}

impl Email {
    fn new(email: &str, primary: bool, verified: bool, visibility: Option<&str>) -> Self {
        Self {
            email: email.to_owned(),
            primary,
            verified,
            visibility: visibility.map(str::to_owned),
        }
    }
}

/// A team a person is in, as `GET /user/teams` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    /// The login of the organization the team belongs to.
    pub org: String,
    /// The team's slug, its name in URLs (`org/slug` in settings).
    pub slug: String,
    /// The team's display name.
    pub name: String,
}

impl Team {
    pub fn new(org: impl Into<String>, slug: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            org: org.into(),
            slug: slug.into(),
            name: name.into(),
        }
    }
}

/// A GitHub account that can approve (or cancel) an authorization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// The stable numeric id (an int64 on GitHub).
    pub id: i64,
    /// The login, which people can change.
    pub login: String,
    /// The display name, which can be unset.
    pub name: Option<String>,
    /// The public email shown by `GET /user`, which can be unset.
    pub public_email: Option<String>,
    /// All addresses, as `GET /user/emails` lists them.
    pub emails: Vec<Email>,
    /// The avatar URL `GET /user` reports. Empty (as in every ready-made person) means the
    /// stand-in's own offline avatar, `{web_url}/avatars/u/{id}`.
    pub avatar_url: String,
    /// Logins of the organizations the person is a member of. `GET /user/orgs` lists those
    /// the authorization may see (see `GithubStandIn::restrict_org_access`).
    pub orgs: Vec<String>,
    /// The teams the person is in, across their organizations.
    pub teams: Vec<Team>,
    /// `false` makes the token exchange answer `unverified_user_email`.
    pub verified_email: bool,
    /// `None` grants every requested scope; `Some(list)` grants only the requested scopes in it.
    pub grants_scopes: Option<Vec<String>>,
}

impl Person {
    fn base(id: i64, login: &str, name: Option<&str>) -> Self {
        Self {
            id,
            login: login.to_owned(),
            name: name.map(str::to_owned),
            public_email: None,
            emails: Vec::new(),
            // Served by the stand-in itself, so avatars show without internet access.
            avatar_url: String::new(),
            orgs: Vec::new(),
            teams: Vec::new(),
            verified_email: true,
            grants_scopes: None,
        }
    }

    /// The default person: public email, a name, one organization with one team.
    pub fn octocat() -> Self {
        Self {
            public_email: Some("octocat@github.com".to_owned()),
            emails: vec![
                Email::new("octocat@github.com", true, true, Some("public")),
                Email::new("octocat@users.noreply.github.com", false, true, None),
            ],
            orgs: vec!["octo-org".to_owned()],
            teams: vec![Team::new("octo-org", "developers", "Developers")],
            ..Self::base(583_231, "octocat", Some("The Octocat"))
        }
    }

    /// No public email (`email` is null in `GET /user`); a primary verified private address.
    pub fn private_email() -> Self {
        Self {
            emails: vec![
                Email::new("old-address@example.com", false, false, None),
                Email::new("quiet@example.com", true, true, Some("private")),
            ],
            ..Self::base(1_001, "quiet-person", Some("Quiet Person"))
        }
    }

    /// An id above 2^31 (5 000 000 000), which overflows 32-bit integers.
    pub fn big_id() -> Self {
        Self {
            public_email: Some("big@example.com".to_owned()),
            emails: vec![Email::new("big@example.com", true, true, Some("public"))],
            ..Self::base(5_000_000_000, "big-id-person", Some("Big Id"))
        }
    }

    /// A name outside ASCII, including characters outside the Basic Multilingual Plane.
    pub fn unicode_name() -> Self {
        Self {
            public_email: Some("zoe@example.com".to_owned()),
            emails: vec![Email::new("zoe@example.com", true, true, Some("public"))],
            ..Self::base(1_002, "zoe-unicode", Some("Zoë Ñandú 李雷 🐙"))
        }
    }

    /// A person whose primary email is unverified; the token exchange answers
    /// `unverified_user_email`.
    pub fn unverified() -> Self {
        Self {
            emails: vec![Email::new("unverified@example.com", true, false, None)],
            verified_email: false,
            ..Self::base(1_003, "unverified-person", None)
        }
    }

    /// A distinct person per `n` (id `10_000_000 + n`), for load tests.
    pub fn numbered(n: u64) -> Self {
        let id = i64::try_from(n)
            .ok()
            .and_then(|n| n.checked_add(10_000_000))
            .unwrap_or(i64::MAX);
        let email = format!("person-{n}@example.com");
        Self {
            public_email: Some(email.clone()),
            emails: vec![Email::new(&email, true, true, Some("public"))],
            ..Self::base(id, &format!("person-{n}"), Some(&format!("Person {n}")))
        }
    }
}

/// The ready-made people an interactive sign-in page offers, with the form key of each.
pub(crate) fn presets() -> [(&'static str, Person); 5] {
    [
        ("octocat", Person::octocat()),
        ("private-email", Person::private_email()),
        ("big-id", Person::big_id()),
        ("unicode-name", Person::unicode_name()),
        ("unverified", Person::unverified()),
    ]
}

/// GitHub's login rule: 1 to 39 ASCII letters, digits or hyphens, not starting or ending with
/// a hyphen.
pub(crate) fn valid_login(login: &str) -> bool {
    (1..=39).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !login.starts_with('-')
        && !login.ends_with('-')
}

/// A person typed in on the interactive page. The id comes from the lowercased login (logins
/// are case-insensitive on GitHub), so the same login is the same person in every run; the
/// range 100 000 000 to 1 099 999 999 stays clear of the ready-made people's ids.
pub(crate) fn custom(login: &str, name: Option<&str>, email: Option<&str>) -> Person {
    // FNV-1a: fixed by its definition, unlike std's hasher, which may change between releases.
    let hash = login
        .to_ascii_lowercase()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    let id = 100_000_000 + i64::try_from(hash % 1_000_000_000).unwrap_or_default();
    Person {
        public_email: email.map(str::to_owned),
        emails: email
            .map(|e| vec![Email::new(e, true, true, Some("public"))])
            .unwrap_or_default(),
        ..Person::base(id, login, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_rule() {
        for good in ["a", "octo-cat", "A1", &"x".repeat(39)] {
            assert!(valid_login(good), "{good}");
        }
        for bad in ["", "-a", "a-", "a b", "a_b", "zoë", &"x".repeat(40)] {
            assert!(!valid_login(bad), "{bad}");
        }
    }

    #[test]
    fn custom_ids_are_stable_and_case_insensitive() {
        let first = custom("Some-One", None, None);
        assert_eq!(first.id, custom("some-one", Some("x"), None).id);
        assert_ne!(first.id, custom("some-two", None, None).id);
        assert!((100_000_000..1_100_000_000).contains(&first.id));
        // Pinned: a changed formula would turn every developer's saved person into another.
        assert_eq!(custom("dev-person", None, None).id, 1_016_777_118);
        assert_eq!(first.login, "Some-One");
        let with_email = custom("a", Some("A"), Some("a@example.com"));
        assert_eq!(with_email.public_email.as_deref(), Some("a@example.com"));
        assert!(with_email.emails[0].primary && with_email.emails[0].verified);
    }
}
