package stacks

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/feedurl"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// systemIDPattern is the id rule the Glue jobs apply too.
var systemIDPattern = regexp.MustCompile(layout.SystemIDPattern)

// languagePattern accepts the language tags GBFS discovery documents use
// as keys, e.g. "en" or "fr-CA".
var languagePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$`)

// systemFields are the keys a system's entry may hold.
var systemFields = []string{"id", "url", "language"}

// maxSystems keeps the list the state machine carries, and the ingest
// function's SYSTEMS variable, far inside their size limits.
const maxSystems = 100

// systems reads the list of systems, [{id, url, language}], from cdk.json
// (a list) or -c (its JSON text). Without it, the one system is Vélib' at
// feedUrl, the key deployments made before there were systems set; both at
// once would leave it unclear which URL Vélib' has.
func (r *contextReader) systems(dst *[]layout.System) {
	raw := r.get(keySystems)
	if raw == nil {
		legacy := (*dst)[0]
		r.str(keyFeedURL, &legacy.URL)
		r.checkURL(`context "`+keyFeedURL+`"`, legacy.URL)
		*dst = []layout.System{legacy}
		return
	}
	if r.get(keyFeedURL) != nil {
		r.fail("context %q and %q are both set: give each system's url in %q and remove %q", keySystems, keyFeedURL, keySystems, keyFeedURL)
		return
	}
	if s, ok := raw.(string); ok {
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			r.fail("context %q must be a JSON list of systems: %v", keySystems, err)
			return
		}
	}
	entries, ok := raw.([]any)
	if !ok || len(entries) == 0 || len(entries) > maxSystems {
		r.fail("context %q must be a list of 1 to %d systems, each {\"id\", \"url\", \"language\"}; got %v", keySystems, maxSystems, raw)
		return
	}
	var out []layout.System
	seen := map[string]bool{}
	for i, e := range entries {
		entry, ok := e.(map[string]any)
		if !ok {
			r.fail("context %q: entry %d must be an object {\"id\", \"url\", \"language\"}, got %v", keySystems, i+1, e)
			continue
		}
		for field := range entry {
			if !slices.Contains(systemFields, field) {
				r.fail("context %q: entry %d has unknown field %q (known: %s)", keySystems, i+1, field, strings.Join(systemFields, ", "))
			}
		}
		var s layout.System
		s.ID, _ = entry["id"].(string)
		s.URL, _ = entry["url"].(string)
		s.Language, _ = entry["language"].(string)
		where := `context "` + keySystems + `": system "` + s.ID + `"`
		switch {
		case !systemIDPattern.MatchString(s.ID):
			r.fail("context %q: entry %d: id must be 1-32 characters of lower-case letters, digits and '-', starting with a letter; got %v", keySystems, i+1, entry["id"])
		case seen[s.ID]:
			r.fail("context %q: id %q is listed twice", keySystems, s.ID)
		}
		seen[s.ID] = true
		r.checkURL(where+": url", s.URL)
		if lang, present := entry["language"]; present && (s.Language == "" || !languagePattern.MatchString(s.Language)) {
			r.fail("%s: language must be a language tag such as \"en\" or \"fr-CA\", got %v", where, lang)
		}
		out = append(out, s)
	}
	*dst = out
}

// checkURL applies feedurl's rule, which the function applies again to
// the feeds a gbfs.json lists.
func (r *contextReader) checkURL(what, feed string) {
	if err := feedurl.Check(feed); err != nil {
		r.fail("%s %v", what, err)
	}
}

// systemIDs lists the configured systems' ids, in configuration order.
func (c Config) systemIDs() []string { return layout.SystemIDs(c.Systems) }
