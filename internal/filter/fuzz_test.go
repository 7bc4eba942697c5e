package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	fp "github.com/scim2/filter-parser/v2"
)

// seedFilters are filters Entra ID, Okta and RFC 7644 send or show.
var seedFilters = []string{
	`userName eq "Test_User_00aa00aa@contoso.com"`,
	`userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"`,
	`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
	`displayName eq "Group_1ab8dcd2-3215-47ae-8a95-b7b1e5ce1f44"`,
	`id eq "7e4c9d02-1a3b-4b8f-9c0d-2e5f6a7b8c9d" and members[value eq "b2f1a3c4-5d6e-4f70-8192-a3b4c5d6e7f8"]`,
	`members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
	`emails[type eq "work"].value eq "Test_User@contoso.com"`,
	`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`,
	`urn:ietf:params:scim:schemas:core:2.0:User:name.familyName co "O'Malley"`,
	`userName sw "J"`,
	`title pr`,
	`meta.lastModified gt "2011-05-13T04:42:34Z"`,
	`meta.lastModified ge "2011-05-13T04:42:34Z" and meta.lastModified lt "2011-05-14T04:42:34Z"`,
	`title pr and userType eq "Employee"`,
	`title pr or userType eq "Intern"`,
	`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`,
	`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
	`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
	`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
	`active eq true and userName Eq "isaac.brock@example.com"`,
	`active eq False`,
	`x eq 42 or y lt -1.5e3 or z eq null`,
	`NOT (userName EQ "a") AND (title PR OR nickName pr)`,
	`emails[not (type eq "home")]`,
	`userName eq "a\"b\\c\u00e9"`,
	`displayName eq "Zoë 日本語 😀"`,
	`userName eq bjensen`,
	`meta.created gt 2015-10-10T14:38:21.8617979-07:00`,
	`emails.value co example.com`,
	`((((a pr))))`,
	`emails[type eq "work"`,
	`userName eq "abc`,
	`(userName eq "a"`,
	``,
}

var seedPaths = []string{
	`name.givenName`,
	`emails[type eq "work"].value`,
	`members[value eq "abc"]`,
	`members[value eq "2819c223-7f76-453a-919d-413861904646"].display`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`,
	`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work" and primary eq true].value`,
	`addresses[type eq "work"].streetAddress`,
	`members`,
	`emails[not (type eq "home")]`,
	`emails[`,
	``,
}

// checkErr checks the error contract: a *SyntaxError with an offset inside
// the input whose message renders without panicking.
func checkErr(t *testing.T, fn, in string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("%s(%q) error %T %v, want *SyntaxError", fn, in, err, err)
	}
	if se.Offset < 0 || se.Offset > len(in) {
		t.Fatalf("%s(%q) error offset %d outside [0, %d]", fn, in, se.Offset, len(in))
	}
	_ = se.Error()
}

func FuzzParse(f *testing.F) {
	for _, s := range seedFilters {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := Parse(in)
		e2, err2 := Parse(in)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("Parse(%q) not deterministic: %v then %v", in, err, err2)
		}
		if err != nil {
			checkErr(t, "Parse", in, err)
			if d := cmp.Diff(err, err2); d != "" {
				t.Fatalf("Parse(%q) errors differ between calls:\n%s", in, d)
			}
			return
		}
		if e == nil || isNilExpr(e) {
			t.Fatalf("Parse(%q) = nil, nil", in)
		}
		if d := cmp.Diff(e, e2); d != "" {
			t.Fatalf("Parse(%q) not deterministic:\n%s", in, d)
		}
		// Rendering the AST as a filter and parsing that must give the
		// same AST (invalid UTF-8 is left out: JSON quoting replaces it).
		if !utf8.ValidString(in) {
			return
		}
		out := render(e)
		back, err := Parse(out)
		if err != nil {
			if se := (*SyntaxError)(nil); errors.As(err, &se) && strings.Contains(se.Msg, "nested") {
				return // rendering may add parentheses at the depth limit
			}
			t.Fatalf("Parse(%q) rendered as %q, which does not parse: %v", in, out, err)
		}
		if a, b := canon(e), canon(back); a != b {
			t.Fatalf("Parse(%q) rendered as %q parses differently:\n %s\n %s", in, out, a, b)
		}
	})
}

