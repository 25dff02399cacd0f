# Sourced by scripts/run-example and scripts/manage: make sure the example
# project's virtualenv exists and is up to date, saying what it is doing.
# Sets PYTHON. WEBAPI_KIT_VENV names another virtualenv to use (a path
# relative to the checkout, or absolute; default .venv).
# Expects to be sourced from the checkout's root.
VENV="${WEBAPI_KIT_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ] || [ ! -f "$VENV/.installed" ] \
    || [ setup.py -nt "$VENV/.installed" ] || [ requirements/example.txt -nt "$VENV/.installed" ]; then
    echo "==> Setting up $VENV (first run, or setup.py / requirements changed; about a minute)" >&2
    if [ ! -x "$VENV/bin/python" ]; then
        echo "==> Creating the virtualenv $VENV" >&2
        python3 -m venv "$VENV"
    fi
    echo "==> Upgrading pip" >&2
    "$VENV/bin/pip" install -q --upgrade pip >&2
    echo "==> Installing webapi_kit (editable) and requirements/example.txt" >&2
    "$VENV/bin/pip" install --progress-bar off -e . -r requirements/example.txt >&2
    touch "$VENV/.installed"
    echo "==> $VENV is ready" >&2
fi
PYTHON="$(cd "$VENV" && pwd)/bin/python"
