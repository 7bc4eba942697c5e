package jsonv

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Equal reports whether the JSON values a and b are equal as
// encoding/json decodes them into any: objects member by member whatever
// their order and white space (a repeated key's last value counts),
// arrays element by element, strings once unescaped, numbers as float64.
// When either is not one well-formed value (or holds a number float64
// cannot hold), it reports whether a and b are the same bytes.
//
// It decodes nothing it need not: the stored form of a document
// (PostgreSQL's jsonb re-spaces it and reorders keys) compares to the one
// a request wrote without building maps.
func Equal(a, b []byte) bool {
	x, y := decoder{data: a}, decoder{data: b}
	eq, err := equalValues(&x, &y, 0)
	if err == nil {
		err = x.end()
	}
	if err == nil {
		err = y.end()
	}
	if err != nil {
		return bytes.Equal(a, b)
	}
	return eq
}

// errNumber: a number encoding/json would refuse (out of float64's range).
var errNumber = errors.New("number out of range")

// equalValues compares the values at x.pos and y.pos and moves both past
// them, unless it returns an error. Unequal values are moved past too, so
// that an error later in either document is still found.
func equalValues(x, y *decoder, depth int) (bool, error) {
	x.space()
	y.space()
	if x.pos >= len(x.data) || y.pos >= len(y.data) {
		return false, errors.New("unexpected end of JSON input")
	}
	cx, cy := x.data[x.pos], y.data[y.pos]
	if kind(cx) != kind(cy) {
		if err := x.skip(depth); err != nil {
			return false, err
		}
		return false, y.skip(depth)
	}
	switch {
	case cx == '"':
		return equalStrings(x, y)
	case cx == '[':
		return equalArrays(x, y, depth)
	case cx == '{':
		return equalObjects(x, y, depth)
	case kind(cx) == 'n':
		return equalNumbers(x, y)
	}
	sx, sy := x.pos, y.pos
	if _, err := x.value(depth); err != nil {
		return false, err
	}
	if _, err := y.value(depth); err != nil {
		return false, err
	}
	return bytes.Equal(x.data[sx:x.pos], y.data[sy:y.pos]), nil
}

// kind is what a value starting with c is: 'n' for a number, c itself
// otherwise.
func kind(c byte) byte {
	if c == '-' || c >= '0' && c <= '9' {
		return 'n'
	}
	return c
}

// rawString moves past the string at d.pos and returns its bytes between
// the quotes, and whether they are what it decodes to (no escape, valid
// UTF-8).
func rawString(d *decoder) ([]byte, bool, error) {
	start := d.pos
	if err := d.skip(0); err != nil {
		return nil, false, err
	}
	raw := d.data[start+1 : d.pos-1]
	return raw, bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw), nil
}

func equalStrings(x, y *decoder) (bool, error) {
	sx, sy := x.pos, y.pos
	rx, plainX, err := rawString(x)
	if err != nil {
		return false, err
	}
	ry, plainY, err := rawString(y)
	if err != nil {
		return false, err
	}
	if plainX && plainY || bytes.Equal(rx, ry) {
		return bytes.Equal(rx, ry), nil
	}
	// Escapes or invalid UTF-8: decode both (which also checks them).
	dx, dy := decoder{data: x.data, pos: sx}, decoder{data: y.data, pos: sy}
	vx, err := dx.str()
	if err != nil {
		return false, err
	}
	vy, err := dy.str()
	if err != nil {
		return false, err
	}
	return vx == vy, nil
}

func equalNumbers(x, y *decoder) (bool, error) {
	nx, err := x.number()
	if err != nil {
		return false, err
	}
	ny, err := y.number()
	if err != nil {
		return false, err
	}
	fx, errX := strconv.ParseFloat(string(nx.(json.Number)), 64)
	fy, errY := strconv.ParseFloat(string(ny.(json.Number)), 64)
	if errX != nil || errY != nil {
		return false, errNumber
	}
	return fx == fy, nil
}

func equalArrays(x, y *decoder, depth int) (bool, error) {
	if depth >= MaxDepth {
		return false, errors.New("nested too deeply")
	}
	x.pos++
	y.pos++
	eq := true
	for n := 0; ; n++ {
		endX, err := x.listNext(']', n)
		if err != nil {
			return false, err
		}
		endY, err := y.listNext(']', n)
		if err != nil {
			return false, err
		}
		switch {
		case endX && endY:
			return eq, nil
		case endX:
			return false, y.skipRest(']', depth)
		case endY:
			return false, x.skipRest(']', depth)
		}
		e, err := equalValues(x, y, depth+1)
		if err != nil {
			return false, err
		}
		eq = eq && e
	}
}

