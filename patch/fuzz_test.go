package patch_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
)

// fuzzStart is a starting resource the fuzzer can pick.
type fuzzStart struct {
	rt    string
	attrs string
}

// fuzzStarts are the starting resources of the corpus and RFC tables,
// without duplicates, in table order (a seed's byte picks one).
func fuzzStarts() []fuzzStart {
	var out []fuzzStart
	seen := map[fuzzStart]bool{}
	add := func(s fuzzStart) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, tc := range corpus {
		add(fuzzStart{tc.rt, tc.start})
	}
	for _, tc := range rfcCases {
		add(fuzzStart{tc.rt, tc.start})
	}
	return out
}

func startIndex(starts []fuzzStart, rt, attrs string) uint8 {
	for i, s := range starts {
		if s.rt == rt && s.attrs == attrs {
			return uint8(i)
		}
	}
	return 0
}

// cloneJSON deep-copies decoded JSON.
func cloneJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = cloneJSON(x)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = cloneJSON(x)
		}
		return a
	}
	return v
}

func cloneOps(ops []patch.Operation) []patch.Operation {
	if ops == nil {
		return nil
	}
	out := make([]patch.Operation, len(ops))
	for i, o := range ops {
		out[i] = patch.Operation{Op: o.Op, Path: o.Path, Value: cloneJSON(o.Value)}
	}
	return out
}

// ignoreCache ignores the path Normalize caches in an Operation.
var ignoreCache = cmpopts.IgnoreUnexported(patch.Operation{})

type fuzzOutcome struct {
	ok       bool
	scimType string
	attrs    map[string]any
	rewrites []patch.Rewrite
}

// FuzzNormalizeApply feeds arbitrary PATCH bodies to the Handler's
// pipeline on a corpus resource, under both compat settings.
func FuzzNormalizeApply(f *testing.F) {
	starts := fuzzStarts()
	if len(starts) > 256 {
		f.Fatalf("%d starting resources; a byte picks at most 256", len(starts))
	}
	for _, tc := range corpus {
		f.Add([]byte(expandJSON(tc.body)), startIndex(starts, tc.rt, tc.start))
	}
	for _, tc := range rfcCases {
		f.Add([]byte(expandJSON(tc.body)), startIndex(starts, tc.rt, tc.start))
	}
	// Cross-seeds: Entra's User bodies on a Group and the reverse.
	f.Add([]byte(expandJSON(corpus[0].body)), startIndex(starts, "Group", groupSales))
	f.Add([]byte(expandJSON(`{"Operations":[{"op":"add","path":"members","value":[{"value":"x"}]}]}`)), uint8(0))

	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		if len(data) > 1<<16 {
			t.Skip()
		}
		v, err := jsonv.Decode(data)
		if err != nil {
			t.Skip()
		}
		if _, ok := v.(map[string]any); !ok {
			t.Skip()
		}
		s := starts[int(which)%len(starts)]
		rt := resourceType(t, s.rt)

		outcomes := map[bool]fuzzOutcome{}
		for _, strict := range []bool{false, true} {
			c := patch.Compat{Strict: strict}
			body := cloneJSON(v).(map[string]any)
			outcomes[strict] = checkPipeline(t, rt, s.attrs, body, c)
			if diff := cmp.Diff(v, body); diff != "" {
				t.Fatalf("strict=%v: the pipeline modified the decoded body (-before +after):\n%s", strict, diff)
			}
		}
		// Strict accepts RFC PATCH only: what it accepts needs no rewrite,
		// and the default must do exactly the same with it.
		if st := outcomes[true]; st.ok {
			def := outcomes[false]
			if !def.ok {
				t.Fatalf("strict succeeded but default failed with %s", def.scimType)
			}
			if len(def.rewrites) != 0 {
				t.Fatalf("strict succeeded but default reported rewrites %v", def.rewrites)
			}
			if diff := cmp.Diff(st.attrs, def.attrs); diff != "" {
				t.Fatalf("strict and default results differ (-strict +default):\n%s", diff)
			}
		}
	})
}

