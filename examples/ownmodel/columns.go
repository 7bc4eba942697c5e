package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// object is a SCIM resource's attributes with their values left as JSON,
// so that what no column takes is kept byte for byte.
//
// Moving an attribute into a column and back must give the attributes
// Entra wrote, or Entra sees a difference and PATCHes it every cycle. So
// a column takes a value only when it can give it back unchanged: a JSON
// string (or boolean) at that path. Anything else (a number where a
// string belongs, a null, a string with a NUL, which PostgreSQL's TEXT
// cannot hold) stays in scim_extra, and the column stays NULL.
type object map[string]json.RawMessage

func parseObject(raw []byte) (object, error) {
	o := object{}
	if len(raw) == 0 {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("ownmodel: attributes are not a JSON object: %w", err)
	}
	if o == nil { // the JSON was null
		o = object{}
	}
	return o, nil
}

func (o object) marshal() []byte {
	b, err := json.Marshal(map[string]json.RawMessage(o))
	if err != nil {
		// Every value came from a json.Unmarshal or a json.Marshal.
		panic(fmt.Sprintf("ownmodel: re-encoding attributes: %v", err))
	}
	return b
}

// take removes the value at path (nested objects through path[:len-1])
// and returns it, if decode accepts it; otherwise it leaves o unchanged.
// An object emptied by the removal is removed too, and put restores it.
func (o object) take(decode func(json.RawMessage) bool, path ...string) bool {
	raw, ok := o[path[0]]
	if !ok {
		return false
	}
	if len(path) == 1 {
		if !decode(raw) {
			return false
		}
		delete(o, path[0])
		return true
	}
	inner, err := parseObject(raw)
	if err != nil || !isObject(raw) || !inner.take(decode, path[1:]...) {
		return false
	}
	if len(inner) == 0 {
		delete(o, path[0])
	} else {
		o[path[0]] = inner.marshal()
	}
	return true
}

// put sets the value at path, creating the objects on the way.
func (o object) put(v json.RawMessage, path ...string) {
	if len(path) == 1 {
		o[path[0]] = v
		return
	}
	inner, err := parseObject(o[path[0]])
	if err != nil || !isObject(o[path[0]]) {
		inner = object{}
	}
	inner.put(v, path[1:]...)
	o[path[0]] = inner.marshal()
}

func isObject(raw json.RawMessage) bool { return isJSON(raw, '{') }

// isJSON reports whether the JSON value raw starts with first: '{' for
// an object, '"' a string, 't' true … (json.Unmarshal takes null for a
// string or a bool, which must stay null).
func isJSON(raw json.RawMessage, first byte) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == first
	}
	return false
}

// takeString moves the string at path into a column value.
func (o object) takeString(path ...string) sql.NullString {
	var s sql.NullString
	o.take(func(raw json.RawMessage) bool {
		var v string
		if !isJSON(raw, '"') || json.Unmarshal(raw, &v) != nil || !roundTrips(raw, v) {
			return false
		}
		s = sql.NullString{String: v, Valid: true}
		return true
	}, path...)
	return s
}

// takeBool moves the boolean at path into a column value.
func (o object) takeBool(path ...string) sql.NullBool {
	var b sql.NullBool
	o.take(func(raw json.RawMessage) bool {
		var v bool
		if !isJSON(raw, 't') && !isJSON(raw, 'f') || json.Unmarshal(raw, &v) != nil {
			return false
		}
		b = sql.NullBool{Bool: v, Valid: true}
		return true
	}, path...)
	return b
}

// roundTrips reports whether the JSON string raw decodes to v and v
// encodes to the same string: true unless raw holds invalid UTF-8 or
// lone surrogates (decoded as U+FFFD), or a NUL.
func roundTrips(raw json.RawMessage, v string) bool {
	if strings.ContainsRune(v, 0) || strings.ContainsRune(v, '\uFFFD') && !strings.Contains(string(raw), "\uFFFD") {
		return false
	}
	return true
}

func (o object) putString(s sql.NullString, path ...string) {
	if s.Valid {
		b, _ := json.Marshal(s.String)
		o.put(b, path...)
	}
}

func (o object) putBool(b sql.NullBool, path ...string) {
	if b.Valid {
		o.put(json.RawMessage(fmt.Sprint(b.Bool)), path...)
	}
}

// extensions lists the extension URNs among the attributes, as
// store.Resource.Schemas does.
func (o object) extensions() []string {
	var urns []string
	for k := range o {
		if strings.HasPrefix(k, "urn:") {
			urns = append(urns, k)
		}
	}
	slices.Sort(urns)
	return urns
}

// firstEmail is the primary email's value, else the first one's: the
// product's email column. It is a copy: emails, a multi-valued attribute
// with types, stays in scim_extra whole.
func (o object) firstEmail() sql.NullString {
	var emails []struct {
		Value   *string `json:"value"`
		Primary bool    `json:"primary"`
	}
	if json.Unmarshal(o["emails"], &emails) != nil {
		return sql.NullString{}
	}
	var first sql.NullString
	for _, e := range emails {
		if e.Value == nil || strings.ContainsRune(*e.Value, 0) {
			continue
		}
		if e.Primary {
			return sql.NullString{String: *e.Value, Valid: true}
		}
		if !first.Valid {
			first = sql.NullString{String: *e.Value, Valid: true}
		}
	}
	return first
}
