"""Evaluates JSONata expressions with jsonata-python, as eval.js does with
jsonata-js: reads {expressions, cases} on stdin, binds $states = {input,
context} with no context item, and writes per case one outcome per
expression: {"value": v} (no "value" key when undefined) or {"error": m}."""

import json
import sys

import jsonata

# jsonata-python returns None both for JSON null and for "no result"; an
# object constructor keeps the first and drops the second, so wrapping the
# expression tells them apart without changing what it computes.
WRAP = '{"value": (%s)}'


def main() -> None:
    request = json.load(sys.stdin)
    compiled = []
    for e in request["expressions"]:
        try:
            compiled.append(jsonata.Jsonata(WRAP % e["source"]))
        except Exception as err:  # the engine's own parse error
            compiled.append(str(err))
    results = []
    for case in request["cases"]:
        states = {"input": case.get("input"), "context": case.get("context")}
        row = []
        for expr in compiled:
            if isinstance(expr, str):
                row.append({"error": expr})
                continue
            try:
                row.append(expr.evaluate(None, {"states": states}) or {})
            except Exception as err:
                row.append({"error": str(err) or type(err).__name__})
        results.append(row)
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