// checkPipeline runs Parse → Normalize → Apply and checks the invariants.
func checkPipeline(t *testing.T, rt *schema.ResourceType, start string, body map[string]any, c patch.Compat) fuzzOutcome {
	t.Helper()
	orig := decodeObject(t, start)
	fail := func(stage string, err error) fuzzOutcome {
		var pe *patch.Error
		if !errors.As(err, &pe) {
			t.Fatalf("strict=%v %s: error %v (%T) is not a *patch.Error", c.Strict, stage, err, err)
		}
		if pe.ScimType == "" {
			t.Fatalf("strict=%v %s: *patch.Error without scimType: %v", c.Strict, stage, err)
		}
		return fuzzOutcome{scimType: pe.ScimType}
	}

	req, err := patch.Parse(body)
	if err != nil {
		return fail("Parse", err)
	}
	norm, rw, err := patch.Normalize(req, rt, c)
	// Normalize is deterministic.
	norm2, rw2, err2 := patch.Normalize(req, rt, c)
	if (err == nil) != (err2 == nil) {
		t.Fatalf("strict=%v Normalize not deterministic: %v then %v", c.Strict, err, err2)
	}
	if err != nil {
		return fail("Normalize", err)
	}
	if diff := cmp.Diff(norm, norm2, ignoreCache); diff != "" {
		t.Fatalf("strict=%v Normalize not deterministic (-first +second):\n%s", c.Strict, diff)
	}
	if diff := cmp.Diff(rw, rw2); diff != "" {
		t.Fatalf("strict=%v Normalize rewrites not deterministic (-first +second):\n%s", c.Strict, diff)
	}

	ops := cloneOps(norm.Operations)
	attrs := decodeObject(t, start)
	changed, err := patch.Apply(attrs, norm.Operations, rt, c, patch.Limits{})
	if diff := cmp.Diff(ops, norm.Operations, ignoreCache); diff != "" {
		// The Handler's store may retry the update closure with the same
		// operations; Apply must not consume them.
		t.Fatalf("strict=%v Apply modified its operations (-before +after):\n%s", c.Strict, diff)
	}

	// Apply is deterministic.
	attrs2 := decodeObject(t, start)
	changed2, err2 := patch.Apply(attrs2, norm.Operations, rt, c, patch.Limits{})
	if (err == nil) != (err2 == nil) || changed != changed2 {
		t.Fatalf("strict=%v Apply not deterministic: (%v, %v) then (%v, %v)\nops: %#v", c.Strict, changed, err, changed2, err2, norm.Operations)
	}
	if diff := cmp.Diff(attrs, attrs2); diff != "" {
		t.Fatalf("strict=%v Apply not deterministic (-first +second):\n%s\nops: %#v", c.Strict, diff, norm.Operations)
	}
	// Stored attributes left raw (jsonv.DecodeTop, as the Handler passes
	// them) give the same outcome once decoded.
	rawAttrs, rerr := jsonv.DecodeTop([]byte(expandJSON(start)))
	if rerr != nil {
		t.Fatalf("DecodeTop(start): %v", rerr)
	}
	changedRaw, errRaw := patch.Apply(rawAttrs, norm.Operations, rt, c, patch.Limits{})
	if (err == nil) != (errRaw == nil) || changed != changedRaw {
		t.Fatalf("strict=%v Apply on raw attributes: (%v, %v), decoded: (%v, %v)", c.Strict, changedRaw, errRaw, changed, err)
	}
	for k, v := range rawAttrs {
		dv, derr := jsonv.Lazy(v)
		if derr != nil {
			t.Fatalf("raw result %s: %v", k, derr)
		}
		if diff := cmp.Diff(attrs[k], dv); diff != "" {
			t.Fatalf("strict=%v Apply on raw attributes differs at %s (-decoded +raw):\n%s", c.Strict, k, diff)
		}
	}
	if len(rawAttrs) != len(attrs) {
		t.Fatalf("strict=%v Apply on raw attributes: %d attributes, decoded: %d", c.Strict, len(rawAttrs), len(attrs))
	}
	// The value-filter indexes find exactly what a scan of every element
	// finds.
	attrs4 := decodeObject(t, start)
	changed4, err4 := patch.ApplyScanning(attrs4, norm.Operations, rt, c, patch.Limits{})
	if (err == nil) != (err4 == nil) || changed != changed4 {
		t.Fatalf("strict=%v Apply with indexes: (%v, %v), scanning: (%v, %v)\nops: %#v", c.Strict, changed, err, changed4, err4, norm.Operations)
	}
	if diff := cmp.Diff(attrs, attrs4); diff != "" {
		t.Fatalf("strict=%v Apply with indexes differs from scanning (-indexed +scanning):\n%s\nops: %#v", c.Strict, diff, norm.Operations)
	}
	// The same operations without the path Normalize resolved (as a
	// caller building them by hand passes them) give the same outcome.
	attrs3 := decodeObject(t, start)
	changed3, err3 := patch.Apply(attrs3, ops, rt, c, patch.Limits{})
	if (err == nil) != (err3 == nil) || changed != changed3 {
		t.Fatalf("strict=%v Apply with unresolved operations differs: (%v, %v) vs (%v, %v)\nops: %#v", c.Strict, changed, err, changed3, err3, ops)
	}
	if diff := cmp.Diff(attrs, attrs3); diff != "" {
		t.Fatalf("strict=%v Apply with unresolved operations differs (-resolved +unresolved):\n%s", c.Strict, diff)
	}

	if err != nil {
		if diff := cmp.Diff(orig, attrs); diff != "" {
			t.Fatalf("strict=%v failed Apply (%v) changed the attributes (-before +after):\n%s", c.Strict, err, diff)
		}
		if changed {
			t.Fatalf("strict=%v Apply failed but reported changed", c.Strict)
		}
		return fail("Apply", err)
	}
	if _, err := canon.Canonicalize(rt, cloneJSON(attrs).(map[string]any), canon.Options{}); err != nil {
		t.Fatalf("strict=%v result does not re-validate: %v\nresult: %#v\nops: %#v", c.Strict, err, attrs, norm.Operations)
	}
	if missing := canon.MissingRequired(rt, attrs); len(missing) > 0 {
		t.Fatalf("strict=%v result lacks required %v: %#v", c.Strict, missing, attrs)
	}
	before := primaryCounts(orig)
	for attr, n := range primaryCounts(attrs) {
		if n > 1 && before[attr] <= 1 {
			t.Fatalf("strict=%v %d %s elements are primary (RFC 7643 §2.4: at most one)\nresult: %#v\nops: %#v", c.Strict, n, attr, attrs[attr], norm.Operations)
		}
	}
	if want := !cmp.Equal(orig, attrs); changed != want {
		t.Fatalf("strict=%v changed = %v, but the attributes %s", c.Strict, changed, map[bool]string{true: "differ", false: "are equal"}[want])
	}
	return fuzzOutcome{ok: true, attrs: attrs, rewrites: rw}
}
