#!/usr/bin/env bash
# The "Install dbaudit" step of action.yml. Where dbaudit comes from, first match:
#   DBAUDIT_SOURCE   the `dbaudit-source` input: a pip requirement (a Git URL such as
#                    `git+https://github.com/you/dbaudit@v0.2.0`, a path, `dbaudit==0.2.0`),
#                    or `OWNER/NAME[@REF]`, short for that repository on this GitHub server;
#   DBAUDIT_VERSION  the `version` input: `dbaudit==VERSION` from the package index;
#   otherwise        the action's own checkout ($GITHUB_ACTION_PATH): the repository and ref
#                    that the workflow's `uses: OWNER/NAME@REF` names
#                    (github.action_repository / github.action_ref, in DBAUDIT_ACTION_*).
# DBAUDIT_INSTALL_DRY_RUN=1 prints the requirement instead of installing it.
set -euo pipefail

spec="${DBAUDIT_SOURCE:-}"
if [ -n "$spec" ]; then
  if [[ "$spec" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(@[^[:space:]]+)?$ ]] && [ ! -e "$spec" ]; then
    repo="${spec%%@*}"
    ref=""
    if [[ "$spec" == *@* ]]; then ref="@${spec#*@}"; fi
    requirement="dbaudit @ git+${GITHUB_SERVER_URL:-https://github.com}/$repo$ref"
  else
    requirement="$spec"
  fi
  from="dbaudit-source: $spec"
elif [ -n "${DBAUDIT_VERSION:-}" ]; then
  requirement="dbaudit==$DBAUDIT_VERSION"
  from="version: $DBAUDIT_VERSION, from the package index"
else
  requirement="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this as a step of the action}"
  # github.action_repository / action_ref can be empty in composite steps; the checkout is not.
  who="${DBAUDIT_ACTION_REPOSITORY:-the action}${DBAUDIT_ACTION_REF:+@$DBAUDIT_ACTION_REF}"
  from="$who, the action's own checkout"
fi

echo "dbaudit: installing $requirement ($from)"
if [ -n "${DBAUDIT_INSTALL_DRY_RUN:-}" ]; then
  exit 0
fi
python -m pip install --disable-pip-version-check --quiet "$requirement"
dbaudit --version
