// Package flaginputs is a table of execution inputs for a state machine
// guarded by skippable flags: the valid inputs a user types and every kind of
// mistake the validation must turn into InvalidInput. The construct's tests,
// the stack's behaviour tests and the engine comparisons all draw on it, so
// each is proven against the same inputs.
package flaginputs

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// StartTime is the execution start time the cases assume; dates are valid
// up to its day.
const StartTime = "2026-11-21T23:50:18.123Z"

// Today is StartTime's date.
const Today = "2026-11-21"

// Input is one execution input and what the validation must make of it.
type Input struct {
	Name string
	// JSON is the input as a user would send it.
	JSON string
	// Valid says whether the validation lets it through.
	Valid bool
	// Cause lists what the InvalidInput cause must say, for an invalid one.
	Cause []string
	// Off lists the flags the input sets to false, for a valid one.
	Off []string
	// Date is the process_date the tasks must get, for a valid one.
	Date string
	// Systems, when set, are the systems the tasks must get, for a valid
	// one.
	Systems []string
}

// Options adapt the table to a state machine's own parameter rules.
type Options struct {
	// DateNeedsOff is a flag that must be false whenever process_date is
	// given (a pipeline whose first task can only fetch today's data). The
	// table then sets it false in every input with a date that does not
	// set it, and adds the inputs that break the rule.
	DateNeedsOff string
	// DateNeedsOffCause is what the cause says when the rule is broken.
	DateNeedsOffCause string
	// DayBefore is the key of a contract.DayBeforeParam standing in for
	// process_date, if the machine declares one: the table then adds its
	// inputs, under the DateNeedsOff rule too.
	DayBefore string
	// MaxRangeDays, when set, says process_date also takes a range of at
	// most that many days (contract.DateRangeParam): the table then adds
	// its inputs, under the DateNeedsOff rule too.
	MaxRangeDays int
	// SubsetKey, when set, is a contract.SubsetParam of the values
	// SubsetAllowed (at least one): the table then adds its inputs.
	SubsetKey     string
	SubsetAllowed []string
	// ArrivalsKey, when set, is a list of keys ArrivalsPrefix<system>/
	// dt=<day>/… from which the validation derives process_date and
	// SubsetKey (both required then): the table adds its inputs, under
	// the DateNeedsOff rule too.
	ArrivalsKey, ArrivalsPrefix string
}

// Table returns the inputs for a machine whose flags are flags (at least
// two, in execution order).
func Table(flags []string, opts ...Options) []Input {
	table := baseTable(flags)
	for _, o := range opts {
		if o.DateNeedsOff != "" {
			table = withDateRule(table, o)
		}
		if o.DayBefore != "" {
			table = append(table, dayBeforeInputs(o)...)
		}
		if o.MaxRangeDays != 0 {
			table = append(table, rangeInputs(o)...)
		}
		if o.SubsetKey != "" {
			table = append(table, subsetInputs(o)...)
		}
		if o.ArrivalsKey != "" {
			table = append(table, arrivalsInputs(o)...)
		}
	}
	return table
}

// withDateRule sets o.DateNeedsOff false where a date is given and the input
// does not mention the flag, and adds the inputs that break the rule.
func withDateRule(table []Input, o Options) []Input {
	var out []Input
	for _, in := range table {
		var m map[string]any
		if json.Unmarshal([]byte(in.JSON), &m) == nil {
			if _, dated := m["process_date"]; dated {
				v, set := m[o.DateNeedsOff]
				switch {
				case !set:
					m[o.DateNeedsOff] = false
					in.JSON = mustJSON(m)
					if in.Valid {
						in.Off = append(append([]string{}, in.Off...), o.DateNeedsOff)
					}
				case v != false:
					// The flag is set otherwise: the rule speaks first.
					in.Cause = replaceDateCauses(in.Cause, o.DateNeedsOffCause)
				}
			}
		}
		out = append(out, in)
	}
	q := mustJSON(o.DateNeedsOff)
	return append(out,
		Input{Name: "a date without " + o.DateNeedsOff + " false", JSON: `{"process_date": "2026-10-02"}`, Cause: []string{o.DateNeedsOffCause}},
		Input{Name: "a date with " + o.DateNeedsOff + " true", JSON: fmt.Sprintf(`{%s: true, "process_date": "2026-10-02"}`, q), Cause: []string{o.DateNeedsOffCause}},
	)
}

