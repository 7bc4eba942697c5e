package sqlstore_test

// Generators for the differential test (differential_test.go): a
// population of users and groups, deterministic from a seed, and filters,
// sort orders and pages, deterministic from a byte string (a fuzz input).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

const (
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	coreUserURN   = "urn:ietf:params:scim:schemas:core:2.0:User"
	coreGroupURN  = "urn:ietf:params:scim:schemas:core:2.0:Group"
)

// diffBase is when the first resource of a population is created; resource
// i is created (and last modified) diffBase + i seconds: every store runs
// on a clock the seeding sets, so meta dates are the same in every store.
var diffBase = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// createdAt is the creation time of resource i.
func createdAt(i int) time.Time { return diffBase.Add(time.Duration(i) * time.Second) }

// ---------------------------------------------------------------------
// Population

// popResource is one resource of a population, as every store gets it.
type popResource struct {
	typ     string // store.User or store.Group
	label   string // userName or displayName, for messages
	display string // Resource.Display: displayName, else userName
	attrs   map[string]any
	raw     []byte      // attrs as the Handler would store them
	members []popMember // groups: members by creation index
}

type popMember struct {
	index   int
	display string // as sent; "" derives it
}

// population is a set of users and groups. Creation index i is the i-th
// resource created, in every store. After creating them all, the stores
// update some (attributes, names, members) and delete a few: ops.
type population struct {
	res     []popResource       // as created
	ops     []popOp             // then, in order
	final   []popResource       // after ops
	deleted map[int]bool        // deleted by ops
	users   []int               // creation indices of the users not deleted
	groups  []int               // creation indices of the groups not deleted
	members []int               // creation indices of resources that are a member of some group
	pool    map[string][]string // "User:emails.value" → values stored (with repeats)
}

// popOp replaces resource index with state (an Update, which sets every
// attribute and a group's members) or deletes it.
type popOp struct {
	index  int
	delete bool
	state  popResource
}

// Value pools. Values repeat across resources and across attributes, are
// prefixes of each other, differ only by case, hold LIKE metacharacters,
// quotes, backslashes and text that case-folds differently in Go and SQL:
// U+212A KELVIN SIGN and U+017F LONG S fold to k and s under EqualFold,
// the Turkish dotted and dotless i, ß, and emoji.
var (
	stems = []string{
		"ann", "anna", "Anna", "annabel", "bob", "bobby", "BOB", "carol", "Carol", "zoë", "zoe", "ZOË",
		"İnan", "inan", "ıvan", "IVAN", "straße", "STRASSE", "strasse", "\u212aelvin", "kelvin", "\u017fam",
		"sam", "SAM", "zoe\u0308", "o'brien", "O'Brien", "100%", "100_", "a_b", "a%b", `a\b`, `"quoted"`, "😀", "😀smile",
		"日本", "x", "X", "xy", "kate", "KATE", "\u212aate",
	}
	userSuffixes = []string{"", "", "", "@example.com", "@Example.COM", ".admin", "_1", "%", "1", "-eu", "@exämple.com"}
	displayNames = []string{
		"Ann Smith", "ann smith", "ANN SMITH", "Ann", "Annabel Lee", "Zoë Ångström", "zoe angstrom", "İnan Yılmaz",
		"inan yilmaz", "\u212aate", "Kate", "ſam", "Sam", "O'Brien", "100% Real", "a_b c", "", "Bob", "bob",
		"Back\\slash", `"Quoted" Name`, "😀 Smile", "日本 太郎",
	}
	titles = []string{
		"Engineer", "engineer", "ENGINEER", "Eng", "Engineering Manager", "Senior Engineer", "Manager", "mgr_1",
		"mgr%1", "100% remote", "T\u0130TLE", "title", "TITLE", "", "Straße", "Strasse", "\u212aey Person",
		"key person", `back\slash`, "two\nlines", "line\u2028separator", strings.Repeat("long ", 80) + "title",
	}
	userTypes  = []string{"Employee", "employee", "EMPLOYEE", "Emp", "Contractor", "Intern", "intern", ""}
	languages  = []string{"en-US", "en", "EN-us", "de-DE", "de", "tr-TR", "en_US"}
	timezones  = []string{"America/Los_Angeles", "america/los_angeles", "Europe/Berlin", "Europe/Istanbul", "UTC", "Etc/UTC"}
	profiles   = []string{"https://example.com/u/ann", "HTTPS://EXAMPLE.COM/u/ann", "https://example.com/u/ann/", "https://example.com/u/annabel", "https://example.com/%7Eann"}
	families   = []string{"Smith", "smith", "SMITH", "Smithson", "Lee", "lee", "Ångström", "angstrom", "Yılmaz", "YILMAZ", "Straße", "Strasse", "O'Brien", "Mc_Donald", "McXDonald", "100%", ""}
	domains    = []string{"example.com", "Example.COM", "exämple.com", "ex%ample.org", "ex_ample.net", "x.io", "EXAMPLE.com", "example.co"}
	emailTypes = []string{"work", "work", "home", "other", "Work", "WORK", "home"}
	oddEmails  = []string{
		"", "no-at-sign", `back\slash@example.com`, `"quoted"@example.com`, "o'brien@example.com", "100%@example.com",
		"under_score@example.com", "underXscore@example.com", "ß@straße.de", "SS@STRASSE.DE", "İnan@x.tr", "inan@x.tr",
		"\u212aate@x.io", "kate@x.io", "KATE@X.IO", "\u017fam@x.io", "sam@x.io", "😀@emoji.dev", "日本@example.jp",
		"a@b", "A@B", "a@b.c",
	}
	phoneValues = []string{"+1 555 0100", "+1-555-0100", "555 0100", "+49 30 1234", "(555) 0100", "+1 555 0100 ext_1", ""}
	phoneTypes  = []string{"work", "mobile", "home", "Mobile", "fax"}
	localities  = []string{"Amsterdam", "amsterdam", "AMSTERDAM", "Ams", "Berlin", "berlin", "İstanbul", "istanbul", "Köln", "KÖLN", "koeln", "São Paulo", "a%b", "_", ""}
	regions     = []string{"NH", "nh", "BE", "CA", "ca", "\u212a"}
	countries   = []string{"NL", "nl", "DE", "TR", "US", "BR", "us"}
	postcodes   = []string{"1012 AB", "1012ab", "1012", "10115", "34000", "94105", "9410_", "9410%"}
	streets     = []string{"1 Main St", "1 main st", "1 Main Street", "Straße 5", "Strasse 5", "100% Lane", `Back\slash Rd`, `"Quote" Ave`}
	addrTypes   = []string{"work", "home", "other", "Home"}
	roleValues  = []string{"admin", "Admin", "ADMIN", "administrator", "reader", "read%", "re_der", "r\u0130der"}
	externals   = []string{"ext-1", "EXT-1", "ext-10", "ext-1 ", "ext_1", "ext%1", "e\u212a-1", "ext-2", "Ext-2", `ext\2`}
	employees   = []string{"007", "7", "0070", "E-1", "e-1", "42", "1e3", "E_1", "E%1"}
	costs       = []string{"CC-1", "cc-1", "CC-10", "CC_1", "CC%1", "cc"}
	orgs        = []string{"Acme", "ACME", "acme inc", "Äcme", "Acme Inc"}
	divisions   = []string{"R&D", "r&d", "R_D", "R%D", "RXD", "Ops", "ops"}
	depts       = []string{"Sales", "sales", "SALES", "Sales & Marketing", "Eng", "Engineering", "engineering", "Ünternehmen", "unternehmen", "", "Sa\u017fe\u017f"}
	groupNames  = []string{"Admins", "admins-eu", "Sales", "Sales EU", "sales eu 2", "R&D", "R_D", "R%D", "\u212aelvin fans", "kelvin fans 2", "Ünits", "units", "😀 club", "Everyone", `back\slash`, `"quoted"`}
	groupExts   = []string{"g-1", "G-1", "g-10", "g_1", "g%1", ""}
	// hostile are literals a filter may carry that no stored value need
	// hold: quoting, LIKE and regular-expression metacharacters, SQL,
	// invalid UTF-8.
	hostile = []string{
		"%", "_", `\`, `\\`, "%%", "_%", `\%`, `\_`, "'", "''", `"`, `x' OR '1'='1`, "'); DROP TABLE scimkit_resources; --",
		".*", "[a-z]", "^a", "a$", "NULL", "null", "\u212a", "\u017f", "ß", "SS", "İ", "i̇", "ı", "😀", "\xff", "a\xc3", "\u00a0", " ",
		"\u0000", "\u0001", "\t", "ǅ", "ǆ", "Ǆ",
	}
)

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

