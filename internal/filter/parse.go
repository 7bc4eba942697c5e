package filter

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	fp "github.com/scim2/filter-parser/v2"
)

// MaxDepth bounds the nesting of parentheses, not and value paths.
const MaxDepth = 32

// SyntaxError is a filter that does not parse.
type SyntaxError struct {
	Offset int    // byte offset into the filter
	Msg    string // what was expected
	Filter string
}

func (e *SyntaxError) Error() string {
	near := e.Filter[e.Offset:]
	if len(near) > 20 {
		near = near[:20] + "…"
	}
	if near == "" {
		return fmt.Sprintf("at offset %d (end of filter): %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("at offset %d (near %q): %s", e.Offset, near, e.Msg)
}

// Parse parses a filter.
func Parse(s string) (fp.Expression, error) {
	p := &parser{s: s}
	p.skipSpace()
	if p.eof() {
		return nil, p.errorf("empty filter")
	}
	e, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.errorf("expected \"and\", \"or\" or the end of the filter")
	}
	return e, nil
}

// ParsePath parses an attribute path as PATCH uses it (RFC 7644 §3.5.2):
// attrPath, or valuePath with an optional ".subAttr".
func ParsePath(s string) (fp.Path, error) {
	p := &parser{s: s}
	p.skipSpace()
	ap, err := p.parseAttrPath()
	if err != nil {
		return fp.Path{}, err
	}
	path := fp.Path{AttributePath: ap}
	if p.peek() == '[' {
		if ap.SubAttribute != nil {
			return fp.Path{}, p.errorf("a value filter must follow an attribute, not a sub-attribute")
		}
		p.pos++
		inner, err := p.parseOr(1)
		if err != nil {
			return fp.Path{}, err
		}
		p.skipSpace()
		if p.peek() != ']' {
			return fp.Path{}, p.errorf("expected \"]\"")
		}
		p.pos++
		path.ValueExpression = inner
		if p.peek() == '.' {
			p.pos++
			name := p.name()
			if name == "" {
				return fp.Path{}, p.errorf("expected a sub-attribute name after \".\"")
			}
			path.SubAttribute = &name
		}
	}
	p.skipSpace()
	if !p.eof() {
		return fp.Path{}, p.errorf("unexpected text after the path")
	}
	return path, nil
}

type parser struct {
	s   string
	pos int
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func (p *parser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...), Filter: p.s}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

// keyword consumes kw (case-insensitive) when it stands at pos as a whole
// word followed by a space or, if paren, by "(".
func (p *parser) keyword(kw string, paren bool) bool {
	end := p.pos + len(kw)
	if end > len(p.s) || !strings.EqualFold(p.s[p.pos:end], kw) {
		return false
	}
	if end < len(p.s) {
		c := p.s[end]
		if !(c == ' ' || c == '\t' || (paren && c == '(')) {
			return false
		}
	} else {
		return false
	}
	p.pos = end
	return true
}

func (p *parser) parseOr(depth int) (fp.Expression, error) {
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for {
		save := p.pos
		p.skipSpace()
		if !p.keyword("or", true) {
			p.pos = save
			return left, nil
		}
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		left = &fp.LogicalExpression{Left: left, Right: right, Operator: fp.OR}
	}
}

func (p *parser) parseAnd(depth int) (fp.Expression, error) {
	left, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	for {
		save := p.pos
		p.skipSpace()
		if !p.keyword("and", true) {
			p.pos = save
			return left, nil
		}
		right, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		left = &fp.LogicalExpression{Left: left, Right: right, Operator: fp.AND}
	}
}

func (p *parser) parseUnary(depth int) (fp.Expression, error) {
	if depth > MaxDepth {
		return nil, p.errorf("filter nested more than %d levels deep", MaxDepth)
	}
	p.skipSpace()
	if p.keyword("not", true) {
		p.skipSpace()
		if p.peek() != '(' {
			return nil, p.errorf("expected \"(\" after \"not\"")
		}
		e, err := p.parseParen(depth + 1)
		if err != nil {
			return nil, err
		}
		return &fp.NotExpression{Expression: e}, nil
	}
	if p.peek() == '(' {
		return p.parseParen(depth + 1)
	}
	return p.parseAttrExpr(depth)
}

func (p *parser) parseParen(depth int) (fp.Expression, error) {
	p.pos++ // "("
	e, err := p.parseOr(depth)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != ')' {
		return nil, p.errorf("expected \")\"")
	}
	p.pos++
	return e, nil
}

func (p *parser) parseAttrExpr(depth int) (fp.Expression, error) {
	ap, err := p.parseAttrPath()
	if err != nil {
		return nil, err
	}
	if p.peek() == '[' {
		if ap.SubAttribute != nil {
			return nil, p.errorf("a value filter must follow an attribute, not a sub-attribute")
		}
		p.pos++
		inner, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ']' {
			return nil, p.errorf("expected \"]\" to close the value filter")
		}
		p.pos++
		if p.peek() != '.' {
			return &fp.ValuePath{AttributePath: ap, ValueFilter: inner}, nil
		}
		// Entra: emails[type eq "work"].value eq "x"
		p.pos++
		name := p.name()
		if name == "" {
			return nil, p.errorf("expected a sub-attribute name after \"].\"")
		}
		cmp, err := p.parseComparison(fp.AttributePath{AttributeName: name})
		if err != nil {
			return nil, err
		}
		return &fp.ValuePath{AttributePath: ap, ValueFilter: &fp.LogicalExpression{Left: inner, Right: cmp, Operator: fp.AND}}, nil
	}
	return p.parseComparison(ap)
}

var operators = []fp.CompareOperator{fp.EQ, fp.NE, fp.CO, fp.SW, fp.EW, fp.GT, fp.GE, fp.LT, fp.LE, fp.PR}

func (p *parser) parseComparison(ap fp.AttributePath) (*fp.AttributeExpression, error) {
	start := p.pos
	p.skipSpace()
	if p.pos == start && !p.eof() {
		return nil, p.errorf("expected a space after the attribute name")
	}
	var op fp.CompareOperator
	for _, o := range operators {
		if p.pos+2 <= len(p.s) && strings.EqualFold(p.s[p.pos:p.pos+2], string(o)) &&
			(p.pos+2 == len(p.s) || isDelim(p.s[p.pos+2])) {
			op = o
			break
		}
	}
	if op == "" {
		return nil, p.errorf("expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)")
	}
	p.pos += 2
	if op == fp.PR {
		return &fp.AttributeExpression{AttributePath: ap, Operator: op}, nil
	}
	if p.peek() != ' ' && p.peek() != '\t' {
		return nil, p.errorf("expected a space and a value after %q", op)
	}
	p.skipSpace()
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	return &fp.AttributeExpression{AttributePath: ap, Operator: op, CompareValue: v}, nil
}

func isDelim(c byte) bool { return c == ' ' || c == '\t' || c == ')' || c == ']' }

func (p *parser) parseValue() (any, error) {
	if p.eof() {
		return nil, p.errorf("expected a value")
	}
	if p.peek() == '"' {
		return p.parseString()
	}
	start := p.pos
	for p.pos < len(p.s) && !isDelim(p.s[p.pos]) && p.s[p.pos] != '"' {
		p.pos++
	}
	tok := p.s[start:p.pos]
	if tok == "" {
		return nil, p.errorf("expected a value")
	}
	switch {
	case strings.EqualFold(tok, "true"):
		return true, nil
	case strings.EqualFold(tok, "false"):
		return false, nil
	case strings.EqualFold(tok, "null"):
		return nil, nil
	}
	if isJSONNumber(tok) {
		if i, err := strconv.Atoi(tok); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(tok, 64); err == nil {
			return f, nil
		}
	}
	return tok, nil // lenient: an unquoted word is a string
}

// isJSONNumber reports whether tok is a number in JSON's syntax (no
// leading zeros, no hex, no underscores, no Inf): anything else unquoted
// stays a string ("007" is an employee number, not 7).
func isJSONNumber(tok string) bool {
	i := 0
	if i < len(tok) && tok[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			i++
		}
		return i - start
	}
	switch {
	case i < len(tok) && tok[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(tok) && tok[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		i++
		if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(tok)
}

func (p *parser) parseString() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	escaped := false
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '\\':
			escaped = true
			p.pos += 2
			continue
		case c == '"':
			p.pos++
			raw := p.s[start:p.pos]
			if !escaped {
				return raw[1 : len(raw)-1], nil
			}
			var out string
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				return "", &SyntaxError{Offset: start, Msg: "invalid escape in string value", Filter: p.s}
			}
			return out, nil
		case c < 0x20:
			return "", p.errorf("control character in string value")
		}
		p.pos++
	}
	return "", &SyntaxError{Offset: start, Msg: "unterminated string value", Filter: p.s}
}

