// Reads {expressions: [{where, source}], cases: [{input, context}]} on stdin
// and evaluates every expression for every case with jsonata-js, binding
// $states = {input, context} and no context item, as Step Functions does.
// Writes, per case, one outcome per expression: {"value": v} (no "value"
// key when the result is undefined) or {"error": message}.
const jsonata = require('jsonata');

async function main() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const { expressions, cases } = JSON.parse(text);
  const compiled = expressions.map((e) => {
    try { return { expr: jsonata(e.source) }; } catch (err) { return { error: err.message }; }
  });
  const results = [];
  for (const c of cases) {
    const row = [];
    for (const k of compiled) {
      if (k.error) { row.push({ error: k.error }); continue; }
      try {
        const value = await k.expr.evaluate(undefined, { states: { input: c.input, context: c.context } });
        row.push(value === undefined ? {} : { value });
      } catch (err) {
        row.push({ error: err.message || String(err) });
      }
    }
    results.push(row);
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