func maybe(rng *rand.Rand, pct int) bool { return rng.IntN(100) < pct }

// variant returns s, mostly, or s in another case.
func variant(rng *rand.Rand, s string) string {
	switch rng.IntN(10) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return strings.ToLower(s)
	case 2:
		return swapCase(s)
	}
	return s
}

func swapCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// uniqueName returns name, or name with a number appended, such that no
// two names taken fold to the same key (userName and a group's
// displayName are unique case-insensitively).
func uniqueName(name string, taken map[string]bool) string {
	if taken[store.FoldKey(name)] {
		for n := 2; ; n++ {
			if c := fmt.Sprintf("%s%d", name, n); !taken[store.FoldKey(c)] {
				name = c
				break
			}
		}
	}
	taken[store.FoldKey(name)] = true
	return name
}

// newPopulation builds 60 to 120 users and groups (about one in eight
// resources) with members, deterministically from seed.
func newPopulation(seed uint64) *population {
	rng := rand.New(rand.NewPCG(seed, 0x5c13d1ff))
	p := &population{pool: map[string][]string{}}
	users := 60 + rng.IntN(61)
	takenU, takenG := map[string]bool{}, map[string]bool{}
	for len(p.users) < users {
		p.addUser(rng, takenU)
		if len(p.users) > 3 && rng.IntN(8) == 0 {
			p.addGroup(rng, takenG)
		}
	}
	for len(p.groups) < 5 {
		p.addGroup(rng, takenG)
	}
	p.final = slices.Clone(p.res)
	p.deleted = map[int]bool{}
	p.change(rng, takenU, takenG)
	p.users, p.groups = nil, nil
	isMember := map[int]bool{}
	for i, pr := range p.final {
		if p.deleted[i] {
			continue
		}
		if pr.typ == store.Group {
			p.groups = append(p.groups, i)
			for _, m := range pr.members {
				isMember[m.index] = true
			}
		} else {
			p.users = append(p.users, i)
		}
	}
	for i, pr := range p.final {
		if isMember[i] {
			p.members = append(p.members, i)
		}
		if !p.deleted[i] {
			p.collect(pr.typ, "", pr.attrs)
		}
	}
	for _, g := range p.groups {
		p.pool["User:groups.display"] = append(p.pool["User:groups.display"], p.final[g].display)
		for _, m := range p.final[g].members {
			d := m.display
			if d == "" {
				d = p.final[m.index].display
			}
			p.pool["Group:members.display"] = append(p.pool["Group:members.display"], d)
		}
	}
	p.pool["User:groups.type"] = []string{"direct", "Direct", "indirect"}
	p.pool["Group:members.type"] = []string{"User", "Group", "user", "GROUP", "Us"}
	p.pool["meta.resourceType"] = []string{"User", "Group", "user", "Use"}
	return p
}

