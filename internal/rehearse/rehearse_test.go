package rehearse

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/modroot"
)

// template is a small stack: a security configuration, a job naming it, a
// Go function.
func template() map[string]any {
	var t map[string]any
	if err := json.Unmarshal([]byte(`{"Resources": {
		"Sec": {"Type": "AWS::Glue::SecurityConfiguration", "Properties": {"Name": "p-glue", "EncryptionConfiguration": {}}},
		"Job": {"Type": "AWS::Glue::Job", "Properties": {"Name": "p-job", "SecurityConfiguration": {"Ref": "Sec"}, "Timeout": 60}},
		"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Architectures": ["arm64"], "Code": {"S3Bucket": "b", "S3Key": "arm.zip"}, "MemorySize": 256},
		       "Metadata": {"aws:asset:path": "asset.arm"}}
	}}`), &t); err != nil {
		panic(err)
	}
	return t
}

// rehearsed is template as the rehearsal deploys it.
func rehearsed() map[string]any {
	t := template()
	r := t["Resources"].(map[string]any)
	delete(r, "Sec")
	r["Job"].(map[string]any)["Properties"].(map[string]any)["SecurityConfiguration"] = "p-glue"
	fn := r["Fn"].(map[string]any)
	fn["Properties"].(map[string]any)["Architectures"] = []any{"x86_64"}
	fn["Properties"].(map[string]any)["Code"].(map[string]any)["S3Key"] = "x86.zip"
	fn["Metadata"].(map[string]any)["aws:asset:path"] = "asset.x86"
	return t
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		edit func(r map[string]any)
		want string // in the error; "" for none
	}{
		{"the listed substitutions only", func(map[string]any) {}, ""},
		{"a job property changed", func(r map[string]any) {
			r["Job"].(map[string]any)["Properties"].(map[string]any)["Timeout"] = 61.0
		}, "/Resources/Job/Properties/Timeout: 61, want 60"},
		{"the substituted resource kept", func(r map[string]any) { r["Sec"] = template()["Resources"].(map[string]any)["Sec"] }, "/Resources/Sec: added"},
		{"the function's memory changed", func(r map[string]any) {
			r["Fn"].(map[string]any)["Properties"].(map[string]any)["MemorySize"] = 512.0
		}, "/Resources/Fn/Properties/MemorySize"},
		{"the function's bucket changed", func(r map[string]any) {
			r["Fn"].(map[string]any)["Properties"].(map[string]any)["Code"].(map[string]any)["S3Bucket"] = "elsewhere"
		}, "/Resources/Fn/Properties/Code/S3Bucket"},
		{"a resource gone", func(r map[string]any) { delete(r, "Job") }, "/Resources/Job: missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := rehearsed()
			tc.edit(got["Resources"].(map[string]any))
			subs, err := Substitutions(template())
			if err != nil {
				t.Fatal(err)
			}
			err = Compare(template(), got, subs)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Compare: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Compare = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func TestApplyRefusesAReferenceANameCannotReplace(t *testing.T) {
	tpl := template()
	tpl["Resources"].(map[string]any)["Job"].(map[string]any)["DependsOn"] = []any{"Sec"}
	subs, _ := Substitutions(tpl)
	if _, err := Apply(tpl, subs); err == nil || !strings.Contains(err.Error(), "Sec is still referred to") {
		t.Errorf("Apply = %v, want a refusal naming Sec", err)
	}
}

// TestSubstituteRenamesTheTemplateAsset: the CLI skips uploading a
// template whose object exists, so the rewritten template must travel
// under a name of its own.
func TestSubstituteRenamesTheTemplateAsset(t *testing.T) {
	dir := t.TempDir()
	body, _ := json.Marshal(template())
	old := "aaaa"
	files := map[string]string{
		"S.template.json": string(body),
		"S.assets.json":   `{"files": {"` + old + `": {"source": {"path": "S.template.json", "packaging": "file"}, "destinations": {"d": {"objectKey": "` + old + `.json"}}}}}`,
		"manifest.json":   `{"artifacts": {"S": {"properties": {"stackTemplateAssetObjectUrl": "s3://b/` + old + `.json"}}}}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	subs, err := Substitute(dir, "S")
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Name != "p-glue" {
		t.Errorf("substitutions = %+v, want p-glue", subs)
	}
	written, _ := os.ReadFile(filepath.Join(dir, "S.template.json"))
	sum := sha256.Sum256(written)
	name := hex.EncodeToString(sum[:])
	for _, f := range []string{"S.assets.json", "manifest.json"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if bytes.Contains(b, []byte(old)) || !bytes.Contains(b, []byte(name+".json")) {
			t.Errorf("%s = %s, want the template's new name %s.json", f, b, name)
		}
	}
}

func TestStatefulLosses(t *testing.T) {
	diff := strings.Join([]string{
		"Resources",
		"[~] AWS::Lambda::Function LoadData LoadData5949574C replace",
		"[-] AWS::Logs::LogGroup Old OldLogs1234 destroy",
		"[+] AWS::Logs::LogGroup New NewLogs1234",
		"\x1b[33m[~]\x1b[39m AWS::S3::Bucket Data Data666C94C7 \x1b[31mreplace\x1b[39m",
		"[~] AWS::KMS::Key Key Key961B73FD may be replaced",
		"[~] AWS::Glue::Database Database DatabaseB269D8BB",
		" └─ [~] DatabaseInput",
		"     └─ [~] .Description:",
		"[~] AWS::Glue::Database Other Other1234",
		" └─ [~] DatabaseInput",
		"     └─ [~] .Name:",
		"         ├─ [-] velib_lake",
		"[~] AWS::Lambda::Function Fn Fn1234",
		" └─ [~] .Name:",
	}, "\n")
	got := StatefulLosses(diff)
	want := []string{
		"[-] AWS::Logs::LogGroup Old OldLogs1234 destroy",
		"[~] AWS::S3::Bucket Data Data666C94C7 replace",
		"[~] AWS::KMS::Key Key Key961B73FD may be replaced",
		"[~] AWS::Glue::Database Other Other1234 (renamed: [~] .Name:)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("StatefulLosses = %q, want %q", got, want)
	}
}

func TestReadBaseline(t *testing.T) {
	commit := strings.Repeat("ab", 20)
	tests := []struct {
		name, text, want, err string
	}{
		{"a commit after comments", "# the last release\n\n" + commit + "\n", commit, ""},
		{"an abbreviated commit", "ab12cd\n", "", "40 hex digits"},
		{"two commits", commit + "\n" + commit + "\n", "", "one commit"},
		{"empty", "# nothing\n", "", "one commit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "BASELINE")
			os.WriteFile(path, []byte(tc.text), 0o644)
			got, err := ReadBaseline(path)
			if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("ReadBaseline = %q, %v; want %q, an error with %q", got, err, tc.want, tc.err)
			}
		})
	}
}

// TestTheBaselineIsACommitOfThisRepository: make rehearse checks it out.
func TestTheBaselineIsACommitOfThisRepository(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	commit, err := ReadBaseline(filepath.Join(root, "BASELINE"))
	if err != nil {
		t.Fatal(err)
	}
	if err := HaveCommit(root, commit); err != nil {
		t.Error(err)
	}
	if err := HaveCommit(root, strings.Repeat("0", 40)); err == nil || !strings.Contains(err.Error(), "does not have") {
		t.Errorf("HaveCommit of an unknown commit = %v, want a refusal", err)
	}
}

func TestEnvironment(t *testing.T) {
	env := Environment([]string{"PATH=/bin", "AWS_PROFILE=prod", "AWS_ACCESS_KEY_ID=AKIAREAL", "HTTPS_PROXY=http://corp:3128", "CDK_DEFAULT_ACCOUNT=123456789012"}, "http://127.0.0.1:4566")
	for _, kv := range env {
		if kv == "AWS_PROFILE=prod" || kv == "AWS_ACCESS_KEY_ID=AKIAREAL" || strings.Contains(kv, "corp") || strings.Contains(kv, "123456789012") {
			t.Errorf("kept %s", kv)
		}
	}
	for _, want := range []string{"PATH=/bin", "AWS_ENDPOINT_URL=http://127.0.0.1:4566", "AWS_ACCESS_KEY_ID=rehearsal", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost"} {
		if !slices.Contains(env, want) {
			t.Errorf("no %s in %q", want, env)
		}
	}
}

func TestHoldsBootstrap(t *testing.T) {
	self, err := os.Executable() // an ELF binary for this machine
	if err != nil {
		t.Fatal(err)
	}
	binary, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	host, other := "x86_64", "arm64"
	if runtime.GOARCH == "arm64" {
		host, other = other, host
	}
	zipOf := func(name string, mode os.FileMode, body []byte) []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		h := &zip.FileHeader{Name: name}
		h.SetMode(mode)
		f, _ := w.CreateHeader(h)
		f.Write(body)
		w.Close()
		return buf.Bytes()
	}
	tests := []struct {
		name, arch string
		zip        []byte
		want       string
	}{
		{"the binary", host, zipOf("bootstrap", 0o755, binary), ""},
		{"the Go source", host, zipOf("main.go", 0o644, []byte("package main\n")), "no bootstrap in the package, which holds [main.go]"},
		{"not executable", host, zipOf("bootstrap", 0o644, binary), "not executable"},
		{"the other architecture", other, zipOf("bootstrap", 0o755, binary), "the function runs on " + other},
		{"a script", host, zipOf("bootstrap", 0o755, []byte("#!/bin/sh\n")), "not an ELF binary"},
		{"not a zip", host, []byte("package main"), "not a zip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := holdsBootstrap(tc.zip, tc.arch)
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("holdsBootstrap = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestGapsAreDocumented: docs/rehearsal.md quotes each gap's error.
func TestGapsAreDocumented(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "rehearsal.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range Gaps {
		if !bytes.Contains(doc, []byte(g.Error)) {
			t.Errorf("docs/rehearsal.md does not quote the gap %q: %s", g.What, g.Error)
		}
	}
}

func TestFunctionErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "S.template.json"), []byte(`{"Resources": {
		"Fn": {"Type": "AWS::Lambda::Function", "Metadata": {"aws:cdk:path": "S/Fn/Resource"}},
		"Topic": {"Type": "AWS::SNS::Topic", "Metadata": {"aws:cdk:path": "S/Topic/Resource"}}}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "S.metadata.json"), []byte(`{
		"/S/Fn": [{"type": "aws:cdk:error", "data": "no binary"}, {"type": "aws:cdk:warning", "data": "a warning"}],
		"/S/Topic": [{"type": "aws:cdk:error", "data": "not a function's"}]}`), 0o644)
	got, err := functionErrors(dir, "S")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"no binary"}) {
		t.Errorf("functionErrors = %q, want the function's error alone", got)
	}
}
