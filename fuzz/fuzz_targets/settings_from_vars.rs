//! Fuzz target: `Settings::from_vars` with arbitrary values for the known variables never
//! panics, and reports every problem as one line that starts with the setting's name.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use nectr_auth::settings::{KNOWN_VARIABLES, Settings};

fuzz_target!(|values: Vec<(u8, String)>| {
    let vars: HashMap<String, String> = values
        .into_iter()
        .map(|(index, value)| {
            let name = KNOWN_VARIABLES[usize::from(index) % KNOWN_VARIABLES.len()];
            (name.to_owned(), value)
        })
        .collect();
    let (_, problems) = Settings::parse_all(&vars);
    for problem in &problems.0 {
        let line = problem.to_string();
        assert!(
            KNOWN_VARIABLES.contains(&problem.setting.as_str()),
            "{line:?}"
        );
        assert!(
            line.starts_with(&format!("{} ", problem.setting)),
            "{line:?}"
        );
        assert!(!line.contains(['\n', '\r']), "{line:?}");
    }
    assert_eq!(Settings::from_vars(&vars).is_ok(), problems.0.is_empty());
});