func FuzzParsePath(f *testing.F) {
	for _, s := range seedPaths {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePath(in)
		p2, err2 := ParsePath(in)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("ParsePath(%q) not deterministic: %v then %v", in, err, err2)
		}
		if err != nil {
			checkErr(t, "ParsePath", in, err)
			if !differentialOK(in) || upstreamLeniency(in) != "" {
				return
			}
			if up, uerr := upstream(func() (fp.Path, error) { return fp.ParsePath([]byte(in)) }); uerr == nil {
				t.Fatalf("ParsePath(%q): %v; upstream parses it as %s", in, err, canonPath(up))
			}
			return
		}
		if p.AttributePath.AttributeName == "" {
			t.Fatalf("ParsePath(%q) = %+v: no attribute name", in, p)
		}
		if p.SubAttribute != nil && p.ValueExpression == nil {
			t.Fatalf("ParsePath(%q) = %+v: Path.SubAttribute without a value filter", in, p)
		}
		if d := cmp.Diff(p, p2); d != "" {
			t.Fatalf("ParsePath(%q) not deterministic:\n%s", in, d)
		}
		if !differentialOK(in) {
			return
		}
		up, uerr := upstream(func() (fp.Path, error) { return fp.ParsePath([]byte(in)) })
		if uerr != nil {
			return
		}
		if a, b := canonPath(up), canonPath(p); a != b {
			t.Fatalf("ParsePath(%q):\n upstream %s\n ours     %s", in, a, b)
		}
	})
}

// FuzzParseDifferential checks Parse against upstream fp.ParseFilter: what
// upstream accepts (without escapes, which upstream leaves undecoded, and
// without numbers it cannot represent) Parse must accept with the same AST.
func FuzzParseDifferential(f *testing.F) {
	for _, s := range seedFilters {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !differentialOK(in) {
			return
		}
		want, uerr := upstream(func() (fp.Expression, error) { return fp.ParseFilter([]byte(in)) })
		if uerr != nil {
			return
		}
		got, err := Parse(in)
		if err != nil {
			if reason := upstreamLeniency(in); reason != "" {
				return // not RFC 7644 syntax: rejecting it is fine
			}
			t.Fatalf("Parse(%q): %v; upstream parses it as %s", in, err, canon(want))
		}
		if a, b := canon(want), canon(got); a != b {
			t.Fatalf("Parse(%q):\n upstream %s\n ours     %s", in, a, b)
		}
	})
}

// differentialOK reports whether in is comparable with upstream: no
// backslash (upstream keeps escapes undecoded) and no run of more than 15
// digits (upstream turns integers into int through float64, losing
// precision).
func differentialOK(in string) bool {
	if strings.ContainsRune(in, '\\') {
		return false
	}
	run := 0
	for i := 0; i < len(in); i++ {
		if in[i] >= '0' && in[i] <= '9' {
			run++
			if run > 15 {
				return false
			}
		} else {
			run = 0
		}
	}
	return true
}

// upstreamLeniency names the non-RFC 7644 syntax upstream accepts that in
// uses, or returns "". Parse may reject such input.
func upstreamLeniency(in string) string {
	inString, depth := false, 0
	for i := 0; i < len(in); i++ {
		c := in[i]
		if inString {
			if c == '"' {
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ':':
			// Upstream takes any "seg:seg:" as a URI prefix; schema URIs
			// are URNs (RFC 7643 §3, §10.2), and Parse only knows "urn:".
			start := i
			for start > 0 && !strings.ContainsRune(" ([", rune(in[start-1])) {
				start--
			}
			if !strings.HasPrefix(strings.ToLower(in[start:]), "urn:") {
				return "URI prefix that is not a URN"
			}
		case '[':
			if i > 0 && in[i-1] == ' ' {
				// valuePath = attrPath "[" valFilter "]": no space before "[".
				return "space before ["
			}
			name := in[strings.LastIndexAny(in[:i], " ([]")+1 : i]
			if k := strings.LastIndexByte(name, ':'); k >= 0 {
				name = name[k+1:] // the URN may contain "2.0"
			}
			if strings.Contains(name, ".") {
				// The ABNF allows name.sub[...], but it means nothing (a
				// value filter needs a multi-valued attribute); Parse
				// rejects it on purpose and the store would match nothing.
				return "value filter on a sub-attribute"
			}
			depth++
		case ']':
			depth--
		}
		if depth > 0 {
			// valLogExp = attrExp SP ("and" / "or") SP attrExp
			for _, kw := range []string{"and", "or"} {
				if i+len(kw) <= len(in) && strings.EqualFold(in[i:i+len(kw)], kw) &&
					(i == 0 || in[i-1] != ' ' || i+len(kw) == len(in) || in[i+len(kw)] != ' ') {
					return "value filter " + kw + " without spaces"
				}
			}
		}
	}
	return ""
}

// upstream calls fn, turning a panic into an error.
func upstream[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("upstream panicked: %v", r)
		}
	}()
	return fn()
}

