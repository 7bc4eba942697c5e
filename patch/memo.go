package patch

import (
	"sync"
	"sync/atomic"

	"github.com/scimkit/scimkit/scim/schema"
)

// resolved memoises resolve, as encoding/json memoises its encoders by
// type: Entra sends the same few paths on every request, and a target is
// immutable once built. It holds at most maxMemoTypes resource types and
// maxMemoPaths paths of each; past that it resolves without caching, so a
// client sending endless distinct paths costs CPU, never memory.
var resolved memo

const (
	maxMemoTypes = 64
	maxMemoPaths = 4096
)

type memo struct {
	types sync.Map // *schema.ResourceType → *typeMemo
	n     atomic.Int64
}

type typeMemo struct {
	paths sync.Map // string → memoEntry
	n     atomic.Int64
}

type memoEntry struct {
	t   *target
	err error
}

func (m *memo) get(rt *schema.ResourceType, path string) (*target, error) {
	var tm *typeMemo
	if v, ok := m.types.Load(rt); ok {
		tm = v.(*typeMemo)
	} else if m.n.Load() < maxMemoTypes {
		v, loaded := m.types.LoadOrStore(rt, &typeMemo{})
		if !loaded {
			m.n.Add(1)
		}
		tm = v.(*typeMemo)
	} else {
		return resolveUncached(rt, path)
	}
	if v, ok := tm.paths.Load(path); ok {
		e := v.(memoEntry)
		return e.t, e.err
	}
	t, err := resolveUncached(rt, path)
	if tm.n.Load() < maxMemoPaths {
		if _, loaded := tm.paths.LoadOrStore(path, memoEntry{t, err}); !loaded {
			tm.n.Add(1)
		}
	}
	return t, err
}