// dayBeforeInputs are the inputs that give o.DayBefore, with
// o.DateNeedsOff false unless the input is about breaking that rule.
func dayBeforeInputs(o Options) []Input {
	key := o.DayBefore
	with := func(value any, extra map[string]any) string {
		m := map[string]any{key: value}
		for k, v := range extra {
			m[k] = v
		}
		return o.offJSON(m)
	}
	off := o.off()
	valid := func(name, at, date string) Input {
		return Input{Name: name, JSON: with(at, nil), Valid: true, Off: off, Date: date}
	}
	invalid := func(name string, value any, cause string) Input {
		return Input{Name: name, JSON: with(value, nil), Cause: []string{cause}}
	}
	notTime := key + " must be a UTC time YYYY-MM-DDThh:mm:ssZ, got "
	table := []Input{
		valid("a schedule's time", "2026-11-21T00:30:00Z", "2026-11-20"),
		valid("a schedule's time on 1 March", "2026-03-01T00:30:00Z", "2026-02-28"),
		valid("a time on 1 March of a leap year", "2024-03-01T00:00:00Z", "2024-02-29"),
		valid("a time on 1 March 2000, with a fraction", "2000-03-01T12:00:00.5Z", "2000-02-29"),
		valid("a time on New Year's Day", "2026-01-01T00:30:00.000Z", "2025-12-31"),
		valid("a time on 1 May", "2026-05-01T23:59:59Z", "2026-04-30"),
		valid("the start time itself", StartTime, "2026-11-20"),
		valid("a time on the day after the earliest", "1970-01-02T00:00:00Z", "1970-01-01"),
		invalid("a date with no time", "2026-11-21", notTime+`"2026-11-21"`),
		invalid("a time with an offset", "2026-11-21T00:30:00+01:00", notTime+`"2026-11-21T00:30:00+01:00"`),
		invalid("a time with a trailing newline", "2026-11-21T00:30:00Z\n", notTime+`"2026-11-21T00:30:00Z`),
		invalid("a time as a number", 1763685000, notTime+"a number"),
		invalid("hour 24", "2026-11-21T24:00:00Z", key+` "2026-11-21T24:00:00Z" is not a time of day`),
		invalid("a time on an impossible date", "2026-02-30T00:30:00Z", key+` "2026-02-30" is not a calendar date`),
		invalid("a time after the start date", "2026-11-22T00:30:00Z", key+` "2026-11-22" is after the execution's start date `+Today),
		invalid("a time on the earliest date", "1970-01-01T00:30:00Z", key+` "1970-01-01T00:30:00Z": the day before is before 1970-01-01`),
		{Name: "a time and a date", JSON: with("2026-11-21T00:30:00Z", map[string]any{"process_date": "2026-11-02"}),
			Cause: []string{key + " and process_date are both given: give one"}},
	}
	if o.DateNeedsOff != "" {
		cause := strings.Replace(o.DateNeedsOffCause, "process_date", key, 1)
		table = append(table,
			Input{Name: "a time without " + o.DateNeedsOff + " false", JSON: mustJSON(map[string]any{key: "2026-11-21T00:30:00Z"}), Cause: []string{cause}},
			Input{Name: "a time with " + o.DateNeedsOff + " true", JSON: mustJSON(map[string]any{key: "2026-11-21T00:30:00Z", o.DateNeedsOff: true}), Cause: []string{cause}},
		)
	}
	return table
}

// off lists the flag the date rule sets false, if any.
func (o Options) off() []string {
	if o.DateNeedsOff == "" {
		return nil
	}
	return []string{o.DateNeedsOff}
}

// offJSON is m as JSON, with the date rule's flag set false.
func (o Options) offJSON(m map[string]any) string {
	if o.DateNeedsOff != "" {
		m[o.DateNeedsOff] = false
	}
	return mustJSON(m)
}

