package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// TestFiltersUseIndexes: at 100,000 users (SCIMKIT_EXPLAIN_USERS to change
// it — 1,000,000 takes about 5 minutes to seed here; 20,000 with -short),
// the filters Entra and sync clients send
// are answered through an index, never a scan of the table — by the very
// statement List sends.
func TestFiltersUseIndexes(t *testing.T) {
	users := 100_000
	if testing.Short() {
		users = 20_000
	}
	if v := os.Getenv("SCIMKIT_EXPLAIN_USERS"); v != "" {
		users, _ = strconv.Atoi(v)
	}
	st := newPostgres(t)
	db := st.DB()
	ctx := context.Background()
	trigram := true
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public`); err != nil {
		t.Logf("pg_trgm is not available (%v): userName co is not checked", err)
		trigram = false
	}
	start := time.Now()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for _, q := range []string{
		`INSERT INTO scimkit_resources (tenant, type, id, unique_key, unique_values, user_name, display_name, external_id, attributes, schemas, created_ns, modified_ns, version)
		SELECT 'acme', 'User', 'id-' || i, '', '', 'user' || i || '@example.com', 'User ' || i, 'ext-' || i,
			jsonb_build_object('userName', 'user' || i || '@example.com', 'externalId', 'ext-' || i, 'active', true, 'displayName', 'User ' || i,
				'emails', jsonb_build_array(jsonb_build_object('type', 'work', 'primary', true, 'value', 'user' || i || '@example.com'),
					jsonb_build_object('type', 'home', 'value', 'home' || i || '@example.net'))),
			'', ` + strconv.FormatInt(base, 10) + ` + i, ` + strconv.FormatInt(base, 10) + ` + i * 1000, 1
		FROM generate_series(1, $1) AS i`,
		`INSERT INTO scimkit_unique (tenant, type, attribute, key, id)
		SELECT 'acme', 'User', 'userName', 'USER' || i || '@EXAMPLE.COM', 'id-' || i FROM generate_series(1, $1) AS i`,
	} {
		if _, err := db.ExecContext(ctx, q, users); err != nil {
			t.Fatal(err)
		}
	}
	// A restart finds pg_trgm and builds the trigram index.
	if _, err := sqlstore.New(ctx, db, sqlstore.Postgres(), sqlstore.Config{}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`VACUUM ANALYZE scimkit_resources`, `VACUUM ANALYZE scimkit_unique`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d users seeded and indexed in %v", users, time.Since(start).Round(time.Second))

	mid := users / 2
	rt := schema.NewRegistry().ResourceType(store.User)
	tctx := store.WithTenant(ctx, "acme")
	for _, c := range []struct {
		filter string
		want   int // results
		skip   bool
	}{
		{filter: fmt.Sprintf(`userName eq "USER%d@example.com"`, mid), want: 1},
		{filter: fmt.Sprintf(`externalId eq "ext-%d"`, mid), want: 1},
		{filter: fmt.Sprintf(`emails[type eq "work"].value eq "User%d@Example.com"`, mid), want: 1},
		{filter: fmt.Sprintf(`emails[type eq "work" and value eq "user%d@example.com"]`, mid), want: 1},
		{filter: fmt.Sprintf(`userName co "er%d@"`, mid), want: 1, skip: !trigram},
		{filter: fmt.Sprintf(`meta.lastModified gt "%s"`, time.Unix(0, base+int64(users-5)*1000).UTC().Format(time.RFC3339Nano)), want: 5},
	} {
		t.Run(c.filter, func(t *testing.T) {
			if c.skip {
				t.Skip("pg_trgm is not installed")
			}
			expr, err := filter.Parse(c.filter)
			if err != nil {
				t.Fatal(err)
			}
			f, err := store.CompileFilter(expr, rt)
			if err != nil {
				t.Fatal(err)
			}
			q := store.Query{Filter: f, Count: 100}
			text, args, inSQL := sqlstore.PageSQL(st, "acme", store.User, q)
			if !inSQL {
				t.Errorf("the filter is not decided in SQL")
			}
			rows, err := db.QueryContext(ctx, "EXPLAIN "+text, args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, line)
			}
			rows.Close()
			p := strings.Join(plan, "\n")
			if strings.Contains(p, "Seq Scan on scimkit_resources") || !strings.Contains(p, "Index") {
				t.Errorf("no index used:\n%s\n%s", text, p)
			}
			began := time.Now()
			page, err := st.List(tctx, store.User, q)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("List: %d results in %v", page.TotalResults, time.Since(began))
			if page.TotalResults != c.want {
				t.Errorf("%d results, want %d", page.TotalResults, c.want)
			}
		})
	}
}
