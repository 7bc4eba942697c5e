# Sourced by the conformance scripts: builds the quickstart, starts it on a
# free loopback port with a fresh in-memory store, waits until it answers,
# and stops it on exit. Needs SUITE (a name for messages) and TOKEN; sets
# TMP, SERVER_PID and BASE (http://127.0.0.1:PORT/scim/v2).

TMP=$(mktemp -d "${TMPDIR:-/tmp}/scimkit-$SUITE.XXXXXX")
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

echo "$SUITE: building quickstart"
go build -o "$TMP/quickstart" ./examples/quickstart

# Port 0: the kernel picks a free port and the quickstart prints the URL it bound,
# so there is no window in which another process can take the port.
"$TMP/quickstart" -addr 127.0.0.1:0 -token "$TOKEN" -store memory >"$TMP/server.out" 2>"$TMP/server.log" &
SERVER_PID=$!

BASE=
code=
for _ in $(seq 100); do # ~10 s
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then
		echo "$SUITE: quickstart exited early:" >&2
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
if [[ $code != 200 ]]; then
	echo "$SUITE: quickstart did not answer within 10 s (base URL: ${BASE:-unknown})" >&2
	cat "$TMP/server.out" "$TMP/server.log" >&2
	exit 1
fi
