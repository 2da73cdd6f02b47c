//! Identifiers of people: ours, and the identity provider's.

use std::sync::Arc;

use crate::DomainError;

/// Our own id of a person (the database key, the JWT `sub`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(i64);

impl UserId {
    /// # Errors
    /// `DomainError::NotPositive` for zero or a negative number.
    pub fn new(value: i64) -> Result<Self, DomainError> {
        if value > 0 {
            Ok(Self(value))
        } else {
            Err(DomainError::NotPositive { what: "user id" })
        }
    }

    /// Parses the decimal form used in the session token's `sub`.
    ///
    /// # Errors
    /// `DomainError::Malformed` for anything but a decimal integer, `NotPositive` below 1.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let value = text.parse::<i64>().map_err(|_| DomainError::Malformed {
            what: "user id",
            rule: "a decimal integer",
        })?;
        Self::new(value)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Which identity provider: a short lowercase name (`github`, `gitlab`) that is also the path
/// segment of its routes (`/auth/{provider}`) and what the database stores. Shared, not
/// copied: every session check clones the person it names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProviderId(Arc<str>);

impl ProviderId {
    /// # Errors
    /// `DomainError::Malformed` unless 1 to 32 characters of `a-z`, `0-9` and `-`, starting
    /// with a letter.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let ok = (1..=32).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(Arc::from(text)))
        } else {
            Err(DomainError::Malformed {
                what: "provider id",
                rule: "1 to 32 characters of a-z, 0-9 and -, starting with a letter",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The provider's own, stable id of a person (GitHub's and GitLab's numeric `id`, an OpenID
/// `sub`), as text so any provider's form fits. Usernames can change; this does not.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subject(Arc<str>);

impl Subject {
    /// # Errors
    /// `DomainError::Malformed` unless 1 to 255 printable ASCII characters without spaces.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let ok = (1..=255).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(Arc::from(text)))
        } else {
            Err(DomainError::Malformed {
                what: "provider user id",
                rule: "1 to 255 printable ASCII characters without spaces",
            })
        }
    }

    /// A numeric id, as GitHub and GitLab document theirs (int64).
    ///
    /// # Errors
    /// `DomainError::NotPositive` for zero or a negative number.
    pub fn from_number(value: i64) -> Result<Self, DomainError> {
        if value > 0 {
            Ok(Self(Arc::from(value.to_string())))
        } else {
            Err(DomainError::NotPositive {
                what: "provider user id",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who a person is: their provider and the provider's id of them. People are keyed by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    pub provider: ProviderId,
    pub subject: Subject,
}

impl Identity {
    pub fn new(provider: ProviderId, subject: Subject) -> Self {
        Self { provider, subject }
    }

    /// The numeric subject when the provider is `provider`, e.g. the `github_id` of a GitHub
    /// person; `None` for anyone else.
    pub fn numeric_subject_at(&self, provider: &str) -> Option<i64> {
        (self.provider.as_str() == provider)
            .then(|| self.subject.as_str().parse().ok())
            .flatten()
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.provider, self.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_ids_are_path_safe() {
        assert!(ProviderId::parse("github").is_ok());
        assert!(ProviderId::parse("gitlab-self").is_ok());
        for bad in ["", "GitHub", "1lab", "git/hub", "git hub", &"a".repeat(33)] {
            assert!(ProviderId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn subjects_hold_large_numbers_and_strings() -> Result<(), DomainError> {
        assert_eq!(
            Subject::from_number(i64::MAX)?.as_str(),
            "9223372036854775807"
        );
        assert!(Subject::from_number(0).is_err());
        assert!(Subject::parse("00u1abcd-ef").is_ok());
        assert!(Subject::parse("a b").is_err());
        assert!(Subject::parse("").is_err());
        Ok(())
    }

    #[test]
    fn numeric_subject_only_for_its_provider() -> Result<(), DomainError> {
        let id = Identity::new(ProviderId::parse("github")?, Subject::from_number(42)?);
        assert_eq!(id.numeric_subject_at("github"), Some(42));
        assert_eq!(id.numeric_subject_at("gitlab"), None);
        Ok(())
    }
}
