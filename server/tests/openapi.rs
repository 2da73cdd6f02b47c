//! `GET /openapi.json` against the running service: the document parses as OpenAPI 3.1 (with
//! the `oas3` crate), documents exactly the routes the service has, and each operation
//! answers as documented.

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use nectr_auth::settings::Settings;
use nectr_auth::{Application, Overrides};
use nectr_crypto::SecretKey;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Every route the service has, as (method, path). Adding a route means adding it here, and
/// the tests below then require it to be documented.
const ROUTES: [(&str, &str); 11] = [
    ("GET", "/auth/{provider}"),
    ("GET", "/auth/{provider}/callback"),
    ("GET", "/auth/{provider}/reconnect"),
    ("GET", "/auth/me"),
    ("GET", "/auth/me/organizations"),
    ("POST", "/auth/logout"),
    ("GET", "/internal/users/{user_id}/provider-token"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
];

/// The methods probed on every path; each must be documented or handled by nothing.
const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
];

/// A running service on a free port of 127.0.0.1, with its own SQLite database.
struct Service {
    client: reqwest::Client,
    base: String,
    _dir: tempfile::TempDir,
}

impl Service {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("a bound listener").port();
        let base = format!("http://127.0.0.1:{port}");
        let vars = [
            ("BACKEND_URL", base.clone()),
            (
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("openapi.db").display()),
            ),
            ("GITHUB_CLIENT_ID", "Iv1.openapi".to_owned()),
            ("GITHUB_CLIENT_SECRET", "openapi-secret".to_owned()),
            // Nothing listens there: no probe may depend on GitHub.
            ("GITHUB_URL", "http://127.0.0.1:9".to_owned()),
            ("GITHUB_API_URL", "http://127.0.0.1:9".to_owned()),
            ("SECRET_KEY", SecretKey::generate().encode()),
            // On, so the internal route answers as documented (401 without the credential).
            ("INTERNAL_API_TOKENS", "c".repeat(40)),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        let mut settings = Settings::from_vars(&vars).expect("valid test settings");
        settings.workers = 1;
        let app = Application::build_with(
            settings,
            Overrides {
                listener: Some(listener),
                ..Overrides::default()
            },
        )
        .await
        .expect("the service starts");
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .expect("an HTTP client");
        Self {
            client,
            base,
            _dir: dir,
        }
    }

    /// Sends a request without cookies: the status, the content type and the body. Path
    /// parameters are filled in with values the service knows (the GitHub provider, user 1).
    async fn send(&self, method: &str, path: &str) -> (StatusCode, String, String) {
        let method = Method::from_bytes(method.as_bytes()).expect("a method");
        let path = path
            .replace("{provider}", "github")
            .replace("{user_id}", "1");
        let url = format!("{}{path}", self.base);
        let response = self
            .client
            .request(method, &url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.text().await.expect("a body");
        (status, content_type, body)
    }

    /// The served document, as text and as JSON.
    async fn document(&self) -> (String, Value) {
        let (status, content_type, body) = self.send("GET", "/openapi.json").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        let json = serde_json::from_str(&body).expect("the document is JSON");
        (body, json)
    }
}

/// The document's operations: (METHOD, path) to the operation object.
fn operations(document: &Value) -> BTreeMap<(String, String), Value> {
    let paths = document["paths"].as_object().expect("paths");
    let mut operations = BTreeMap::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("a path item") {
            if METHODS.contains(&method.to_uppercase().as_str()) {
                operations.insert((method.to_uppercase(), path.clone()), operation.clone());
            }
        }
    }
    operations
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("a local schema reference: {reference}"));
            &document["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Whether `value` is of one of the JSON Schema `type`s in `schema` (a name or a list).
fn has_type(schema: &Value, value: &Value) -> bool {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return true,
    };
    types.iter().any(|t| match *t {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => false,
    })
}

