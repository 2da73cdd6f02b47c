//! The operator's sign-in rules: allowed people, organizations and teams. They decide who may
//! sign in, and whose token the rest of Nectr may still be handed after the rules changed.

use nectr_domain::{AccessToken, IdentityProfile, User};

use super::{AuthService, CompleteSignInError, ProviderTokenError};
use crate::ports::{ProviderError, ProviderTerms};
use crate::providers::{RegisteredProvider, SignInRules};

/// Why the rules did not admit a person.
enum Refusal {
    /// No rule admits them.
    Outside,
    /// A membership rule could not be checked: the grant lacks the scope to read `what`.
    MembershipUnreadable { what: String, detail: String },
    /// The provider could not be asked.
    Provider(ProviderError),
}

impl AuthService {
    /// Admits the person at sign-in when no rule is set, or when they match any rule that is.
    pub(super) async fn admit(
        &self,
        registered: &RegisteredProvider,
        profile: &IdentityProfile,
        token: &AccessToken,
    ) -> Result<(), CompleteSignInError> {
        let provider = registered.adapter.as_ref();
        let username = profile.username();
        match check(registered, username, token).await {
            Ok(()) => Ok(()),
            Err(Refusal::Outside) => {
                tracing::info!(
                    provider = %provider.id(),
                    username,
                    "sign-in refused by the operator's rules"
                );
                Err(CompleteSignInError::NotAllowed(refusal_message(
                    provider.display_name(),
                    &provider.terms(),
                    username,
                    &registered.rules,
                )))
            }
            Err(Refusal::MembershipUnreadable { what, detail }) => {
                Err(CompleteSignInError::NotAllowed(format!(
                    "Sign-in is limited to members of certain {what}, and your membership could not be checked: {detail}"
                )))
            }
            Err(Refusal::Provider(e)) => Err(CompleteSignInError::Provider(e)),
        }
    }

    /// Whether the rules as they are now still admit a stored person, before the rest of
    /// Nectr is handed their token: narrowing the rules must not leave people who were
    /// admitted before acting through Nectr. `username` is the provider's current one when
    /// the caller has just read the profile, else the stored one.
    pub(super) async fn still_admitted(
        &self,
        registered: &RegisteredProvider,
        user: &User,
        username: &str,
        token: &AccessToken,
    ) -> Result<(), ProviderTokenError> {
        let provider = registered.adapter.as_ref();
        match check(registered, username, token).await {
            Ok(()) => Ok(()),
            Err(Refusal::Outside) => {
                tracing::info!(
                    user.id = %user.id,
                    provider = %provider.id(),
                    username,
                    "provider token withheld: the operator's rules no longer admit this person"
                );
                Err(ProviderTokenError::NotAllowed(format!(
                    "The sign-in rules no longer admit {} account `{username}`: this service admits only {}. Their token is not handed out, and they cannot sign in again until the rules admit them.",
                    provider.display_name(),
                    admitted(
                        provider.display_name(),
                        &provider.terms(),
                        &registered.rules
                    ),
                )))
            }
            Err(Refusal::MembershipUnreadable { what, detail }) => {
                Err(ProviderTokenError::NotAllowed(format!(
                    "The sign-in rules admit only members of certain {what}, and this person's membership could not be checked: {detail} Their token is not handed out until they sign in again and grant it."
                )))
            }
            // Revoked between the profile call and the membership call: the same answer as
            // a revocation the profile call saw.
            Err(Refusal::Provider(ProviderError::TokenRejected(_))) => {
                Err(super::provider_token::revoked(user))
            }
            Err(Refusal::Provider(e)) => Err(ProviderTokenError::Provider(e)),
        }
    }
}

/// Admits when no rule is set, or when the person matches any rule that is. The provider is
/// only asked for organizations or teams when a rule needs them, and the cheapest rule is
/// tried first.
async fn check(
    registered: &RegisteredProvider,
    username: &str,
    token: &AccessToken,
) -> Result<(), Refusal> {
    let rules = &registered.rules;
    if rules.is_open() || listed(&rules.users, username) {
        return Ok(());
    }
    let provider = registered.adapter.as_ref();
    if !rules.organizations.is_empty() {
        let organizations = provider
            .organizations(token)
            .await
            .map_err(|e| membership_unknown(e, &provider.terms().organizations))?;
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
    Err(Refusal::Outside)
}

fn listed(allowed: &[String], name: &str) -> bool {
    allowed.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// A membership check that failed is a refusal with the reason, never an admission.
fn membership_unknown(error: ProviderError, what: &str) -> Refusal {
    match error {
        ProviderError::ScopeMissing(detail) => Refusal::MembershipUnreadable {
            what: what.to_owned(),
            detail,
        },
        other => Refusal::Provider(other),
    }
}

/// Every rule, as "the people a, or members of the GitHub organizations b, or …".
fn admitted(provider: &str, terms: &ProviderTerms, rules: &SignInRules) -> String {
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
    admitted.join(", or ")
}

/// Names every rule, so the person knows what would let them in, and what to do when their
/// membership may merely be hidden from the app.
fn refusal_message(
    provider: &str,
    terms: &ProviderTerms,
    username: &str,
    rules: &SignInRules,
) -> String {
    let mut message = format!(
        "This service only admits {}; {provider} account `{username}` is none of these, so you are not signed in.",
        admitted(provider, terms, rules)
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
