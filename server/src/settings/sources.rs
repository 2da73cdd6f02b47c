//! Layering the configuration sources, lowest priority first: built-in defaults (applied by
//! the parser), an optional TOML file, `.env` in the working directory, the process
//! environment. Only the known variables are taken from `.env` and the environment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};

use super::KNOWN_VARIABLES;
use super::parse::{Problem, Problems};

const DEFAULT_FILE: &str = "nectr-auth.toml";
const FILE_VARIABLE: &str = "NECTR_AUTH_CONFIG";

/// The merged variables, keyed by their upper-case names.
///
/// # Errors
/// A problem for an unreadable `.env` or TOML file, or an unknown key in the TOML file.
pub fn load() -> Result<HashMap<String, String>, Problems> {
    let process: HashMap<String, String> = std::env::vars().collect();
    let dotenv = read_dotenv(Path::new(".env"))?;
    let named_file = process
        .get(FILE_VARIABLE)
        .or_else(|| dotenv.get(FILE_VARIABLE))
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    let file_vars = read_toml(named_file.as_deref())?;

    let known = |vars: &HashMap<String, String>| -> config::Map<String, String> {
        vars.iter()
            .filter(|(k, _)| KNOWN_VARIABLES.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let merged = Config::builder()
        .add_source(Environment::default().source(Some(file_vars)))
        .add_source(Environment::default().source(Some(known(&dotenv))))
        .add_source(Environment::default().source(Some(known(&process))))
        .build()
        .and_then(Config::try_deserialize::<HashMap<String, String>>)
        .map_err(|e| {
            Problems::one(Problem::new(
                "configuration",
                format!("cannot be merged: {e}"),
            ))
        })?;
    Ok(merged
        .into_iter()
        .map(|(k, v)| (k.to_ascii_uppercase(), v))
        .collect())
}

fn read_dotenv(path: &Path) -> Result<HashMap<String, String>, Problems> {
    if !path.exists() {
        return Ok(HashMap::new());
    }
    let entries = dotenvy::from_path_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            Problems::one(Problem::new(
                ".env",
                format!("cannot be read ({e}): fix the line it names or remove the file"),
            ))
        })?;
    Ok(entries.into_iter().collect())
}

/// The TOML file's settings with upper-case keys. The default file is optional; a file named
/// by `NECTR_AUTH_CONFIG` must exist.
fn read_toml(named: Option<&Path>) -> Result<config::Map<String, String>, Problems> {
    let (path, required) = match named {
        Some(path) => (path, true),
        None => (Path::new(DEFAULT_FILE), false),
    };
    if !required && !path.exists() {
        return Ok(config::Map::new());
    }
    let shown = path.display();
    let table = Config::builder()
        .add_source(File::from(path).format(FileFormat::Toml).required(required))
        .build()
        .and_then(Config::try_deserialize::<HashMap<String, String>>)
        .map_err(|e| {
            Problems::one(Problem::new(
                FILE_VARIABLE,
                format!("{shown} cannot be read ({e}): check the path and that every value is a plain string, number or boolean"),
            ))
        })?;
    let mut vars = config::Map::new();
    let mut problems = Problems::default();
    for (key, value) in table {
        let name = key.to_ascii_uppercase();
        if KNOWN_VARIABLES.contains(&name.as_str()) {
            vars.insert(name, value);
        } else {
            problems.push(Problem::new(
                &name,
                format!("in {shown} is not a setting of nectr-auth: remove it or fix its spelling"),
            ));
        }
    }
    problems.into_result(vars)
}
