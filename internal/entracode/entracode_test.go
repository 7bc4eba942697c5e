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

func TestFor(t *testing.T) {
	for _, tc := range []struct {
		op       Operation
		status   int
		scimType string
		want     string
	}{
		{Create, 201, "", ""},
		{Match, 200, "", ""},
		{Update, 204, "", ""},
		{Create, 400, "invalidValue", BadRequest},
		{Update, 400, "invalidValue", BadRequest},
		{Disable, 400, "invalidSyntax", ServiceIncompatible},
		{Enable, 400, "invalidPath", ServiceIncompatible},
		{MemberAdd, 400, "noTarget", ServiceIncompatible},
		{MemberRemove, 400, "invalidValue", BadRequest},
		{GroupRename, 400, "", BadRequest},
		{TestConnection, 400, "invalidFilter", ServiceIncompatible},
		{Match, 400, "invalidFilter", ServiceIncompatible},
		{List, 400, "", ServiceIncompatible},
		{Delete, 400, "", BadRequest},
		{Get, 401, "", Unauthorized},
		{Create, 403, "", InsufficientRights},
		{Match, 404, "", ServiceIncompatible},
		{TestConnection, 404, "", ServiceIncompatible},
		{Discovery, 404, "", ServiceIncompatible},
		{Update, 404, "", InvalidAnchor},
		{Delete, 404, "", InvalidAnchor},
		{Get, 404, "", InvalidAnchor},
		{Other, 405, "", MethodNotAllowed},
		{Create, 409, "uniqueness", Conflict},
		{Update, 412, "", Conflict},
		{Bulk, 413, "", BadRequest},
		{Create, 422, "", Unprocessable},
		{Create, 429, "", TooManyRequests},
		{Get, 500, "", InternalServerError},
		{Get, 501, "", NotImplemented},
		{Get, 503, "", InternalServerError},
		{Get, 504, "", Timeout},
		{Update, 499, "", Timeout},
		{Get, 302, "", ServiceIncompatible},
		{Get, 418, "", ServiceIncompatible},
	} {
		if got := For(tc.op, tc.status, tc.scimType); got != tc.want {
			t.Errorf("For(%s, %d, %q) = %q, want %q", tc.op, tc.status, tc.scimType, got, tc.want)
		}
	}
}

func TestQuarantines(t *testing.T) {
	for status, want := range map[int]bool{200: false, 400: false, 401: true, 403: true, 404: false, 429: false, 498: false, 499: true, 500: true, 503: true} {
		if got := Quarantines(status); got != want {
			t.Errorf("Quarantines(%d) = %v, want %v", status, got, want)
		}
	}
}
