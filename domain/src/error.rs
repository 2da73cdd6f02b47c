//! The one error type of the domain: a value that breaks a rule.

/// A value that breaks one of the domain's rules. The message names the rule, never the value
/// (values may be secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{what} must be a positive integer")]
    NotPositive { what: &'static str },
    #[error("{what} is not well-formed: {rule}")]
    Malformed {
        what: &'static str,
        rule: &'static str,
    },
}
