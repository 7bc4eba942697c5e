package sqlstore_test

import (
	"context"
	"strings"
	"testing"
)

// Entra's match query must be an index lookup, not a scan: with enough
// rows for the planner to care, EXPLAIN shows the uniqueness table's
// primary key and the resources' indexes.
func TestMatchQueryUsesIndex(t *testing.T) {
	st := newPostgres(t)
	db := st.DB()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `INSERT INTO scimkit_resources
		(tenant, type, id, unique_key, user_name, attributes, created_ns, modified_ns, version)
		SELECT 'acme', 'User', 'id-' || g, '', 'user' || g || '@example.com',
		       jsonb_build_object('userName', 'user' || g || '@example.com'), g, g, 1
		FROM generate_series(1, 20000) g;
		INSERT INTO scimkit_unique (tenant, type, attribute, key, id)
		SELECT 'acme', 'User', 'userName', 'USER' || g || '@EXAMPLE.COM', 'id-' || g FROM generate_series(1, 20000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE scimkit_resources; ANALYZE scimkit_unique`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ name, sql string }{
		// What List asks for an equality on a unique attribute.
		{"userName", `SELECT * FROM scimkit_resources WHERE tenant = $1 AND type = $2 AND id IN (SELECT id FROM scimkit_unique WHERE tenant = $1 AND type = $2 AND attribute = 'userName' AND key = $3)`},
		{"externalId", `SELECT * FROM scimkit_resources WHERE tenant = $1 AND type = $2 AND left(external_id, 256) = left($3, 256) AND external_id = $3`},
		{"id", `SELECT * FROM scimkit_resources WHERE tenant = $1 AND type = $2 AND id = $3`},
	} {
		rows, err := db.QueryContext(ctx, `EXPLAIN `+q.sql, "acme", "User", "user123@example.com")
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			rows.Scan(&line)
			plan = append(plan, line)
		}
		rows.Close()
		p := strings.Join(plan, "\n")
		if strings.Contains(p, "Seq Scan") || !strings.Contains(p, "Index") {
			t.Errorf("%s lookup does not use an index:\n%s", q.name, p)
		}
	}
}
