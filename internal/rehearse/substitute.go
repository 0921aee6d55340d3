package rehearse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// A Substitution is a resource the rehearsal creates through its API
// because the emulator's CloudFormation lacks its type.
type Substitution struct {
	LogicalID string
	Type      string
	// Name is the resource's name, which replaces each {"Ref": LogicalID}.
	Name string
	// Properties are the resource's, for the API call that creates it.
	Properties map[string]any
}

// Substitutions lists the resources of the template whose type is in
// Substituted, sorted by logical id.
func Substitutions(template map[string]any) ([]Substitution, error) {
	resources, _ := template["Resources"].(map[string]any)
	var subs []Substitution
	for id, r := range resources {
		res, _ := r.(map[string]any)
		typ, _ := res["Type"].(string)
		if !Substituted[typ] {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		name, ok := props["Name"].(string)
		if !ok {
			return nil, fmt.Errorf("%s (%s) has no literal Name to stand in for it", id, typ)
		}
		subs = append(subs, Substitution{LogicalID: id, Type: typ, Name: name, Properties: props})
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].LogicalID < subs[j].LogicalID })
	return subs, nil
}

// Apply returns template without the substituted resources, each
// {"Ref": id} of theirs replaced by their name. It fails if anything else
// refers to one (an attribute, a dependency), which a name cannot stand in
// for.
func Apply(template map[string]any, subs []Substitution) (map[string]any, error) {
	names := map[string]string{}
	for _, s := range subs {
		names[s.LogicalID] = s.Name
	}
	out := replaceRefs(template, names).(map[string]any)
	resources := out["Resources"].(map[string]any)
	for id := range names {
		delete(resources, id)
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	for id := range names {
		if bytes.Contains(body, []byte(`"`+id+`"`)) {
			return nil, fmt.Errorf("%s is still referred to after its Refs were replaced (Fn::GetAtt or DependsOn?)", id)
		}
	}
	return out, nil
}

func replaceRefs(v any, names map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
			if name, ok := names[ref]; ok {
				return name
			}
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = replaceRefs(e, names)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = replaceRefs(e, names)
		}
		return l
	default:
		return v
	}
}

// Substitute rewrites the stack's template in the cloud assembly at dir
// with Apply, and renames the template's asset after its new content: the
// CLI uploads the template under the hash the manifests give, and skips
// the upload when an object of that name exists, so an old name would
// deploy the old template.
func Substitute(dir, stack string) ([]Substitution, error) {
	path := filepath.Join(dir, stack+".template.json")
	template, err := readJSON(path)
	if err != nil {
		return nil, err
	}
	subs, err := Substitutions(template)
	if err != nil {
		return nil, err
	}
	out, err := Apply(template, subs)
	if err != nil {
		return nil, err
	}
	body, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return nil, err
	}
	oldHash, err := templateAssetHash(filepath.Join(dir, stack+".assets.json"), stack)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	newHash := hex.EncodeToString(sum[:])
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return nil, err
	}
	for _, name := range []string{stack + ".assets.json", "manifest.json"} {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if !bytes.Contains(b, []byte(oldHash)) {
			return nil, fmt.Errorf("%s does not name the template's asset %s", p, oldHash)
		}
		if err := os.WriteFile(p, bytes.ReplaceAll(b, []byte(oldHash), []byte(newHash)), 0o644); err != nil {
			return nil, err
		}
	}
	return subs, nil
}

// templateAssetHash is the id of the template's own file asset.
func templateAssetHash(path, stack string) (string, error) {
	var manifest struct {
		Files map[string]struct {
			Source struct {
				Path string `json:"path"`
			} `json:"source"`
		} `json:"files"`
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	for id, f := range manifest.Files {
		if f.Source.Path == stack+".template.json" && !strings.ContainsAny(id, "/.") {
			return id, nil
		}
	}
	return "", fmt.Errorf("%s lists no asset for %s.template.json", path, stack)
}

func readJSON(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}