// change makes the ops: about one user in ten updated (title, active,
// perhaps displayName, which groups show as the member's display,
// userName, externalId, emails), two groups updated (members dropped and
// added, one renamed), then three users and a group deleted (leaving
// every group that lists them).
func (p *population) change(rng *rand.Rand, takenU, takenG map[string]bool) {
	live := func(typ string) []int {
		var out []int
		for i, pr := range p.final {
			if pr.typ == typ && !p.deleted[i] {
				out = append(out, i)
			}
		}
		return out
	}
	for _, i := range live(store.User) {
		if rng.IntN(10) != 0 {
			continue
		}
		pr := p.final[i]
		u := maps.Clone(pr.attrs)
		u["title"] = pick(rng, titles)
		if a, ok := u["active"].(bool); ok && maybe(rng, 50) {
			u["active"] = !a
		}
		if maybe(rng, 40) {
			u["displayName"] = variant(rng, pick(rng, displayNames))
		}
		if maybe(rng, 25) {
			u["userName"] = uniqueName(variant(rng, pick(rng, stems))+".renamed", takenU)
		}
		switch rng.IntN(6) {
		case 0:
			delete(u, "externalId")
		case 1:
			u["externalId"] = pick(rng, externals)
		}
		if maybe(rng, 20) {
			delete(u, "emails")
		}
		pr.attrs, pr.raw = u, marshalAttrs(u)
		pr.label = u["userName"].(string)
		pr.display, _ = u["displayName"].(string)
		if pr.display == "" {
			pr.display = pr.label
		}
		p.update(i, pr)
	}
	groups := live(store.Group)
	for k := range 2 {
		i := groups[rng.IntN(len(groups))]
		pr := p.final[i]
		var members []popMember
		for _, m := range pr.members {
			if maybe(rng, 70) {
				if maybe(rng, 15) {
					m.display = pick(rng, []string{"Boss", "Renamed member", ""})
				}
				members = append(members, m)
			}
		}
		for range 1 + rng.IntN(3) {
			j := rng.IntN(len(p.final))
			if j != i && !p.deleted[j] && !slices.ContainsFunc(members, func(m popMember) bool { return m.index == j }) {
				members = append(members, popMember{index: j})
			}
		}
		pr.members = members
		if k == 1 {
			name := uniqueName(variant(rng, pick(rng, groupNames))+" renamed", takenG)
			pr.attrs = maps.Clone(pr.attrs)
			pr.attrs["displayName"] = name
			pr.raw, pr.label, pr.display = marshalAttrs(pr.attrs), name, name
		}
		p.update(i, pr)
	}
	users := live(store.User)
	for range 3 {
		p.remove(users[rng.IntN(len(users))])
	}
	p.remove(groups[rng.IntN(len(groups))])
}

func (p *population) update(i int, state popResource) {
	p.final[i] = state
	p.ops = append(p.ops, popOp{index: i, state: state})
}

// remove deletes resource i, and takes it out of every group.
func (p *population) remove(i int) {
	if p.deleted[i] {
		return
	}
	p.deleted[i] = true
	p.ops = append(p.ops, popOp{index: i, delete: true})
	for j, pr := range p.final {
		if pr.typ == store.Group && slices.ContainsFunc(pr.members, func(m popMember) bool { return m.index == i }) {
			pr.members = slices.DeleteFunc(slices.Clone(pr.members), func(m popMember) bool { return m.index == i })
			p.final[j] = pr
		}
	}
}

// collect records the string values of attrs in the pool, keyed by the
// type and the dotted path (the enterprise URN as "ent").
func (p *population) collect(typ, prefix string, v any) {
	switch t := v.(type) {
	case string:
		p.pool[typ+":"+prefix] = append(p.pool[typ+":"+prefix], t)
	case []any:
		for _, e := range t {
			p.collect(typ, prefix, e)
		}
	case map[string]any:
		for k, e := range t {
			if k == enterpriseURN {
				k = "ent"
			}
			if prefix != "" {
				k = prefix + "." + k
			}
			p.collect(typ, k, e)
		}
	}
}

