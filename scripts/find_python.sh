#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 needs >=3.8,<3.11; we test on 3.10).
# Order: $PYTHON, pyenv's 3.10.x, python3.10 on PATH, python3 if it is 3.10.
set -u
is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10; do [ -x "$p" ] && candidates+=("$p"); done
command -v pyenv >/dev/null 2>&1 && p=$(pyenv root 2>/dev/null)/versions && for q in "$p"/3.10.*/bin/python3.10; do [ -x "$q" ] && candidates+=("$q"); done
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")
for c in "${candidates[@]}"; do
  if is_310 "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<'MSG'
No Python 3.10 interpreter found. Rasa 3.6 needs Python 3.10 (>=3.8,<3.11).
Install one, for example:  pyenv install 3.10.13   or   apt-get install python3.10 python3.10-venv
or point to one:           make run PYTHON=/path/to/python3.10
MSG
exit 1
