package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// BenchmarkPatchMembers: adding and removing one member of a team of
// 2,000 through PatchMembers, against the same on a team of 10 (the
// floor), and against a whole-team Update of the team of 2,000 (what a
// Store without MemberPatcher does).
func BenchmarkPatchMembers(b *testing.B) {
	st := newAccountStore(openSQLite(b))
	ctx := store.WithTenant(context.Background(), tenant)
	const n = 2000
	var members []store.Member
	for i := range n + 1 {
		u, err := st.Create(ctx, &store.Resource{Type: store.User, Attributes: fmt.Appendf(nil, `{"userName":"user%d"}`, i)})
		if err != nil {
			b.Fatal(err)
		}
		members = append(members, store.Member{Value: u.ID})
	}
	extra := members[n]
	team := func(name string, size int) string {
		g, err := st.Create(ctx, &store.Resource{Type: store.Group, Attributes: fmt.Appendf(nil, `{"displayName":%q}`, name), Members: members[:size]})
		if err != nil {
			b.Fatal(err)
		}
		return g.ID
	}
	small, large := team("small", 10), team("large", n)
	for _, bc := range []struct {
		name string
		id   string
	}{{"PatchMembers_team_of_10", small}, {"PatchMembers_team_of_2000", large}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := st.PatchMembers(ctx, bc.id, "", []store.Member{extra}, nil); err != nil {
					b.Fatal(err)
				}
				if _, err := st.PatchMembers(ctx, bc.id, "", nil, []string{extra.Value}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("Update_team_of_2000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, add := range []bool{true, false} {
				_, err := st.Update(ctx, store.Group, large, "", func(r *store.Resource) error {
					if add {
						r.Members = append(r.Members, extra)
					} else {
						r.Members = r.Members[:len(r.Members)-1]
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
