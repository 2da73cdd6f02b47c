//! Logging: `tracing` to standard error, as text or JSON. Each request's span is made in
//! `edge`.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::settings::LogFormat;

/// Installs the global subscriber. A second call (tests start many apps in one process)
/// keeps the first.
pub fn init(filter: &str, format: LogFormat) {
    // A filter of levels per target (`info`, `nectr_auth=debug,info`) needs no per-span
    // bookkeeping; `EnvFilter` keeps some on every span enter and exit (a lock and a lookup,
    // several times per request), so it is only used for span or field directives.
    let (targets, env) = match filter.parse::<Targets>() {
        Ok(targets) => (Some(targets), None),
        Err(_) => (
            None,
            Some(EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"))),
        ),
    };
    let registry = tracing_subscriber::registry().with(targets).with(env);
    let _already_set = match format {
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
}
