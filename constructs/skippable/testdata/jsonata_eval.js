// Evaluates JSONata expressions the way Step Functions does for a state:
// $states.input and $states.context are bound, nothing else. Reads
// {"expressions": {name: expr}, "cases": [{input, context}]} on stdin and
// writes, per case, {name: value | {"error": message}}.
// Run with the jsonata package pinned to 2.0.6, the version Step Functions ships.
const jsonata = require('jsonata');

async function main() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const { expressions, cases } = JSON.parse(text);
  const compiled = Object.fromEntries(
    Object.entries(expressions).map(([name, expr]) => [name, jsonata(unwrap(expr))]));
  const results = [];
  for (const c of cases) {
    const out = {};
    for (const [name, expr] of Object.entries(compiled)) {
      try {
        out[name] = await expr.evaluate({}, { states: { input: c.input, context: c.context } });
      } catch (e) {
        out[name] = { error: e.message };
      }
    }
    results.push(out);
  }
  process.stdout.write(JSON.stringify(results));
}

// unwrap strips Step Functions' {% ... %} delimiters.
function unwrap(s) {
  const m = /^\{%([\s\S]*)%\}$/.exec(s);
  if (!m) throw new Error(`not a JSONata string: ${s}`);
  return m[1];
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
