package main

import (
	"sync"
	"time"
)

// Account is this service's own user model: what the product knows about
// a person. scimkit never sees it; accountStore maps SCIM onto it.
type Account struct {
	ID          string
	Email       string // the login; SCIM userName
	FullName    string
	Department  string
	Disabled    bool
	ExternalRef string // the identity provider's id; SCIM externalId
	Created     time.Time
	Updated     time.Time
	Revision    int64

	// SCIM keeps the attributes the product has no column for (phone
	// numbers, addresses …) so Entra reads back exactly what it wrote and
	// does not re-send them every cycle.
	SCIM []byte
}

// Team is this service's own group model.
type Team struct {
	ID       string
	Name     string
	Revision int64
	Created  time.Time
	Updated  time.Time
	Members  []string          // account or team ids, in the order added
	Labels   map[string]string // member id → the display the provider sent, if any
	SCIM     []byte
}

// Directory is the product's data layer: here a mutex and two maps; in a
// real service, its own tables. Tenants are separate directories.
type Directory struct {
	mu       sync.Mutex
	accounts map[string]*Account
	teams    map[string]*Team
}

func newDirectory() *Directory {
	return &Directory{accounts: map[string]*Account{}, teams: map[string]*Team{}}
}
