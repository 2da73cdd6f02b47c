//! Everything measured on one database: the service and its ceiling side by side.

use std::path::Path;

use futures_util::StreamExt as _;

use crate::browser::Browser;
use crate::ceiling::{AnswerSizes, Ceiling};
use crate::cpu;
use crate::database::{FreshDatabase, Leftovers};
use crate::github::GitHub;
use crate::options::{DatabaseKind, Options};
use crate::report::{
    DatabaseResults, LoadReport, Memory, RoundPair, SignInFigures, SignInReport, ratio,
};
use crate::service::Service;
use crate::sign_in::{self, Sites};
use crate::{memory, metrics, process, raw_http, stats, wrk};

/// What every database's run shares.
pub struct Context<'a> {
    pub options: &'a Options,
    pub browsers: &'a [Browser],
    pub leftovers: &'a Leftovers,
}

/// Runs everything on a fresh database of `kind` (the `n`th run), and removes it after.
pub async fn run(
    kind: DatabaseKind,
    n: usize,
    cx: &Context<'_>,
) -> Result<DatabaseResults, String> {
    let dir = tempfile::Builder::new()
        .prefix("nectr-bench-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    // A GitHub of its own: the stand-in slows as it accumulates tokens, and each database
    // should meet the same GitHub.
    let github = GitHub::start().await?;
    let database =
        FreshDatabase::create(kind, dir.path(), &cx.options.postgres_url, n, cx.leftovers).await?;
    let outcome = with_service(kind, n, dir.path(), &database.url, &github, cx).await;
    if let Err(problem) = database.drop(&cx.options.postgres_url, cx.leftovers).await {
        eprintln!("nectr-bench: {problem}");
    }
    if outcome.is_err() {
        // Kept, so the whole log (and an SQLite database) can be read after a failure.
        let kept = dir.keep();
        eprintln!(
            "nectr-bench: {}: the run's files (service log, ceiling log) are kept in {}",
            kind.name(),
            kept.display()
        );
    }
    outcome
}

async fn with_service(
    kind: DatabaseKind,
    n: usize,
    dir: &Path,
    database_url: &str,
    github: &GitHub,
    cx: &Context<'_>,
) -> Result<DatabaseResults, String> {
    let port = process::free_port()?;
    github.register_for(&format!("http://127.0.0.1:{port}"));
    progress(kind, "starting nectr-auth");
    let service =
        Service::start(&cx.options.server_binary, dir, port, database_url, github).await?;
    let outcome = measure(kind, n, dir, &service, github, cx).await;
    let log = service.log.clone();
    service.stop().await;
    outcome.map_err(|problem| {
        format!(
            "{problem}\nThe last lines of the service's log ({}):\n{}",
            log.display(),
            process::tail(&log, 5)
        )
    })
}

async fn measure(
    kind: DatabaseKind,
    n: usize,
    dir: &Path,
    service: &Service,
    github: &GitHub,
    cx: &Context<'_>,
) -> Result<DatabaseResults, String> {
    let options = cx.options;
    // Before any request: what the service needs just to be up.
    let service_idle = memory::resident(service.pid)?;
    let backend_url = service.url("");
    let github_web_url = github.web_url();
    let sites = Sites {
        backend_url: &backend_url,
        github_web_url: &github_web_url,
    };

    progress(kind, &format!("signing in {} people", options.users));
    let cookies = sign_in::sign_in_people(cx.browsers, sites, options.users as usize).await?;
    let me_answers = check_cookies(service, &cookies, options.connections as usize).await?;
    let start = raw_http::get(service.address, "/auth/github", &[]).await?;
    if start.status != 302 {
        return Err(format!(
            "GET /auth/github answered HTTP {} instead of 302: {}",
            start.status,
            String::from_utf8_lossy(&start.body)
        ));
    }
    let me_totals: Vec<usize> = me_answers
        .iter()
        .map(raw_http::Answer::total_bytes)
        .collect();
    let sizes = AnswerSizes {
        me: (me_totals.iter().sum::<usize>() as f64 / me_totals.len() as f64).round() as usize,
        github: start.total_bytes(),
    };
    let me_answer_range = (
        me_totals.iter().copied().min().unwrap_or_default(),
        me_totals.iter().copied().max().unwrap_or_default(),
    );
    let ceiling = Ceiling::start_sized(
        &options.ceiling_binary,
        &dir.join("ceiling.log"),
        sizes,
        me_answers.first().map_or(200, |a| a.body.len()),
        start.header("location").map_or(200, str::len),
    )
    .await?;
    let ceiling_idle = memory::resident(ceiling.pid)?;
    let script = wrk::write_cookie_script(dir, &cookies)?;

    let mut me_rounds = Vec::new();
    let mut github_rounds = Vec::new();
    let mut sign_in_rounds = Vec::new();
    for round in 1..=options.rounds {
        let label = format!("round {round}/{}", options.rounds);
        progress(kind, &format!("{label}: GET /auth/me"));
        let me = RoundPair {
            ceiling: wrk::run(
                &ceiling.url("/me"),
                options.connections,
                options.duration,
                Some(&script),
            )
            .await?,
            service: wrk::run(
                &service.url("/auth/me"),
                options.connections,
                options.duration,
                Some(&script),
            )
            .await?,
        };
        progress(kind, &format!("{label}: GET /auth/github"));
        let start_pair = RoundPair {
            ceiling: wrk::run(
                &ceiling.url("/github"),
                options.connections,
                options.duration,
                None,
            )
            .await?,
            service: wrk::run(
                &service.url("/auth/github"),
                options.connections,
                options.duration,
                None,
            )
            .await?,
        };
        progress(kind, &format!("{label}: whole sign-ins"));
        let before = metrics::scrape(service.address).await?;
        let cpu_before = cpu::sample(service.pid);
        let load = sign_in::load(
            cx.browsers,
            sites,
            options.duration,
            &format!("bench-{n}-{round}"),
        )
        .await;
        let cpu_after = cpu::sample(service.pid);
        let after = metrics::scrape(service.address).await?;
        let sign_ins_per_second = load.completed as f64 / load.elapsed.as_secs_f64();
        sign_in_rounds.push(SignInFigures {
            sign_ins_per_second,
            p50_ms: stats::percentile_ms(&load.latencies, 50.0),
            p99_ms: stats::percentile_ms(&load.latencies, 99.0),
            completed: load.completed,
            failed: load.failed,
            first_failures: load.first_failures,
            ratio_to_ceiling_me_rps: ratio(sign_ins_per_second, me.ceiling.requests_per_second),
            breakdown: metrics::breakdown(&before, &after),
            cpu: cpu::per_sign_in(cpu_before, cpu_after, load.completed),
        });
        me_rounds.push(me);
        github_rounds.push(start_pair);
    }
    let service_peak = memory::peak(service.pid)?;
    let ceiling_peak = memory::peak(ceiling.pid)?;
    ceiling.stop().await;

    let sign_in_median = stats::median_index(
        &sign_in_rounds
            .iter()
            .map(|r| r.sign_ins_per_second)
            .collect::<Vec<_>>(),
    );
    Ok(DatabaseResults {
        answer_sizes: sizes,
        me_answer_range,
        memory: Memory {
            service_idle_mib: memory::mib(service_idle),
            service_peak_mib: memory::mib(service_peak),
            ceiling_idle_mib: memory::mib(ceiling_idle),
            ceiling_peak_mib: memory::mib(ceiling_peak),
        },
        loads: vec![
            load_report("GET /auth/me", me_rounds),
            load_report("GET /auth/github", github_rounds),
        ],
        sign_ins: SignInReport {
            median_round: sign_in_median + 1,
            median: sign_in_rounds[sign_in_median].clone(),
            rounds: sign_in_rounds,
        },
    })
}

/// Every cookie gets `/auth/me` 200 (the load would otherwise measure refusals); their
/// answers, whose sizes the ceiling copies.
async fn check_cookies(
    service: &Service,
    cookies: &[String],
    at_once: usize,
) -> Result<Vec<raw_http::Answer>, String> {
    let answers: Vec<Result<raw_http::Answer, String>> = futures_util::stream::iter(cookies)
        .map(|cookie| async move {
            let header = format!("access_token={cookie}");
            raw_http::get(service.address, "/auth/me", &[("Cookie", &header)]).await
        })
        .buffered(at_once.max(1))
        .collect()
        .await;
    let mut ok = Vec::with_capacity(answers.len());
    let mut refused = Vec::new();
    for answer in answers {
        match answer {
            Ok(answer) if answer.status == 200 => ok.push(answer),
            Ok(answer) => refused.push(format!(
                "HTTP {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            )),
            Err(e) => refused.push(e),
        }
    }
    if refused.is_empty() && !ok.is_empty() {
        Ok(ok)
    } else {
        Err(format!(
            "{} of {} fresh session cookies were not accepted by GET /auth/me; the first: {}",
            refused.len(),
            cookies.len(),
            refused.first().map_or("(none)", String::as_str)
        ))
    }
}

fn load_report(name: &str, rounds: Vec<RoundPair>) -> LoadReport {
    let median = stats::median_index(
        &rounds
            .iter()
            .map(|r| r.service.requests_per_second)
            .collect::<Vec<_>>(),
    );
    let pair = rounds[median].clone();
    LoadReport {
        name: name.to_owned(),
        median_round: median + 1,
        rps_ratio: pair.rps_ratio(),
        p99_ratio: pair.p99_ratio(),
        ceiling: pair.ceiling,
        service: pair.service,
        rounds,
    }
}

fn progress(kind: DatabaseKind, what: &str) {
    eprintln!("nectr-bench: {}: {what}", kind.name());
}
