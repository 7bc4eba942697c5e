package filter

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	fp "github.com/scim2/filter-parser/v2"
)

const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

func sp(s string) *string { return &s }

// path builds an attribute path from "name" or "name.sub".
func path(s string) fp.AttributePath {
	name, sub, ok := strings.Cut(s, ".")
	ap := fp.AttributePath{AttributeName: name}
	if ok {
		ap.SubAttribute = sp(sub)
	}
	return ap
}

// urnPath builds a URN-qualified attribute path.
func urnPath(uri, s string) fp.AttributePath {
	ap := path(s)
	ap.URIPrefix = sp(uri)
	return ap
}

func cmpx(p string, op fp.CompareOperator, v any) *fp.AttributeExpression {
	return &fp.AttributeExpression{AttributePath: path(p), Operator: op, CompareValue: v}
}

func pr(p string) *fp.AttributeExpression {
	return &fp.AttributeExpression{AttributePath: path(p), Operator: fp.PR}
}

func and(l, r fp.Expression) *fp.LogicalExpression {
	return &fp.LogicalExpression{Left: l, Right: r, Operator: fp.AND}
}

func or(l, r fp.Expression) *fp.LogicalExpression {
	return &fp.LogicalExpression{Left: l, Right: r, Operator: fp.OR}
}

func not(e fp.Expression) *fp.NotExpression { return &fp.NotExpression{Expression: e} }

