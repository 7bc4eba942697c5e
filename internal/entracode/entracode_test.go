package entracode

import "testing"

func TestForResults(t *testing.T) {
	tests := []struct {
		op      Operation
		status  int
		results int
		want    string
	}{
		{Match, 200, 0, ""},
		{Match, 200, 1, ""},
		{Match, 200, 2, DuplicateTargets},
		{TestConnection, 200, 3, DuplicateTargets},
		{List, 200, 5, ""},
		{Match, 400, 2, ServiceIncompatible},
		{Get, 404, 0, InvalidAnchor},
		{Create, 409, 0, Conflict},
	}
	for _, tt := range tests {
		if got := ForResults(tt.op, tt.status, "", tt.results); got != tt.want {
			t.Errorf("ForResults(%q, %d, %d) = %q, want %q", tt.op, tt.status, tt.results, got, tt.want)
		}
	}
}
