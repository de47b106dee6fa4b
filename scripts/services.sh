#!/usr/bin/env bash
# Makes sure the services the tests talk to are up: PostgreSQL on 127.0.0.1:5432 (user postgres)
# and Redis on 127.0.0.1:6379, and that the servers and tools the tests start themselves are
# installed: the Kafka-protocol broker tansu (crates.io, with its SQLite storage engine), the
# S3-protocol server s3s-fs (crates.io), and from
# PyPI secantusdb (MongoDB wire protocol), osmem-server (the OpenSearch REST API), the SMTP server
# aiosmtpd and the API fuzzer schemathesis, and from npm the OpenID provider oidc-provider.
# Starts the machine's cluster when it is down; fails loudly when it cannot.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if ! pg_up; then
    echo "PostgreSQL is down; starting it"
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
        for version in /etc/postgresql/*; do
            pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
        done
    fi
    for _ in $(seq 1 30); do
        pg_up && break
        sleep 1
    done
fi
if pg_up; then
    echo "PostgreSQL is up"
else
    echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2
    exit 1
fi

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! redis_up && command -v redis-server >/dev/null; then
    echo "Redis is down; starting it"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    for _ in $(seq 1 10); do
        redis_up && break
        sleep 1
    done
fi
if redis_up; then
    echo "Redis is up"
else
    echo "Redis is not reachable on 127.0.0.1:6379" >&2
    exit 1
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tansu >/dev/null; then
    echo "Installing the tansu broker (cargo install, several minutes on 2 cores)"
    cargo install tansu --locked --features libsql
fi
echo "Kafka-protocol broker: $(tansu --version 2>/dev/null || echo tansu)"

# The S3-protocol server the media tests store photos in (buckets as directories), pinned;
# skipped when that version is installed. About 4 minutes on 2 cores.
S3S_FS_VERSION=0.14.1
if [ "$(s3s-fs --version 2>/dev/null)" != "s3s-fs $S3S_FS_VERSION" ]; then
    echo "Installing the S3-protocol server s3s-fs $S3S_FS_VERSION (cargo install)"
    cargo install s3s-fs --version "$S3S_FS_VERSION" --locked --features binary
fi
echo "S3-protocol server: $(s3s-fs --version)"

# The read-model stand-ins the tests start, pinned; skipped when those versions are installed.
SECANTUSDB_VERSION=0.7.0b3
OSMEM_SERVER_VERSION=0.1.6
AIOSMTPD_VERSION=1.4.6
installed_version() { python3 -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p'; }
pip_install() {
    # A Debian-managed Python refuses system-wide installs without this flag (PEP 668).
    local flags=()
    if python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
        flags+=(--break-system-packages)
    fi
    python3 -m pip install --quiet --disable-pip-version-check "${flags[@]}" "$@"
}
wanted=()
[ "$(installed_version secantusdb)" = "$SECANTUSDB_VERSION" ] || wanted+=("secantusdb==$SECANTUSDB_VERSION")
[ "$(installed_version osmem-server)" = "$OSMEM_SERVER_VERSION" ] || wanted+=("osmem-server==$OSMEM_SERVER_VERSION")
[ "$(installed_version aiosmtpd)" = "$AIOSMTPD_VERSION" ] || wanted+=("aiosmtpd==$AIOSMTPD_VERSION")
if [ "${#wanted[@]}" -gt 0 ]; then
    echo "Installing ${wanted[*]} (pip)"
    pip_install "${wanted[@]}"
    # pyenv finds newly installed scripts only after a rehash.
    if command -v pyenv >/dev/null; then pyenv rehash; fi
fi
if ! command -v secantusd-py >/dev/null; then
    echo "secantusd-py is not on the PATH after installing secantusdb" >&2
    exit 1
fi
# The osmem-server binary sits inside the Python package, off the PATH; the tests ask python3.
osmem_bin="$(python3 -c 'import osmem_server; print(osmem_server.resolve_binary())')"
echo "MongoDB stand-in: secantusdb $(installed_version secantusdb)"
echo "Elasticsearch stand-in: $("$osmem_bin" -version)"
echo "SMTP server: aiosmtpd $(installed_version aiosmtpd)"

# The OpenID provider the social-login tests sign in against: oidc-provider from npm, installed
# from the committed lockfile (`npm ci`) into tests/oidc-provider/node_modules; skipped while
# what is installed came from that lockfile. It needs Node.js 20.19 or later.
oidc_dir=tests/oidc-provider
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "Installing Node.js and npm (apt)"
    apt-get update -qq && apt-get install -y -qq nodejs npm
fi
if ! cmp -s "$oidc_dir/package-lock.json" "$oidc_dir/node_modules/.installed-from-lock"; then
    echo "Installing the OpenID provider (npm ci)"
    (cd "$oidc_dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$oidc_dir/package-lock.json" "$oidc_dir/node_modules/.installed-from-lock"
fi
echo "OpenID provider: oidc-provider $(node -p "require('./$oidc_dir/node_modules/oidc-provider/package.json').version") on Node.js $(node --version)"

# schemathesis fuzzes the HTTP API against its OpenAPI document (scripts/api-fuzz.sh). Pinned, so
# a new release cannot change what CI checks; installed once.
SCHEMATHESIS_VERSION=4.32.5
if [ "$(installed_version schemathesis)" != "$SCHEMATHESIS_VERSION" ]; then
    echo "Installing schemathesis $SCHEMATHESIS_VERSION"
    pip_install "schemathesis==$SCHEMATHESIS_VERSION"
    # pyenv finds new commands only after a rehash.
    if command -v pyenv >/dev/null; then pyenv rehash; fi
fi
echo "API fuzzer: $(bash scripts/api-fuzz.sh --which)"