func (p *population) addUser(rng *rand.Rand, taken map[string]bool) {
	stem := pick(rng, stems)
	u := map[string]any{}
	userName := uniqueName(variant(rng, stem)+pick(rng, userSuffixes), taken)
	u["userName"] = userName
	if maybe(rng, 75) {
		u["displayName"] = variant(rng, pick(rng, displayNames))
	}
	if maybe(rng, 40) {
		u["nickName"] = variant(rng, pick(rng, stems))
	}
	if maybe(rng, 60) {
		u["title"] = pick(rng, titles)
	}
	if maybe(rng, 50) {
		u["userType"] = pick(rng, userTypes)
	}
	if maybe(rng, 40) {
		u["preferredLanguage"] = pick(rng, languages)
	}
	if maybe(rng, 40) {
		u["locale"] = pick(rng, languages)
	}
	if maybe(rng, 40) {
		u["timezone"] = pick(rng, timezones)
	}
	if maybe(rng, 30) {
		u["profileUrl"] = pick(rng, profiles)
	}
	switch rng.IntN(10) {
	case 0, 1, 2, 3:
		u["active"] = true
	case 4, 5, 6:
		u["active"] = false
	}
	if maybe(rng, 80) {
		n := map[string]any{}
		given := variant(rng, stem)
		if maybe(rng, 85) {
			n["givenName"] = given
		}
		family := pick(rng, families)
		if maybe(rng, 85) {
			n["familyName"] = family
		}
		if maybe(rng, 50) {
			n["formatted"] = given + " " + family
		}
		if len(n) > 0 {
			u["name"] = n
		}
	}
	if k := rng.IntN(4); k > 0 {
		primary := -1
		if maybe(rng, 60) {
			primary = rng.IntN(k)
		}
		var emails []any
		for j := range k {
			e := map[string]any{}
			if maybe(rng, 15) {
				e["value"] = pick(rng, oddEmails)
			} else {
				e["value"] = variant(rng, strings.ToLower(stem)) + "@" + pick(rng, domains)
			}
			if maybe(rng, 85) {
				e["type"] = pick(rng, emailTypes)
			}
			if j == primary {
				e["primary"] = true
			} else if maybe(rng, 25) {
				e["primary"] = false
			}
			if maybe(rng, 15) {
				e["display"] = variant(rng, pick(rng, displayNames))
			}
			emails = append(emails, e)
		}
		u["emails"] = emails
	}
	if k := rng.IntN(3); k > 0 {
		var phones []any
		for j := range k {
			e := map[string]any{"value": pick(rng, phoneValues)}
			if maybe(rng, 80) {
				e["type"] = pick(rng, phoneTypes)
			}
			if j == 0 && maybe(rng, 40) {
				e["primary"] = true
			}
			phones = append(phones, e)
		}
		u["phoneNumbers"] = phones
	}
	if k := rng.IntN(3); k > 0 {
		var addrs []any
		for j := range k {
			a := map[string]any{}
			for _, f := range []struct {
				name string
				pool []string
				pct  int
			}{
				{"locality", localities, 80}, {"region", regions, 50}, {"country", countries, 60},
				{"postalCode", postcodes, 50}, {"streetAddress", streets, 50}, {"type", addrTypes, 70},
			} {
				if maybe(rng, f.pct) {
					a[f.name] = variant(rng, pick(rng, f.pool))
				}
			}
			if maybe(rng, 30) {
				a["formatted"] = fmt.Sprintf("%v, %v", a["streetAddress"], a["locality"])
			}
			if j == k-1 && maybe(rng, 40) {
				a["primary"] = true
			}
			if len(a) == 0 {
				a["locality"] = pick(rng, localities)
			}
			addrs = append(addrs, a)
		}
		u["addresses"] = addrs
	}
	if k := rng.IntN(4) - 1; k > 0 {
		var roles []any
		for j := range k {
			r := map[string]any{"value": pick(rng, roleValues)}
			if j == 0 && maybe(rng, 50) {
				r["primary"] = true
			}
			roles = append(roles, r)
		}
		u["roles"] = roles
	}
	switch rng.IntN(20) {
	case 0, 1, 2, 3, 4, 5:
		// no externalId
	case 6:
		u["externalId"] = ""
	case 7, 8, 9:
		u["externalId"] = fmt.Sprintf("ext-%d", len(p.res))
	default:
		u["externalId"] = pick(rng, externals)
	}
	if maybe(rng, 70) {
		ent := map[string]any{}
		for _, f := range []struct {
			name string
			pool []string
		}{{"employeeNumber", employees}, {"costCenter", costs}, {"organization", orgs}, {"division", divisions}, {"department", depts}} {
			if maybe(rng, 55) {
				ent[f.name] = pick(rng, f.pool)
			}
		}
		if maybe(rng, 40) {
			m := map[string]any{"value": pick(rng, append([]string{strings.ToLower(stem)}, employees...))}
			if maybe(rng, 60) {
				m["displayName"] = variant(rng, pick(rng, displayNames))
			}
			ent["manager"] = m
		}
		if len(ent) > 0 {
			u[enterpriseURN] = ent
		}
	}
	display, _ := u["displayName"].(string)
	if display == "" {
		display = userName
	}
	p.users = append(p.users, len(p.res))
	p.res = append(p.res, popResource{typ: store.User, label: userName, display: display, attrs: u, raw: marshalAttrs(u)})
}

func (p *population) addGroup(rng *rand.Rand, taken map[string]bool) {
	name := uniqueName(variant(rng, pick(rng, groupNames)), taken)
	g := map[string]any{"displayName": name}
	if maybe(rng, 50) {
		g["externalId"] = pick(rng, groupExts)
	}
	var members []popMember
	seen := map[int]bool{}
	for range rng.IntN(9) {
		i := rng.IntN(len(p.res))
		if seen[i] {
			continue
		}
		seen[i] = true
		m := popMember{index: i}
		switch rng.IntN(8) {
		case 0:
			m.display = pick(rng, []string{"Boss", "boss", "Member", "\u212aey member"})
		case 1:
			m.display = variant(rng, p.res[i].display)
		}
		members = append(members, m)
	}
	p.groups = append(p.groups, len(p.res))
	p.res = append(p.res, popResource{typ: store.Group, label: name, display: name, attrs: g, raw: marshalAttrs(g), members: members})
}

// marshalAttrs encodes attributes as the Handler stores them: keys
// sorted, no HTML escaping.
func marshalAttrs(attrs map[string]any) []byte { return marshalAny(attrs) }

