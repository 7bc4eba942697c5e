// Package guid recognises GUIDs in their 8-4-4-4-12 hexadecimal form, as
// Entra writes tenant IDs and the probe values of its Test Connection.
package guid

// Valid reports whether s is a GUID in its 8-4-4-4-12 form, in either
// case.
func Valid(s string) bool { return valid(s, true) }

// Lower reports whether s is a GUID in its 8-4-4-4-12 form in lower case,
// as Entra writes tenant IDs in its issuers.
func Lower(s string) bool { return valid(s, false) }

func valid(s string, upper bool) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || upper && 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
