package modroot

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
		wantErr         bool
	}{
		{name: "from a package folder", dir: wd, want: filepath.Dir(filepath.Dir(wd))},
		{name: "from the root itself", dir: filepath.Dir(filepath.Dir(wd)), want: filepath.Dir(filepath.Dir(wd))},
		{name: "outside any module", dir: t.TempDir(), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(tc.dir)
			got, err := Find()
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Find() = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Find() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
