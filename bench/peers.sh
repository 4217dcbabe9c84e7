#!/usr/bin/env bash
# dbaudit vs its peers on the same files, same run: ESLint with the TypeScript
# parser (no-await-in-loop) and Semgrep with a Prisma N+1 rule, when installed.
#   PYTHON=.venv/bin/python ESLINT_DIR=/path/with/eslint SEMGREP=/path/to/semgrep bash bench/peers.sh ROOT
set -uo pipefail
root=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# Wall seconds of a command (its output discarded).
# Exit codes 0 and 1 (findings) are runs; anything else stops the benchmark.
t() { python3 -c '
import subprocess, sys, time
s = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if p.returncode not in (0, 1):
    sys.exit(f"{sys.argv[1]} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
print(f"{time.perf_counter()-s:.2f}")' "$@"; }
ratio() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$1" "$2"; }
py=${PYTHON:-python3}   # an interpreter with dbaudit's dependencies
ours=$(t env PYTHONPATH="$here/.." "$py" -m scanner.cli scan "$root" -f json -o /dev/null --no-cache --select n-plus-one)
echo "dbaudit (n-plus-one, cold): ${ours}s"
# ESLINT_DIR: a folder where `npm install eslint @typescript-eslint/parser` ran
# (the config must sit beside node_modules to import the parser).
eslint_dir=${ESLINT_DIR:-}
if [ -n "$eslint_dir" ] && [ -x "$eslint_dir/node_modules/.bin/eslint" ]; then
  PATH="$eslint_dir/node_modules/.bin:$PATH"
fi
if command -v eslint >/dev/null 2>&1; then
  cfg=${eslint_dir:-$(mktemp -d)}/dbaudit-bench.eslint.config.mjs
  cat > "$cfg" <<'JS'
import tsParser from "@typescript-eslint/parser";
export default [{ files: ["**/*.{ts,tsx}"], languageOptions: { parser: tsParser }, rules: { "no-await-in-loop": "error" } }];
JS
  theirs=$(cd "$root" && t eslint -c "$cfg" --no-warn-ignored --no-config-lookup . 2>/dev/null || t eslint -c "$cfg" --no-warn-ignored .)
  echo "eslint no-await-in-loop: ${theirs}s  ratio dbaudit/eslint = $(ratio "$ours" "$theirs")"
else
  echo "eslint: not installed (set ESLINT_DIR to a folder with eslint and @typescript-eslint/parser)"
fi
[ -n "${SEMGREP:-}" ] && [ -x "$SEMGREP" ] && PATH="$(dirname "$SEMGREP"):$PATH"
if command -v semgrep >/dev/null 2>&1; then
  rule=$(mktemp -d)/n1.yaml
  cat > "$rule" <<'YAML'
rules:
  - id: prisma-n-plus-one
    languages: [typescript]
    severity: WARNING
    message: Prisma query in a loop
    patterns:
      - pattern-either:
          - pattern-inside: for (...) { ... }
          - pattern-inside: $X.map(...)
          - pattern-inside: $X.forEach(...)
      - pattern: $P.$M.$OP(...)
      - metavariable-regex: { metavariable: $OP, regex: ^(findMany|findFirst|findUnique|create|update|delete|upsert|count)$ }
YAML
  theirs=$(t semgrep --metrics=off --config "$rule" "$root")
  echo "semgrep prisma-n-plus-one: ${theirs}s  ratio dbaudit/semgrep = $(ratio "$ours" "$theirs")"
else
  echo "semgrep: not installed (pip install semgrep)"
fi
