package entramix

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// floorTables are the PostgreSQL floor's tables, created in the first
// schema of the pool's search_path.
const floorTables = `
CREATE TABLE IF NOT EXISTS floor_users (
	id        text PRIMARY KEY,
	user_name text NOT NULL UNIQUE,
	doc       jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS floor_groups (
	id           text PRIMARY KEY,
	display_name text NOT NULL UNIQUE,
	doc          jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS floor_members (
	group_id  text NOT NULL,
	member_id text NOT NULL,
	PRIMARY KEY (group_id, member_id)
)`

// The one statement each request sends.
const (
	sqlFindUser  = `SELECT doc FROM floor_users WHERE user_name = $1`
	sqlInsert    = `INSERT INTO floor_users (id, user_name, doc) VALUES ($1, $2, $3)`
	sqlGetUser   = `SELECT doc FROM floor_users WHERE id = $1`
	sqlMerge     = `UPDATE floor_users SET doc = doc || $2 WHERE id = $1 RETURNING doc`
	sqlNewGroup  = `INSERT INTO floor_groups (id, display_name, doc) VALUES ($1, $2, $3)`
	sqlAddMember = `INSERT INTO floor_members (group_id, member_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`
)

// PostgresFloor returns the PostgreSQL floor: a bare net/http handler
// answering the mix's routes (relative to the base URL, as under Serve)
// for requests bearing token, each with the one SQL statement it
// minimally needs on pool:
//
//	GET   /Users?filter=userName eq "x"  SELECT by the unique user_name
//	POST  /Users                         one INSERT (409 when user_name is taken)
//	GET   /Users/{id}                    SELECT by primary key
//	PATCH /Users/{id}                    UPDATE … SET doc = doc || $2 RETURNING doc
//	POST  /Groups                        one INSERT
//	PATCH /Groups/{id}                   INSERT … ON CONFLICT DO NOTHING of the members added
//
// The PATCH merge is computed crudely from the operations (a path's
// value set in a JSON object of that shape, "True"/"False" as booleans):
// it is a floor, not PATCH. It first creates its tables (floor_users,
// floor_groups, floor_members) when they are missing, in the first schema
// of the pool's search_path.
func PostgresFloor(ctx context.Context, pool *pgxpool.Pool, token string) (http.Handler, error) {
	if _, err := pool.Exec(ctx, floorTables); err != nil {
		return nil, err
	}
	f := &pgFloor{pool: pool, auth: "Bearer " + token}
	f.mux.HandleFunc("GET /Users", f.list)
	f.mux.HandleFunc("POST /Users", f.create)
	f.mux.HandleFunc("GET /Users/{id}", f.get)
	f.mux.HandleFunc("PATCH /Users/{id}", f.patch)
	f.mux.HandleFunc("POST /Groups", f.createGroup)
	f.mux.HandleFunc("PATCH /Groups/{id}", f.patchGroup)
	return f, nil
}

type pgFloor struct {
	pool *pgxpool.Pool
	auth string
	mux  http.ServeMux
}

func (f *pgFloor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if authorized(w, r, f.auth) {
		f.mux.ServeHTTP(w, r)
	}
}

func (f *pgFloor) list(w http.ResponseWriter, r *http.Request) {
	name, ok := userNameFilter(r)
	if !ok {
		writeError(w, http.StatusBadRequest, "invalidFilter")
		return
	}
	var doc []byte
	switch err := f.pool.QueryRow(r.Context(), sqlFindUser, name).Scan(&doc); {
	case errors.Is(err, pgx.ErrNoRows):
		write(w, http.StatusOK, appendList(nil))
	case err != nil:
		writeError(w, http.StatusInternalServerError, "")
	default:
		write(w, http.StatusOK, appendList(nil, doc))
	}
}

func (f *pgFloor) create(w http.ResponseWriter, r *http.Request) {
	doc, id, userName, ok := newDoc(w, r, "User", "userName")
	if !ok {
		return
	}
	if _, err := f.pool.Exec(r.Context(), sqlInsert, id, userName, doc); err != nil {
		writeDBError(w, err)
		return
	}
	w.Header().Set("Location", "https://scim.example.com/scim/v2/Users/"+id)
	write(w, http.StatusCreated, doc)
}

func (f *pgFloor) get(w http.ResponseWriter, r *http.Request) {
	var doc []byte
	if err := f.pool.QueryRow(r.Context(), sqlGetUser, r.PathValue("id")).Scan(&doc); err != nil {
		writeDBError(w, err)
		return
	}
	write(w, http.StatusOK, doc)
}

func (f *pgFloor) patch(w http.ResponseWriter, r *http.Request) {
	var p patchOp
	if !decode(w, r, &p) {
		return
	}
	merge, err := json.Marshal(p.merge())
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalidValue")
		return
	}
	var doc []byte
	if err := f.pool.QueryRow(r.Context(), sqlMerge, r.PathValue("id"), merge).Scan(&doc); err != nil {
		writeDBError(w, err)
		return
	}
	write(w, http.StatusOK, doc)
}

