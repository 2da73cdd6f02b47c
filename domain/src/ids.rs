//! Identifiers of people: ours and GitHub's.

use crate::DomainError;

/// Our own id of a person (the database key, the JWT `sub`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(i64);

impl UserId {
    /// # Errors
    /// `DomainError::NotPositive` for zero or a negative number.
    pub fn new(value: i64) -> Result<Self, DomainError> {
        positive(value, "user id").map(Self)
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

/// A GitHub account id. GitHub documents it as int64, and logins can change, so people are
/// keyed by this number, never by their login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GithubId(i64);

impl GithubId {
    /// # Errors
    /// `DomainError::NotPositive` for zero or a negative number.
    pub fn new(value: i64) -> Result<Self, DomainError> {
        positive(value, "GitHub id").map(Self)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for GithubId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

fn positive(value: i64, what: &'static str) -> Result<i64, DomainError> {
    if value > 0 {
        Ok(value)
    } else {
        Err(DomainError::NotPositive { what })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_positive() {
        assert!(UserId::new(0).is_err());
        assert!(UserId::new(-5).is_err());
        assert!(GithubId::new(0).is_err());
        assert_eq!(UserId::new(7).map(UserId::get), Ok(7));
    }

    #[test]
    fn github_ids_use_the_whole_64_bit_range() {
        let big = i64::from(u32::MAX) * 4;
        assert_eq!(GithubId::new(big).map(GithubId::get), Ok(big));
        assert_eq!(GithubId::new(i64::MAX).map(GithubId::get), Ok(i64::MAX));
    }

    #[test]
    fn user_id_parses_only_decimal_integers() {
        assert_eq!(UserId::parse("42").map(UserId::get), Ok(42));
        assert!(UserId::parse("42a").is_err());
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse("0").is_err());
        assert!(UserId::parse("99999999999999999999").is_err());
    }
}
