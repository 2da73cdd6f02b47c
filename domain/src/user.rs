//! People and the profile an identity provider reports for them.

use crate::{DomainError, GithubId, Timestamp, UserId};

/// A person as we store them, keyed by their GitHub id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub github_id: GithubId,
    pub github_username: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What an identity provider says about the person who just signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProfile {
    subject: GithubId,
    username: String,
    name: Option<String>,
    email: Option<String>,
    avatar_url: Option<String>,
}

/// Longest value we keep for any profile text; providers' own limits are far below it.
const MAX_TEXT: usize = 1024;

impl IdentityProfile {
    /// Empty optional texts become `None`: providers send `""` and `null` alike for "unset".
    ///
    /// # Errors
    /// `DomainError::Malformed` for an empty username, or any text that is over 1024 bytes or
    /// holds control characters.
    pub fn new(
        subject: GithubId,
        username: String,
        name: Option<String>,
        email: Option<String>,
        avatar_url: Option<String>,
    ) -> Result<Self, DomainError> {
        if username.is_empty() {
            return Err(DomainError::Malformed {
                what: "username",
                rule: "not empty",
            });
        }
        let texts = [
            Some(&username),
            name.as_ref(),
            email.as_ref(),
            avatar_url.as_ref(),
        ];
        let acceptable =
            |text: &String| text.len() <= MAX_TEXT && !text.chars().any(char::is_control);
        if !texts.into_iter().flatten().all(acceptable) {
            return Err(DomainError::Malformed {
                what: "profile",
                rule: "texts of at most 1024 bytes without control characters",
            });
        }
        let present = |text: Option<String>| text.filter(|t| !t.trim().is_empty());
        Ok(Self {
            subject,
            username,
            name: present(name),
            email: present(email),
            avatar_url: present(avatar_url),
        })
    }

    pub fn subject(&self) -> GithubId {
        self.subject
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    pub fn avatar_url(&self) -> Option<&str> {
        self.avatar_url.as_deref()
    }

    /// The same profile with an email found elsewhere (GitHub's `/user/emails`).
    #[must_use]
    pub fn with_email(mut self, email: Option<String>) -> Self {
        self.email = email.filter(|e| !e.trim().is_empty() && e.len() <= MAX_TEXT);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> GithubId {
        GithubId::new(1).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn username_is_required() {
        assert!(IdentityProfile::new(id(), String::new(), None, None, None).is_err());
    }

    #[test]
    fn empty_optional_texts_become_none() -> Result<(), DomainError> {
        let p = IdentityProfile::new(
            id(),
            "octo".into(),
            Some(String::new()),
            Some(" ".into()),
            None,
        )?;
        assert_eq!((p.name(), p.email()), (None, None));
        Ok(())
    }

    #[test]
    fn unicode_names_are_kept() -> Result<(), DomainError> {
        let p = IdentityProfile::new(id(), "octo".into(), Some("Zoë 山田 🐙".into()), None, None)?;
        assert_eq!(p.name(), Some("Zoë 山田 🐙"));
        Ok(())
    }

    #[test]
    fn control_characters_and_huge_texts_are_refused() {
        assert!(IdentityProfile::new(id(), "oc\nto".into(), None, None, None).is_err());
        assert!(
            IdentityProfile::new(id(), "octo".into(), Some("x".repeat(2000)), None, None).is_err()
        );
    }
}
