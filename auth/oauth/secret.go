package oauth

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Secret hashes: PBKDF2-HMAC-SHA256 (RFC 8018) from the standard library
// (crypto/pbkdf2, Go 1.24+), with a 16-byte random salt and a 32-byte
// derived key, written as
//
//	pbkdf2-sha256$<iterations>$<salt, base64url>$<key, base64url>
//
// The standard library rather than golang.org/x/crypto's argon2 or bcrypt:
// no dependency, FIPS 140-3 approved (argon2 and bcrypt are not), and the
// secrets it protects are random strings of 32 bytes or more, not
// passwords people choose, so memory hardness buys little against an
// offline attack; what the slow hash guards is a leaked client file. The
// iteration count is stored in each hash, so it can be raised later
// without invalidating existing secrets.
const (
	// DefaultIterations is HashSecret's PBKDF2-SHA256 iteration count,
	// OWASP's 2023 recommendation: on the order of 100–300 ms of CPU per
	// hash, paid once per token issued (Entra asks for a token about once
	// an hour per tenant).
	DefaultIterations = 600_000

	// MinIterations and MaxIterations bound the iteration count of a hash
	// read from configuration.
	MinIterations = 1_000
	MaxIterations = 10_000_000

	// MinSecretBytes is the shortest client secret HashSecret accepts.
	MinSecretBytes = 16

	hashScheme = "pbkdf2-sha256"
	saltBytes  = 16
	keyBytes   = 32
)

// HashSecret returns the hash of a client secret to put in a Client (or
// in the clients file) instead of the secret: see HashSecretCost; it
// uses DefaultIterations.
func HashSecret(secret string) (string, error) {
	return HashSecretCost(secret, DefaultIterations)
}

// HashSecretCost is HashSecret with another iteration count (between
// MinIterations and MaxIterations). Lower counts are for tests.
func HashSecretCost(secret string, iterations int) (string, error) {
	if len(secret) < MinSecretBytes {
		return "", fmt.Errorf("oauth: a client secret of %d bytes is too short (want at least %d; generate one with GenerateSecret)", len(secret), MinSecretBytes)
	}
	if iterations < MinIterations || iterations > MaxIterations {
		return "", fmt.Errorf("oauth: %d iterations is outside [%d, %d]", iterations, MinIterations, MaxIterations)
	}
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	dk, err := pbkdf2.Key(sha256.New, secret, salt, iterations, keyBytes)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s$%d$%s$%s", hashScheme, iterations, b64.EncodeToString(salt), b64.EncodeToString(dk)), nil
}

// GenerateSecret returns a new random client secret: 32 random bytes,
// base64url (43 characters), short enough for Entra's credential field.
func GenerateSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("oauth: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var b64 = base64.RawURLEncoding.Strict()

// secretHash is a parsed secret hash.
type secretHash struct {
	iterations int
	salt, key  []byte
	id         string // short stable identifier, carried by the tokens it issues
}

// parseSecretHash parses the output of HashSecret.
func parseSecretHash(s string) (*secretHash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 4 || parts[0] != hashScheme {
		return nil, errors.New("not a secret hash (want pbkdf2-sha256$<iterations>$<salt>$<key>, from HashSecret or cmd/hashsecret); is it a plaintext secret?")
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < MinIterations || n > MaxIterations {
		return nil, fmt.Errorf("secret hash: iterations %q outside [%d, %d]", parts[1], MinIterations, MaxIterations)
	}
	salt, err := b64.DecodeString(parts[2])
	if err != nil || len(salt) < 8 {
		return nil, errors.New("secret hash: bad salt")
	}
	key, err := b64.DecodeString(parts[3])
	if err != nil || len(key) != keyBytes {
		return nil, errors.New("secret hash: bad derived key")
	}
	sum := sha256.Sum256([]byte(s))
	return &secretHash{iterations: n, salt: salt, key: key, id: hex.EncodeToString(sum[:6])}, nil
}

// matches reports whether secret hashes to h, comparing in constant time.
func (h *secretHash) matches(secret string) bool {
	dk, err := pbkdf2.Key(sha256.New, secret, h.salt, h.iterations, keyBytes)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(dk, h.key) == 1
}