func marshalAny(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// resource is population resource i, as created, as the Handler would hand
// it to a store whose ids (by creation index) are ids.
func (p *population) resource(reg *schema.Registry, i int, ids []string) *store.Resource {
	return build(reg, p.res[i], ids)
}

// build is pr as the Handler would hand it to a store whose ids (by
// creation index) are ids.
func build(reg *schema.Registry, pr popResource, ids []string) *store.Resource {
	var decoded map[string]any
	if err := json.Unmarshal(pr.raw, &decoded); err != nil {
		panic(err)
	}
	rt := reg.ResourceType(pr.typ)
	r := &store.Resource{
		Type:       pr.typ,
		Unique:     store.UniqueValues(rt, decoded),
		Display:    pr.display,
		Attributes: json.RawMessage(pr.raw),
	}
	r.ExternalID, _ = decoded["externalId"].(string)
	if _, ok := decoded[enterpriseURN]; ok {
		r.Schemas = []string{enterpriseURN}
	}
	for _, m := range pr.members {
		r.Members = append(r.Members, store.Member{Value: ids[m.index], Display: m.display})
	}
	return r
}

// knownBugs keeps the generators from making the cases of the bugs
// TestDifferentialRegressions shows, so that TestDifferentialFilters passes
// and the fuzzer looks for new ones. Set a field to false once its bug is
// fixed.
var knownBugs = struct {
	// invalidUTF8: a literal that is not UTF-8 (a filter's %FF) compared
	// with externalId, id or another caseExact attribute reaches
	// PostgreSQL, which fails the List (SQLSTATE 22021). The generator
	// still compares other attributes with such literals.
	invalidUTF8 bool
	// emptyExternalID: externalId eq "" (alone or in an "and") matches in
	// the SQL stores every resource without an externalId, as well as
	// those with an empty one; the memory store matches none.
	emptyExternalID bool
	// memorySortByMembers: the memory store sorts groups by members.*
	// only when it scans a filter (members are read for Match): with no
	// filter, or one its index answers (externalId eq …), every group sorts
	// as if it had no members.
	memorySortByMembers bool
}{}

// caseExactPaths are the caseExact attributes among the generator's
// top-level paths, lower-cased (ids are never rendered invalid).
var caseExactPaths = map[string]bool{"externalid": true, "profileurl": true, "x509certificates": true}

// ---------------------------------------------------------------------
// Choices from bytes

// chooser makes choices from a byte string: a fuzz input, or bytes a
// seeded generator made. Past the end every choice is 0, and every
// generator below takes the smallest, terminating, option on 0.
type chooser struct {
	in  []byte
	pos int
}

func (c *chooser) intn(n int) int {
	if n <= 1 {
		return 0
	}
	var v int
	if c.pos < len(c.in) {
		v = int(c.in[c.pos])
	}
	c.pos++
	if n > 256 {
		if c.pos < len(c.in) {
			v = v<<8 | int(c.in[c.pos])
		}
		c.pos++
	}
	return v % n
}

func (c *chooser) pick(xs []string) string { return xs[c.intn(len(xs))] }

// ---------------------------------------------------------------------
// Filters

// litKind is what a compared attribute holds, which decides the operators
// and values a comparison gets.
type litKind uint8

const (
	kStr      litKind = iota // string: values from the pool
	kBool                    // boolean
	kDate                    // dateTime (meta.created, meta.lastModified)
	kID                      // id: the ids of resources
	kRef                     // members.value, groups.value: ids
	kPresence                // only pr and null comparisons make sense
)

type leaf struct {
	path string  // as the schema spells it
	kind litKind // what it holds
	pool string  // pool key, for kStr
	refs string  // "members" or "groups", for kRef
}

type valuePath struct {
	attr string // the multi-valued (or complex) attribute
	subs []leaf // its sub-attributes, paths relative to an element
}

func strLeaf(path, pool string) leaf { return leaf{path: path, kind: kStr, pool: pool} }

var (
	userLeaves = []leaf{
		strLeaf("userName", "User:userName"), strLeaf("userName", "User:userName"), strLeaf("displayName", "User:displayName"),
		strLeaf("nickName", "User:nickName"), strLeaf("title", "User:title"), strLeaf("title", "User:title"), strLeaf("userType", "User:userType"),
		strLeaf("preferredLanguage", "User:preferredLanguage"), strLeaf("locale", "User:locale"), strLeaf("timezone", "User:timezone"),
		strLeaf("profileUrl", "User:profileUrl"), strLeaf("externalId", "User:externalId"), strLeaf("externalId", "User:externalId"),
		strLeaf("name.givenName", "User:name.givenName"), strLeaf("name.familyName", "User:name.familyName"), strLeaf("name.formatted", "User:name.formatted"),
		strLeaf("emails", "User:emails.value"), strLeaf("emails.value", "User:emails.value"), strLeaf("emails.value", "User:emails.value"),
		strLeaf("emails.type", "User:emails.type"), strLeaf("emails.display", "User:emails.display"),
		strLeaf("phoneNumbers.value", "User:phoneNumbers.value"), strLeaf("phoneNumbers.type", "User:phoneNumbers.type"),
		strLeaf("addresses.locality", "User:addresses.locality"), strLeaf("addresses.region", "User:addresses.region"),
		strLeaf("addresses.country", "User:addresses.country"), strLeaf("addresses.postalCode", "User:addresses.postalCode"),
		strLeaf("addresses.streetAddress", "User:addresses.streetAddress"), strLeaf("roles.value", "User:roles.value"), strLeaf("roles", "User:roles.value"),
		strLeaf(enterpriseURN+":employeeNumber", "User:ent.employeeNumber"), strLeaf(enterpriseURN+":costCenter", "User:ent.costCenter"),
		strLeaf(enterpriseURN+":organization", "User:ent.organization"), strLeaf(enterpriseURN+":division", "User:ent.division"),
		strLeaf(enterpriseURN+":department", "User:ent.department"), strLeaf(enterpriseURN+":department", "User:ent.department"),
		strLeaf("department", "User:ent.department"), strLeaf("employeeNumber", "User:ent.employeeNumber"),
		strLeaf(enterpriseURN+":manager.value", "User:ent.manager.value"), strLeaf(enterpriseURN+":manager.displayName", "User:ent.manager.displayName"),
		strLeaf(enterpriseURN+":manager", "User:ent.manager.value"), strLeaf("manager.value", "User:ent.manager.value"),
		strLeaf(coreUserURN+":userName", "User:userName"), strLeaf(coreUserURN+":name.familyName", "User:name.familyName"),
		strLeaf("groups.display", "User:groups.display"), strLeaf("groups.type", "User:groups.type"), strLeaf("meta.resourceType", "meta.resourceType"),
		strLeaf("nosuch", ""), strLeaf("name.nosuch", ""), strLeaf("password", ""), strLeaf("urn:example:bogus:1.0:Thing:attr", ""),
		{path: "active", kind: kBool}, {path: "active", kind: kBool}, {path: "emails.primary", kind: kBool},
		{path: "addresses.primary", kind: kBool},
		{path: "meta.created", kind: kDate}, {path: "meta.lastModified", kind: kDate}, {path: "meta.lastModified", kind: kDate},
		{path: "id", kind: kID}, {path: "id", kind: kID},
		{path: "groups.value", kind: kRef, refs: "groups"}, {path: "groups", kind: kRef, refs: "groups"},
		{path: "name", kind: kPresence}, {path: "meta.version", kind: kPresence}, {path: "x509Certificates", kind: kPresence},
		{path: enterpriseURN + ":manager", kind: kPresence}, {path: "emails", kind: kPresence}, {path: "addresses", kind: kPresence},
		{path: enterpriseURN, kind: kPresence},
	}
	userValuePaths = []valuePath{
		{"emails", []leaf{strLeaf("value", "User:emails.value"), strLeaf("value", "User:emails.value"), strLeaf("type", "User:emails.type"),
			strLeaf("display", "User:emails.display"), {path: "primary", kind: kBool}, strLeaf("nosuch", "")}},
		{"phoneNumbers", []leaf{strLeaf("value", "User:phoneNumbers.value"), strLeaf("type", "User:phoneNumbers.type"), {path: "primary", kind: kBool}}},
		{"addresses", []leaf{strLeaf("locality", "User:addresses.locality"), strLeaf("region", "User:addresses.region"),
			strLeaf("country", "User:addresses.country"), strLeaf("postalCode", "User:addresses.postalCode"),
			strLeaf("streetAddress", "User:addresses.streetAddress"), strLeaf("formatted", "User:addresses.formatted"),
			strLeaf("type", "User:addresses.type"), {path: "primary", kind: kBool}}},
		{"roles", []leaf{strLeaf("value", "User:roles.value"), {path: "primary", kind: kBool}}},
		{"name", []leaf{strLeaf("givenName", "User:name.givenName"), strLeaf("familyName", "User:name.familyName"), strLeaf("formatted", "User:name.formatted")}},
		{enterpriseURN + ":manager", []leaf{strLeaf("value", "User:ent.manager.value"), strLeaf("displayName", "User:ent.manager.displayName")}},
		{"groups", []leaf{{path: "value", kind: kRef, refs: "groups"}, strLeaf("display", "User:groups.display"), strLeaf("type", "User:groups.type")}},
		{"emails", []leaf{strLeaf("value", "User:emails.value"), strLeaf("type", "User:emails.type"), {path: "primary", kind: kBool}}},
		{"nosuch", []leaf{strLeaf("value", "User:emails.value")}}, // matches nothing
		{"title", []leaf{strLeaf("value", "User:title")}},         // not complex: the filter is refused
	}
	groupLeaves = []leaf{
		strLeaf("displayName", "Group:displayName"), strLeaf("displayName", "Group:displayName"), strLeaf("externalId", "Group:externalId"),
		strLeaf(coreGroupURN+":displayName", "Group:displayName"),
		{path: "members", kind: kRef, refs: "members"}, {path: "members.value", kind: kRef, refs: "members"},
		{path: "members.value", kind: kRef, refs: "members"},
		strLeaf("members.display", "Group:members.display"), strLeaf("members.type", "Group:members.type"),
		{path: "id", kind: kID}, {path: "meta.created", kind: kDate}, {path: "meta.lastModified", kind: kDate},
		strLeaf("meta.resourceType", "meta.resourceType"), strLeaf("nosuch", ""), strLeaf("members.nosuch", ""),
		{path: "members", kind: kPresence},
	}
	groupValuePaths = []valuePath{
		{"members", []leaf{{path: "value", kind: kRef, refs: "members"}, strLeaf("display", "Group:members.display"), strLeaf("type", "Group:members.type")}},
		{"members", []leaf{{path: "value", kind: kRef, refs: "members"}, strLeaf("type", "Group:members.type")}},
		{"nosuch", []leaf{strLeaf("value", "Group:displayName")}},
	}
	userSorts = []string{
		"userName", "displayName", "title", "name.familyName", "name.givenName", "emails.value", "emails", "emails.type",
		"emails.primary", "addresses.locality", "phoneNumbers.value", "meta.lastModified", "meta.created", "active",
		"externalId", "profileUrl", enterpriseURN + ":department", enterpriseURN + ":manager.value", "department",
		"nosuch", "name", "password", "USERNAME", "Name.FamilyName", "meta.resourceType", "roles.value", "nickName",
	}
	groupSorts = []string{"displayName", "externalId", "members.display", "members.type", "meta.created", "meta.lastModified", "nosuch", "DISPLAYNAME"}
)

// fnode is a generated filter: it renders as text for one store, whose
// ids differ from the others'.
type fnode struct {
	op   string   // "and", "or", "not", "()", "cmp", "[]"
	kw   string   // the keyword or operator as written ("AND", "eq" …)
	kids []*fnode // and, or: two; not, (): one; []: the value filter
	path string   // cmp: the attribute path; []: the attribute
	lit  *literal // cmp: the compare value; nil for pr
	tail *fnode   // []: the Entra form's ".sub op value", or nil
}

type literal struct {
	kind      uint8 // litString, litToken, litRef
	s         string
	raw       bool // written between quotes without JSON escaping
	ref       int  // litRef: the creation index whose id is compared
	xform     int  // litRef: what is done to the id
	unknownID bool // litRef: not a resource's id at all
}

const (
	litString = iota
	litToken  // written as is: null, true, 42
	litRef
)

// idTransforms are done to an id compared with: none, upper case, a
// prefix, a suffix, a middle part, empty.
const numIDTransforms = 6

func transformID(id string, x int) string {
	switch x {
	case 1:
		return strings.ToUpper(id)
	case 2:
		return id[:8]
	case 3:
		return id[24:]
	case 4:
		return id[9:18]
	case 5:
		return ""
	}
	return id
}

// render writes the filter as a store with ids (by creation index) must
// receive it.
func (n *fnode) render(b *strings.Builder, ids []string) {
	switch n.op {
	case "and", "or":
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(" " + n.kw + " ")
			}
			if (k.op == "and" || k.op == "or") && k.op != n.op {
				b.WriteString("(")
				k.render(b, ids)
				b.WriteString(")")
			} else {
				k.render(b, ids)
			}
		}
	case "not":
		b.WriteString(n.kw)
		b.WriteString("(")
		n.kids[0].render(b, ids)
		b.WriteString(")")
	case "()":
		b.WriteString("(")
		n.kids[0].render(b, ids)
		b.WriteString(")")
	case "[]":
		b.WriteString(n.path)
		b.WriteString("[")
		n.kids[0].render(b, ids)
		b.WriteString("]")
		if n.tail != nil {
			b.WriteString(".")
			n.tail.render(b, ids)
		}
	case "cmp":
		b.WriteString(n.path)
		b.WriteString(" ")
		b.WriteString(n.kw)
		if n.lit != nil {
			b.WriteString(" ")
			n.lit.render(b, ids)
		}
	}
}

