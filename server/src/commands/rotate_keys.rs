//! `nectr-auth rotate-keys`: re-seal every stored GitHub token under the current
//! `SECRET_KEY`, so the keys in `PREVIOUS_SECRET_KEYS` can be retired without losing tokens.

use std::sync::Arc;

use nectr_application::KeyRotation;
use nectr_crypto::{AesGcmTokenCipher, Keyring};
use nectr_db::Database;

use crate::settings::KeySource;
use crate::telemetry;

pub async fn rotate_keys(page_size: u32) -> i32 {
    let Some(settings) = super::load_settings() else {
        return 2;
    };
    if matches!(settings.key_source, KeySource::Ephemeral) {
        eprintln!(
            "error: SECRET_KEY is not set: rotate-keys re-seals tokens under SECRET_KEY, so set the key the service uses (and the old ones in PREVIOUS_SECRET_KEYS)"
        );
        return 2;
    }
    telemetry::init(&settings.log_filter, settings.log_format);
    let keyring = Keyring::new(
        settings.secret_key.clone(),
        settings.previous_secret_keys.clone(),
    );
    let database = match Database::connect(&settings.database, 2).await {
        Ok(database) => database,
        Err(e) => {
            eprintln!("error: DATABASE_URL: {e}");
            return 1;
        }
    };
    let described = database.describe();
    let rotation = KeyRotation::new(
        Arc::new(database),
        Arc::new(AesGcmTokenCipher::new(&keyring)),
    );
    let outcome = rotation
        .run(page_size, |so_far| {
            tracing::info!(
                examined = so_far.examined,
                resealed = so_far.resealed,
                "rotating"
            );
        })
        .await;
    match outcome {
        Ok(report) => {
            super::print(&format!(
                "{described}: re-sealed {} of {} tokens under key {} ({} already current, {} replaced by sign-ins meanwhile, {} unreadable)",
                report.resealed,
                report.examined,
                keyring.current_key_id().as_str(),
                report.already_current,
                report.changed_meanwhile,
                report.unreadable,
            ));
            if report.unreadable > 0 {
                super::print(
                    "warning: no configured key opens the unreadable tokens (their key is not in SECRET_KEY or PREVIOUS_SECRET_KEYS); those people must sign in again",
                );
            }
            0
        }
        Err(e) => {
            eprintln!(
                "error: {e}. Tokens re-sealed so far stay re-sealed; run rotate-keys again to finish"
            );
            1
        }
    }
}
