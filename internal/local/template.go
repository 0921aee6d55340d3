package local

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
)

// Assembly is what a local run needs from `cdk synth`'s output: the state
// machine, the jobs and functions it calls, and where their code was staged.
type Assembly struct {
	// Dir is the cloud assembly folder (cdk.out), holding the staged
	// assets: asset.<hash>.py files and asset.<hash>/ folders.
	Dir        string
	Definition []byte
	Jobs       map[string]Job      // by logical id
	Functions  map[string]Function // by logical id
}

// Job is a Glue job as deployed.
type Job struct {
	Name           string
	ScriptLocation string
	Arguments      map[string]string
}

// Function is a Lambda function as deployed.
type Function struct {
	Environment map[string]string
}

// LoadAssembly reads dir/<stack>.template.json.
func LoadAssembly(dir, stack string) (*Assembly, error) {
	b, err := os.ReadFile(filepath.Join(dir, stack+".template.json"))
	if err != nil {
		return nil, fmt.Errorf("%w (make local synthesizes .tools/local.out; make synth, cdk.out)", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	flat, err := render.FromTemplate(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", stack, err)
	}
	var tpl struct {
		Resources map[string]struct {
			Type       string         `json:"Type"`
			Properties map[string]any `json:"Properties"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(b, &tpl); err != nil {
		return nil, err
	}
	a := &Assembly{Dir: dir, Definition: []byte(flat), Jobs: map[string]Job{}, Functions: map[string]Function{}}
	for id, r := range tpl.Resources {
		p := r.Properties
		switch r.Type {
		case "AWS::Glue::Job":
			job := Job{Arguments: map[string]string{}}
			job.Name, _ = p["Name"].(string)
			if job.ScriptLocation, err = render.Resolve(p["Command"].(map[string]any)["ScriptLocation"]); err != nil {
				return nil, fmt.Errorf("job %s: %w", id, err)
			}
			args, _ := p["DefaultArguments"].(map[string]any)
			for k, v := range args {
				if job.Arguments[k], err = render.Resolve(v); err != nil {
					return nil, fmt.Errorf("job %s, argument %s: %w", id, k, err)
				}
			}
			a.Jobs[id] = job
		case "AWS::Lambda::Function":
			fn := Function{Environment: map[string]string{}}
			env, _ := p["Environment"].(map[string]any)
			vars, _ := env["Variables"].(map[string]any)
			for k, v := range vars {
				if fn.Environment[k], err = render.Resolve(v); err != nil {
					return nil, fmt.Errorf("function %s, %s: %w", id, k, err)
				}
			}
			a.Functions[id] = fn
		}
	}
	return a, nil
}

// rawFolder is where the ingest function writes raw snapshots in store,
// from its BUCKET and RAW_PREFIX, or "" if no function says.
func (a *Assembly) rawFolder(store Store) string {
	for _, fn := range a.Functions {
		bucket, prefix := fn.Environment["BUCKET"], fn.Environment["RAW_PREFIX"]
		if bucket != "" && prefix != "" {
			return store.Path(bucket, prefix) + string(filepath.Separator)
		}
	}
	return ""
}

// isAssetBucket recognises CDK's bootstrap bucket for file assets.
func isAssetBucket(bucket string) bool {
	return strings.HasPrefix(bucket, "cdk-") && strings.Contains(bucket, "-assets-")
}

// localPath maps an s3:// URL: an asset to its staged copy in the assembly
// (asset.<hash>.py, or the folder asset.<hash> a .zip was made from), any
// other bucket into the store.
func (a *Assembly) localPath(store Store, url string) (string, error) {
	rest, ok := strings.CutPrefix(url, "s3://")
	if !ok {
		return "", fmt.Errorf("%q is not an s3:// URL", url)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if isAssetBucket(bucket) {
		staged := filepath.Join(a.Dir, "asset."+strings.TrimSuffix(key, ".zip"))
		if _, err := os.Stat(staged); err != nil {
			return "", fmt.Errorf("asset %s is not staged in %s (run make synth): %w", key, a.Dir, err)
		}
		return staged, nil
	}
	path := store.Path(bucket, key)
	if strings.HasSuffix(key, "/") {
		path += string(filepath.Separator)
	}
	return path, nil
}

// jobCommand is how the local runner runs a job: its script, the folders
// holding its extra Python modules, and its arguments with S3 locations
// mapped to local ones. Arguments that only configure the Glue service
// (metrics, logging, the Spark UI) are left out.
func (a *Assembly) jobCommand(store Store, job Job, runArgs map[string]string) (script string, pythonpath, argv []string, err error) {
	if script, err = a.localPath(store, job.ScriptLocation); err != nil {
		return "", nil, nil, err
	}
	args := map[string]string{}
	for k, v := range job.Arguments {
		args[k] = v
	}
	for k, v := range runArgs {
		args[k] = v
	}
	var keys []string
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := args[k]
		switch {
		case k == "--extra-py-files":
			for _, url := range strings.Split(v, ",") {
				dir, err := a.localPath(store, url)
				if err != nil {
					return "", nil, nil, err
				}
				pythonpath = append(pythonpath, dir)
			}
			continue
		case strings.HasPrefix(k, "--enable-"), k == "--spark-event-logs-path", k == "--job-language", k == "--TempDir":
			continue
		case strings.HasPrefix(v, "s3://"):
			if v, err = a.localPath(store, v); err != nil {
				return "", nil, nil, err
			}
		}
		argv = append(argv, k, v)
	}
	return script, pythonpath, argv, nil
}