func (l *literal) render(b *strings.Builder, ids []string) {
	v := l.s
	switch l.kind {
	case litToken:
		b.WriteString(v)
		return
	case litRef:
		v = "00000000-0000-4000-8000-000000000000"
		if !l.unknownID {
			v = ids[l.ref]
		}
		v = transformID(v, l.xform)
	}
	if l.raw && !strings.ContainsAny(v, "\"\\") && !hasControl(v) {
		b.WriteString(`"` + v + `"`)
		return
	}
	enc, err := json.Marshal(v) // invalid UTF-8 becomes U+FFFD
	if err != nil {
		panic(err)
	}
	b.Write(enc)
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}

// filterText renders the filter for the store with ids.
func filterText(n *fnode, ids []string) string {
	var b strings.Builder
	n.render(&b, ids)
	return b.String()
}

// gen generates filters for one resource type from a chooser.
type gen struct {
	c    *chooser
	pop  *population
	typ  string
	self []int // creation indices of the type's resources
}

const maxFilterDepth = 4

func (g *gen) filter(depth int) *fnode {
	if depth >= maxFilterDepth || g.c.intn(10) < 5 {
		return g.leaf(depth)
	}
	switch g.c.intn(8) {
	case 0, 1, 2:
		return &fnode{op: "and", kw: g.keyword("and"), kids: []*fnode{g.filter(depth + 1), g.filter(depth + 1)}}
	case 3, 4, 5:
		return &fnode{op: "or", kw: g.keyword("or"), kids: []*fnode{g.filter(depth + 1), g.filter(depth + 1)}}
	case 6:
		return &fnode{op: "not", kw: g.keyword("not") + g.c.pick([]string{" ", " ", ""}), kids: []*fnode{g.filter(depth + 1)}}
	}
	return &fnode{op: "()", kids: []*fnode{g.filter(depth + 1)}}
}

