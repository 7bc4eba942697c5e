package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

const entraEnable = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`

// activeUsers counts the tenant's active accounts as the product does.
func (s *service) activeUsers(t testing.TB) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(s.d.rebind(`SELECT COUNT(*) FROM accounts WHERE tenant = ? AND (active IS NULL OR active = ?)`), tenant, true).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSeatLimit(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			s := newTestService(t, db.open, 2)
			ann := s.createUser(t, entraUser("ann@contoso.com", true))
			s.createUser(t, `{"userName":"bob@contoso.com"}`) // active absent: holds a seat
			gone := s.createUser(t, entraUser("gone@contoso.com", false))
			group := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Staff"}`
			full := func(what string, code int, body string) {
				t.Helper()
				if code != http.StatusForbidden || !strings.Contains(body, "seat limit reached: 2 of 2 seats") {
					t.Errorf("%s with 2 of 2 seats taken: %d %s, want 403 seat limit reached", what, code, body)
				}
			}
			for _, c := range []struct {
				what, method, path, body string
				want                     int // 0: refused for the seat limit
			}{
				{"POST an active user", "POST", "/scim/v2/Users", entraUser("carol@contoso.com", true), 0},
				{"POST a user without active", "POST", "/scim/v2/Users", `{"userName":"cid@contoso.com"}`, 0},
				{"POST a disabled user", "POST", "/scim/v2/Users", entraUser("dave@contoso.com", false), http.StatusCreated},
				{"PATCH a disabled user active True", "PATCH", "/scim/v2/Users/" + gone, entraEnable, 0},
				{"PUT a disabled user active", "PUT", "/scim/v2/Users/" + gone, entraUser("gone@contoso.com", true), 0},
				{"PATCH an active user", "PATCH", "/scim/v2/Users/" + ann, strings.Replace(entraEnable, `"path":"active","value":"True"`, `"path":"displayName","value":"Ann"`, 1), http.StatusOK},
				{"PATCH an active user active True", "PATCH", "/scim/v2/Users/" + ann, entraEnable, http.StatusOK},
				{"POST a group", "POST", "/scim/v2/Groups", group, http.StatusCreated},
			} {
				code, body := s.do(t, c.method, c.path, c.body)
				if c.want == 0 {
					full(c.what, code, body)
				} else if code != c.want {
					t.Errorf("%s with 2 of 2 seats taken: %d %s, want %d", c.what, code, body, c.want)
				}
			}
			var n int
			if err := s.db.QueryRow(s.d.rebind(`SELECT COUNT(*) FROM accounts WHERE user_name IN (?, ?)`), "carol@contoso.com", "cid@contoso.com").Scan(&n); err != nil || n != 0 {
				t.Errorf("refused users stored %d times (%v), want not at all", n, err)
			}
			if got := s.activeUsers(t); got != 2 {
				t.Errorf("%d active users, want the 2 seats", got)
			}

			// Entra disables ann: her seat goes to gone.
			if code, body := s.do(t, "PATCH", "/scim/v2/Users/"+ann, entraDisable); code != http.StatusOK {
				t.Fatalf("PATCH ann active False: %d %s", code, body)
			}
			if code, body := s.do(t, "PATCH", "/scim/v2/Users/"+gone, entraEnable); code != http.StatusOK {
				t.Fatalf("PATCH gone active True with a seat free: %d %s", code, body)
			}
			code, body := s.do(t, "PATCH", "/scim/v2/Users/"+ann, entraEnable)
			full("PATCH ann active True again", code, body)
			if got := s.activeUsers(t); got != 2 {
				t.Errorf("%d active users, want the 2 seats", got)
			}
		})
	}
}

func TestSeatLimitUnderRacingWrites(t *testing.T) {
	// Entra provisions with several threads: the last seats go to exactly
	// as many writes, whichever way creates and reactivations race.
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			const seats, writers = 3, 12
			s := newTestService(t, db.open, seats)
			var off []string
			for i := range writers {
				off = append(off, s.createUser(t, entraUser(fmt.Sprintf("off%d@contoso.com", i), false)))
			}
			race := func(what string, req func(i int) (int, string)) (granted []int) {
				t.Helper()
				codes := make([]int, writers)
				var wg sync.WaitGroup
				for i := range writers {
					wg.Go(func() {
						var body string
						codes[i], body = req(i)
						if codes[i] != http.StatusForbidden && codes[i]/100 != 2 {
							t.Errorf("%s %d: %d %s", what, i, codes[i], body)
						}
					})
				}
				wg.Wait()
				for i, c := range codes {
					if c/100 == 2 {
						granted = append(granted, i)
					}
				}
				if len(granted) != seats || s.activeUsers(t) != seats {
					t.Errorf("%s, %d racing for %d seats: answers %v, %d active users; want %d granted and active",
						what, writers, seats, codes, s.activeUsers(t), seats)
				}
				return granted
			}
			granted := race("reactivations", func(i int) (int, string) {
				return s.do(t, "PATCH", "/scim/v2/Users/"+off[i], entraEnable)
			})
			for _, i := range granted {
				if code, body := s.do(t, "PATCH", "/scim/v2/Users/"+off[i], entraDisable); code != http.StatusOK {
					t.Fatalf("PATCH active False: %d %s", code, body)
				}
			}
			race("creates and reactivations", func(i int) (int, string) {
				if i%2 == 0 {
					return s.do(t, "POST", "/scim/v2/Users", entraUser(fmt.Sprintf("new%d@contoso.com", i), true))
				}
				return s.do(t, "PATCH", "/scim/v2/Users/"+off[i], entraEnable)
			})
		})
	}
}
