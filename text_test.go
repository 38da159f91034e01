package netbank

import "testing"

func TestIsText(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"", true},
		{"Husleje november – Ærø Boligselskab", true},
		{"linje 1\r\nlinje 2\tfane", true},
		{"nul\x00byte", false},
		{"bell\x07", false},
		{"slet\x7f", false},
		{"c1 control \u0085", false},
		{"broken \xff\xfe bytes", false},
	} {
		if got := IsText(tc.s); got != tc.want {
			t.Errorf("IsText(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
