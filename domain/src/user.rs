//! People and the profile an identity provider reports for them.

use crate::{DomainError, Identity, Scopes, Subject, Timestamp, UserId};

/// A person as we store them, keyed by their identity at their provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub identity: Identity,
    pub username: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    /// What the provider last said it granted; `None` when it never said (people who signed
    /// in before scopes were recorded, or a provider that does not report them).
    pub granted_scopes: Option<Scopes>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What an identity provider says about the person who just signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProfile {
    subject: Subject,
    username: String,
    name: Option<String>,
    email: Option<String>,
    avatar_url: Option<String>,
    granted_scopes: Option<Scopes>,
}

/// Longest value we keep for any profile text; providers' own limits are far below it.
const MAX_TEXT: usize = 1024;

impl IdentityProfile {
    /// Empty optional texts become `None`: providers send `""` and `null` alike for "unset".
    /// Optional texts are cleaned rather than refused, so an odd display name never locks a
    /// person out: control characters in a name become spaces, an email or avatar URL with
    /// one (or over 1024 bytes) is dropped, a name is cut to 1024 bytes.
    ///
    /// # Errors
    /// `DomainError::Malformed` for a username that is empty, over 1024 bytes or holds
    /// control characters: it identifies the person on screen, so it must be exact.
    pub fn new(
        subject: Subject,
        username: String,
        name: Option<String>,
        email: Option<String>,
        avatar_url: Option<String>,
    ) -> Result<Self, DomainError> {
        if username.is_empty()
            || username.len() > MAX_TEXT
            || username.chars().any(char::is_control)
        {
            return Err(DomainError::Malformed {
                what: "username",
                rule: "1 to 1024 bytes without control characters",
            });
        }
        let name = name.map(|n| {
            let cleaned: String = n
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            truncate(cleaned, MAX_TEXT)
        });
        Ok(Self {
            subject,
            username,
            name: present(name),
            email: present(email).filter(|e| acceptable(e)),
            avatar_url: present(avatar_url).filter(|u| acceptable(u)),
            granted_scopes: None,
        })
    }

    pub fn subject(&self) -> &Subject {
        &self.subject
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

    /// The scopes the provider says the token carries (GitHub's `X-OAuth-Scopes`).
    pub fn granted_scopes(&self) -> Option<&Scopes> {
        self.granted_scopes.as_ref()
    }

    #[must_use]
    pub fn with_granted_scopes(mut self, scopes: Option<Scopes>) -> Self {
        self.granted_scopes = scopes;
        self
    }

    /// The same profile with an email found elsewhere (GitHub's `/user/emails`).
    #[must_use]
    pub fn with_email(mut self, email: Option<String>) -> Self {
        self.email = present(email).filter(|e| acceptable(e));
        self
    }
}

fn present(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

fn acceptable(text: &str) -> bool {
    text.len() <= MAX_TEXT && !text.chars().any(char::is_control)
}

/// At most `max` bytes, cut at a character boundary.
fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let cut = (0..=max)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> Subject {
        Subject::from_number(1).unwrap_or_else(|_| unreachable!())
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
    fn a_bad_username_is_refused() {
        assert!(IdentityProfile::new(id(), "oc\nto".into(), None, None, None).is_err());
        assert!(IdentityProfile::new(id(), "o".repeat(1025), None, None, None).is_err());
    }

    #[test]
    fn odd_optional_texts_are_cleaned_not_refused() -> Result<(), DomainError> {
        let p = IdentityProfile::new(
            id(),
            "octo".into(),
            Some(format!("Zoë\tTab{}", "é".repeat(600))),
            Some("bad\u{0}@example.com".into()),
            Some("x".repeat(2000)),
        )?;
        let name = p.name().unwrap_or_default();
        assert!(name.starts_with("Zoë Tab") && name.len() <= 1024, "{name}");
        assert_eq!((p.email(), p.avatar_url()), (None, None));
        Ok(())
    }
}