func (f *pgFloor) createGroup(w http.ResponseWriter, r *http.Request) {
	doc, id, name, ok := newDoc(w, r, "Group", "displayName")
	if !ok {
		return
	}
	if _, err := f.pool.Exec(r.Context(), sqlNewGroup, id, name, doc); err != nil {
		writeDBError(w, err)
		return
	}
	write(w, http.StatusCreated, doc)
}

func (f *pgFloor) patchGroup(w http.ResponseWriter, r *http.Request) {
	var p patchOp
	if !decode(w, r, &p) {
		return
	}
	var ids []string
	for _, op := range p.Operations {
		if !strings.EqualFold(op.Op, "add") || !strings.EqualFold(op.Path, "members") {
			continue
		}
		var members []struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(op.Value, &members); err != nil {
			writeError(w, http.StatusBadRequest, "invalidValue")
			return
		}
		for _, m := range members {
			ids = append(ids, m.Value)
		}
	}
	if len(ids) > 0 {
		if _, err := f.pool.Exec(r.Context(), sqlAddMember, r.PathValue("id"), ids); err != nil {
			writeDBError(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// newDoc reads a resource of type typ from r and returns it as stored:
// the body with a new id and meta, the id, and the value of its key
// attribute (which must be a non-empty string).
func newDoc(w http.ResponseWriter, r *http.Request, typ, key string) (doc []byte, id, keyValue string, ok bool) {
	var attrs map[string]json.RawMessage
	if !decode(w, r, &attrs) {
		return nil, "", "", false
	}
	if err := json.Unmarshal(attrs[key], &keyValue); err != nil || keyValue == "" {
		writeError(w, http.StatusBadRequest, "invalidValue")
		return nil, "", "", false
	}
	id = rand.Text()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	attrs["id"] = appendJSONString(nil, id)
	attrs["meta"] = json.RawMessage(`{"resourceType":"` + typ + `","created":"` + now + `","lastModified":"` + now + `","version":"W/\"1\""}`)
	doc, err := json.Marshal(attrs)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalidValue")
		return nil, "", "", false
	}
	return doc, id, keyValue, true
}

// writeDBError answers 404 for no row, 409 for a unique violation and 500
// otherwise.
func writeDBError(w http.ResponseWriter, err error) {
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		writeError(w, http.StatusNotFound, "")
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		writeError(w, http.StatusConflict, "uniqueness")
	default:
		writeError(w, http.StatusInternalServerError, "")
	}
}

// patchOp is a PATCH request, read crudely.
type patchOp struct {
	Operations []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"Operations"`
}

// merge returns the JSON object the floor merges into the stored
// document with ||: each add or replace sets its value at its path
//
//	displayName                     {"displayName": v}
//	name.familyName                 {"name": {"familyName": v}}
//	emails[type eq "work"].value    {"emails": [{"type": "work", "value": v}]}
//	urn:…:User:department           {"urn:…:User": {"department": v}}
//	(none)                          v's members
//
// with "True" and "False" read as booleans. || replaces top-level members
// whole, so this is not PATCH (name.familyName loses givenName): it costs
// what the statement of a real PATCH costs, which is all a floor needs.
func (p *patchOp) merge() map[string]any {
	out := make(map[string]any)
	for _, op := range p.Operations {
		if !strings.EqualFold(op.Op, "add") && !strings.EqualFold(op.Op, "replace") {
			continue
		}
		var v any
		if err := json.Unmarshal(op.Value, &v); err != nil {
			continue
		}
		switch v {
		case "True":
			v = true
		case "False":
			v = false
		}
		path := op.Path
		if path == "" {
			if m, ok := v.(map[string]any); ok {
				for k, x := range m {
					out[k] = x
				}
			}
			continue
		}
		if strings.HasPrefix(path, "urn:") {
			if i := strings.LastIndexByte(path, ':'); i > 0 {
				child(out, path[:i])[path[i+1:]] = v
			}
			continue
		}
		if i := strings.IndexByte(path, '['); i > 0 {
			// emails[type eq "work"].value
			elem := map[string]any{}
			if q := strings.Split(path[i:], `"`); len(q) >= 3 {
				elem["type"] = q[1]
			}
			if j := strings.LastIndex(path, "]."); j > 0 {
				elem[path[j+2:]] = v
			}
			out[path[:i]] = []any{elem}
			continue
		}
		if parent, sub, ok := strings.Cut(path, "."); ok {
			child(out, parent)[sub] = v
			continue
		}
		out[path] = v
	}
	return out
}

// child returns m[key] as an object, making it one if it is not.
func child(m map[string]any, key string) map[string]any {
	c, ok := m[key].(map[string]any)
	if !ok {
		c = make(map[string]any)
		m[key] = c
	}
	return c
}
