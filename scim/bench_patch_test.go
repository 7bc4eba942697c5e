package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// BenchmarkPatchUserEntra sends Entra's five-operation user PATCH of
// entra-behaviour.md §3.5, alternating two sets of values so that every
// request changes the user.
func BenchmarkPatchUserEntra(b *testing.B) {
	h, _ := benchHandler(b)
	seedUsers(b, h, 1)
	id := firstUserID(b, h)
	bodies := [2]string{}
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[
   {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail%[1]d@contoso.com"},
   {"op":"Replace","path":"name.familyName","value":"updatedFamilyName%[1]d"},
   {"op":"Replace","path":"displayName","value":"Pvlo%[1]d"},
   {"op":"Replace","path":"externalId","value":"Eqpj%[1]d"},
   {"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj%[1]d"}]}`, i)
	}
	req := httptest.NewRequest(http.MethodPatch, "/Users/"+id, nil)
	req.Header.Set("Authorization", "Bearer bench")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		setBody(req, bodies[i&1])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		i++
	}
}

func firstUserID(b *testing.B, h http.Handler) string {
	req := httptest.NewRequest(http.MethodGet, "/Users?count=1&attributes=id", nil)
	req.Header.Set("Authorization", "Bearer bench")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	s := rec.Body.String()
	i := strings.Index(s, `"id":"`)
	if i < 0 {
		b.Fatalf("no user: %s", s)
	}
	s = s[i+6:]
	return s[:strings.IndexByte(s, '"')]
}

// groupWithMembers creates n users in the store (directly, for speed) and
// a group holding them, plus a pool of users outside the group.
func groupWithMembers(b *testing.B, st *memory.Store, n, pool int) (gid string, outside []string) {
	ctx := store.WithTenant(context.Background(), "t1")
	mk := func(name string) string {
		r, err := st.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: name}}, Display: name, Attributes: []byte(`{"userName":"` + name + `"}`)})
		if err != nil {
			b.Fatal(err)
		}
		return r.ID
	}
	members := make([]store.Member, n)
	for i := range members {
		members[i] = store.Member{Value: mk(fmt.Sprintf("member%d@contoso.com", i))}
	}
	g, err := st.Create(ctx, &store.Resource{Type: store.Group, Unique: []store.Unique{{Attribute: "displayName", Value: "big"}}, Display: "big", Attributes: []byte(`{"displayName":"big"}`), Members: members})
	if err != nil {
		b.Fatal(err)
	}
	for i := range pool {
		outside = append(outside, mk(fmt.Sprintf("pool%d@contoso.com", i)))
	}
	return g.ID, outside
}

func memberPatch(b *testing.B, h http.Handler, gid, body string) {
	req := httptest.NewRequest(http.MethodPatch, "/Groups/"+gid, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer bench")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// BenchmarkAddMember adds one member to a group of 10 or 100,000 members
// with Entra's PATCH.
func BenchmarkAddMember(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			h, st := benchHandler(b)
			const pool = 2048
			gid, outside := groupWithMembers(b, st, n, pool)
			ctx := store.WithTenant(context.Background(), "t1")
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i == pool {
					b.StopTimer()
					if _, err := st.PatchMembers(ctx, gid, "", nil, outside); err != nil {
						b.Fatal(err)
					}
					i = 0
					b.StartTimer()
				}
				memberPatch(b, h, gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+outside[i]+`"}]}]}`)
				i++
			}
		})
	}
}

// BenchmarkRemoveMember removes one member (Entra's default value-array
// form) from a group of 10 or 100,000 members.
func BenchmarkRemoveMember(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			h, st := benchHandler(b)
			const pool = 2048
			gid, outside := groupWithMembers(b, st, n, pool)
			ctx := store.WithTenant(context.Background(), "t1")
			refill := func() {
				add := make([]store.Member, len(outside))
				for j, id := range outside {
					add[j] = store.Member{Value: id}
				}
				if _, err := st.PatchMembers(ctx, gid, "", add, nil); err != nil {
					b.Fatal(err)
				}
			}
			refill()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i == pool {
					b.StopTimer()
					refill()
					i = 0
					b.StartTimer()
				}
				memberPatch(b, h, gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"`+outside[i]+`"}]}]}`)
				i++
			}
		})
	}
}
