package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scimkit/store"
)

// accountStore implements store.Store over the product's Directory: this is
// the file a team writes to plug scimkit into the users it already has.
type accountStore struct {
	mu      sync.Mutex
	tenants map[string]*Directory
	now     func() time.Time
}

var _ store.Store = (*accountStore)(nil)

func newAccountStore() *accountStore {
	return &accountStore{tenants: map[string]*Directory{}, now: time.Now}
}

func (s *accountStore) dir(ctx context.Context) (*Directory, error) {
	t, ok := store.Tenant(ctx)
	if !ok {
		return nil, store.ErrNoTenant
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.tenants[t]
	if d == nil {
		d = newDirectory()
		s.tenants[t] = d
	}
	return d, nil
}

// scimUser is the part of a SCIM user the product maps to its columns.
type scimUser struct {
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName"`
	Active      *bool  `json:"active"`
	Name        struct {
		Formatted string `json:"formatted"`
	} `json:"name"`
	Enterprise struct {
		Department string `json:"department"`
	} `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
}

// toAccount maps a SCIM user onto an Account (keeping ID and timestamps).
func toAccount(a *Account, r *store.Resource) error {
	var u scimUser
	if err := json.Unmarshal(r.Attributes, &u); err != nil {
		return fmt.Errorf("ownmodel: %w", err)
	}
	a.Email = r.UniqueValue("userName")
	a.FullName = u.Name.Formatted
	if a.FullName == "" {
		a.FullName = u.DisplayName
	}
	a.Department = u.Enterprise.Department
	a.Disabled = u.Active != nil && !*u.Active
	a.ExternalRef = r.ExternalID
	a.SCIM = slices.Clone(r.Attributes)
	return nil
}

func (d *Directory) resource(a *Account) *store.Resource {
	r := &store.Resource{
		Type: store.User, ID: a.ID, ExternalID: a.ExternalRef,
		Unique:     []store.Unique{{Attribute: "userName", Value: a.Email}},
		Attributes: slices.Clone(a.SCIM), Created: a.Created, LastModified: a.Updated,
		Version: strconv.FormatInt(a.Revision, 10),
	}
	var u scimUser
	_ = json.Unmarshal(a.SCIM, &u)
	if r.Display = u.DisplayName; r.Display == "" {
		r.Display = a.Email
	}
	if strings.Contains(string(a.SCIM), "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User") {
		r.Schemas = []string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}
	}
	for _, t := range d.teams {
		if slices.Contains(t.Members, a.ID) {
			r.Groups = append(r.Groups, store.GroupRef{Value: t.ID, Display: t.Name})
		}
	}
	slices.SortFunc(r.Groups, func(x, y store.GroupRef) int { return strings.Compare(x.Value, y.Value) })
	return r
}

func (d *Directory) teamResource(t *Team) *store.Resource {
	r := &store.Resource{
		Type: store.Group, ID: t.ID, Display: t.Name, Attributes: slices.Clone(t.SCIM),
		Unique:  []store.Unique{{Attribute: "displayName", Value: t.Name}},
		Created: t.Created, LastModified: t.Updated, Version: strconv.FormatInt(t.Revision, 10),
	}
	var x struct {
		ExternalID string `json:"externalId"`
	}
	_ = json.Unmarshal(t.SCIM, &x)
	r.ExternalID = x.ExternalID
	for _, id := range t.Members {
		if label := t.Labels[id]; label != "" {
			typ := store.User
			if d.teams[id] != nil {
				typ = store.Group
			}
			r.Members = append(r.Members, store.Member{Value: id, Type: typ, Display: label})
			continue
		}
		if a := d.accounts[id]; a != nil {
			display := a.FullName
			if display == "" {
				display = a.Email
			}
			var u scimUser
			if json.Unmarshal(a.SCIM, &u) == nil && u.DisplayName != "" {
				display = u.DisplayName
			}
			r.Members = append(r.Members, store.Member{Value: id, Type: store.User, Display: display})
		} else if m := d.teams[id]; m != nil {
			r.Members = append(r.Members, store.Member{Value: id, Type: store.Group, Display: m.Name})
		}
	}
	return r
}

// labels keeps the displays the provider sent with members.
func labels(members []store.Member) map[string]string {
	out := map[string]string{}
	for _, m := range members {
		if m.Display != "" {
			out[m.Value] = m.Display
		}
	}
	return out
}

// checkMembers returns the member ids (deduplicated) or an
// *InvalidMemberError.
func (d *Directory) checkMembers(members []store.Member) ([]string, error) {
	var ids, unknown []string
	for _, m := range members {
		if slices.Contains(ids, m.Value) {
			continue
		}
		if d.accounts[m.Value] == nil && d.teams[m.Value] == nil {
			unknown = append(unknown, m.Value)
			continue
		}
		ids = append(ids, m.Value)
	}
	if len(unknown) > 0 {
		return nil, &store.InvalidMemberError{IDs: unknown}
	}
	return ids, nil
}

func (d *Directory) emailTaken(email, except string) bool {
	for _, a := range d.accounts {
		if a.ID != except && strings.EqualFold(a.Email, email) {
			return true
		}
	}
	return false
}

func (d *Directory) teamNameTaken(name, except string) bool {
	for _, t := range d.teams {
		if t.ID != except && strings.EqualFold(t.Name, name) {
			return true
		}
	}
	return false
}

// Create implements store.Store.
func (s *accountStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	d, err := s.dir(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := s.now().UTC()
	switch r.Type {
	case store.User:
		if email := r.UniqueValue("userName"); d.emailTaken(email, "") {
			return nil, &store.ConflictError{Attribute: "userName", Value: email}
		}
		a := &Account{ID: store.NewID(), Created: now, Updated: now, Revision: 1}
		if err := toAccount(a, r); err != nil {
			return nil, err
		}
		d.accounts[a.ID] = a
		return d.resource(a), nil
	case store.Group:
		name := r.UniqueValue("displayName")
		if d.teamNameTaken(name, "") {
			return nil, &store.ConflictError{Attribute: "displayName", Value: name}
		}
		ids, err := d.checkMembers(r.Members)
		if err != nil {
			return nil, err
		}
		t := &Team{ID: store.NewID(), Name: name, Members: ids, Labels: labels(r.Members), SCIM: slices.Clone(r.Attributes), Created: now, Updated: now, Revision: 1}
		d.teams[t.ID] = t
		return d.teamResource(t), nil
	}
	// The product models users and teams only: a type of another
	// resource registered with the Handler is not stored here.
	return nil, fmt.Errorf("ownmodel: %w: %q", store.ErrUnsupportedType, r.Type)
}

// Get implements store.Store.
func (s *accountStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	d, err := s.dir(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if typ == store.User {
		if a := d.accounts[id]; a != nil {
			return d.resource(a), nil
		}
	} else if t := d.teams[id]; t != nil && typ == store.Group {
		return d.teamResource(t), nil
	}
	return nil, fmt.Errorf("%w: %s %s", store.ErrNotFound, typ, id)
}

// Update implements store.Store.
func (s *accountStore) Update(ctx context.Context, typ, id, ifMatch string, fn func(*store.Resource) error) (*store.Resource, error) {
	d, err := s.dir(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := s.now().UTC()
	switch {
	case typ == store.User && d.accounts[id] != nil:
		a := d.accounts[id]
		cur := d.resource(a)
		if !store.VersionMatches(ifMatch, cur.Version) {
			return nil, store.ErrPrecondition
		}
		cur.Attributes = slices.Clone(cur.Attributes)
		if err := fn(cur); err != nil {
			return nil, err
		}
		if email := cur.UniqueValue("userName"); d.emailTaken(email, id) {
			return nil, &store.ConflictError{Attribute: "userName", Value: email}
		}
		next := *a
		if err := toAccount(&next, cur); err != nil {
			return nil, err
		}
		next.Updated, next.Revision = now, a.Revision+1
		*a = next
		return d.resource(a), nil
	case typ == store.Group && d.teams[id] != nil:
		t := d.teams[id]
		cur := d.teamResource(t)
		if !store.VersionMatches(ifMatch, cur.Version) {
			return nil, store.ErrPrecondition
		}
		cur.Attributes = slices.Clone(cur.Attributes)
		if err := fn(cur); err != nil {
			return nil, err
		}
		name := cur.UniqueValue("displayName")
		if d.teamNameTaken(name, id) {
			return nil, &store.ConflictError{Attribute: "displayName", Value: name}
		}
		ids, err := d.checkMembers(cur.Members)
		if err != nil {
			return nil, err
		}
		t.Name, t.Members, t.Labels, t.SCIM = name, ids, labels(cur.Members), slices.Clone(cur.Attributes)
		t.Updated, t.Revision = now, t.Revision+1
		return d.teamResource(t), nil
	}
	return nil, fmt.Errorf("%w: %s %s", store.ErrNotFound, typ, id)
}

// Delete implements store.Store.
func (s *accountStore) Delete(ctx context.Context, typ, id, ifMatch string) error {
	d, err := s.dir(ctx)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var version int64
	switch {
	case typ == store.User && d.accounts[id] != nil:
		version = d.accounts[id].Revision
	case typ == store.Group && d.teams[id] != nil:
		version = d.teams[id].Revision
	default:
		return fmt.Errorf("%w: %s %s", store.ErrNotFound, typ, id)
	}
	if !store.VersionMatches(ifMatch, strconv.FormatInt(version, 10)) {
		return store.ErrPrecondition
	}
	delete(d.accounts, id)
	delete(d.teams, id)
	now := s.now().UTC()
	for _, t := range d.teams {
		if i := slices.Index(t.Members, id); i >= 0 {
			t.Members = slices.Delete(t.Members, i, i+1)
			t.Updated, t.Revision = now, t.Revision+1
		}
	}
	return nil
}

// List implements store.Store: this directory is small, so it filters
// with scimkit's evaluator; a SQL-backed product would translate the
// indexed parts of q.Filter (see store/sqlstore) first.
func (s *accountStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	d, err := s.dir(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var all []*store.Resource
	if typ == store.User {
		for _, a := range d.accounts {
			all = append(all, d.resource(a))
		}
	} else {
		for _, t := range d.teams {
			all = append(all, d.teamResource(t))
		}
	}
	// A stable default order: creation time, then id.
	slices.SortFunc(all, func(x, y *store.Resource) int {
		if c := x.Created.Compare(y.Created); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	decoded := map[*store.Resource]map[string]any{}
	matched := all[:0]
	for _, r := range all {
		attrs, err := store.DecodeAttributes(r)
		if err != nil {
			return nil, err
		}
		if q.Filter != nil && !q.Filter.MatchDecoded(r, attrs) {
			if err := q.Filter.Err(); err != nil {
				return nil, err // the filter is over the request's work limit
			}
			continue
		}
		decoded[r] = attrs
		matched = append(matched, r)
	}
	q.Sort(matched, func(r *store.Resource) map[string]any { return decoded[r] })
	page := &store.Page{TotalResults: len(matched)}
	if !q.UseCursor {
		page.Resources = q.Window(matched)
		return page, nil
	}
	return cursorPage(typ, q, matched, decoded, page)
}

// cursorPage pages matched (sorted) by cursor (RFC 9865) with scimkit's
// cursor codec. A position is the sort key, then the default order
// (Created, ID): the page starts after the resource the cursor names,
// wherever creates and deletes have moved the others.
func cursorPage(typ string, q store.Query, matched []*store.Resource, decoded map[*store.Resource]map[string]any, page *store.Page) (*store.Page, error) {
	pos := func(r *store.Resource) store.Cursor {
		return store.Cursor{Key: q.SortKey(r, decoded[r]), Seq: r.Created.UnixNano(), ID: r.ID}
	}
	var after *store.Cursor
	if q.Cursor != "" {
		c, err := store.DecodeCursor(typ, q, q.Cursor)
		if err != nil {
			return nil, err
		}
		after = &c
	}
	start, end, more := store.CursorWindow(q, matched, after, pos)
	for _, r := range matched[start:end] {
		page.Resources = append(page.Resources, r)
		page.Cursors = append(page.Cursors, store.EncodeCursor(typ, q, pos(r)))
	}
	if more {
		page.NextCursor = page.Cursors[len(page.Cursors)-1]
	}
	return page, nil
}

// PagesByCursor implements store.CursorPager: List pages by cursor.
func (s *accountStore) PagesByCursor() bool { return true }