func isNilExpr(e fp.Expression) bool {
	switch t := e.(type) {
	case *fp.AttributeExpression:
		return t == nil
	case *fp.LogicalExpression:
		return t == nil || t.Left == nil || t.Right == nil || isNilExpr(t.Left) || isNilExpr(t.Right)
	case *fp.NotExpression:
		return t == nil || t.Expression == nil || isNilExpr(t.Expression)
	case *fp.ValuePath:
		return t == nil || t.ValueFilter == nil || isNilExpr(t.ValueFilter)
	}
	return true
}

// canon renders an AST canonically: fully parenthesised, operators lower
// case, every number as a float64.
func canon(e fp.Expression) string {
	var b strings.Builder
	canonInto(&b, e)
	return b.String()
}

func canonInto(b *strings.Builder, e fp.Expression) {
	switch t := e.(type) {
	case *fp.AttributeExpression:
		b.WriteString(canonAttrPath(t.AttributePath))
		b.WriteString(" ")
		b.WriteString(strings.ToLower(string(t.Operator)))
		if strings.EqualFold(string(t.Operator), "pr") {
			return
		}
		b.WriteString(" ")
		b.WriteString(canonValue(t.CompareValue))
	case *fp.LogicalExpression:
		b.WriteString("(")
		canonInto(b, t.Left)
		b.WriteString(" " + strings.ToLower(string(t.Operator)) + " ")
		canonInto(b, t.Right)
		b.WriteString(")")
	case *fp.NotExpression:
		b.WriteString("not(")
		canonInto(b, t.Expression)
		b.WriteString(")")
	case *fp.ValuePath:
		b.WriteString(canonAttrPath(t.AttributePath))
		b.WriteString("[")
		canonInto(b, t.ValueFilter)
		b.WriteString("]")
	default:
		fmt.Fprintf(b, "<%T %v>", e, e)
	}
}

func canonAttrPath(p fp.AttributePath) string {
	s := p.AttributeName
	if p.URIPrefix != nil {
		s = "<" + *p.URIPrefix + ">:" + s
	}
	if p.SubAttribute != nil {
		s += "." + *p.SubAttribute
	}
	return s
}

func canonPath(p fp.Path) string {
	s := canonAttrPath(p.AttributePath)
	if p.ValueExpression != nil {
		s += "[" + canon(p.ValueExpression) + "]"
	}
	if p.SubAttribute != nil {
		s += "." + *p.SubAttribute
	}
	return s
}

func canonValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(t)
	case string:
		return strconv.Quote(t)
	case int:
		return "num:" + strconv.FormatFloat(float64(t), 'g', -1, 64)
	case int64:
		return "num:" + strconv.FormatFloat(float64(t), 'g', -1, 64)
	case float64:
		return "num:" + strconv.FormatFloat(t, 'g', -1, 64)
	case json.Number:
		f, _ := t.Float64()
		return "num:" + strconv.FormatFloat(f, 'g', -1, 64)
	}
	return fmt.Sprintf("<%T %v>", v, v)
}

// render writes e back as a filter with as few parentheses as precedence
// allows and JSON-quoted strings.
func render(e fp.Expression) string {
	switch t := e.(type) {
	case *fp.AttributeExpression:
		s := renderAttrPath(t.AttributePath) + " " + string(t.Operator)
		if t.Operator == fp.PR {
			return s
		}
		return s + " " + renderValue(t.CompareValue)
	case *fp.LogicalExpression:
		l, r := render(t.Left), render(t.Right)
		if le, ok := t.Left.(*fp.LogicalExpression); ok && t.Operator == fp.AND && le.Operator == fp.OR {
			l = "(" + l + ")"
		}
		if _, ok := t.Right.(*fp.LogicalExpression); ok {
			r = "(" + r + ")"
		}
		return l + " " + string(t.Operator) + " " + r
	case *fp.NotExpression:
		return "not (" + render(t.Expression) + ")"
	case *fp.ValuePath:
		return renderAttrPath(t.AttributePath) + "[" + render(t.ValueFilter) + "]"
	}
	panic(fmt.Sprintf("render: unexpected %T", e))
}

func renderAttrPath(p fp.AttributePath) string {
	s := p.AttributeName
	if p.URIPrefix != nil {
		s = *p.URIPrefix + ":" + s
	}
	if p.SubAttribute != nil {
		s += "." + *p.SubAttribute
	}
	return s
}

func renderValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(t)
	case int:
		return strconv.Itoa(t)
	case float64:
		s := strconv.FormatFloat(t, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEIN") {
			s += ".0"
		}
		return s
	case string:
		b, err := json.Marshal(t)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	panic(fmt.Sprintf("renderValue: unexpected %T", v))
}
