# Sourced by scripts/studio and scripts/test: make sure .venv exists and holds the project.
# Reinstalls only when pyproject.toml is newer than the last install, so repeated runs start fast.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
extras="${1:-}"
stamp=".venv/.installed${extras:+-$extras}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
  # Build the propagation kernel (numba, about two minutes on one core, once). The tests want it
  # ready now; the studio does not wait for it: it builds it in the background at start-up and
  # simulates on the reference engine meanwhile (engines.warm_up_in_background).
  if [ "$extras" = "test" ]; then
    .venv/bin/python -c "from studio.propagation.engines import warm_up; warm_up()" || true
  fi
  touch "$stamp"
fi
