//! Cases about the schema itself.

use crate::world::{Backend, World};

/// The migration directories of `backend`, as shipped in the repository, sorted.
fn shipped_migrations(backend: Backend) -> Vec<String> {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(folder);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the migrations folder is readable")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.join("up.sql").is_file() && path.join("down.sql").is_file())
        .filter_map(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_ship_the_same_migrations() {
    let sqlite = shipped_migrations(Backend::Sqlite);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, shipped_migrations(Backend::Postgres));
}

pub async fn migrate_applies_every_migration_once(world: &World) {
    // Arrange: a database without tables.
    let fresh = World::unmigrated(world.backend).await;

    // Act
    let first = fresh.db.migrate().await.expect("the first run applies");
    let second = fresh.db.migrate().await.expect("the second run succeeds");

    // Assert
    let shipped: Vec<String> = shipped_migrations(world.backend)
        .iter()
        .filter_map(|name| name.split('_').next())
        .map(|version| version.replace('-', ""))
        .collect();
    assert_eq!(first, shipped, "applied in order, by version");
    assert!(second.is_empty(), "nothing left to apply: {second:?}");
    assert_eq!(fresh.count("SELECT COUNT(*) FROM users").await, 0);
}

pub async fn ping_answers(world: &World) {
    world.db.ping().await.expect("ping answers");
}
