#!/usr/bin/env bash
# Install the app with its test tooling, then run the whole test suite.
# Used by the README's quick start and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m ruff check --quiet .
exec python3 -m pytest "$@"
