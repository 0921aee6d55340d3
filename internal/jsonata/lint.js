// Reads [{where, source}] on stdin, parses each source with jsonata and
// writes [{where, rule, position, detail}] for every construct that some
// JSONata implementation refuses or reads differently (see lint.go).
const jsonata = require('jsonata');

// Steps that read from the context item rather than from a variable.
const contextReads = new Set(['name', 'wildcard', 'descendant', 'parent']);
// Functions whose picture-string argument each engine implements itself.
const pictureFunctions = new Set(['toMillis', 'fromMillis']);

function lint(source) {
  const findings = [];
  const report = (rule, node, detail) => findings.push({ rule, position: node.position || 0, detail });

  // walk visits node; atRoot says whether a field read there would read the
  // context item of the whole expression (which Step Functions leaves empty).
  function walk(node, atRoot) {
    if (Array.isArray(node)) { node.forEach((n) => walk(n, atRoot)); return; }
    if (!node || typeof node !== 'object') return;
    switch (node.type) {
      case 'path':
        node.steps.forEach((step, i) => step_(step, atRoot && i === 0));
        walkScoped(node);
        return;
      case 'variable':
        if (node.value === '') report('lone-dollar', node, 'a lone $ (name what you iterate, e.g. $filter($xs, function($x) {...}))');
        if (node.value === '$') report('double-dollar', node, '$$ (use $states.input)');
        walkScoped(node);
        return;
      case 'function':
      case 'partial':
        if (node.procedure && node.procedure.type === 'variable') {
          const name = node.procedure.value;
          if (name === 'eval') report('eval', node, '$eval is not available in Step Functions');
          if (pictureFunctions.has(name) && node.arguments.length >= 2) {
            report('date-picture', node, `$${name} with a picture string (engines parse pictures differently; check dates with a regular expression and arithmetic)`);
          }
        }
        walk(node.procedure, atRoot);
        walk(node.arguments, atRoot);
        walkScoped(node);
        return;
      case 'lambda':
        // A lambda's body reads the context the lambda was defined in.
        walk(node.body, atRoot);
        return;
      case 'unary':
        walk(node.expression, atRoot);
        walk(node.expressions, atRoot);
        walk(node.lhs, atRoot);
        walkScoped(node);
        return;
      default:
        if (contextReads.has(node.type)) {
          if (atRoot) report('top-level-field', node, `"${node.value}" reads a field of the context item at the top level (Step Functions has none: use $states.input.${node.value})`);
          walkScoped(node);
          return;
        }
        for (const key of ['lhs', 'rhs', 'condition', 'then', 'else', 'expressions', 'expression', 'arguments', 'body']) {
          walk(node[key], atRoot);
        }
        for (const key of ['pattern', 'update', 'delete']) walk(node[key], false);
        walkScoped(node);
    }
  }

  function step_(step, atRoot) {
    if (contextReads.has(step.type)) {
      if (atRoot) report('top-level-field', step, `"${step.value}" reads a field of the context item at the top level (Step Functions has none: use $states.input.${step.value})`);
      walkScoped(step);
      return;
    }
    walk(step, atRoot);
  }

  // Predicates, filters, groups and sort terms are evaluated against the
  // items they select, never against the top-level context.
  function walkScoped(node) {
    for (const key of ['predicate', 'stages']) {
      for (const stage of node[key] || []) walk(stage.expr, false);
    }
    if (node.group) walk(node.group.lhs, false);
    for (const term of node.terms || []) walk(term.expression, false);
  }

  walk(jsonata(source).ast(), true);
  return findings;
}

async function main() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const out = [];
  for (const { where, source } of JSON.parse(text)) {
    try {
      for (const f of lint(source)) out.push({ where, ...f });
    } catch (e) {
      out.push({ where, rule: 'syntax', position: e.position || 0, detail: e.message });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
