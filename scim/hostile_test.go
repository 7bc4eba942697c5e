package scim_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/authtest"
	authentra "github.com/scimkit/scimkit/auth/entra"
	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/scim"
)

// allocated returns the bytes the Go heap handed out while fn ran (other
// goroutines' allocations included: the tests using it are not parallel).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// manyEmails is a user body with n work emails.
func manyEmails(userName string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"schemas":[%q],"userName":%q,"emails":[`, userURN, userName)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"value":"%s.%04d@example.com","type":"work"}`, strings.TrimSuffix(userName, "@example.com"), i)
	}
	b.WriteString(`]}`)
	return b.String()
}

// hostileCase is one request an attacker with a valid token sends, and
// what it must cost and answer.
type hostileCase struct {
	name           string
	method, target string
	body           string
	status         int
	scimType       string
	maxBytes       uint64 // allocated while serving it
	check          func(t *testing.T, r result)
}

// TestHostileRequests sends what the robustness issue found (and what the
// bad-input tests cover) through the Handler on every store: each gets a
// clear status, allocates within a ceiling that does not grow with the
// request's repetitions, and leaves the data correct.
func TestHostileRequests(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			st := kind.New(t)
			h := newHandler(t, func(c *scim.Config) {
				c.Store = st
				c.Limits.MaxResponseBytes = 512 << 10
			})
			// 12 users with 1,000 emails each (the most one attribute may hold).
			var ids []string
			for i := range 12 {
				ids = append(ids, createUser(t, h, manyEmails(fmt.Sprintf("heavy%02d@example.com", i), 1000)))
			}
			target := ids[0]

			longOr := make([]string, 200)
			for i := range longOr {
				longOr[i] = fmt.Sprintf(`emails co "z%03d"`, i)
			}
			filter200 := strings.Join(longOr, " or ")
			if len(filter200) > 4096 {
				t.Fatalf("the 200-term filter is %d bytes, over the default MaxFilterLength", len(filter200))
			}
			unmatched := func(n int) string {
				ops := make([]string, n)
				for i := range ops {
					ops[i] = fmt.Sprintf(`{"op":"add","path":"emails[value eq \"n%d\"].type","value":"home"}`, i)
				}
				return patchBody(ops...)
			}
			tooManyEmails := manyEmails("toomany@example.com", 1001)
			fiftyK := manyEmails("fiftyk@example.com", 50_000)

			cases := []hostileCase{
				// 1. attributes with one item repeated.
				{name: "attributes x2000", method: http.MethodGet, target: "/Users?attributes=" + strings.Repeat("emails.value,", 2000),
					status: 400, scimType: "invalidValue", maxBytes: 256 << 10},
				{name: "attributes x20000 (260 KB URL)", method: http.MethodGet, target: "/Users/" + target + "?attributes=" + strings.Repeat("emails.value,", 20000),
					status: 400, scimType: "invalidValue", maxBytes: 2 << 20},
				{name: "attributes x99, one item", method: http.MethodGet, target: "/Users?count=3&attributes=" + strings.Repeat("emails.value,", 99),
					status: 200, maxBytes: 8 << 20, check: func(t *testing.T, r result) {
						if num(r.body, "itemsPerPage") != 3 || len(list(r.body, "Resources.0.emails")) != 1000 {
							t.Fatalf("want 3 users with 1,000 emails each: %.300s", r.raw)
						}
						if e, _ := get(r.body, "Resources.0.emails.0").(map[string]any); len(e) != 1 || e["value"] == nil || r.body["Resources"].([]any)[0].(map[string]any)["userName"] != nil {
							t.Fatalf("projection shaped the user wrongly: %.300s", r.raw)
						}
					}},
				// 2. A 4 KB filter of 200 "co" terms over 12,000 stored emails.
				{name: "filter of 200 co terms", method: http.MethodGet, target: "/Users?filter=" + urlq(filter200),
					status: 400, scimType: "tooMany", maxBytes: 64 << 20, check: func(t *testing.T, r result) {
						if !strings.Contains(str(r.body, "detail"), "userName") {
							t.Errorf("the tooMany detail does not say what to narrow: %s", r.raw)
						}
					}},
				{name: "filter of 200 co terms via .search", method: http.MethodPost, target: "/Users/.search", body: fmt.Sprintf(`{"filter":%q}`, filter200),
					status: 400, scimType: "tooMany", maxBytes: 64 << 20},
				{name: "filter longer than 4 KB", method: http.MethodGet, target: "/Users?filter=" + urlq(filter200+` or `+filter200),
					status: 400, scimType: "invalidFilter", maxBytes: 256 << 10},
				// 3. PATCH with many value-filter operations that match nothing.
				// Each creates an email (Entra's semantics), found again through
				// an index, not a scan: linear, then past MaxValues.
				{name: "PATCH 10,000 unmatched value filters", method: http.MethodPatch, target: "/Users/" + target, body: unmatched(10_000),
					status: 400, scimType: "invalidValue", maxBytes: 64 << 20},
				{name: "PATCH 2,000 primary creates", method: http.MethodPatch, target: "/Users/" + ids[2], body: func() string {
					ops := make([]string, 2000)
					for i := range ops {
						ops[i] = fmt.Sprintf(`{"op":"add","path":"emails[value eq \"p%d\" and primary eq true].type","value":"home"}`, i)
					}
					return patchBody(ops...)
				}(), status: 413, maxBytes: 64 << 20, check: func(t *testing.T, r result) {
					if !strings.Contains(str(r.body, "detail"), "smaller requests") {
						t.Errorf("the 413 does not say what to do: %s", r.raw)
					}
				}},
				{name: "PATCH 10,001 operations", method: http.MethodPatch, target: "/Users/" + target, body: unmatched(10_001),
					status: 413, maxBytes: 32 << 20},
				// 4. Resources that grow without bound, and the pages listing them.
				{name: "POST 1,001 emails", method: http.MethodPost, target: "/Users", body: tooManyEmails,
					status: 400, scimType: "invalidValue", maxBytes: 16 << 20},
				{name: "POST 50,000 emails (under 1 MiB... or not)", method: http.MethodPost, target: "/Users", body: fiftyK,
					status: statusFor(len(fiftyK) > 1<<20, 413, 400), maxBytes: 64 << 20},
				{name: "PATCH a 1,001st email", method: http.MethodPatch, target: "/Users/" + target, body: patchBody(`{"op":"add","path":"emails","value":[{"value":"one.more@example.com"}]}`),
					status: 400, scimType: "invalidValue", maxBytes: 8 << 20},
				{name: "PATCH past 128 KiB", method: http.MethodPatch, target: "/Users/" + ids[1], body: patchBody(fmt.Sprintf(`{"op":"add","path":"title","value":%q}`, strings.Repeat("t", 100<<10))),
					status: 413, maxBytes: 16 << 20},
				{name: "list 100 heavy users", method: http.MethodGet, target: "/Users?count=100",
					status: 200, maxBytes: 48 << 20, check: func(t *testing.T, r result) {
						n := num(r.body, "itemsPerPage")
						if n < 1 || n >= 12 || len(list(r.body, "Resources")) != n || num(r.body, "totalResults") != 12 {
							t.Errorf("page of %d (itemsPerPage %d, totalResults %d): want it cut by MaxResponseBytes, and honest", len(list(r.body, "Resources")), n, num(r.body, "totalResults"))
						}
						if len(r.raw) > 512<<10+64<<10 {
							t.Errorf("the page is %d bytes, over MaxResponseBytes and one resource", len(r.raw))
						}
					}},
				// 5. A raw ";" in a filter value.
				{name: "raw ; in the filter", method: http.MethodGet, target: `/Users?filter=userName%20eq%20"o'brien;x"`,
					status: 400, scimType: "invalidFilter", maxBytes: 64 << 10},
				// What the bad-input tests cover, here on every store.
				{name: "malformed JSON", method: http.MethodPost, target: "/Users", body: `{"userName":"a@example.com",}`,
					status: 400, scimType: "invalidSyntax", maxBytes: 64 << 10},
				{name: "body over 1 MiB", method: http.MethodPost, target: "/Users", body: `{"title":"` + strings.Repeat("x", 2<<20) + `"}`,
					status: 413, maxBytes: 8 << 20},
				{name: "deeply nested JSON", method: http.MethodPost, target: "/Users", body: strings.Repeat("[", 100_000),
					status: 400, scimType: "invalidSyntax", maxBytes: 1 << 20},
				{name: "filter that does not parse", method: http.MethodGet, target: "/Users?filter=" + urlq(`userName eq "a" and`),
					status: 400, scimType: "invalidFilter", maxBytes: 64 << 10},
				{name: "filter nested 40 deep", method: http.MethodGet, target: "/Users?filter=" + urlq(strings.Repeat("(", 40)+`userName eq "a"`+strings.Repeat(")", 40)),
					status: 400, scimType: "invalidFilter", maxBytes: 64 << 10},
				{name: "count not a number", method: http.MethodGet, target: "/Users?count=" + strings.Repeat("9", 100_000),
					status: 400, scimType: "invalidValue", maxBytes: 1 << 20, check: func(t *testing.T, r result) {
						if len(r.raw) > 1024 {
							t.Errorf("the error echoes the whole parameter: %d bytes", len(r.raw))
						}
					}},
				{name: "sortBy not a path", method: http.MethodGet, target: "/Users?sortBy=" + urlq(strings.Repeat("[", 50_000)),
					status: 400, scimType: "invalidPath", maxBytes: 2 << 20, check: func(t *testing.T, r result) {
						if len(r.raw) > 1024 {
							t.Errorf("the error echoes the whole parameter: %d bytes", len(r.raw))
						}
					}},
				{name: "duplicate userName", method: http.MethodPost, target: "/Users", body: userBody("HEAVY00@example.com"),
					status: 409, scimType: "uniqueness", maxBytes: 256 << 10},
				{name: "group of 20,000 unknown members", method: http.MethodPost, target: "/Groups", body: func() string {
					ms := make([]string, 20_000)
					for i := range ms {
						ms[i] = fmt.Sprintf(`{"value":"missing-%d"}`, i)
					}
					return `{"displayName":"Ghosts","members":[` + strings.Join(ms, ",") + `]}`
				}(), status: 400, scimType: "invalidValue", maxBytes: 64 << 20, check: func(t *testing.T, r result) {
					if len(r.raw) > 2048 || !strings.Contains(r.raw, "19990 more") {
						t.Errorf("the error lists every unknown member (%d bytes): %.300s", len(r.raw), r.raw)
					}
				}},
				{name: "unknown id", method: http.MethodGet, target: "/Users/" + strings.Repeat("x", 10_000),
					status: 404, maxBytes: 256 << 10},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					var r result
					n := allocated(func() { r = do(t, h, c.method, c.target, c.body) })
					if r.status != c.status {
						t.Fatalf("status %d, want %d: %.400s", r.status, c.status, r.raw)
					}
					if c.status >= 400 {
						checkError(t, r, c.status, c.scimType)
						if list(r.body, "Resources") != nil {
							t.Errorf("an error answered a list: %.300s", r.raw)
						}
					}
					if n > c.maxBytes {
						t.Errorf("allocated %d KiB serving it; ceiling %d KiB", n>>10, c.maxBytes>>10)
					}
					if c.check != nil {
						c.check(t, r)
					}
				})
			}

			// Nothing the refused requests sent was stored.
			stored := teststore.Documents(t, st, "t")
			for _, leak := range []string{"one.more@example.com", "toomany@", "fiftyk@", `"n17"`, "ttttttttt"} {
				if strings.Contains(stored, leak) {
					t.Errorf("a refused request's data was stored: %q", leak)
				}
			}
			// Paging by itemsPerPage visits every user once.
			seen := map[string]int{}
			for start := 1; start <= 12; {
				r := do(t, h, http.MethodGet, fmt.Sprintf("/Users?startIndex=%d&count=100&attributes=userName", start), "")
				wantStatus(t, r, http.StatusOK, "page")
				n := num(r.body, "itemsPerPage")
				if n < 1 {
					t.Fatalf("empty page at %d: %.200s", start, r.raw)
				}
				for _, u := range list(r.body, "Resources") {
					seen[str(u, "id")]++
				}
				start += n
			}
			heavy := do(t, h, http.MethodGet, "/Users?count=100", "")
			for start := 1 + num(heavy.body, "itemsPerPage"); start <= 12; {
				r := do(t, h, http.MethodGet, fmt.Sprintf("/Users?startIndex=%d&count=100", start), "")
				for _, u := range list(r.body, "Resources") {
					seen[str(u, "id")]++
				}
				start += num(r.body, "itemsPerPage")
			}
			for _, u := range list(heavy.body, "Resources") {
				seen[str(u, "id")]++
			}
			for _, id := range ids {
				if seen[id] != 2 {
					t.Errorf("user %s seen %d times paging twice by itemsPerPage, want 2", id, seen[id])
				}
			}
		})
	}
}

