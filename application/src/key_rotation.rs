//! Re-sealing every stored token under the current key, so an old key can be retired.

use std::sync::Arc;

use nectr_domain::UserId;

use crate::ports::{StoreError, TokenCipher, UserStore};

/// What a rotation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RotationReport {
    /// Tokens looked at.
    pub examined: u64,
    /// Tokens re-sealed under the current key.
    pub resealed: u64,
    /// Tokens already under the current key.
    pub already_current: u64,
    /// Tokens no configured key opens (their key was dropped, or the row is damaged). They
    /// are left as they are; those people sign in again.
    pub unreadable: u64,
    /// Tokens replaced by a sign-in while the rotation ran (the sign-in's is current).
    pub changed_meanwhile: u64,
}

/// Walks the people in id order, in pages, re-sealing what an older key sealed.
///
/// Safe to interrupt (each token is replaced on its own, and a rerun skips current ones) and
/// to run while serving (a token is only replaced if it is still the one that was read).
pub struct KeyRotation {
    users: Arc<dyn UserStore>,
    cipher: Arc<dyn TokenCipher>,
}

impl KeyRotation {
    pub fn new(users: Arc<dyn UserStore>, cipher: Arc<dyn TokenCipher>) -> Self {
        Self { users, cipher }
    }

    /// Runs to the end, calling `progress` after every page.
    ///
    /// # Errors
    /// `StoreError` when the database fails; what was re-sealed so far stays re-sealed.
    pub async fn run(
        &self,
        page_size: u32,
        mut progress: impl FnMut(&RotationReport),
    ) -> Result<RotationReport, StoreError> {
        let mut report = RotationReport::default();
        let mut after: Option<UserId> = None;
        loop {
            let page = self
                .users
                .sealed_tokens_after(after, page_size.max(1))
                .await?;
            let Some((last, _, _)) = page.last() else {
                return Ok(report);
            };
            after = Some(*last);
            for (id, owner, sealed) in page {
                report.examined += 1;
                if self.cipher.is_current(&sealed) {
                    report.already_current += 1;
                    continue;
                }
                let Ok(tokens) = self.cipher.open(&sealed, &owner) else {
                    report.unreadable += 1;
                    continue;
                };
                let resealed = self.cipher.seal(&tokens, &owner);
                if self
                    .users
                    .replace_sealed_token(id, &sealed, &resealed)
                    .await?
                {
                    report.resealed += 1;
                } else {
                    report.changed_meanwhile += 1;
                }
            }
            progress(&report);
        }
    }
}
