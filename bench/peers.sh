#!/usr/bin/env bash
# dbaudit vs its peers on the same files, same run: ESLint with the TypeScript
# parser (no-await-in-loop) and Semgrep with a Prisma N+1 rule, when installed.
#   bash bench/peers.sh ROOT
set -uo pipefail
root=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
t() { local s=$(date +%s.%N); "$@" >/dev/null 2>&1; local e=$(date +%s.%N); echo "$e - $s" | bc; }
ours=$(t env PYTHONPATH="$here/.." python3 -m scanner.cli scan "$root" -f json -o /dev/null --no-cache --select n-plus-one)
echo "dbaudit (n-plus-one, cold): ${ours}s"
if command -v eslint >/dev/null 2>&1; then
  cfg=$(mktemp -d)/eslint.config.mjs
  cat > "$cfg" <<'JS'
import tsParser from "@typescript-eslint/parser";
export default [{ files: ["**/*.{ts,tsx}"], languageOptions: { parser: tsParser }, rules: { "no-await-in-loop": "error" } }];
JS
  theirs=$(cd "$root" && t eslint -c "$cfg" --no-warn-ignored .)
  echo "eslint no-await-in-loop: ${theirs}s  ratio dbaudit/eslint = $(echo "scale=2; $ours / $theirs" | bc)"
else
  echo "eslint: not installed (npm i -g eslint @typescript-eslint/parser)"
fi
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
  echo "semgrep prisma-n-plus-one: ${theirs}s  ratio dbaudit/semgrep = $(echo "scale=2; $ours / $theirs" | bc)"
else
  echo "semgrep: not installed (pip install semgrep)"
fi