func statusFor(cond bool, yes, no int) int {
	if cond {
		return yes
	}
	return no
}

// 6. Without Config.BaseURL, one request's Host header reaches that
// request's own response only: never the store, never another client.
func TestHostHeaderNeverStored(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			st := kind.New(t)
			h := newHandler(t, func(c *scim.Config) { c.Store = st })
			send := func(host, method, path, body string) result {
				t.Helper()
				return do(t, h, method, path, body, "Host", host)
			}
			boss := str(send("evil.example", http.MethodPost, "/Users", userBody("boss@example.com")).body, "id")
			r := send("evil.example", http.MethodPost, "/Users", fmt.Sprintf(`{"userName":"emp@example.com",%q:{"manager":{"value":%q,"$ref":"https://evil.example/x"}}}`, enterpriseURN, boss))
			wantStatus(t, r, http.StatusCreated, "POST with a manager")
			emp := str(r.body, "id")
			if loc := r.header.Get("Location"); loc != "http://evil.example/Users/"+emp {
				t.Errorf("Location %q: the request's own response may use its Host", loc)
			}
			patchOK(t, h, "/Users/"+emp, patchBody(`{"op":"replace","path":"manager","value":"`+boss+`"}`), "Host", "evil.example")
			var g result
			if n := allocated(func() { g = send("good.example", http.MethodGet, "/Users/"+emp, "") }); n > 256<<10 {
				t.Errorf("GET of a user with a manager allocated %d KiB", n>>10)
			}
			mgr, _ := g.body[enterpriseURN].(map[string]any)
			if mgr == nil {
				t.Fatalf("no enterprise extension: %s", g.raw)
			}
			m, _ := mgr["manager"].(map[string]any)
			if m["$ref"] != "http://good.example/Users/"+boss || m["value"] != boss {
				t.Errorf("manager as another client sees it = %v, want $ref on good.example", m)
			}
			for _, path := range []string{"/Users", "/Users?filter=" + urlq(`userName eq "emp@example.com"`), "/Users/" + emp + "?attributes=" + urlq(enterpriseURN+":manager")} {
				if r := send("good.example", http.MethodGet, path, ""); strings.Contains(r.raw, "evil") {
					t.Errorf("GET %s as another client shows the first client's Host: %s", path, r.raw)
				}
			}
			if stored := teststore.Documents(t, st, "t"); strings.Contains(stored, "evil") || strings.Contains(stored, "$ref") {
				t.Errorf("the store holds a URL: %s", stored)
			}
		})
	}
}

