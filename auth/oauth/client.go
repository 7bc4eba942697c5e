package oauth

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Client is one OAuth client of the token endpoint, bound to a tenant: a
// customer's Entra provisioning job. It authenticates with one of its
// Secrets (client credentials) or, when Federation is set, with an Entra
// token as client assertion (workload identity federation).
type Client struct {
	// ID is the client_id, as the customer enters it in Entra.
	ID string `json:"id"`

	// Tenant is the tenant the client's requests act in
	// (auth.Principal.Tenant). Required, except for a federated client,
	// whose tokens then act in the tenant ID (tid) of the assertion.
	Tenant string `json:"tenant,omitempty"`

	// Disabled clients get no token, and the tokens issued to them are
	// refused by the Authenticator (see Server.Authenticator).
	Disabled bool `json:"disabled,omitempty"`

	// Secrets are the client's secrets, as hashes: several may be active
	// at once, so a secret is rotated by adding the new one, switching
	// Entra over, then removing the old one.
	Secrets []Secret `json:"secrets,omitempty"`

	// Federation, when set, lets the client authenticate with an Entra v2
	// token (workload identity federation).
	Federation *Federation `json:"federation,omitempty"`
}

// Secret is one client secret, stored as its hash.
type Secret struct {
	// Hash is the output of HashSecret (or cmd/hashsecret), never the
	// secret.
	Hash string `json:"hash"`

	// Expires, when not zero, is when the secret stops working: Microsoft
	// asks for secrets that expire after one to three years.
	Expires time.Time `json:"expires,omitzero"`
}

// Federation is the trust in Entra's client assertions for one client:
// an assertion authenticates the client when it is a valid Entra v2 token
// (checked by Config.Assertions) issued by one of Tenants, for Audience,
// to Subject.
type Federation struct {
	// Tenants are the customer's Entra tenant IDs whose assertions are
	// accepted.
	Tenants []string `json:"tenants"`
	// Audience is the aud the assertion must carry: the application ID
	// URI of the ISV's workload identity (api://…).
	Audience string `json:"audience"`
	// Subject is the sub the assertion must carry: the object id of the
	// provisioning service's identity, shown in the customer's tenant.
	Subject string `json:"subject"`
}

// Clients is the registry of clients: safe for concurrent use, and
// replaced as a whole (Replace) when the configuration is reloaded, or
// changed one client at a time (SetDisabled). The token endpoint and the
// Authenticator read it in memory on every request: disabling a client or
// removing a secret takes effect at once in this process.
type Clients struct {
	mu    sync.RWMutex
	m     map[string]*client
	dummy *secretHash // random, of the clients' highest cost: hashed for an unknown client id
}

// client is a Client with its hashes parsed.
type client struct {
	Client
	secrets []*secretHash // parallel to Secrets
}

// NewClients checks clients and returns a registry of them.
func NewClients(clients ...Client) (*Clients, error) {
	r := &Clients{}
	if err := r.Replace(clients...); err != nil {
		return nil, err
	}
	return r, nil
}

