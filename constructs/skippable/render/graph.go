package render

// NestedGraphs returns the state graphs inside one rendered state of a
// definition: a Parallel's branches, a Map's item processor (or its older
// Iterator). Each graph has its own StartAt and States. Guards may sit in
// any of them, so every reader of a definition walks them alike.
func NestedGraphs(state map[string]any) []map[string]any {
	var graphs []map[string]any
	branches, _ := state["Branches"].([]any)
	for _, b := range branches {
		if g, ok := b.(map[string]any); ok {
			graphs = append(graphs, g)
		}
	}
	for _, key := range []string{"ItemProcessor", "Iterator"} {
		if g, ok := state[key].(map[string]any); ok {
			graphs = append(graphs, g)
		}
	}
	return graphs
}

// Nested lists, by name, every state inside one rendered state's nested
// graphs, at any depth.
func Nested(state map[string]any) map[string]map[string]any {
	into := map[string]map[string]any{}
	collect(state, into)
	return into
}

func collect(state map[string]any, into map[string]map[string]any) {
	for _, graph := range NestedGraphs(state) {
		nested, _ := graph["States"].(map[string]any)
		for name, s := range nested {
			if st, ok := s.(map[string]any); ok {
				into[name] = st
				collect(st, into)
			}
		}
	}
}
