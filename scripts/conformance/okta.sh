#!/usr/bin/env bash
# Runs Okta's "SCIM 2.0 SPEC Test" (kept as data in shared/conformance/) against
# the quickstart server on a fresh in-memory store. See README.md beside this file.
#
#   scripts/conformance/okta.sh
#
# Environment:
#   SCIMKIT_SHARED_DIR  folder holding the suites (default: <repo>/../shared/conformance)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"

SHARED=${SCIMKIT_SHARED_DIR:-$REPO/../shared/conformance}
if [[ ! -f $SHARED/okta-spec-test.json || ! -f $SHARED/run-okta.mjs ]]; then
	echo "okta: skipping: conformance suites not found in $SHARED (set SCIMKIT_SHARED_DIR)"
	exit 0
fi
SHARED=$(cd "$SHARED" && pwd)
if ! command -v node >/dev/null 2>&1; then
	echo "okta: skipping: node not found on PATH (Node >= 18 runs run-okta.mjs)"
	exit 0
fi

TOKEN=secret
SUITE=okta
# shellcheck source=quickstart.sh
source "$REPO/scripts/conformance/quickstart.sh"
echo "okta: quickstart at $BASE"

# Step 1 of the suite reads Resources[0] of GET /Users?count=1: seed one user.
code=$(curl --noproxy '*' -s -o "$TMP/seed.json" -w '%{http_code}' -X POST \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json' \
	"$BASE/Users" -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName":"seed.user@example.com","name":{"givenName":"Seed","familyName":"User"},
  "emails":[{"type":"work","value":"seed.user@example.com","primary":true}],"active":true}')
if [[ $code != 201 ]]; then
	echo "okta: seeding the user failed: HTTP $code" >&2
	cat "$TMP/seed.json" >&2
	exit 1
fi

status=0
node "$SHARED/run-okta.mjs" "$SHARED/okta-spec-test.json" \
	--var SCIMBaseURL="$BASE" --var auth="Bearer $TOKEN" || status=$?
exit "$status"