// listNext moves past the separator before element n of an array or
// object closed by closer (nothing before the first), and reports
// whether the list ended instead.
func (d *decoder) listNext(closer byte, n int) (bool, error) {
	d.space()
	if d.pos >= len(d.data) {
		return false, d.errorf("unexpected end of JSON input")
	}
	if d.data[d.pos] == closer {
		d.pos++
		return true, nil
	}
	if n > 0 {
		if d.data[d.pos] != ',' {
			return false, d.errorf("expected ',' or %q", closer)
		}
		d.pos++
		d.space()
	}
	return false, nil
}

// skipRest moves past the rest of a list whose first elements were read.
func (d *decoder) skipRest(closer byte, depth int) error {
	for n := 1; ; n++ {
		end, err := d.listNext(closer, n)
		if err != nil || end {
			return err
		}
		if closer == '}' {
			if _, _, err := d.member(depth); err != nil {
				return err
			}
			continue
		}
		if err := d.skip(depth + 1); err != nil {
			return err
		}
	}
}

// span is a member of an object: its decoded key and where its value is.
type span struct {
	key        string
	start, end int
}

// member moves past one object member at d.pos (its key on a quote) and
// returns its key and where its value starts.
func (d *decoder) member(depth int) (string, int, error) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", 0, d.errorf("expected a string key")
	}
	k, err := d.key()
	if err != nil {
		return "", 0, err
	}
	d.space()
	if d.pos >= len(d.data) || d.data[d.pos] != ':' {
		return "", 0, d.errorf("expected ':' after object key")
	}
	d.pos++
	d.space()
	start := d.pos
	return k, start, d.skip(depth + 1)
}

// smallObject is how many members an object may have before they are
// looked up by a map rather than one by one.
const smallObject = 16

// membersOf reads the members of the object at d.pos into into, a
// repeated key keeping its last value, as encoding/json does, and
// returns them with an index by key when there are more than
// smallObject (nil otherwise).
func (d *decoder) membersOf(depth int, into []span) ([]span, map[string]int, error) {
	d.pos++
	var index map[string]int
	for n := 0; ; n++ {
		end, err := d.listNext('}', n)
		if err != nil {
			return nil, nil, err
		}
		if end {
			return into, index, nil
		}
		k, start, err := d.member(depth)
		if err != nil {
			return nil, nil, err
		}
		m := span{k, start, d.pos}
		if i, ok := find(into, index, k); ok {
			into[i] = m
			continue
		}
		into = append(into, m)
		switch {
		case index != nil:
			index[k] = len(into) - 1
		case len(into) > smallObject:
			index = make(map[string]int, 2*len(into))
			for i, s := range into {
				index[s.key] = i
			}
		}
	}
}

// find returns where key is in ms (looked up in index, if any).
func find(ms []span, index map[string]int, key string) (int, bool) {
	if index != nil {
		i, ok := index[key]
		return i, ok
	}
	for i := range ms {
		if ms[i].key == key {
			return i, true
		}
	}
	return -1, false
}

func equalObjects(x, y *decoder, depth int) (bool, error) {
	if depth >= MaxDepth {
		return false, errors.New("nested too deeply")
	}
	var bufX, bufY [smallObject]span
	mx, _, err := x.membersOf(depth, bufX[:0])
	if err != nil {
		return false, err
	}
	my, indexY, err := y.membersOf(depth, bufY[:0])
	if err != nil {
		return false, err
	}
	eq := len(mx) == len(my)
	for i, m := range mx {
		j, ok := i, i < len(my) && my[i].key == m.key // the same order: no search
		if !ok {
			j, ok = find(my, indexY, m.key)
		}
		if !ok {
			eq = false
			continue
		}
		vx := decoder{data: x.data[:m.end], pos: m.start}
		vy := decoder{data: y.data[:my[j].end], pos: my[j].start}
		e, err := equalValues(&vx, &vy, depth+1)
		if err != nil {
			return false, err
		}
		eq = eq && e
	}
	return eq, nil
}
