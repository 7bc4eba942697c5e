package storetest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// parallel runs f(0) … f(n-1) in n goroutines released at once and returns
// their errors.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

func (s *suite) testConcurrency(t *testing.T) {
	t.Run("creates of one userName", func(t *testing.T) {
		const n = 64
		e := s.env(t)
		errs := parallel(n, func(i int) error {
			name := "Racer@Example.com"
			switch i % 3 {
			case 1:
				name = strings.ToLower(name)
			case 2:
				name = strings.ToUpper(name)
			}
			_, err := e.s.Create(e.ctx, newUser(attrs{"userName": name, "title": strconv.Itoa(i)}))
			return err
		})
		wins := 0
		for i, err := range errs {
			if err == nil {
				wins++
				continue
			}
			checkConflict(t, fmt.Sprintf("create %d", i), err, "userName")
		}
		if wins != 1 {
			t.Errorf("%d of %d concurrent creates of one userName succeeded, want exactly 1", wins, n)
		}
		if ids := e.allIDs(t, store.User); len(ids) != 1 {
			t.Errorf("%d users stored, want 1", len(ids))
		}
	})

	t.Run("creates of one group displayName", func(t *testing.T) {
		const n = 32
		e := s.env(t)
		errs := parallel(n, func(i int) error {
			name := "Racers"
			if i%2 == 1 {
				name = "RACERS"
			}
			_, err := e.s.Create(e.ctx, newGroup(name))
			return err
		})
		wins := 0
		for i, err := range errs {
			if err == nil {
				wins++
				continue
			}
			checkConflict(t, fmt.Sprintf("create %d", i), err, "displayName")
		}
		if wins != 1 {
			t.Errorf("%d of %d concurrent creates of one displayName succeeded, want exactly 1", wins, n)
		}
	})

	// memberAdds adds 100 users to one group, one per goroutine, through add.
	memberAdds := func(t *testing.T, e *env, add func(gid, uid string) error) {
		const n = 100
		var users []*store.Resource
		for i := range n {
			users = append(users, e.create(t, newUser(attrs{"userName": fmt.Sprintf("member%03d", i)})))
		}
		g := e.create(t, newGroup("Crowd"))
		errs := parallel(n, func(i int) error { return add(g.ID, users[i].ID) })
		for i, err := range errs {
			if err != nil {
				t.Errorf("adding member %d: %v", i, err)
			}
		}
		got := e.get(t, store.Group, g.ID)
		have := set(memberIDs(got)...)
		if len(got.Members) != n || len(have) != n {
			t.Errorf("group has %d members (%d distinct), want %d", len(got.Members), len(have), n)
		}
		for _, u := range users {
			if !have[u.ID] {
				t.Errorf("member %s (%s) lost", u.ID, u.Display)
			}
		}
		for _, u := range users[:5] {
			e.checkGroups(t, u.ID, store.GroupRef{Value: g.ID, Display: "Crowd"})
		}
	}

	t.Run("member adds through PatchMembers", func(t *testing.T) {
		e := s.env(t)
		mp, ok := e.s.(store.MemberPatcher)
		if !ok {
			t.Skip("the store does not implement store.MemberPatcher")
		}
		memberAdds(t, e, func(gid, uid string) error {
			_, err := mp.PatchMembers(e.ctx, gid, "", []store.Member{{Value: uid}}, nil)
			return err
		})
	})

	t.Run("member adds through Update", func(t *testing.T) {
		e := s.env(t)
		memberAdds(t, e, func(gid, uid string) error {
			_, err := e.s.Update(e.ctx, store.Group, gid, "", func(r *store.Resource) error {
				r.Members = append(r.Members, store.Member{Value: uid})
				return nil
			})
			return err
		})
	})

	t.Run("updates lose nothing", func(t *testing.T) {
		// fn may run more than once (a store may retry on a version
		// clash); it only reads what it is given.
		const n = 50
		e := s.env(t)
		u := e.create(t, newUser(attrs{"userName": "counter", "nickName": "0"}))
		errs := parallel(n, func(int) error {
			_, err := e.s.Update(e.ctx, store.User, u.ID, "", func(r *store.Resource) error {
				var bad error
				err := modify(r, func(a attrs) {
					c, err := strconv.Atoi(fmt.Sprint(a["nickName"]))
					if err != nil {
						bad = err
					}
					a["nickName"] = strconv.Itoa(c + 1)
				})
				return errors.Join(err, bad)
			})
			return err
		})
		ok := 0
		for i, err := range errs {
			if err != nil {
				t.Errorf("Update %d without ifMatch: %v", i, err)
				continue
			}
			ok++
		}
		got := decode(t, e.get(t, store.User, u.ID))["nickName"]
		if got != strconv.Itoa(ok) {
			t.Errorf("counter = %v after %d successful concurrent updates: updates were lost", got, ok)
		}
	})

	t.Run("conditional updates: one winner per version", func(t *testing.T) {
		const n = 20
		e := s.env(t)
		u := e.create(t, newUser(attrs{"userName": "cas", "nickName": "start"}))
		errs := parallel(n, func(i int) error {
			_, err := e.s.Update(e.ctx, store.User, u.ID, u.Version, func(r *store.Resource) error {
				return modify(r, func(a attrs) { a["nickName"] = strconv.Itoa(i) })
			})
			return err
		})
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrPrecondition):
				t.Errorf("Update %d: %v, want nil or ErrPrecondition", i, err)
			}
		}
		if wins != 1 {
			t.Errorf("%d of %d updates with ifMatch %q succeeded, want exactly 1", wins, n, u.Version)
		}
	})

	t.Run("deletes while adding members", func(t *testing.T) {
		// A user deleted while another request adds it to a group must
		// not stay behind as a member.
		const n = 16
		e := s.env(t)
		var users []*store.Resource
		for i := range n {
			users = append(users, e.create(t, newUser(attrs{"userName": fmt.Sprintf("doomed%02d", i)})))
		}
		g := e.create(t, newGroup("Doomed"))
		errs := parallel(2*n, func(i int) error {
			u := users[i/2]
			if i%2 == 0 {
				return e.s.Delete(e.ctx, store.User, u.ID, "")
			}
			_, err := e.s.Update(e.ctx, store.Group, g.ID, "", func(r *store.Resource) error {
				r.Members = append(r.Members, store.Member{Value: u.ID})
				return nil
			})
			if errors.Is(err, store.ErrInvalidMember) {
				return nil // deleted first
			}
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		}
		if got := e.get(t, store.Group, g.ID); len(got.Members) != 0 {
			t.Errorf("group keeps %d deleted users as members: %v", len(got.Members), memberIDs(got))
		}
	})
}
