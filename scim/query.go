package scim

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/scimkit/scimkit/internal/clip"
)

// listParams are the query parameters of RFC 7644 §3.4.2 (and the
// attributes/excludedAttributes of §3.9, and the cursor of RFC 9865 §2),
// from the URL or a /.search body.
// set records which were given, so that a parameter given empty is not
// mistaken for one not given.
type listParams struct {
	filter, sortBy, sortOrder string
	startIndex, count, cursor string
	attributes, excluded      string
	set                       paramSet
}

type paramSet uint8

// The parameters, in the order of paramNames.
const (
	pFilter paramSet = 1 << iota
	pSortBy
	pSortOrder
	pStartIndex
	pCount
	pAttributes
	pExcluded
	pCursor
)

var paramNames = [...]string{"filter", "sortBy", "sortOrder", "startIndex", "count", "attributes", "excludedAttributes", "cursor"}

// field returns the field of p that the parameter called name (matched
// case-insensitively) fills, and its bit; nil for a parameter SCIM does
// not define (such as Entra's aadOptscim062020), which is ignored.
func (p *listParams) field(name string) (*string, paramSet) {
	fields := [...]*string{&p.filter, &p.sortBy, &p.sortOrder, &p.startIndex, &p.count, &p.attributes, &p.excluded, &p.cursor}
	for i, n := range paramNames {
		if strings.EqualFold(name, n) {
			return fields[i], 1 << i
		}
	}
	return nil, 0
}

// put records parameter name given value once; a second time is an error,
// since two filters (or counts …) leave the intent ambiguous, and a proxy
// in front may have read the other one.
func (p *listParams) put(name, value string) error {
	f, bit := p.field(name)
	if f == nil {
		return nil
	}
	if p.set&bit != 0 {
		return paramError(name, "is given more than once; send it once")
	}
	p.set |= bit
	*f = value
	return nil
}

// has reports whether the parameter was given.
func (p *listParams) has(bit paramSet) bool { return p.set&bit != 0 }

// parseQuery reads a request's whole query string. Unlike url.ParseQuery
// used through URL.Query, which drops a pair it cannot parse (a raw ";",
// a bad %-escape) and leaves the rest, it refuses the request: a filter
// silently dropped would answer with every resource.
func parseQuery(raw string) (listParams, error) {
	var p listParams
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, kerr := url.QueryUnescape(rawKey)
		if kerr != nil {
			key = rawKey
		}
		if strings.IndexByte(pair, ';') >= 0 {
			return p, paramError(clip.String(key, 64), `holds a raw ";", which many servers and proxies read as a separator; encode it as %3B`)
		}
		value, verr := url.QueryUnescape(rawValue)
		if kerr != nil || verr != nil {
			return p, paramError(clip.String(key, 64), "is not correctly %-encoded")
		}
		if err := p.put(key, value); err != nil {
			return p, err
		}
	}
	return p, nil
}

// paramError is the 400 for a query parameter that cannot be read:
// invalidFilter for the filter, invalidSyntax otherwise.
func paramError(name, problem string) *Error {
	scimType := InvalidSyntax
	if strings.EqualFold(name, "filter") {
		scimType = InvalidFilter
	}
	return errorf(http.StatusBadRequest, scimType, "query parameter %q %s", name, problem)
}