// rangeInputs are the inputs whose process_date is a range; the table's
// StartTime makes 2025-11-21..2026-11-21 exactly 366 days.
func rangeInputs(o Options) []Input {
	with := func(value any) string { return o.offJSON(map[string]any{"process_date": value}) }
	off := o.off()
	valid := func(name, r string) Input { return Input{Name: name, JSON: with(r), Valid: true, Off: off, Date: r} }
	invalid := func(name, r, cause string) Input { return Input{Name: name, JSON: with(r), Cause: []string{cause}} }
	limit := fmt.Sprint(o.MaxRangeDays)
	table := []Input{
		valid("a three-day range", "2026-11-01..2026-11-03"),
		valid("a one-day range", "2026-11-20..2026-11-20"),
		valid("a range over New Year and a leap day", "2023-12-30..2024-03-01"),
		valid("a range ending on the start date", "2026-11-14.."+Today),
		invalid("a reversed range", "2026-11-03..2026-11-01", `process_date "2026-11-03..2026-11-01" ends before it starts`),
		invalid("a range ending after the start date", "2026-11-20..2026-11-22", `process_date "2026-11-22" is after the execution's start date `+Today),
		invalid("a range with an impossible end", "2026-02-01..2026-02-30", `process_date "2026-02-30" is not a calendar date`),
		invalid("a range with a malformed start", "2026-2-1..2026-02-03", `process_date must be a date YYYY-MM-DD, got "2026-2-1"`),
		invalid("a range of three dates", "2026-11-01..2026-11-02..2026-11-03", `process_date must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, got "2026-11-01..2026-11-02..2026-11-03"`),
		invalid("an open range", "2026-11-01..", `process_date must be a date YYYY-MM-DD, got ""`),
	}
	if o.MaxRangeDays == 366 {
		table = append(table,
			valid("a range of exactly 366 days", "2025-11-21.."+Today),
			invalid("a range of 367 days", "2025-11-20.."+Today, `process_date "2025-11-20..`+Today+`" spans 367 days; the limit is `+limit),
		)
	}
	if o.DateNeedsOff != "" {
		table = append(table, Input{Name: "a range without " + o.DateNeedsOff + " false", JSON: `{"process_date": "2026-11-01..2026-11-03"}`, Cause: []string{o.DateNeedsOffCause}})
	}
	return table
}

func replaceDateCauses(causes []string, with string) []string {
	var out []string
	for _, c := range causes {
		if strings.Contains(c, "process_date") {
			c = with
		}
		out = append(out, c)
	}
	return out
}