// 7. Unauthenticated requests cannot write the log at their own size and
// pace: request values are cut, and per source one 401 a minute is logged
// with the count of the others.
func TestRejectedRequestsLogBounded(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			logs := &syncBuffer{}
			var mu sync.Mutex
			now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			h := newHandler(t, func(c *scim.Config) {
				c.Store = kind.New(t)
				c.Logger = slog.New(slog.NewTextHandler(logs, nil))
				c.Clock = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			})
			huge := httptest.NewRequest(http.MethodGet, "/Users/"+strings.Repeat("a", 900<<10), nil)
			huge.Header.Set("Authorization", "Bearer wrong")
			for range 50 {
				rec := httptest.NewRecorder()
				if n := allocated(func() { h.ServeHTTP(rec, huge) }); n > 64<<10 {
					t.Errorf("a rejected 900 KB request allocated %d KiB", n>>10)
				}
				if rec.Code != http.StatusUnauthorized {
					t.Fatalf("wrong token: %d", rec.Code)
				}
			}
			if n := len(logs.String()); n > 4<<10 {
				t.Fatalf("50 rejected 900 KB requests wrote %d bytes of log", n)
			}
			if lines := strings.Count(logs.String(), "rejected"); lines != 1 {
				t.Fatalf("%d log lines for 50 rejections from one source within a minute, want 1:\n%s", lines, logs.String())
			}
			mu.Lock()
			now = now.Add(time.Minute)
			mu.Unlock()
			do(t, h, http.MethodGet, "/Users", "", "Authorization", "Bearer wrong")
			if !strings.Contains(logs.String(), "held_back=49") {
				t.Errorf("the next line does not report the 49 held back:\n%s", logs.String())
			}
			// Another source is logged on its own.
			req := httptest.NewRequest(http.MethodGet, "/Users", nil)
			req.RemoteAddr = "203.0.113.9:4711"
			h.ServeHTTP(httptest.NewRecorder(), req)
			if !strings.Contains(logs.String(), "203.0.113.9") {
				t.Errorf("a second source was not logged:\n%s", logs.String())
			}
		})
	}
}