// name reads an attribute or sub-attribute name (RFC 7643 §2.1: a letter,
// then letters, digits, "-" and "_"; "$ref" is the one name with a "$").
// It returns "" and leaves pos alone when no valid name starts at pos.
func (p *parser) name() string {
	start := p.pos
	end := start
	for end < len(p.s) {
		c := p.s[end]
		if c == '$' || c == '_' || c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			end++
			continue
		}
		break
	}
	if !validName(p.s[start:end]) {
		return ""
	}
	p.pos = end
	return p.s[start:end]
}

// parseAttrPath reads [URI ":"] attrName ["." subAttr].
func (p *parser) parseAttrPath() (fp.AttributePath, error) {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == ' ' || c == '\t' || c == '[' || c == ']' || c == '(' || c == ')' || c == '"' {
			break
		}
		p.pos++
	}
	tok := p.s[start:p.pos]
	if tok == "" {
		p.pos = start
		return fp.AttributePath{}, p.errorf("expected an attribute name")
	}
	var ap fp.AttributePath
	rest := tok
	restAt := start
	if len(tok) > 4 && strings.EqualFold(tok[:4], "urn:") {
		i := strings.LastIndexByte(tok, ':')
		uri := tok[:i]
		ap.URIPrefix = &uri
		rest = tok[i+1:]
		restAt = start + i + 1
	}
	name, sub, hasSub := strings.Cut(rest, ".")
	if !validName(name) {
		p.pos = restAt
		return fp.AttributePath{}, p.errorf("invalid attribute name %q", name)
	}
	ap.AttributeName = name
	if hasSub {
		if !validName(sub) {
			p.pos = restAt + len(name) + 1
			return fp.AttributePath{}, p.errorf("invalid sub-attribute name %q", sub)
		}
		ap.SubAttribute = &sub
	}
	return ap, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	if s[0] == '$' {
		i = 1 // "$ref"
	}
	if i >= len(s) || !isLetter(s[i]) {
		return false
	}
	for i++; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && c != '_' && c != '-' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
