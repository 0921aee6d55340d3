// Runs an Amazon States Language definition locally with
// aws-local-stepfunctions. The first line on stdin is the request:
//
//   {"definition", "startTime", "cases": [{"input", "mocks"}]}
//     runs each case with every Task mocked by state name and writes the
//     results as one JSON array on stdout;
//   {"definition", "startTime", "live": {"input"}}
//     runs once and hands every Task to the caller: it writes
//     {"type": "call", "id", "state", "input"} lines on stdout and reads
//     {"id", "output"} or {"id", "error", "cause"} lines on stdin; it also
//     writes {"type": "event", ...} lines as states are entered, and ends
//     with a {"type": "result", ...} line.
//
// aws-local-stepfunctions runs JSONPath states only: it silently takes the
// Default branch of a JSONata Choice. So the leading JSONata states (the
// input validation) are evaluated here with the jsonata package, pinned to
// 2.0.6 as in Step Functions, and the interpreter starts from the first
// JSONPath state they lead to, with the output they produce. A JSONata
// Pass further on, at the top level, runs as a Task this script answers
// with the Pass's Output, evaluated the same way; other JSONata states
// further on are not supported.
const { StateMachine } = require('aws-local-stepfunctions');
const jsonata = require('jsonata');

const readline = require('readline');

async function main() {
  const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const first = await lines.next();
  const request = JSON.parse(first.value);
  const { definition, startTime } = request;
  if (!request.live) {
    const results = [];
    for (const c of request.cases) results.push(await runCase(definition, startTime, c, mockHandlers(c.mocks)));
    process.stdout.write(JSON.stringify(results));
    return;
  }
  const pending = new Map();
  let nextId = 0;
  (async () => {
    for await (const line of { [Symbol.asyncIterator]: () => lines }) {
      const reply = JSON.parse(line);
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.error) {
        const err = new Error(reply.cause || reply.error);
        err.name = reply.error;
        p.reject(err);
      } else {
        p.resolve(reply.output === undefined ? {} : reply.output);
      }
    }
    // The caller closes its end once it has the result, or is gone (a
    // killed make local): either way nobody will answer a task again.
    process.exit(0);
  })();
  const send = (msg) => process.stdout.write(JSON.stringify(msg) + '\n');
  const call = (state) => (input) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    send({ type: 'call', id, state, input });
  });
  const result = await runCase(definition, startTime, request.live, call, (event) => send({ type: 'event', ...event }));
  // Exit once everything written has reached the pipe: a pipe's writes
  // can be queued, and exiting at once would cut the last lines short.
  process.stdout.write(JSON.stringify({ type: 'result', ...result }) + '\n', () => process.exit(0));
}

// mockHandlers returns a handler factory: each Task throws its mock's
// failures once each, in order, then returns its output.
function mockHandlers(mocks) {
  return (taskName) => answerer(taskName, (mocks || {})[taskName]);
}

// answerer answers a task's calls from its mock; a mock by input keeps an
// answerer per value, so each counts its own failures.
function answerer(taskName, mock) {
  if (!mock) {
    return async () => {
      const err = new Error(`no mock for task ${taskName}`);
      err.name = 'Harness.Unmocked';
      throw err;
    };
  }
  if (mock.byInput) {
    const byValue = {};
    return async (input) => {
      const value = mock.byInput.field.split('.').reduce((v, k) => (v == null ? undefined : v[k]), input);
      const key = String(value);
      if (!byValue[key]) byValue[key] = answerer(`${taskName} with ${mock.byInput.field} ${key}`, mock.byInput.mocks[key]);
      return byValue[key](input);
    };
  }
  let calls = 0;
  return async () => {
    const failure = (mock.failures || [])[calls++];
    if (failure) {
      const err = new Error(failure.cause || failure.error);
      err.name = failure.error;
      throw err;
    }
    return mock.output === undefined ? {} : mock.output;
  };
}

