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
TMP=$(mktemp -d "${TMPDIR:-/tmp}/scimkit-okta.XXXXXX")
SERVER_PID=
cleanup() {
	if [[ -n $SERVER_PID ]]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "okta: building quickstart"
go build -o "$TMP/quickstart" ./examples/quickstart

# Port 0: the kernel picks a free port and the quickstart prints the URL it bound,
# so there is no window in which another process can take the port.
"$TMP/quickstart" -addr 127.0.0.1:0 -token "$TOKEN" -store memory >"$TMP/server.out" 2>"$TMP/server.log" &
SERVER_PID=$!

BASE=
for _ in $(seq 100); do # ~10 s
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then
		echo "okta: quickstart exited early:" >&2
		cat "$TMP/server.out" "$TMP/server.log" >&2
		exit 1
	fi
	if [[ -z $BASE ]]; then
		BASE=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+/scim/v2' "$TMP/server.out" | head -n1 || true)
	fi
	if [[ -n $BASE ]] && code=$(curl --noproxy '*' -s -o /dev/null -m 1 -w '%{http_code}' \
		-H "Authorization: Bearer $TOKEN" "$BASE/ServiceProviderConfig") && [[ $code == 200 ]]; then
		break
	fi
	sleep 0.1
done
if [[ -z ${code:-} || $code != 200 ]]; then
	echo "okta: quickstart did not answer within 10 s (base URL: ${BASE:-unknown})" >&2
	cat "$TMP/server.out" "$TMP/server.log" >&2
	exit 1
fi
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