/// Checks a JSON body against an object schema: every required property present, none
/// undocumented, each of its documented type.
fn check_object(document: &Value, schema: &Value, body: &Value, context: &str) {
    let schema = resolve(document, schema);
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    let body = body
        .as_object()
        .unwrap_or_else(|| panic!("{context}: not an object: {body}"));
    for required in schema["required"].as_array().into_iter().flatten() {
        let name = required.as_str().expect("a property name");
        assert!(
            body.contains_key(name),
            "{context}: `{name}` missing: {body:?}"
        );
    }
    for (name, value) in body {
        let property = properties
            .get(name)
            .unwrap_or_else(|| panic!("{context}: `{name}` is not documented"));
        assert!(
            has_type(resolve(document, property), value),
            "{context}: `{name}` = {value} does not have the documented type"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_openapi_3_1_and_names_this_service() {
    let service = Service::start().await;
    let (text, document) = service.document().await;
    let spec = oas3::from_json(&text).expect("an OpenAPI 3.1 document");
    let version = spec
        .validate_version()
        .expect("a supported OpenAPI version");
    assert_eq!((version.major, version.minor), (3, 1));
    assert_eq!(spec.info.title, "nectr-auth");
    assert_eq!(spec.info.version, env!("CARGO_PKG_VERSION"));
    assert!(
        spec.info
            .description
            .as_deref()
            .is_some_and(|d| !d.is_empty())
    );
    assert_eq!(
        spec.operations().count(),
        ROUTES.len(),
        "oas3 reads every operation"
    );

    let mut references = Vec::new();
    collect_references(&document, &mut references);
    assert!(!references.is_empty());
    for reference in references {
        assert!(
            resolve(&document, &serde_json::json!({ "$ref": reference })).is_object(),
            "{reference} names no schema"
        );
    }

    let scheme = &document["components"]["securitySchemes"]["session_cookie"];
    assert_eq!(scheme["type"], "apiKey", "{scheme}");
    assert_eq!(scheme["in"], "cookie", "{scheme}");
    assert_eq!(scheme["name"], nectr_auth::SESSION_COOKIE, "{scheme}");
    let requires_session = |method: &str, path: &str| {
        let operation = &document["paths"][path][method];
        operation["security"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|requirement| requirement.get("session_cookie").is_some())
    };
    for (method, path) in [
        ("get", "/auth/me"),
        ("get", "/auth/me/organizations"),
        ("get", "/auth/{provider}/reconnect"),
        ("post", "/auth/logout"),
    ] {
        assert!(requires_session(method, path), "{method} {path}");
    }
    let service_scheme = &document["components"]["securitySchemes"]["service_credential"];
    assert_eq!(service_scheme["type"], "http", "{service_scheme}");
    assert_eq!(service_scheme["scheme"], "bearer", "{service_scheme}");
    let internal = &document["paths"]["/internal/users/{user_id}/provider-token"]["get"];
    assert!(
        internal["security"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r.get("service_credential").is_some()),
        "{internal}"
    );
    assert!(!requires_session(
        "get",
        "/internal/users/{user_id}/provider-token"
    ));
    for (method, path) in [("get", "/auth/{provider}"), ("get", "/healthz")] {
        assert!(!requires_session(method, path), "{method} {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_has_exactly_the_services_routes() {
    let service = Service::start().await;
    let (_, document) = service.document().await;
    let documented: BTreeSet<(String, String)> = operations(&document).into_keys().collect();
    let routes: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(documented, routes);

    // The paths the source registers, so a new route fails here until `ROUTES` (and so the
    // document) has it.
    let registered = registered_paths(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let listed: BTreeSet<String> = ROUTES.iter().map(|(_, p)| (*p).to_owned()).collect();
    assert_eq!(registered, listed, "paths registered in server/src");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_answers_as_documented() {
    let service = Service::start().await;
    let (_, document) = service.document().await;
    for ((method, path), operation) in operations(&document) {
        let (status, content_type, body) = service.send(&method, &path).await;
        let context = format!("{method} {path} answered {status}");
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{context}: {body}"
        );
        let response = &operation["responses"][status.as_str()];
        assert!(
            response.is_object(),
            "{context}, which is not documented: {body}"
        );
        let Some(content) = response["content"].as_object() else {
            continue;
        };
        let (documented_type, media) = content
            .iter()
            .find(|(t, _)| content_type.starts_with(t.split(';').next().unwrap_or(t)))
            .unwrap_or_else(|| panic!("{context} as {content_type}, not documented"));
        if documented_type.starts_with("application/json") {
            let body: Value =
                serde_json::from_str(&body).unwrap_or_else(|e| panic!("{context}: {e}: {body}"));
            check_object(&document, &media["schema"], &body, &context);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_undocumented_method_is_handled() {
    let service = Service::start().await;
    let (_, document) = service.document().await;
    let documented: BTreeSet<(String, String)> = operations(&document).into_keys().collect();
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        for method in METHODS {
            if documented.contains(&(method.to_owned(), path.clone())) {
                continue;
            }
            let (status, _, body) = service.send(method, path).await;
            assert_eq!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is not documented, but answered {status}: {body}"
            );
            if method != "HEAD" {
                let body: Value = serde_json::from_str(&body)
                    .unwrap_or_else(|e| panic!("{method} {path}: {e}: {body}"));
                assert!(body["detail"].is_string(), "{method} {path}: {body}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_response_has_the_specs_seven_fields_and_the_provider_fields() {
    let service = Service::start().await;
    let (_, document) = service.document().await;
    let me = &document["paths"]["/auth/me"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(me["$ref"], "#/components/schemas/MeResponse");
    let schema = resolve(&document, me);
    assert_eq!(schema["type"], "object");
    let properties = schema["properties"].as_object().expect("properties");
    let names: BTreeSet<&str> = properties.keys().map(String::as_str).collect();
    let spec = [
        "id",
        "github_id",
        "github_username",
        "name",
        "email",
        "avatar_url",
        "created_at",
    ];
    let providers = [
        "provider",
        "provider_user_id",
        "username",
        "granted_scopes",
        "missing_scopes",
    ];
    let all: BTreeSet<&str> = spec.into_iter().chain(providers).collect();
    assert_eq!(names, all);
    // The service always sends every field, with `null` for what is unknown.
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required, all);
    assert!(has_type(
        &properties["github_id"],
        &Value::from(5_000_000_000_i64)
    ));
    assert_eq!(properties["id"]["type"], "integer");
    assert!(has_type(
        &properties["github_username"],
        &Value::from("octocat")
    ));
    assert_eq!(properties["created_at"]["type"], "string");
    assert_eq!(properties["created_at"]["format"], "date-time");
    // Null for people of another provider (`github_*`), or when unknown.
    for nullable in [
        "name",
        "email",
        "avatar_url",
        "github_id",
        "github_username",
        "granted_scopes",
        "missing_scopes",
    ] {
        assert!(
            has_type(&properties[nullable], &Value::Null),
            "{nullable}: {}",
            properties[nullable]
        );
    }
    for not_nullable in [
        "id",
        "created_at",
        "provider",
        "provider_user_id",
        "username",
    ] {
        assert!(
            !has_type(&properties[not_nullable], &Value::Null),
            "{not_nullable}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_response_is_an_error_response() {
    let service = Service::start().await;
    let (_, document) = service.document().await;
    let error = &document["components"]["schemas"]["ErrorResponse"];
    assert_eq!(error["required"], serde_json::json!(["detail"]), "{error}");
    assert_eq!(error["properties"]["detail"]["type"], "string", "{error}");
    let mut errors = 0;
    for ((method, path), operation) in operations(&document) {
        let responses = operation["responses"].as_object().expect("responses");
        for (status, response) in responses {
            let code: u16 = status.parse().expect("a numeric status");
            if code < 400 {
                continue;
            }
            errors += 1;
            let content = response["content"].as_object().expect("content");
            assert_eq!(
                content.keys().collect::<Vec<_>>(),
                ["application/json"],
                "{method} {path} {status}"
            );
            assert_eq!(
                content["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorResponse",
                "{method} {path} {status}"
            );
        }
    }
    assert!(errors > 0);
}

/// Every `$ref` anywhere in `value`.
fn collect_references(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                into.push(reference.clone());
            }
            map.values().for_each(|v| collect_references(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, into)),
        _ => {}
    }
}

/// The string literal after each `resource(`, `route(` or `scope(`, and each path literal
/// (starting with `/`) after `get(` or `post(` (the routes' own helpers), in the Rust files
/// under `dir`: the paths actix-web is given.
fn registered_paths(dir: &Path) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            paths.extend(registered_paths(&path));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("a source file");
        for call in ["resource(", "route(", "scope(", "get(", "post("] {
            let only_paths = matches!(call, "get(" | "post(");
            for (at, _) in source.match_indices(call) {
                let rest = source[at + call.len()..].trim_start();
                if let Some(literal) = rest.strip_prefix('"') {
                    let end = literal.find('"').expect("a closed string literal");
                    let literal = &literal[..end];
                    if !only_paths || literal.starts_with('/') {
                        paths.insert(literal.to_owned());
                    }
                }
            }
        }
    }
    paths
}
