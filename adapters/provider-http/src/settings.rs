//! Checks of the settings every provider has (base URLs, the client secret), and how URLs
//! and durations appear in messages.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// A base URL known to accept appended path segments.
#[derive(Clone, Debug)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Checks that paths can be appended to `url`, and that it carries nothing that would be
    /// lost or leaked that way.
    ///
    /// # Errors
    /// What is wrong with the URL, to be put in the adapter's setup error next to
    /// [`redacted`]`(url)` and the setting's name.
    pub fn check(url: &Url) -> Result<Self, &'static str> {
        if !matches!(url.scheme(), "http" | "https") {
            Err("it must start with https:// (or http:// for a local stand-in)")
        } else if url.cannot_be_a_base() || url.host().is_none() {
            Err("it has no host")
        } else if url.query().is_some() || url.fragment().is_some() {
            Err("it must not have a query or a fragment")
        } else if !url.username().is_empty() || url.password().is_some() {
            // It would be sent along with every call, and shown in messages.
            Err("it must not carry a user name or password")
        } else {
            Ok(Self(url.clone()))
        }
    }

    /// Appends segments to the base path, keeping any prefix (`/api/v3`, `/gitlab`) and
    /// ignoring a trailing slash, unlike `Url::join`, which would replace the last segment.
    /// Each segment is percent-encoded, so a client id cannot change the path.
    #[must_use]
    pub fn join(&self, segments: &[&str]) -> Url {
        let mut url = self.0.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }
}

/// A URL as it may appear in a message: without any password in it.
#[must_use]
pub fn redacted(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("redacted"));
    }
    shown.to_string()
}

/// How a base URL is named in messages: as people write it, without the trailing slash that
/// `Url` adds.
#[must_use]
pub fn shown(url: &Url) -> &str {
    url.as_str().trim_end_matches('/')
}

/// A duration as people read it in messages: `10 s`, `0.25 s`.
#[must_use]
pub fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

/// The first of the required settings (name, value) that is empty or only whitespace.
#[must_use]
pub fn first_blank(required: &[(&'static str, &str)]) -> Option<&'static str> {
    required
        .iter()
        .find(|(_, value)| value.trim().is_empty())
        .map(|(setting, _)| *setting)
}

/// Whether the secret has surrounding whitespace, the usual copy-and-paste mistake; providers
/// compare the secret exactly, so it would be refused.
#[must_use]
pub fn has_surrounding_whitespace(secret: &SecretString) -> bool {
    let secret = secret.expose_secret();
    secret.trim() != secret
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_appended_keeping_a_prefix() -> Result<(), Box<dyn std::error::Error>> {
        for base in ["https://example.com/gitlab", "https://example.com/gitlab/"] {
            let base = BaseUrl::check(&Url::parse(base)?)?;
            assert_eq!(
                base.join(&["oauth", "token"]).as_str(),
                "https://example.com/gitlab/oauth/token"
            );
        }
        Ok(())
    }

    #[test]
    fn unusable_base_urls_are_refused() -> Result<(), url::ParseError> {
        for bad in [
            "ftp://example.com",
            "mailto:a@b.c",
            "https://example.com/?a=b",
            "https://example.com/#top",
            "https://me:hunter2@example.com",
        ] {
            assert!(BaseUrl::check(&Url::parse(bad)?).is_err(), "{bad}");
        }
        assert!(!redacted(&Url::parse("https://me:hunter2@example.com")?).contains("hunter2"));
        Ok(())
    }

    #[test]
    fn messages_show_urls_and_durations_as_written() -> Result<(), url::ParseError> {
        assert_eq!(
            shown(&Url::parse("https://github.com/")?),
            "https://github.com"
        );
        assert_eq!(seconds(Duration::from_secs(10)), "10 s");
        assert_eq!(seconds(Duration::from_millis(250)), "0.25 s");
        Ok(())
    }

    #[test]
    fn secrets_with_surrounding_whitespace_are_noticed() {
        assert!(has_surrounding_whitespace(&SecretString::from(" s3cret")));
        assert!(!has_surrounding_whitespace(&SecretString::from("s3cret")));
        assert_eq!(first_blank(&[("A", "a"), ("B", " \t")]), Some("B"));
        assert_eq!(first_blank(&[("A", "a")]), None);
    }
}