// Replace replaces every client, or changes nothing and returns an error
// when one of them is invalid.
func (r *Clients) Replace(clients ...Client) error {
	m := make(map[string]*client, len(clients))
	var errs []error
	for i, c := range clients {
		pc, err := parseClient(c)
		if err != nil {
			errs = append(errs, fmt.Errorf("oauth: client %d (%q): %w", i, c.ID, err))
			continue
		}
		if m[c.ID] != nil {
			errs = append(errs, fmt.Errorf("oauth: client id %q appears twice", c.ID))
			continue
		}
		m[c.ID] = pc
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	dummy := &secretHash{iterations: 0, salt: make([]byte, saltBytes), key: make([]byte, keyBytes)}
	for _, c := range m {
		for _, h := range c.secrets {
			dummy.iterations = max(dummy.iterations, h.iterations)
		}
	}
	if dummy.iterations == 0 {
		dummy.iterations = DefaultIterations
	}
	_, _ = rand.Read(dummy.salt)
	_, _ = rand.Read(dummy.key)
	r.mu.Lock()
	r.m = m
	r.dummy = dummy
	r.mu.Unlock()
	return nil
}

func parseClient(c Client) (*client, error) {
	if c.ID == "" || len(c.ID) > 256 || strings.ContainsAny(c.ID, ":\x00") {
		return nil, errors.New("id must be 1 to 256 bytes without ':'")
	}
	if len(c.Secrets) == 0 && c.Federation == nil {
		return nil, errors.New("no secret and no federation: the client cannot authenticate")
	}
	if c.Tenant == "" && c.Federation == nil {
		return nil, errors.New("no tenant")
	}
	pc := &client{Client: c}
	pc.Secrets = slices.Clone(c.Secrets)
	for j, s := range c.Secrets {
		h, err := parseSecretHash(s.Hash)
		if err != nil {
			return nil, fmt.Errorf("secret %d: %w", j, err)
		}
		pc.secrets = append(pc.secrets, h)
	}
	if f := c.Federation; f != nil {
		if len(f.Tenants) == 0 || slices.Contains(f.Tenants, "") || f.Audience == "" || f.Subject == "" {
			return nil, errors.New("federation needs tenants, an audience and a subject")
		}
		ff := *f
		ff.Tenants = slices.Clone(f.Tenants)
		for i, t := range ff.Tenants {
			ff.Tenants[i] = strings.ToLower(strings.TrimSpace(t))
		}
		pc.Federation = &ff
	}
	return pc, nil
}

// SetDisabled disables (or enables again) the client id. Tokens are no
// longer issued to a disabled client, and the tokens issued to it are
// refused from now on.
func (r *Clients) SetDisabled(id string, disabled bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.m[id]
	if c == nil {
		return fmt.Errorf("oauth: no client %q", id)
	}
	cc := *c
	cc.Disabled = disabled
	r.m[id] = &cc
	return nil
}

// unknown spends on secret the time of a real check, for a client id
// that does not exist, so that timing does not tell which ids exist.
func (r *Clients) unknown(secret string) {
	r.mu.RLock()
	d := r.dummy
	r.mu.RUnlock()
	d.matches(secret)
}

// lookup returns the client id, or nil.
func (r *Clients) lookup(id string) *client {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.m[id]
}

// federated returns the enabled-or-not federated clients that trust
// tenant, audience and subject.
func (r *Clients) federated(tenant string, aud []string, subject string) []*client {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*client
	for _, c := range r.m {
		if f := c.Federation; f != nil && f.Subject == subject && slices.Contains(f.Tenants, tenant) && slices.Contains(aud, f.Audience) {
			out = append(out, c)
		}
	}
	return out
}

// TrustsTenant reports whether an enabled client's Federation trusts the
// Entra tenant ID. Pass it as entra.Config.AllowTenant of the
// AssertionVerifier, so that the clients file alone says which tenants
// may present assertions.
func (r *Clients) TrustsTenant(tenantID string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, c := range r.m {
		if c.Federation != nil && !c.Disabled && slices.Contains(c.Federation.Tenants, tenantID) {
			return true
		}
	}
	return false
}

// clientsFile is the JSON form of the clients file.
type clientsFile struct {
	Clients []Client `json:"clients"`
}

// maxClientsFile bounds a clients file.
const maxClientsFile = 16 << 20

// ParseClients reads a clients file:
//
//	{"clients": [
//	  {"id": "contoso-entra", "tenant": "contoso",
//	   "secrets": [{"hash": "pbkdf2-sha256$600000$…$…", "expires": "2028-06-01T00:00:00Z"}]},
//	  {"id": "fabrikam-wif", "tenant": "fabrikam",
//	   "federation": {"tenants": ["<Entra tenant ID>"], "audience": "api://…", "subject": "<object id>"}}
//	]}
//
// Unknown members are errors (a misspelt "disabled" must not pass
// silently). Hashes are made with HashSecret or cmd/hashsecret.
func ParseClients(r io.Reader) ([]Client, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxClientsFile))
	dec.DisallowUnknownFields()
	var f clientsFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("oauth: clients file: %w", err)
	}
	if dec.More() {
		return nil, errors.New("oauth: clients file: data after the JSON object")
	}
	if _, err := NewClients(f.Clients...); err != nil {
		return nil, err
	}
	return f.Clients, nil
}

// LoadClients reads the clients file at path (see ParseClients).
func LoadClients(path string) ([]Client, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	defer f.Close()
	return ParseClients(f)
}