func vp(p string, f fp.Expression) *fp.ValuePath {
	return &fp.ValuePath{AttributePath: path(p), ValueFilter: f}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     fp.Expression
	}{
		// Every operator.
		{"eq", `userName eq "bjensen"`, cmpx("userName", fp.EQ, "bjensen")},
		{"ne", `userName ne "bjensen"`, cmpx("userName", fp.NE, "bjensen")},
		{"co", `name.familyName co "O'Malley"`, cmpx("name.familyName", fp.CO, "O'Malley")},
		{"sw", `userName sw "J"`, cmpx("userName", fp.SW, "J")},
		{"ew", `userName ew "@contoso.com"`, cmpx("userName", fp.EW, "@contoso.com")},
		{"gt", `meta.lastModified gt "2011-05-13T04:42:34Z"`, cmpx("meta.lastModified", fp.GT, "2011-05-13T04:42:34Z")},
		{"ge", `meta.lastModified ge "2011-05-13T04:42:34Z"`, cmpx("meta.lastModified", fp.GE, "2011-05-13T04:42:34Z")},
		{"lt", `meta.lastModified lt "2011-05-13T04:42:34Z"`, cmpx("meta.lastModified", fp.LT, "2011-05-13T04:42:34Z")},
		{"le", `meta.lastModified le "2011-05-13T04:42:34Z"`, cmpx("meta.lastModified", fp.LE, "2011-05-13T04:42:34Z")},
		{"pr", `title pr`, pr("title")},
		{"pr then paren", `(title pr)`, pr("title")},
		{"eq true", `active eq true`, cmpx("active", fp.EQ, true)},
		{"eq false", `active eq false`, cmpx("active", fp.EQ, false)},
		{"eq null", `title eq null`, cmpx("title", fp.EQ, nil)},
		{"int", `x eq 42`, cmpx("x", fp.EQ, 42)},
		{"negative int", `x gt -7`, cmpx("x", fp.GT, -7)},
		{"zero", `x eq 0`, cmpx("x", fp.EQ, 0)},
		{"float", `x le 1.5`, cmpx("x", fp.LE, 1.5)},
		{"exponent", `x lt 1e3`, cmpx("x", fp.LT, 1000.0)},
		{"negative exponent", `x lt -2.5E-2`, cmpx("x", fp.LT, -0.025)},
		{"empty string", `title eq ""`, cmpx("title", fp.EQ, "")},
		{"$ref", `members[$ref eq "https://x/Users/1"]`, vp("members", cmpx("$ref", fp.EQ, "https://x/Users/1"))},

		// Case-insensitive operators and keywords.
		{"EQ", `userName EQ "a"`, cmpx("userName", fp.EQ, "a")},
		{"Pr", `title Pr`, pr("title")},
		{"Co", `userName Co "a"`, cmpx("userName", fp.CO, "a")},
		{"And", `title pr And userType Eq "Employee"`, and(pr("title"), cmpx("userType", fp.EQ, "Employee"))},
		{"OR", `title pr OR userType eq "Intern"`, or(pr("title"), cmpx("userType", fp.EQ, "Intern"))},
		{"NOT", `NOT (title pr)`, not(pr("title"))},
		{"TRUE", `active eq TRUE`, cmpx("active", fp.EQ, true)},
		{"False", `active eq False`, cmpx("active", fp.EQ, false)},
		{"NULL", `title eq NULL`, cmpx("title", fp.EQ, nil)},

		// Logical operators, precedence, associativity.
		{"and", `title pr and userType eq "Employee"`, and(pr("title"), cmpx("userType", fp.EQ, "Employee"))},
		{"or", `title pr or userType eq "Intern"`, or(pr("title"), cmpx("userType", fp.EQ, "Intern"))},
		{"and binds tighter (right)", `a pr or b pr and c pr`, or(pr("a"), and(pr("b"), pr("c")))},
		{"and binds tighter (left)", `a pr and b pr or c pr`, or(and(pr("a"), pr("b")), pr("c"))},
		{"and binds tighter (middle)", `a pr or b pr and c pr or d pr`, or(or(pr("a"), and(pr("b"), pr("c"))), pr("d"))},
		{"and left-associative", `a pr and b pr and c pr`, and(and(pr("a"), pr("b")), pr("c"))},
		{"or left-associative", `a pr or b pr or c pr`, or(or(pr("a"), pr("b")), pr("c"))},
		{"parentheses override", `(a pr or b pr) and c pr`, and(or(pr("a"), pr("b")), pr("c"))},
		{"parentheses right", `a pr and (b pr or c pr)`, and(pr("a"), or(pr("b"), pr("c")))},
		{"redundant parentheses", `((a pr))`, pr("a")},
		{"spaces inside parentheses", `( a pr )`, pr("a")},
		{"not", `not (a pr)`, not(pr("a"))},
		{"not without space", `not(a pr)`, not(pr("a"))},
		{"not binds to its parentheses", `not (a pr) and b pr`, and(not(pr("a")), pr("b"))},
		{"not of or", `not (a pr or b pr)`, not(or(pr("a"), pr("b")))},
		{"not not", `not (not (a pr))`, not(not(pr("a")))},
		{"and not", `a pr and not (b pr)`, and(pr("a"), not(pr("b")))},
		{"attribute starting with not", `notes pr`, pr("notes")},
		{"attribute starting with and", `android pr and orange pr`, and(pr("android"), pr("orange"))},
		{"rfc example", `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
			and(cmpx("userType", fp.NE, "Employee"), not(or(cmpx("emails", fp.CO, "example.com"), cmpx("emails.value", fp.CO, "example.org"))))},

		// Value paths.
		{"value path", `emails[type eq "work"]`, vp("emails", cmpx("type", fp.EQ, "work"))},
		{"value path and", `emails[type eq "work" and value co "@example.com"]`,
			vp("emails", and(cmpx("type", fp.EQ, "work"), cmpx("value", fp.CO, "@example.com")))},
		{"value path or", `emails[type eq "work" or primary eq true]`,
			vp("emails", or(cmpx("type", fp.EQ, "work"), cmpx("primary", fp.EQ, true)))},
		{"value path not", `emails[not (type eq "work")]`, vp("emails", not(cmpx("type", fp.EQ, "work")))},
		{"value path pr", `emails[value pr]`, vp("emails", pr("value"))},
		{"value path spaces inside", `emails[ type eq "work" ]`, vp("emails", cmpx("type", fp.EQ, "work"))},
		{"value paths or'ed", `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
			or(vp("emails", and(cmpx("type", fp.EQ, "work"), cmpx("value", fp.CO, "@example.com"))),
				vp("ims", and(cmpx("type", fp.EQ, "xmpp"), cmpx("value", fp.CO, "@foo.com"))))},
		{"value path and attribute", `userType eq "Employee" and emails[type eq "work"]`,
			and(cmpx("userType", fp.EQ, "Employee"), vp("emails", cmpx("type", fp.EQ, "work")))},
		{"members value path", `members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
			vp("members", cmpx("value", fp.EQ, "2819c223-7f76-453a-919d-413861904646"))},
		{"value path brackets in string", `emails[value eq "a]b[c"]`, vp("emails", cmpx("value", fp.EQ, "a]b[c"))},

		// Entra's non-RFC form.
		{"entra value path", `emails[type eq "work"].value eq "x@contoso.com"`,
			vp("emails", and(cmpx("type", fp.EQ, "work"), cmpx("value", fp.EQ, "x@contoso.com")))},
		{"entra value path co", `emails[type eq "work"].value co "contoso"`,
			vp("emails", and(cmpx("type", fp.EQ, "work"), cmpx("value", fp.CO, "contoso")))},
		{"entra value path pr", `addresses[type eq "work"].streetAddress pr`,
			vp("addresses", and(cmpx("type", fp.EQ, "work"), pr("streetAddress")))},
		{"entra value path keeps or grouped", `emails[type eq "work" or type eq "home"].value eq "x"`,
			vp("emails", and(or(cmpx("type", fp.EQ, "work"), cmpx("type", fp.EQ, "home")), cmpx("value", fp.EQ, "x")))},
		{"entra value path in and", `emails[type eq "work"].value eq "x" and active eq true`,
			and(vp("emails", and(cmpx("type", fp.EQ, "work"), cmpx("value", fp.EQ, "x"))), cmpx("active", fp.EQ, true))},
		{"entra value path EQ", `addresses[type EQ "work"].postalCode EQ "98052"`,
			vp("addresses", and(cmpx("type", fp.EQ, "work"), cmpx("postalCode", fp.EQ, "98052")))},

		// URN-qualified paths (the URN contains "2.0").
		{"urn manager.value", enterpriseURN + `:manager.value eq "x"`,
			&fp.AttributeExpression{AttributePath: urnPath(enterpriseURN, "manager.value"), Operator: fp.EQ, CompareValue: "x"}},
		{"urn employeeNumber", enterpriseURN + `:employeeNumber eq "701984"`,
			&fp.AttributeExpression{AttributePath: urnPath(enterpriseURN, "employeeNumber"), Operator: fp.EQ, CompareValue: "701984"}},
		{"urn core userName", `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
			&fp.AttributeExpression{AttributePath: urnPath("urn:ietf:params:scim:schemas:core:2.0:User", "userName"), Operator: fp.SW, CompareValue: "J"}},
		{"urn core name.givenName", `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr`,
			&fp.AttributeExpression{AttributePath: urnPath("urn:ietf:params:scim:schemas:core:2.0:User", "name.givenName"), Operator: fp.PR}},
		{"urn with dash", `urn:example:scim:schemas:extension:my-custom-ext:1.0:User:badge eq "7"`,
			&fp.AttributeExpression{AttributePath: urnPath("urn:example:scim:schemas:extension:my-custom-ext:1.0:User", "badge"), Operator: fp.EQ, CompareValue: "7"}},
		{"urn value path", enterpriseURN + `:manager[value eq "x"]`,
			&fp.ValuePath{AttributePath: urnPath(enterpriseURN, "manager"), ValueFilter: cmpx("value", fp.EQ, "x")}},
		{"upper-case URN", `URN:ietf:params:scim:schemas:core:2.0:User:userName pr`,
			&fp.AttributeExpression{AttributePath: urnPath("URN:ietf:params:scim:schemas:core:2.0:User", "userName"), Operator: fp.PR}},

		// Escapes and Unicode.
		{"escaped quote", `userName eq "a\"b"`, cmpx("userName", fp.EQ, `a"b`)},
		{"escaped backslash", `userName eq "C:\\temp"`, cmpx("userName", fp.EQ, `C:\temp`)},
		{"double backslash at end", `userName eq "a\\"`, cmpx("userName", fp.EQ, `a\`)},
		{"escaped slash", `meta.version eq "W\/\"1\""`, cmpx("meta.version", fp.EQ, `W/"1"`)},
		{"unicode escape", `name.givenName eq "Ren\u00e9"`, cmpx("name.givenName", fp.EQ, "René")},
		{"unicode escape upper hex", `name.givenName eq "Ren\u00E9"`, cmpx("name.givenName", fp.EQ, "René")},
		{"surrogate pair", `displayName eq "\ud83d\ude00"`, cmpx("displayName", fp.EQ, "😀")},
		{"control escapes", `displayName eq "a\tb\nc"`, cmpx("displayName", fp.EQ, "a\tb\nc")},
		{"raw unicode", `displayName eq "Zoë 日本語 😀"`, cmpx("displayName", fp.EQ, "Zoë 日本語 😀")},
		{"raw unicode co", `name.familyName co "Åström"`, cmpx("name.familyName", fp.CO, "Åström")},
		{"keywords inside strings", `displayName eq "a and b or not (c)"`, cmpx("displayName", fp.EQ, "a and b or not (c)")},

		// Unquoted values (lenient).
		{"unquoted word", `userName eq bjensen`, cmpx("userName", fp.EQ, "bjensen")},
		{"unquoted dateTime", `meta.created gt 2015-10-10T14:38:21.8617979-07:00`, cmpx("meta.created", fp.GT, "2015-10-10T14:38:21.8617979-07:00")},
		{"unquoted domain", `emails.value co example.com`, cmpx("emails.value", fp.CO, "example.com")},
		{"unquoted email", `userName eq Test_User@contoso.com`, cmpx("userName", fp.EQ, "Test_User@contoso.com")},
		{"unquoted then and", `userName eq bjensen and active eq true`, and(cmpx("userName", fp.EQ, "bjensen"), cmpx("active", fp.EQ, true))},
		{"unquoted in parens", `(userName eq bjensen)`, cmpx("userName", fp.EQ, "bjensen")},
		{"unquoted in value path", `emails[type eq work]`, vp("emails", cmpx("type", fp.EQ, "work"))},
		{"unquoted guid", `externalId eq 2819c223-7f76-453a-919d-413861904646`, cmpx("externalId", fp.EQ, "2819c223-7f76-453a-919d-413861904646")},
		{"unquoted True", `active eq True`, cmpx("active", fp.EQ, true)},

		// Whitespace leniency.
		{"several spaces", `userName   eq   "a"   and   title  pr`, and(cmpx("userName", fp.EQ, "a"), pr("title"))},
		{"leading and trailing space", `  userName eq "a"  `, cmpx("userName", fp.EQ, "a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

// Unquoted tokens that are not JSON numbers (RFC 7159 §6, which RFC 7644
// §3.4.2.2 compValue refers to) must stay strings: Go's strconv syntax
// ("007", "1_000", "0x1p4", "-Inf", "1.") is not SCIM's, and reading them as
// numbers loses the text (employeeNumber eq 007 would compare as "7").
func TestParseUnquotedNonJSONNumbers(t *testing.T) {
	for _, tok := range []string{"007", "0_1", "1_000", "0x1p4", "-Inf", "-infinity", "1.", ".5", "1.e5", "+1", "-", "1e999"} {
		t.Run(tok, func(t *testing.T) {
			in := "employeeNumber eq " + tok
			got, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", in, err)
			}
			if d := cmp.Diff(cmpx("employeeNumber", fp.EQ, tok), got); d != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", in, d)
			}
		})
	}
}

func TestParseNumberTypes(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"x eq 1", 1},
		{"x eq -0", 0},
		{"x eq 1.0", 1.0},
		{"x eq 1e2", 100.0},
		{"x eq 1E+2", 100.0},
		{"x eq 0.000001", 0.000001},
		{"x eq 9007199254740993", 9007199254740993},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		v := got.(*fp.AttributeExpression).CompareValue
		if d := cmp.Diff(tt.want, v); d != "" {
			t.Errorf("Parse(%q) value (-want +got):\n%s", tt.in, d)
		}
		if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
			t.Errorf("Parse(%q) value %v is not finite", tt.in, f)
		}
	}
}

func TestParseDepth(t *testing.T) {
	nest := func(n int) string {
		return strings.Repeat("(", n) + `userName eq "a"` + strings.Repeat(")", n)
	}
	if _, err := Parse(nest(MaxDepth)); err != nil {
		t.Errorf("Parse with %d nested parentheses: %v", MaxDepth, err)
	}
	if _, err := Parse(strings.Repeat("not (", MaxDepth) + "a pr" + strings.Repeat(")", MaxDepth)); err != nil {
		t.Errorf("Parse with %d nested nots: %v", MaxDepth, err)
	}
	for _, in := range []string{
		nest(MaxDepth + 1),
		nest(100),
		nest(100000),
		strings.Repeat("not (", 100000) + "a pr" + strings.Repeat(")", 100000),
		strings.Repeat("(", 100000), // unbalanced too
		strings.Repeat("emails[", 10000) + "value pr" + strings.Repeat("]", 10000),
	} {
		_, err := Parse(in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(deep %.20q…): got %v, want a *SyntaxError", in, err)
			continue
		}
		if se.Offset < 0 || se.Offset > len(in) || se.Offset > 10*MaxDepth {
			t.Errorf("Parse(deep %.20q…): offset %d, want one near depth %d", in, se.Offset, MaxDepth)
		}
		_ = se.Error()
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		offset   int
	}{
		{"empty", ``, 0},
		{"blank", `   `, 3},
		{"attribute only", `userName`, 8},
		{"no value", `userName eq`, 11},
		{"no value after space", `userName eq `, 12},
		{"unknown operator", `userName xx "a"`, 9},
		{"operator glued to value", `userName eq"a"`, 9},
		{"missing operator", `userName "a"`, 9},
		{"pr with value", `title pr "x"`, 9},
		{"unclosed paren", `(userName eq "a"`, 16},
		{"extra close paren", `userName eq "a")`, 15},
		{"close paren first", `)userName eq "a"`, 0},
		{"empty parens", `()`, 1},
		{"unclosed bracket", `emails[type eq "work"`, 21},
		{"extra close bracket", `emails[type eq "work"]]`, 22},
		{"close bracket only", `emails type eq "work"]`, 7},
		{"empty brackets", `emails[]`, 7},
		{"unterminated string", `userName eq "abc`, 12},
		{"unterminated string after escape", `userName eq "abc\"`, 12},
		{"lone backslash at end", `userName eq "abc\`, 12},
		{"invalid escape", `userName eq "a\xb"`, 12},
		{"short unicode escape", `userName eq "\u12"`, 12},
		{"control character", "userName eq \"a\x01b\"", 14},
		{"raw newline in string", "userName eq \"a\nb\"", 14},
		{"dangling and", `userName eq "a" and`, 16},
		{"dangling and space", `userName eq "a" and `, 20},
		{"dangling or", `userName eq "a" or `, 19},
		{"leading and", `and userName eq "a"`, 4},
		{"not without parens", `not userName eq "a"`, 4},
		{"bad attribute name", `1abc eq "x"`, 0},
		{"bad sub-attribute name", `name.1x eq "x"`, 5},
		{"two dots", `name.givenName.x eq "x"`, 5},
		{"entra form without sub-attribute", `emails[type eq "work"]. eq "x"`, 23},
		{"entra form without operator", `emails[type eq "work"].value`, 28},
		// ATTRNAME = ALPHA *(nameChar), "$" allowed first for "$ref".
		{"entra form sub-attribute starting with -", `emails[type eq "work"].-x eq "a"`, 23},
		{"entra form sub-attribute starting with _", `emails[type eq "work"]._x eq "a"`, 23},
		{"entra form sub-attribute $", `emails[type eq "work"].$ eq "a"`, 23},
		{"attribute $", `$ eq 1`, 0},
		{"attribute $ then digit", `$1 pr`, 0},
		{"sub-attribute $", `members.$ pr`, 8},
		{"garbage after filter", `userName eq "a" xyz`, 16},
		{"two values", `userName eq "a" "b"`, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.in, got)
			}
			if got != nil {
				t.Errorf("Parse(%q) returned %v along with the error", tt.in, got)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T %v, want *SyntaxError", tt.in, err, err)
			}
			if se.Offset != tt.offset {
				t.Errorf("Parse(%q) error offset %d (%v), want %d", tt.in, se.Offset, err, tt.offset)
			}
			if se.Msg == "" {
				t.Errorf("Parse(%q) error has no message", tt.in)
			}
			if !strings.Contains(se.Error(), "offset") {
				t.Errorf("Parse(%q) error %q does not give the offset", tt.in, se.Error())
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		name, in string
		want     fp.Path
	}{
		{"attribute", `userName`, fp.Path{AttributePath: path("userName")}},
		{"sub-attribute", `name.givenName`, fp.Path{AttributePath: path("name.givenName")}},
		{"value path", `members[value eq "abc"]`, fp.Path{AttributePath: path("members"), ValueExpression: cmpx("value", fp.EQ, "abc")}},
		{"value path sub-attribute", `emails[type eq "work"].value`,
			fp.Path{AttributePath: path("emails"), ValueExpression: cmpx("type", fp.EQ, "work"), SubAttribute: sp("value")}},
		{"value path and", `addresses[type eq "work" and primary eq true].streetAddress`,
			fp.Path{AttributePath: path("addresses"), ValueExpression: and(cmpx("type", fp.EQ, "work"), cmpx("primary", fp.EQ, true)), SubAttribute: sp("streetAddress")}},
		{"value path not", `emails[not (type eq "work")]`,
			fp.Path{AttributePath: path("emails"), ValueExpression: not(cmpx("type", fp.EQ, "work"))}},
		{"urn attribute", enterpriseURN + `:employeeNumber`, fp.Path{AttributePath: urnPath(enterpriseURN, "employeeNumber")}},
		{"urn sub-attribute", enterpriseURN + `:manager.value`, fp.Path{AttributePath: urnPath(enterpriseURN, "manager.value")}},
		{"urn core", `urn:ietf:params:scim:schemas:core:2.0:User:name.familyName`,
			fp.Path{AttributePath: urnPath("urn:ietf:params:scim:schemas:core:2.0:User", "name.familyName")}},
		{"urn value path", `urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value`,
			fp.Path{AttributePath: urnPath("urn:ietf:params:scim:schemas:core:2.0:User", "emails"), ValueExpression: cmpx("type", fp.EQ, "work"), SubAttribute: sp("value")}},
		{"escaped value", `members[value eq "a\"b"]`, fp.Path{AttributePath: path("members"), ValueExpression: cmpx("value", fp.EQ, `a"b`)}},
		{"$ref", `members.$ref`, fp.Path{AttributePath: path("members.$ref")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.in, err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ParsePath(%q) (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		name, in string
		offset   int
	}{
		{"empty", ``, 0},
		{"filter, not a path", `userName eq "a"`, 9},
		{"unclosed bracket", `emails[type eq "work"`, 21},
		{"empty brackets", `emails[]`, 7},
		{"dot without name", `emails[type eq "work"].`, 23},
		{"bad name", `1abc`, 0},
		{"sub-attribute starting with -", `emails[type eq "work"].-x`, 23},
		{"sub-attribute starting with _", `emails[type eq "work"]._x`, 23},
		{"trailing bracket", `emails]`, 6},
		{"too deep", `emails[` + strings.Repeat("(", 1000) + `value pr` + strings.Repeat(")", 1000) + `]`, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err == nil {
				t.Fatalf("ParsePath(%q) = %v, want an error", tt.in, got)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParsePath(%q) error %T %v, want *SyntaxError", tt.in, err, err)
			}
			if tt.offset >= 0 && se.Offset != tt.offset {
				t.Errorf("ParsePath(%q) error offset %d (%v), want %d", tt.in, se.Offset, err, tt.offset)
			}
			if se.Offset < 0 || se.Offset > len(tt.in) {
				t.Errorf("ParsePath(%q) error offset %d out of range", tt.in, se.Offset)
			}
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := Parse(`userName xx "averyveryverylongvaluethatgoeson"`)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want *SyntaxError", err)
	}
	msg := se.Error()
	if !strings.Contains(msg, "offset 9") || !strings.Contains(msg, "…") {
		t.Errorf("Error() = %q, want the offset and a truncated excerpt", msg)
	}
	_, err = Parse(`userName eq`)
	if !errors.As(err, &se) || !strings.Contains(se.Error(), "end of filter") {
		t.Errorf("Error() = %v, want it to mention the end of the filter", err)
	}
}

func TestParseDeterministicAndIndependent(t *testing.T) {
	// Parsing must not share state between calls.
	in := `emails[type eq "work"].value eq "x" and not (active eq false)`
	a, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("two parses differ:\n%s", d)
	}
}
