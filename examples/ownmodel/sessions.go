package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/scimkit/scimkit/store"
)

// The product's own login sessions: what provisioning must be able to
// end. A real product has its own; these routes are only here so that the
// example shows a session vanish when Entra disables its user.

// revokeSessions deletes the sessions of one account and says how many.
func revokeSessions(ctx context.Context, db *sql.DB, d dialect, tenant, accountID string) (int64, error) {
	res, err := db.ExecContext(ctx, d.rebind(`DELETE FROM sessions WHERE tenant = ? AND account_id = ?`), tenant, accountID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// session is one row of sessions, as /sessions lists it.
type session struct {
	ID       string    `json:"id"`
	Account  string    `json:"account"`
	UserName string    `json:"userName"`
	Created  time.Time `json:"created"`
}

// app is the product's own HTTP routes, for one tenant.
type app struct {
	db     *sql.DB
	d      dialect
	tenant string
	now    func() time.Time
}

// login handles /login?user=USERNAME: a stand-in for the product's real
// login, it opens a session for an active account.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	userName := r.FormValue("user")
	if userName == "" {
		http.Error(w, "want /login?user=USERNAME", http.StatusBadRequest)
		return
	}
	var acc struct {
		id, userName string
		active       sql.NullBool
	}
	err := a.db.QueryRowContext(r.Context(), a.d.rebind(`SELECT id, user_name, active FROM accounts WHERE tenant = ? AND user_name_key = ?`),
		a.tenant, store.FoldKey(userName)).Scan(&acc.id, &acc.userName, &acc.active)
	if errors.Is(err, sql.ErrNoRows) {
		http.Error(w, "no such user: provision it first", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if acc.active.Valid && !acc.active.Bool {
		http.Error(w, "account deactivated", http.StatusForbidden)
		return
	}
	s := session{ID: store.NewID(), Account: acc.id, UserName: acc.userName, Created: a.now().UTC().Truncate(time.Microsecond)}
	if _, err := a.db.ExecContext(r.Context(), a.d.rebind(`INSERT INTO sessions (id, tenant, account_id, created) VALUES (?, ?, ?, ?)`),
		s.ID, a.tenant, s.Account, s.Created); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(s)
}

// sessions handles GET /sessions: every open session, oldest first.
func (a *app) sessions(w http.ResponseWriter, r *http.Request) {
	rows, err := a.db.QueryContext(r.Context(), a.d.rebind(`
		SELECT s.id, s.account_id, COALESCE(a.user_name, ''), s.created
		FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id
		WHERE s.tenant = ? ORDER BY s.created, s.id`), a.tenant)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	list := []session{}
	for rows.Next() {
		var s session
		if err := rows.Scan(&s.ID, &s.Account, &s.UserName, &s.Created); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(list)
}