async function runCase(definition, startTime, c, handlerFor, emit = () => {}) {
  const input = c.input === undefined ? {} : c.input;
  const id = c.executionId || 'arn:aws:states:us-east-1:123456789012:execution:local:case';
  const context = { Execution: { Input: input, StartTime: startTime, Id: id } };
  const trace = { entered: [], retries: [], transitions: 0, calls: [] };

  // Leading JSONata states.
  let name = definition.StartAt;
  let data = input;
  for (;;) {
    const state = definition.States[name];
    if (!state || state.QueryLanguage !== 'JSONata') break;
    trace.entered.push(name);
    trace.transitions++;
    emit({ event: 'StateEntered', state: name, stateType: state.Type, input: data });
    const states = { input: data, context };
    if (state.Type === 'Fail') {
      return { ...trace, status: 'FAILED', failedState: name, error: await evalField(state.Error, states), cause: await evalField(state.Cause, states) };
    }
    if (state.Type !== 'Choice') throw new Error(`JSONata state ${name} of type ${state.Type} is not supported`);
    let next = state.Default;
    let output = data;
    for (const rule of state.Choices) {
      if (await evalField(rule.Condition, states) === true) {
        next = rule.Next;
        if (rule.Output !== undefined) output = await evalField(rule.Output, states);
        break;
      }
    }
    if (next === undefined) return { ...trace, status: 'FAILED', failedState: name, error: 'States.NoChoiceMatched' };
    name = next;
    data = output;
  }

  // A JSONata Pass further on becomes a Task that this script answers by
  // evaluating the Pass's Output, as Step Functions would.
  const jsonPathOnly = { ...definition, StartAt: name, States: {} };
  const jsonataPasses = {};
  for (const [n, s] of Object.entries(definition.States)) {
    if (s.QueryLanguage !== 'JSONata') {
      jsonPathOnly.States[n] = s;
    } else if (s.Type === 'Pass' && !trace.entered.includes(n)) {
      if (s.Assign !== undefined) throw new Error(`JSONata Pass ${n}: Assign is not supported`);
      jsonataPasses[n] = s;
      const { QueryLanguage, Output, Type, ...rest } = s;
      jsonPathOnly.States[n] = { ...rest, Type: 'Task', Resource: 'arn:aws:states:::harness:jsonata' };
    }
  }
  const machine = new StateMachine(jsonPathOnly, { validationOptions: { checkArn: false } });
  const handlers = {};
  const noWait = {};
  for (const [n, s] of Object.entries(jsonataPasses)) {
    handlers[n] = async (input) => (s.Output === undefined ? input : evalField(s.Output, { input, context }));
  }
  visit(jsonPathOnly, (n, s) => {
    if (s.Type === 'Task' && !jsonataPasses[n]) {
      const handle = handlerFor(n);
      handlers[n] = async (taskInput) => {
        trace.calls.push({ state: n, input: taskInput });
        return handle(taskInput);
      };
    }
    if (s.Retry) noWait[n] = 0;
  });
  const execution = machine.run(data, { overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: noWait }, context });
  const logging = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        trace.entered.push(event.state.name);
        trace.transitions++;
        const stateType = jsonataPasses[event.state.name] ? 'Pass' : event.state.type;
        emit({ event: 'StateEntered', state: event.state.name, stateType, input: event.state.input });
      } else if (event.type === 'StateRetried') {
        // Step Functions bills a retry as a transition too.
        trace.retries.push(event.state.name);
        trace.transitions++;
      } else if (event.type === 'StateFailed' && !trace.failedState) {
        trace.failedState = event.state.name;
      } else if (event.type === 'StateCaught' && trace.failedState === event.state.name) {
        // A caught failure did not fail the execution.
        trace.failedState = undefined;
      }
    }
  })();
  try {
    const output = await execution.result;
    await logging;
    return { ...trace, status: 'SUCCEEDED', output, failedState: undefined };
  } catch (e) {
    await logging;
    // The interpreter wraps the state's error in an ExecutionError.
    const inner = e.cause || e;
    return { ...trace, status: 'FAILED', error: inner.name, cause: inner.message };
  }
}

// evalField evaluates a JSONata field: a {% %} string, or an object or
// array holding them at any depth.
async function evalField(value, states) {
  if (Array.isArray(value)) return Promise.all(value.map((v) => evalField(v, states)));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = await evalField(v, states);
    return out;
  }
  if (typeof value !== 'string') return value;
  const m = /^\{%([\s\S]*)%\}$/.exec(value);
  return m ? jsonata(m[1]).evaluate({}, { states }) : value;
}

// visit calls f on every state, those inside Parallel branches and Map
// iterators included.
function visit(def, f) {
  for (const [n, s] of Object.entries(def.States)) {
    f(n, s);
    for (const b of s.Branches || []) visit(b, f);
    if (s.Iterator) visit(s.Iterator, f);
    if (s.ItemProcessor) visit(s.ItemProcessor, f);
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