func (g *gen) keyword(kw string) string {
	switch g.c.intn(12) {
	case 1:
		return strings.ToUpper(kw)
	case 2:
		return strings.ToUpper(kw[:1]) + kw[1:]
	}
	return kw
}

func (g *gen) leaf(depth int) *fnode {
	leaves, vps := userLeaves, userValuePaths
	if g.typ == store.Group {
		leaves, vps = groupLeaves, groupValuePaths
	}
	if depth < maxFilterDepth && g.c.intn(4) == 3 {
		vp := vps[g.c.intn(len(vps))]
		n := &fnode{op: "[]", path: g.spell(vp.attr), kids: []*fnode{g.inner(vp, depth+1)}}
		if g.c.intn(6) == 5 {
			l := vp.subs[g.c.intn(len(vp.subs))]
			n.tail = g.compare(l)
		}
		return n
	}
	return g.compare(leaves[g.c.intn(len(leaves))])
}

// inner is a value filter over vp's sub-attributes.
func (g *gen) inner(vp valuePath, depth int) *fnode {
	if depth >= maxFilterDepth || g.c.intn(10) < 6 {
		return g.compare(vp.subs[g.c.intn(len(vp.subs))])
	}
	switch g.c.intn(6) {
	case 0, 1:
		return &fnode{op: "and", kw: g.keyword("and"), kids: []*fnode{g.inner(vp, depth+1), g.inner(vp, depth+1)}}
	case 2, 3:
		return &fnode{op: "or", kw: g.keyword("or"), kids: []*fnode{g.inner(vp, depth+1), g.inner(vp, depth+1)}}
	case 4:
		return &fnode{op: "not", kw: g.keyword("not") + " ", kids: []*fnode{g.inner(vp, depth+1)}}
	}
	return &fnode{op: "()", kids: []*fnode{g.inner(vp, depth+1)}}
}

// spell writes an attribute path as a client might: mostly as the schema
// does, sometimes in another case (names match case-insensitively).
func (g *gen) spell(path string) string {
	switch g.c.intn(14) {
	case 1:
		return strings.ToUpper(path)
	case 2:
		return strings.ToLower(path)
	case 3:
		return swapCase(path)
	}
	return path
}

var (
	strOps  = []string{"eq", "eq", "eq", "ne", "co", "co", "sw", "sw", "ew", "gt", "ge", "lt", "le", "pr", "eq null", "ne null"}
	boolOps = []string{"eq", "eq", "eq", "ne", "pr", "eq null", "ne null", "gt"}
	dateOps = []string{"gt", "ge", "lt", "le", "gt", "lt", "eq", "ne", "pr", "co", "eq null"}
	idOps   = []string{"eq", "eq", "eq", "ne", "co", "sw", "ew", "pr", "eq null", "ne null"}
	presOps = []string{"pr", "pr", "eq null", "ne null", "eq", "ne"}
)

// compare is a comparison of l with an operator and value that suit it.
func (g *gen) compare(l leaf) *fnode {
	n := &fnode{op: "cmp", path: g.spell(l.path)}
	var op string
	switch l.kind {
	case kStr:
		op = g.c.pick(strOps)
	case kBool:
		op = g.c.pick(boolOps)
	case kDate:
		op = g.c.pick(dateOps)
	case kID, kRef:
		op = g.c.pick(idOps)
	case kPresence:
		op = g.c.pick(presOps)
	}
	op, null, _ := strings.Cut(op, " ")
	n.kw = op
	if g.c.intn(10) == 9 {
		n.kw = strings.ToUpper(op)
	}
	switch {
	case op == "pr":
		return n
	case null != "":
		n.lit = &literal{kind: litToken, s: g.c.pick([]string{"null", "null", "NULL", "Null"})}
		return n
	}
	switch l.kind {
	case kStr, kPresence:
		n.lit = g.stringLit(l.pool)
		if knownBugs.emptyExternalID && strings.EqualFold(l.path, "externalId") && op == "eq" && n.lit.s == "" {
			n.lit.s = "ext-"
		}
		if knownBugs.invalidUTF8 && caseExactPaths[strings.ToLower(l.path)] {
			n.lit.s = strings.ToValidUTF8(n.lit.s, "\uFFFD")
		}
	case kBool:
		n.lit = &literal{kind: litToken, s: g.c.pick([]string{"true", "false", "True", "FALSE"})}
		switch g.c.intn(10) {
		case 8:
			n.lit = &literal{kind: litString, s: g.c.pick([]string{"true", "false", "TRUE"})}
		case 9:
			n.lit = &literal{kind: litString, s: g.c.pick([]string{"yes", "", "1"})}
		}
	case kDate:
		n.lit = g.dateLit()
	case kID, kRef:
		n.lit = g.refLit(l)
	}
	return n
}