// 8. Forged Entra tokens naming 2,000 made-up tenants, through the
// Handler: every one is refused, and the fake Entra sees at most the
// allowed number of key fetches (auth's own test sends 20,000).
func TestForgedTenantsThroughHandler(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			known := authtest.NewTenantID()
			iss := authtest.NewIssuer(authtest.Options{KnownTenants: []string{known}})
			defer iss.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			entra, err := authentra.New(ctx, authentra.Config{
				AllowTenant:   func(string) bool { return true },
				AuthorityHost: iss.URL(),
				HTTPClient:    iss.Client(),
				Logger:        slog.New(slog.DiscardHandler),
			})
			if err != nil {
				t.Fatal(err)
			}
			defer entra.Close()
			h := newHandler(t, func(c *scim.Config) { c.Store = kind.New(t); c.Auth = entra })
			send := func(token string) int {
				req := httptest.NewRequest(http.MethodGet, "/Users?filter="+urlq(`userName eq "x"`), nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			}
			if code := send(iss.Token(known)); code != http.StatusOK {
				t.Fatalf("the real tenant's token = %d, want 200", code)
			}
			before := iss.Fetches()
			bytes := allocated(func() {
				for range 2000 {
					if code := send(iss.Mint(authtest.NewTenantID(), nil, authtest.ForgedSignature())); code != http.StatusUnauthorized {
						t.Fatalf("a forged token = %d, want 401", code)
					}
				}
			})
			if n := iss.Fetches() - before; n > 100 {
				t.Errorf("2,000 forged tenants caused %d key fetches, want at most 100 (MaxTenantFetches)", n)
			}
			if bytes > 256<<20 {
				t.Errorf("2,000 forged tokens allocated %d MiB", bytes>>20)
			}
			fetches := iss.Fetches()
			if code := send(iss.Token(known)); code != http.StatusOK || iss.Fetches() != fetches {
				t.Errorf("after the flood the real tenant's token = %d with %d more fetches; want 200 without a fetch", code, iss.Fetches()-fetches)
			}
		})
	}
}
