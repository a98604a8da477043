#!/usr/bin/env bash
# Install the app with its test tooling, then run the whole test suite.
# Used by the README's quick start and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# The PostgreSQL tests start their own throwaway server; they need Debian's server binaries.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing PostgreSQL for the PostgreSQL tests..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
        echo "PostgreSQL server binaries are missing: install Debian's postgresql package (as root)" >&2
        exit 1
    fi
fi

# The browser tests drive Debian's headless Chromium through Playwright (never `playwright install`:
# no download from the Playwright CDN).
if [ -n "${ANTIFRAUD_CHROMIUM:-}" ] && [ ! -x "$ANTIFRAUD_CHROMIUM" ]; then
    echo "ANTIFRAUD_CHROMIUM=$ANTIFRAUD_CHROMIUM is not an executable Chromium" >&2
    exit 1
elif [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Chromium for the browser tests..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "/usr/bin/chromium is missing: install Debian's chromium package (as root)" >&2
        exit 1
    fi
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m ruff check --quiet .
lint-imports --no-cache >/dev/null || lint-imports --no-cache  # the layers in pyproject.toml; quiet unless broken
# One worker per core; tests of real processes wait for readiness lines, so they hold on a busy machine.
exec python3 -m pytest -n auto "$@"