// stringLit is a value stored under pool key, often mutated, or a hostile
// value; sometimes an unquoted token.
func (g *gen) stringLit(key string) *literal {
	vals := g.pop.pool[key]
	if len(vals) == 0 || g.c.intn(12) == 11 {
		vals = hostile
	}
	v := g.mutate(vals[g.c.intn(len(vals))])
	if g.c.intn(25) == 24 {
		return &literal{kind: litToken, s: g.c.pick([]string{"7", "007", "true", "1.5", "-0", "42", "1e3"})}
	}
	return &literal{kind: litString, s: v, raw: g.c.intn(4) == 3}
}

var metachars = []string{"%", "_", `\`, "%%", "'", `\%`, "*", "?"}

// mutate returns v, or v in another case, or a part of it, or v with
// metacharacters or case-fold look-alikes in it.
func (g *gen) mutate(v string) string {
	rs := []rune(v)
	switch g.c.intn(18) {
	case 4:
		return strings.ToUpper(v)
	case 5:
		return strings.ToLower(v)
	case 6:
		return swapCase(v)
	case 7:
		return string(rs[:g.c.intn(len(rs)+1)])
	case 8:
		return string(rs[g.c.intn(len(rs)+1):])
	case 9:
		i := g.c.intn(len(rs) + 1)
		j := i + g.c.intn(len(rs)-i+1)
		return string(rs[i:j])
	case 10:
		return v + g.c.pick(metachars)
	case 11:
		return g.c.pick(metachars) + v
	case 12:
		if len(rs) > 0 {
			i := g.c.intn(len(rs))
			rs[i] = []rune(g.c.pick([]string{"_", "%", "?", "."}))[0]
		}
		return string(rs)
	case 13:
		// look-alikes that fold to ASCII under EqualFold (or do not)
		r := strings.NewReplacer("k", "\u212a", "K", "\u212a", "s", "\u017f", "i", "ı", "I", "İ", "ss", "ß")
		return r.Replace(v)
	case 14:
		return strings.NewReplacer("\u212a", "k", "\u017f", "s", "ı", "i", "İ", "I", "ß", "ss").Replace(v)
	case 15:
		return v + " "
	case 16:
		if len(v) > 0 {
			i := g.c.intn(len(v))
			return v[:i] + "\xff" + v[i:] // invalid UTF-8 (the URL's %FF)
		}
	case 17:
		return ""
	}
	return v
}

// dateLit is a dateTime around a creation time, in one of the forms the
// parser takes.
func (g *gen) dateLit() *literal {
	// Stamps are creations, the other tenant's creations, then ops.
	n := len(g.pop.res) + otherTenantResources + len(g.pop.ops)
	var t time.Time
	switch g.c.intn(10) {
	case 0:
		t = diffBase.Add(-time.Hour)
	case 1:
		t = createdAt(n).Add(time.Hour)
	default:
		t = createdAt(g.c.intn(n))
	}
	deltas := []time.Duration{0, 0, -time.Nanosecond, time.Nanosecond, -500 * time.Millisecond, 500 * time.Millisecond, time.Microsecond, -time.Second}
	t = t.Add(deltas[g.c.intn(len(deltas))])
	var v string
	switch g.c.intn(6) {
	case 0:
		v = t.In(time.FixedZone("", 2*3600)).Format(time.RFC3339Nano)
	case 1:
		v = t.In(time.FixedZone("", -7*3600-1800)).Format(time.RFC3339Nano)
	case 2:
		v = t.Format("2006-01-02T15:04:05.999999999") // no zone: UTC
	case 3:
		v = t.Format("2006-01-02T15:04:05.000Z07:00")
	case 4:
		v = g.c.pick([]string{"2025-03-01", "not a date", "2025-03-01T12:00:00+25:00", "2025-02-30T00:00:00Z"})
	default:
		v = t.Format(time.RFC3339Nano)
	}
	return &literal{kind: litString, s: v}
}

// refLit compares with some resource's id (as each store has it),
// perhaps transformed.
func (g *gen) refLit(l leaf) *literal {
	lit := &literal{kind: litRef, xform: g.c.intn(numIDTransforms + 4)}
	if lit.xform >= numIDTransforms {
		lit.xform = 0 // mostly the id as is
	}
	var from []int
	switch {
	case l.kind == kID && g.c.intn(5) > 0:
		from = g.self
	case l.refs == "groups" && g.c.intn(5) > 0:
		from = g.pop.groups
	case l.refs == "members" && g.c.intn(5) > 0:
		from = g.pop.members
	}
	if len(from) == 0 || g.c.intn(20) == 19 {
		if g.c.intn(3) == 0 {
			lit.unknownID = true
			return lit
		}
		lit.ref = g.c.intn(len(g.pop.res))
		return lit
	}
	lit.ref = from[g.c.intn(len(from))]
	return lit
}

// sortAndPage picks a sortBy (or none), an order and a page.
func (g *gen) sortAndPage() (sortBy string, desc bool, start, count int) {
	sorts := userSorts
	if g.typ == store.Group {
		sorts = groupSorts
	}
	if g.c.intn(5) >= 2 {
		sortBy = g.c.pick(sorts)
	}
	desc = g.c.intn(2) == 1
	n := len(g.self)
	// Every page costs the SQL stores a query per resource listed (its
	// members or groups), so most pages are short.
	switch g.c.intn(10) {
	case 0, 1, 2:
		start, count = 1, 12
	case 3, 4:
		start, count = 1, 1000
	case 5:
		start, count = 1+g.c.intn(n+2), g.c.intn(n+2)
	case 6, 7:
		start, count = g.c.intn(3)-1, g.c.intn(12)-1
	default:
		start, count = 1+g.c.intn(n), 1+g.c.intn(12)
	}
	return sortBy, desc, start, count
}
