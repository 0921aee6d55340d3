package flaginputs

import "strings"

// arrivalsInputs are the inputs that list arrival keys: as S3 writes them,
// URL-encoded as its notifications may give them, as day folders, and
// every way one can be wrong.
func arrivalsInputs(o Options) []Input {
	key, p, system := o.ArrivalsKey, o.ArrivalsPrefix, o.SubsetAllowed[0]
	with := func(value any) string { return o.offJSON(map[string]any{key: value}) }
	off := o.off()
	valid := func(name string, keys []string, date string) Input {
		return Input{Name: name, JSON: with(keys), Valid: true, Off: off, Date: date, Systems: []string{system}}
	}
	invalid := func(name string, value any, cause string) Input {
		return Input{Name: name, JSON: with(value), Cause: []string{cause}}
	}
	day := func(d, rest string) string { return p + system + "/dt=" + d + "/" + rest }
	shape := ": not " + p + "<system>/dt=YYYY-MM-DD/…"
	bad := func(k, why string) string { return key + " lists " + mustJSON(k) + why }
	table := []Input{
		valid("an arrival's key", []string{day("2026-11-20", system+"-20261120T060000Z.json.gz")}, "2026-11-20"),
		valid("an arrival's key URL-encoded, with spaces and %", []string{p + system + "/dt%3D2026-11-20/partner+copy/snap%201%25.json"}, "2026-11-20"),
		valid("an arrival's key with %3d in lower case", []string{p + system + "/dt%3d2026-11-20/a.json"}, "2026-11-20"),
		valid("an arrival's key with every slash encoded", []string{strings.ReplaceAll(p, "/", "%2F") + system + "%2Fdt%3D2026-11-19%2Fa.json"}, "2026-11-19"),
		valid("arrivals' day folders, out of order, one twice", []string{day(Today, ""), day("2026-11-19", ""), day(Today, "")}, "2026-11-19.."+Today),
		valid("arrivals spanning exactly 366 days", []string{day(Today, "b"), day("2025-11-21", "a")}, "2025-11-21.."+Today),
		invalid("arrivals as a string", day("2026-11-20", "a"), key+" must be a list of keys "+p+"<system>/dt=YYYY-MM-DD/…, got "),
		invalid("no arrival", []string{}, key+" is an empty list"),
		invalid("an arrival under another prefix", []string{"raw/" + system + "/dt=2026-11-20/a"}, bad("raw/"+system+"/dt=2026-11-20/a", shape)),
		invalid("an arrival whose prefix only starts alike", []string{strings.TrimSuffix(p, "/") + "x/" + system + "/dt=2026-11-20/a"},
			bad(strings.TrimSuffix(p, "/")+"x/"+system+"/dt=2026-11-20/a", shape)),
		invalid("an arrival without its dt= folder", []string{p + system + "/2026-11-20/a"}, bad(p+system+"/2026-11-20/a", shape)),
		invalid("an arrival's day without its slash", []string{p + system + "/dt=2026-11-20"}, bad(p+system+"/dt=2026-11-20", shape)),
		invalid("an arrival of an unknown system", []string{p + "nope/dt=2026-11-20/a"}, bad(p+"nope/dt=2026-11-20/a", `: system "nope" is not one of `+strings.Join(o.SubsetAllowed, ", "))),
		invalid("an arrival of an impossible day", []string{day("2026-02-30", "a")}, bad(day("2026-02-30", "a"), `: its day "2026-02-30" is not a calendar date`)),
		invalid("an arrival of a malformed day", []string{day("2026-2-3", "a")}, bad(day("2026-2-3", "a"), `: its day must be a date YYYY-MM-DD, got "2026-2-3"`)),
		invalid("an arrival after the start date", []string{day("2026-11-22", "a")}, bad(day("2026-11-22", "a"), `: its day "2026-11-22" is after the execution's start date `+Today)),
		invalid("a number among arrivals", []any{day("2026-11-20", "a"), 3}, key+" lists a number: not a key"),
		invalid("a null among arrivals", []any{day("2026-11-20", "a"), nil}, key+" lists null: not a key"),
		invalid("five bad arrivals", []string{"a", "b", "c", "d", "e"}, bad("c", shape)+"; and 2 more"),
		invalid("arrivals spanning 367 days", []string{day(Today, "b"), day("2025-11-20", "a")}, key+" spans 367 days, 2025-11-20 to "+Today+"; the limit is 366"),
	}
	// Arrivals name the days and the systems themselves.
	for i, other := range []map[string]any{{"process_date": "2026-11-20"}, {o.SubsetKey: []string{system}}} {
		m := map[string]any{key: []string{day("2026-11-20", "a")}}
		for k, v := range other {
			m[k] = v
		}
		in := Input{Name: "arrivals with " + []string{"a process_date", "systems"}[i], JSON: o.offJSON(m)}
		for k := range other {
			in.Cause = []string{key + " sets the days and systems processed: leave out " + k}
		}
		table = append(table, in)
	}
	if o.DateNeedsOff != "" {
		table = append(table, Input{Name: "arrivals without " + o.DateNeedsOff + " false",
			JSON: mustJSON(map[string]any{key: []string{day("2026-11-20", "a")}}), Cause: []string{key + " is given but " + o.DateNeedsOff + " is not false"}})
	}
	return table
}
