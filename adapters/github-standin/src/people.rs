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
    /// The avatar URL.
    pub avatar_url: String,
    /// Logins of the organizations this authorization may see.
    pub orgs: Vec<String>,
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
            avatar_url: format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
            orgs: Vec::new(),
            verified_email: true,
            grants_scopes: None,
        }
    }

    /// The default person: public email, a name, one organization.
    pub fn octocat() -> Self {
        Self {
            public_email: Some("octocat@github.com".to_owned()),
            emails: vec![
                Email::new("octocat@github.com", true, true, Some("public")),
                Email::new("octocat@users.noreply.github.com", false, true, None),
            ],
            orgs: vec!["octo-org".to_owned()],
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
