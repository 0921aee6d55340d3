package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/feedurl"
)

// FeedURLs returns the station_information and station_status URLs of a
// GBFS system. base is either the folder holding the two documents (Vélib'
// publishes them side by side) or the system's gbfs.json discovery document,
// recognised by its name, which lists every feed's URL. language picks the
// feeds of a document that lists them by language; "" means the default
// (see discoveryFeeds).
func FeedURLs(ctx context.Context, f *Fetcher, base, language string) (information, status string, err error) {
	// The synth applies the same rule to base; SYSTEMS can be edited
	// after it, and a gbfs.json lists URLs of its own.
	if err := feedurl.Check(base); err != nil {
		return "", "", fmt.Errorf("feed URL %w", err)
	}
	u, _ := url.Parse(base)
	if !strings.HasSuffix(u.Path, "gbfs.json") {
		dir := strings.TrimSuffix(base, "/") + "/"
		return dir + FeedInformation + ".json", dir + FeedStatus + ".json", nil
	}
	body, err := f.Get(ctx, base)
	if err != nil {
		return "", "", fmt.Errorf("gbfs feed %s: %w", base, err)
	}
	feeds, err := discoveryFeeds(body, language)
	if err != nil {
		return "", "", fmt.Errorf("gbfs feed %s: %w", base, err)
	}
	information, status = feeds[FeedInformation], feeds[FeedStatus]
	if information == "" || status == "" {
		return "", "", fmt.Errorf("gbfs feed %s lists no %s or no %s feed", base, FeedInformation, FeedStatus)
	}
	for name, feed := range map[string]string{FeedInformation: information, FeedStatus: status} {
		if err := feedurl.Check(feed); err != nil {
			return "", "", fmt.Errorf("gbfs feed %s: %s %w", base, name, err)
		}
	}
	return information, status, nil
}

// feedList is the list of feeds in a discovery document.
type feedList struct {
	Feeds []struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"feeds"`
}

// discoveryFeeds maps feed names to URLs. GBFS 3.x puts the list directly
// under data (its names carry their translations); 1.x and 2.x put one list
// per language, of which language is taken, or without one English, then
// the first language in alphabetical order.
func discoveryFeeds(body []byte, language string) (map[string]string, error) {
	var doc struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Data) == 0 {
		return nil, fmt.Errorf("not a GBFS discovery document")
	}
	var list feedList
	if err := json.Unmarshal(doc.Data, &list); err != nil || list.Feeds == nil {
		var byLang map[string]feedList
		if err := json.Unmarshal(doc.Data, &byLang); err != nil || len(byLang) == 0 {
			return nil, fmt.Errorf("not a GBFS discovery document: data has no feeds")
		}
		langs := make([]string, 0, len(byLang))
		for l := range byLang {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		list = byLang[langs[0]]
		if en, ok := byLang["en"]; ok {
			list = en
		}
		if language != "" {
			var ok bool
			if list, ok = byLang[language]; !ok {
				return nil, fmt.Errorf("no feeds in language %q (it has %s)", language, strings.Join(langs, ", "))
			}
		}
	}
	feeds := make(map[string]string, len(list.Feeds))
	for _, f := range list.Feeds {
		feeds[f.Name] = f.URL
	}
	return feeds, nil
}
