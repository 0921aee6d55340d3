package rehearse

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Compare checks that rehearsed is plain (make synth's template, with the
// same context) with the listed substitutions applied and the Go
// functions built for the host, and nothing else changed. It returns
// every other difference, by path.
func Compare(plain, rehearsed map[string]any, subs []Substitution) error {
	want, err := Apply(clone(plain), subs)
	if err != nil {
		return err
	}
	// The host build may differ in a function's architecture and code
	// object alone (it is built for the host, so it is another asset,
	// staged under another name):
	// take those from rehearsed, then compare everything.
	wantRes, _ := want["Resources"].(map[string]any)
	gotRes, _ := rehearsed["Resources"].(map[string]any)
	for id, r := range wantRes {
		w, _ := r.(map[string]any)
		g, _ := gotRes[id].(map[string]any)
		if w["Type"] != "AWS::Lambda::Function" || g == nil || g["Type"] != w["Type"] {
			continue
		}
		wp, _ := w["Properties"].(map[string]any)
		gp, _ := g["Properties"].(map[string]any)
		if wp == nil || gp == nil {
			continue
		}
		wp["Architectures"] = gp["Architectures"]
		wm, _ := w["Metadata"].(map[string]any)
		gm, _ := g["Metadata"].(map[string]any)
		if wm != nil && gm != nil {
			wm["aws:asset:path"] = gm["aws:asset:path"]
		}
		wc, _ := wp["Code"].(map[string]any)
		gc, _ := gp["Code"].(map[string]any)
		if wc != nil && gc != nil {
			wc["S3Key"] = gc["S3Key"]
		}
	}
	var diffs []string
	diff("", want, rehearsed, &diffs)
	if len(diffs) == 0 {
		return nil
	}
	sort.Strings(diffs)
	return fmt.Errorf("the rehearsed template differs from make synth's beyond the listed substitutions:\n  %s", strings.Join(diffs, "\n  "))
}

// diff appends the paths where a and b differ.
func diff(path string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		for k, av := range am {
			if bv, ok := bm[k]; ok {
				diff(path+"/"+k, av, bv, out)
			} else {
				*out = append(*out, path+"/"+k+": missing")
			}
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				*out = append(*out, path+"/"+k+": added")
			}
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, fmt.Sprintf("%s: %s, want %s", path, short(b), short(a)))
	}
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		return string(b[:117]) + "..."
	}
	return string(b)
}

func clone(v map[string]any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}
