package feedurl

import "testing"

func TestCheck(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://velib.example.org/gbfs.json", true},
		{"HTTPS://velib.example.org/", true},
		{"http://127.0.0.1:8080/", true},
		{"http://127.0.0.2/", true},
		{"http://[::1]/", true},
		{"http://localhost/", true},
		{"http://LOCALHOST/", true},
		{"http://localhost./", true},
		{"HTTP://127.0.0.1/", true},
		{"http://[::ffff:127.0.0.1]/", true},
		{"http://velib.example.org/", false},
		{"http://localhost.evil.example/", false},
		{"http://127.0.0.1.nip.io/", false},
		{"http://127.0.0.1@evil.example/", false},
		{"http://0.0.0.0/", false},
		{"ftp://127.0.0.1/", false},
		{"velib", false},
		{"https://", false},
		{"", false},
	}
	for _, tc := range tests {
		if err := Check(tc.url); (err == nil) != tc.ok {
			t.Errorf("Check(%q) = %v, want ok %v", tc.url, err, tc.ok)
		}
	}
}
