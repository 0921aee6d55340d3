package render

// ShowFunc is a JSONata function that renders a wrong input value for a
// message: a string as written, a boolean or null as such, and anything
// else by its kind ("a number", "an object", "an array"), since engines
// format numbers and order object keys differently. Nothing (which is how
// jsonata-go reads a JSON null) is shown as null too.
const ShowFunc = `function($v) {
	$type($v) = "string" ? "\"" & $v & "\""
	: $type($v) = "boolean" ? ($v ? "true" : "false")
	: $type($v) = "null" or $not($exists($v)) ? "null"
	: $type($v) = "number" ? "a number"
	: "an " & $type($v)
}`