func baseTable(flags []string) []Input {
	if len(flags) < 2 {
		panic("flaginputs: Table needs at least two flags")
	}
	a, b := flags[0], flags[1]
	all := func(v bool) string {
		m := map[string]bool{}
		for _, f := range flags {
			m[f] = v
		}
		return mustJSON(m)
	}
	valid := func(name, input string, off []string, date string) Input {
		return Input{Name: name, JSON: input, Valid: true, Off: off, Date: date}
	}
	invalid := func(name, input string, cause ...string) Input {
		return Input{Name: name, JSON: input, Cause: cause}
	}
	q := func(s string) string { return mustJSON(s) }
	return []Input{
		valid("empty object", `{}`, nil, Today),
		valid("console default comment", `{"Comment": "Insert your JSON here"}`, nil, Today),
		valid("every flag true", all(true), nil, Today),
		valid("every flag false", all(false), flags, Today),
		valid("first flag false", fmt.Sprintf(`{%s: false}`, q(a)), []string{a}, Today),
		valid("second flag false, first true", fmt.Sprintf(`{%s: true, %s: false}`, q(a), q(b)), []string{b}, Today),
		valid("a past date", fmt.Sprintf(`{%s: false, "process_date": "2026-10-02"}`, q(a)), []string{a}, "2026-10-02"),
		valid("a leap day", `{"process_date": "2024-02-29"}`, nil, "2024-02-29"),
		valid("a leap day of a century divisible by 400", `{"process_date": "2000-02-29"}`, nil, "2000-02-29"),
		valid("the execution's start date", `{"process_date": "`+Today+`"}`, nil, Today),
		valid("the earliest date", `{"process_date": "1970-01-01"}`, nil, "1970-01-01"),

		invalid("misspelt flag", fmt.Sprintf(`{%s: false}`, q(a+"x")), fmt.Sprintf(`unknown key(s) "%sx"`, a), "valid flags are "+strings.Join(flags, ", ")),
		invalid("several unknown keys, in sorted order", fmt.Sprintf(`{"b": 1, %s: true, "a": 2, "10": 3, "9": 4}`, q(b)), `unknown key(s) "10", "9", "a", "b"`),
		invalid("unicode keys", `{"é": true, "日本": 1, "😀": 2, "ｆ": 3}`,
			`unknown key(s) "é" (URL-encoded: %C3%A9), "日本" (URL-encoded: %E6%97%A5%E6%9C%AC), "ｆ" (URL-encoded: %EF%BD%86), "😀" (URL-encoded: %F0%9F%98%80)`),
		// A look-alike letter or an invisible character is why a key that
		// reads like a flag is unknown: the cause shows it encoded.
		invalid("a flag with a look-alike letter and an invisible space", fmt.Sprintf(`{%s: false}`, q(lookAlike(a))),
			`"`+lookAlike(a)+`" (URL-encoded: `+url.PathEscape(lookAlike(a))+`)`),
		// Keys are sorted by their percent-encoded form, and JSONata's
		// encoding is JavaScript's: a space is %20, "!" and "(" stay.
		invalid("keys with a space and punctuation", `{"a b": 1, "a(b": 2, "é!": 3, "c*": 4}`,
			`unknown key(s) "é!" (URL-encoded: %C3%A9!), "a b", "a(b", "c*"`),
		invalid("a key with a control character", `{"x\u0007": true}`, "unknown key(s) \"x\a\" (URL-encoded: x%07)"),
		invalid("a key named $", `{"$": true}`, `unknown key(s) "$"`),
		invalid("a key named $$ and a dotted key", `{"$$": true, "a.b": false}`, `unknown key(s) "$$", "a.b"`),
		invalid("the runs key is not input", `{"runs": {}}`, `unknown key(s) "runs"`),
		invalid("string false", fmt.Sprintf(`{%s: "false"}`, q(a)), fmt.Sprintf(`flag "%s" must be true or false, got "false"`, a)),
		invalid("zero", fmt.Sprintf(`{%s: 0}`, q(a)), fmt.Sprintf(`flag "%s" must be true or false, got a number`, a)),
		invalid("a huge number", fmt.Sprintf(`{%s: 1e300}`, q(a)), fmt.Sprintf(`flag "%s" must be true or false, got a number`, a)),
		invalid("a fraction", fmt.Sprintf(`{%s: 0.1}`, q(b)), fmt.Sprintf(`flag "%s" must be true or false, got a number`, b)),
		invalid("null flag", fmt.Sprintf(`{%s: null}`, q(b)), fmt.Sprintf(`flag "%s" must be true or false, got null`, b)),
		invalid("object flag", fmt.Sprintf(`{%s: {"enabled": false}}`, q(b)), fmt.Sprintf(`flag "%s" must be true or false, got an object`, b)),
		invalid("empty array flag", fmt.Sprintf(`{%s: []}`, q(b)), fmt.Sprintf(`flag "%s" must be true or false, got an array`, b)),
		invalid("array of false", fmt.Sprintf(`{%s: [false]}`, q(a)), fmt.Sprintf(`flag "%s" must be true or false, got an array`, a)),
		invalid("array input", fmt.Sprintf(`[{%s: false}]`, q(a)), "input must be a JSON object, got an array"),
		invalid("empty array input", `[]`, "input must be a JSON object, got an array"),
		invalid("string input", q(a), fmt.Sprintf(`input must be a JSON object, got "%s"`, a)),
		invalid("number input", `3`, "input must be a JSON object, got a number"),
		invalid("boolean input", `false`, "input must be a JSON object, got false"),
		invalid("null input", `null`, "input must be a JSON object, got null"),
		invalid("impossible date", `{"process_date": "2026-02-30"}`, `process_date "2026-02-30" is not a calendar date`),
		invalid("29 February of a common year", `{"process_date": "2025-02-29"}`, `process_date "2025-02-29" is not a calendar date`),
		invalid("29 February of a century", `{"process_date": "1900-02-29"}`, `process_date "1900-02-29" is not a calendar date`),
		invalid("month 13", `{"process_date": "2026-13-01"}`, `process_date "2026-13-01" is not a calendar date`),
		invalid("day 0", `{"process_date": "2026-01-00"}`, `process_date "2026-01-00" is not a calendar date`),
		invalid("31 April", `{"process_date": "2026-04-31"}`, `process_date "2026-04-31" is not a calendar date`),
		invalid("year 1", `{"process_date": "0001-01-01"}`, `process_date "0001-01-01" is before 1970-01-01`),
		invalid("the day before the earliest", `{"process_date": "1969-12-31"}`, `process_date "1969-12-31" is before 1970-01-01`),
		invalid("the day after the start", `{"process_date": "2026-11-22"}`, `process_date "2026-11-22" is after the execution's start date 2026-11-21`),
		invalid("far future", `{"process_date": "9999-12-31"}`, `process_date "9999-12-31" is after the execution's start date 2026-11-21`),
		invalid("date without padding", `{"process_date": "2026-2-3"}`, `process_date must be a date YYYY-MM-DD, got "2026-2-3"`),
		invalid("date with a time", `{"process_date": "2026-01-01T00:00:00Z"}`, `process_date must be a date YYYY-MM-DD, got "2026-01-01T00:00:00Z"`),
		invalid("date with a trailing newline", `{"process_date": "2026-01-01\n"}`, `process_date must be a date YYYY-MM-DD, got "2026-01-01`),
		invalid("date in full-width digits", `{"process_date": "２０２６-01-01"}`, `process_date must be a date YYYY-MM-DD, got "２０２６-01-01"`),
		invalid("date as a number", `{"process_date": 20260101}`, "process_date must be a date YYYY-MM-DD, got a number"),
		invalid("null date", `{"process_date": null}`, "process_date must be a date YYYY-MM-DD, got null"),
		invalid("every problem at once", fmt.Sprintf(`{"x": true, %s: "yes", "process_date": "today"}`, q(a)),
			`unknown key(s) "x"`, fmt.Sprintf(`flag "%s" must be true or false, got "yes"`, a), `process_date must be a date YYYY-MM-DD, got "today"`),
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// subsetInputs are the inputs of a contract.SubsetParam at o.SubsetKey.
func subsetInputs(o Options) []Input {
	key, known := o.SubsetKey, strings.Join(o.SubsetAllowed, ", ")
	with := func(value any) string {
		b, _ := json.Marshal(map[string]any{key: value})
		return string(b)
	}
	valid := func(name string, v any) Input { return Input{Name: name, JSON: with(v), Valid: true, Date: Today} }
	invalid := func(name string, v any, cause string) Input {
		return Input{Name: name, JSON: with(v), Cause: []string{cause}}
	}
	first := o.SubsetAllowed[0]
	return []Input{
		valid(key+": one of them", []string{first}),
		valid(key+": all of them", o.SubsetAllowed),
		invalid(key+": an unknown one", []string{first, "atlantis"}, key+` lists "atlantis", not one of `+known),
		invalid(key+": two unknown ones", []any{"atlantis", 7}, key+` lists "atlantis", a number, not one of `+known),
		invalid(key+": one twice", []string{first, first}, key+` lists "`+first+`" twice`),
		// jsonata-python hands a null entry to a function as nothing.
		invalid(key+": a null entry", []any{first, nil}, key+` lists null, not one of `+known),
		invalid(key+": only null", []any{nil}, key+` lists null, not one of `+known),
		invalid(key+": null", nil, key+` must be a list of at least one of `+known+`, got null`),
		invalid(key+": an empty list", []string{}, key+` is an empty list: give at least one of `+known),
		invalid(key+": not a list", first, key+` must be a list of at least one of `+known+`, got "`+first+`"`),
	}
}

// lookAlike is flag as a typo a reader cannot see: its first Latin letter
// that has a Cyrillic twin replaced by it, and a zero-width space after.
func lookAlike(flag string) string {
	twins := map[rune]string{'a': "\u0430", 'e': "\u0435", 'o': "\u043e", 'p': "\u0440", 'c': "\u0441", 'x': "\u0445"}
	for i, r := range flag {
		if twin, ok := twins[r]; ok {
			return flag[:i] + twin + flag[i+1:] + "\u200b"
		}
	}
	return flag + "\u200b"
}
