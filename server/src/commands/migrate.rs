//! `nectr-auth migrate`: apply pending migrations and exit.

use nectr_db::Database;

use crate::telemetry;

pub async fn migrate() -> i32 {
    let Some(settings) = super::load_settings() else {
        return 2;
    };
    telemetry::init(&settings.log_filter, settings.log_format);
    let outcome = match Database::connect(&settings.database, 1).await {
        Ok(db) => db.migrate().await.map(|applied| (db.describe(), applied)),
        Err(e) => Err(e),
    };
    match outcome {
        Ok((database, applied)) if applied.is_empty() => {
            super::print(&format!("{database}: already up to date"));
            0
        }
        Ok((database, applied)) => {
            super::print(&format!("{database}: applied {}", applied.join(", ")));
            0
        }
        Err(e) => {
            eprintln!("error: DATABASE_URL: {e}");
            1
        }
    }
}
