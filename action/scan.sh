#!/usr/bin/env bash
# The "Scan" step of action.yml: one scan, three reports — annotations on
# standard output, SARIF for code scanning, Markdown for the job summary.
# On pull requests only findings on changed lines are reported (--diff).
# Always exits 0: the action's last step fails the job, after the upload.
set -uo pipefail

out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/dbaudit"
mkdir -p "$out"
sarif="$out/dbaudit.sarif"
summary="$out/summary.md"
rm -f "$sarif" "$summary"

args=(scan "${DBAUDIT_PATH:-.}" -f github --write "sarif:$sarif" --write "markdown:$summary")
if [ -n "${DBAUDIT_FAIL_ON:-}" ]; then args+=(--fail-on "$DBAUDIT_FAIL_ON"); fi
if [ -n "${DBAUDIT_BASELINE:-}" ]; then args+=(--baseline "$DBAUDIT_BASELINE"); fi
if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ] && [ -n "${GITHUB_SHA:-}" ]; then
  args+=(--link-base "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/")
fi

base="${DBAUDIT_DIFF_BASE:-}"
if [ -z "$base" ] && [ -n "${DBAUDIT_BASE_REF:-}" ]; then
  # A pull request: compare with its base branch, fetched as origin/<branch>.
  base="origin/$DBAUDIT_BASE_REF"
  refspec="+refs/heads/$DBAUDIT_BASE_REF:refs/remotes/origin/$DBAUDIT_BASE_REF"
  git fetch --no-tags --quiet origin "$refspec" \
    || echo "::warning::dbaudit: could not fetch $base; --diff may fail"
  if ! git merge-base "$base" HEAD >/dev/null 2>&1; then
    # A shallow checkout (actions/checkout's default depth 1) lacks the merge base.
    git fetch --no-tags --quiet --unshallow origin "$refspec" \
      || echo "::warning::dbaudit: could not fetch the history of $base; use fetch-depth: 0"
  fi
fi
if [ -n "$base" ] && [ "$base" != "none" ]; then args+=(--diff "$base"); fi

dbaudit "${args[@]}"
code=$?

if [ -s "$summary" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$summary" >> "$GITHUB_STEP_SUMMARY"; fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    if [ -s "$sarif" ]; then echo "sarif-file=$sarif"; fi
    if [ -s "$summary" ]; then echo "summary-file=$summary"; fi
  } >> "$GITHUB_OUTPUT"
fi
exit 0
