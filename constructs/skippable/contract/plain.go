package contract

// Ready-made parameters for ordinary input keys. Each is optional; see
// Param for writing one with a check of its own.

// StringParam declares key as an optional string, e.g. a note or a
// table name the run passes on.
func StringParam(key, describe string) Param {
	return Param{
		Name:     key,
		Describe: describe,
		// A positive test: an engine that reads JSON null as nothing
		// gives no type, and nothing = "string" is false on every engine.
		Check: `$type($value) = "string" ? [] : "` + key + ` must be a string, got " & $show($value)`,
	}
}

// ArrayParam declares key as an optional JSON array of any values,
// defaulting to an empty one, e.g. the items a Map iterates over: a
// state machine started without it then runs the Map over nothing.
func ArrayParam(key, describe string) Param {
	return Param{
		Name:     key,
		Describe: describe,
		Check:    `$type($value) = "array" ? [] : "` + key + ` must be a list, got " & $show($value)`,
		Default:  `[]`,
	}
}

// JSONParam declares key as an optional value of any JSON type, passed on
// as it is, e.g. a payload for a task.
func JSONParam(key, describe string) Param {
	return Param{Name: key, Describe: describe, Check: `[]`}
}
