//! The operator's sign-in rules: allowed people, organizations and teams.

use nectr_domain::{AccessToken, IdentityProfile};

use super::{AuthService, CompleteSignInError};
use crate::ports::{ProviderError, ProviderTerms};
use crate::providers::{RegisteredProvider, SignInRules};

impl AuthService {
    /// Admits the person when no rule is set, or when they match any rule that is. The
    /// provider is only asked for organizations or teams when a rule needs them, and the
    /// cheapest rule is tried first.
    pub(super) async fn admit(
        &self,
        registered: &RegisteredProvider,
        profile: &IdentityProfile,
        token: &AccessToken,
    ) -> Result<(), CompleteSignInError> {
        let rules = &registered.rules;
        if rules.is_open() || listed(&rules.users, profile.username()) {
            return Ok(());
        }
        let provider = registered.adapter.as_ref();
        let terms = provider.terms();
        if !rules.organizations.is_empty() {
            let organizations = provider
                .organizations(token)
                .await
                .map_err(|e| membership_unknown(e, &terms.organizations))?;
            if organizations
                .iter()
                .any(|o| listed(&rules.organizations, &o.login))
            {
                return Ok(());
            }
        }
        if !rules.teams.is_empty() {
            let teams = provider
                .teams(token)
                .await
                .map_err(|e| membership_unknown(e, "teams"))?;
            if teams
                .iter()
                .any(|t| listed(&rules.teams, &format!("{}/{}", t.organization, t.slug)))
            {
                return Ok(());
            }
        }
        tracing::info!(
            provider = %provider.id(),
            username = profile.username(),
            "sign-in refused by the operator's rules"
        );
        Err(CompleteSignInError::NotAllowed(refusal_message(
            provider.display_name(),
            &terms,
            profile.username(),
            rules,
        )))
    }
}

fn listed(allowed: &[String], name: &str) -> bool {
    allowed.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// A membership check that failed is a refusal with the reason, never an admission.
fn membership_unknown(error: ProviderError, what: &str) -> CompleteSignInError {
    match error {
        ProviderError::ScopeMissing(detail) => CompleteSignInError::NotAllowed(format!(
            "Sign-in is limited to members of certain {what}, and your membership could not be checked: {detail}"
        )),
        other => CompleteSignInError::Provider(other),
    }
}

/// Names every rule, so the person knows what would let them in, and what to do when their
/// membership may merely be hidden from the app.
fn refusal_message(
    provider: &str,
    terms: &ProviderTerms,
    username: &str,
    rules: &SignInRules,
) -> String {
    let mut admitted = Vec::new();
    if !rules.users.is_empty() {
        admitted.push(format!("the people {}", rules.users.join(", ")));
    }
    if !rules.organizations.is_empty() {
        admitted.push(format!(
            "members of the {provider} {} {}",
            terms.organizations,
            rules.organizations.join(", ")
        ));
    }
    if !rules.teams.is_empty() {
        admitted.push(format!("members of the teams {}", rules.teams.join(", ")));
    }
    let mut message = format!(
        "This service only admits {}; {provider} account `{username}` is none of these, so you are not signed in.",
        admitted.join(", or ")
    );
    if !rules.organizations.is_empty() || !rules.teams.is_empty() {
        match &terms.hidden_membership {
            Some(advice) => {
                message.push(' ');
                message.push_str(advice);
            }
            None => message.push_str(
                " If you should be a member of one of them, ask its owners to add you, then sign in again.",
            ),
        }
    } else {
        message.push_str(" Ask the operator to add you if you should have access.");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_every_rule_and_the_access_page() {
        let rules = SignInRules {
            users: vec!["alice".into()],
            organizations: vec!["acme".into()],
            teams: vec!["acme/reviewers".into()],
        };
        let terms = ProviderTerms {
            hidden_membership: Some(
                "Review access at https://github.com/settings/connections/applications/abc.".into(),
            ),
            ..ProviderTerms::generic("GitHub")
        };
        let m = refusal_message("GitHub", &terms, "mallory", &rules);
        for part in [
            "the people alice",
            "GitHub organizations acme",
            "teams acme/reviewers",
            "`mallory`",
            "https://github.com/settings/connections/applications/abc",
        ] {
            assert!(m.contains(part), "{part} missing from {m}");
        }
    }

    #[test]
    fn the_message_uses_the_providers_words_for_its_groups() {
        let rules = SignInRules {
            organizations: vec!["acme/platform".into()],
            ..SignInRules::default()
        };
        let terms = ProviderTerms {
            organizations: "groups".into(),
            ..ProviderTerms::generic("GitLab")
        };
        let m = refusal_message("GitLab", &terms, "mallory", &rules);
        assert!(
            m.contains("members of the GitLab groups acme/platform"),
            "{m}"
        );
        assert!(m.contains("ask its owners to add you"), "{m}");
        assert!(!m.contains("organization"), "{m}");
    }

    #[test]
    fn names_compare_without_case() {
        assert!(listed(&["OctoCat".into()], "octocat"));
        assert!(!listed(&["octocat".into()], "octocat2"));
    }
}
