package auth

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Token is one accepted secret token.
type Token struct {
	Secret string // the bearer token as Entra sends it
	Tenant string // the tenant requests with this token act in
	Name   string // for logs, e.g. "entra-prod-2026"; never the secret
}

type hashedToken struct {
	sum    [sha256.Size]byte
	tenant string
	name   string
}

// Static is an Authenticator for static bearer tokens. It keeps SHA-256
// hashes only.
type Static struct {
	tokens []hashedToken
}

// StaticTokens returns an Authenticator accepting each of tokens. It panics
// if a token has an empty secret or tenant (a programming error); use
// ParseTokens for tokens read at run time.
func StaticTokens(tokens ...Token) *Static {
	s := &Static{}
	for _, t := range tokens {
		if t.Secret == "" || t.Tenant == "" {
			panic("auth: StaticTokens needs a secret and a tenant for every token")
		}
		s.tokens = append(s.tokens, hashedToken{sum: sha256.Sum256([]byte(t.Secret)), tenant: t.Tenant, name: t.Name})
	}
	return s
}

// Authenticate implements Authenticator. It compares the request's token
// with every configured one in constant time.
func (s *Static) Authenticate(r *http.Request) (Principal, error) {
	tok, err := BearerToken(r)
	if err != nil {
		return Principal{}, err
	}
	sum := sha256.Sum256([]byte(tok))
	found := -1
	for i := range s.tokens {
		if subtle.ConstantTimeCompare(sum[:], s.tokens[i].sum[:]) == 1 && found < 0 {
			found = i
		}
	}
	if found < 0 {
		return Principal{}, ErrInvalidToken
	}
	t := s.tokens[found]
	return Principal{Tenant: t.tenant, Subject: t.name, Method: "static-token"}, nil
}

// ParseTokens reads tokens, one a line, as "tenant:secret" or
// "tenant:name:secret". Blank lines and lines starting with # are skipped.
// Use it for a tokens file or an environment variable (lines separated by
// newlines or commas).
func ParseTokens(r io.Reader) ([]Token, error) {
	var out []Token
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		for _, line := range strings.Split(sc.Text(), ",") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			parts := strings.SplitN(line, ":", 3)
			var t Token
			switch len(parts) {
			case 2:
				t = Token{Tenant: parts[0], Secret: parts[1]}
			case 3:
				t = Token{Tenant: parts[0], Name: parts[1], Secret: parts[2]}
			default:
				return nil, fmt.Errorf("auth: line %d: want tenant:secret or tenant:name:secret", n)
			}
			if t.Tenant == "" || t.Secret == "" {
				return nil, fmt.Errorf("auth: line %d: empty tenant or secret", n)
			}
			out = append(out, t)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("auth: reading tokens: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("auth: no tokens")
	}
	return out, nil
}
