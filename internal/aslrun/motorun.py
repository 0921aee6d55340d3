"""Runs an Amazon States Language definition on moto's Step Functions
interpreter (ported from LocalStack), offline, for the same request run.js
takes: {"definition", "startTime", "cases": [{"input", "mocks"}]}. Writes the
results as one JSON array in run.js's shape. Given {"histories": [...]}
instead, it writes the trace of each execution history, for tests.

moto ships no JSONata engine; jsonata-python (the Java lineage) is plugged
in. Every Task answers from its mock through moto's own mocked-response
mechanism, retries do not sleep, and the execution's start time is the
request's, so $states.context.Execution.StartTime is the same as in run.js.
"""

import datetime
import json
import logging
import re
import sys
import types

import boto3
import jsonata
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.intrinsic.argument import argument as intrinsic_argument
from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task import mock_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task import StateTask
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
from moto.stepfunctions.parser.asl.utils import json_path as moto_json_path
from moto.stepfunctions.parser.backend import execution as moto_execution
from moto.stepfunctions.parser.backend import execution_worker
from moto.stepfunctions.parser.mocking.mock_config import (
    MockedResponseReturn,
    MockedResponseThrow,
    MockTestCase,
    StateMockedResponses,
)

# moto logs every JSONPath miss, including the ones a guard's IsPresent rule
# expects.
logging.disable(logging.CRITICAL)

# moto writes $states into the expression's text as JSON, escaping a
# character outside the BMP as a surrogate pair (\ud83d\ude00). jsonata-js
# and jsonata-java read such a pair as one character, but jsonata-python
# decodes each half on its own, leaving two lone surrogates that no UTF-8
# function accepts; the pairs are joined before the expression is parsed.
SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)


def join_pairs(text):
    def joined(m):
        high, low = int(m[2], 16), int(m[3], 16)
        return m[1] + chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))

    return SURROGATE_PAIR.sub(joined, text)


moto_jsonata._eval_jsonata = lambda expression: jsonata.Jsonata(join_pairs(expression)).evaluate(None)
retrier_decl.time = types.SimpleNamespace(sleep=lambda seconds: None)


def error_name(error_name):
    """A task may fail with a States.* error, as a failed Glue .sync run does
    (States.TaskFailed). moto accepts custom names only, both for a mocked
    failure and when a Parallel re-raises a branch's error, and would report
    States.Runtime instead of the error AWS reports."""
    if error_name and error_name.startswith("States."):
        return StatesErrorName.from_name(error_name)
    return CustomErrorName(error_name)


def extract_json(path, data):
    """moto, unlike LocalStack and AWS, reads an intrinsic function's path
    argument through an array index, such as $[1].runs after a Parallel, as
    a list of one match (its fix for moto#7825); AWS reads the value."""
    matches = moto_json_path.parse(path).find(data)
    if len(matches) == 1 and not isinstance(matches[0].path, moto_json_path.Index):
        return matches[0].value
    return extract_json_moto(path, data)


extract_json_moto = intrinsic_argument.extract_json
intrinsic_argument.extract_json = extract_json
mock_eval_utils.CustomErrorName = error_name
branches_decl.CustomErrorName = error_name

# Mocks and start time per execution name, read when the execution starts.
PLANS = {}

# A mock's output answers every call after its failures.
REPEATS = 100


def mock_test_case(machine, name):
    responses = []
    for state, mock in PLANS[name]["mocks"].items():
        if mock.get("byInput"):
            # Answered by response_by_input; listed so moto mocks the state.
            responses.append(StateMockedResponses(state, state, [MockedResponseReturn(0, REPEATS, {})]))
            continue
        answers = []
        for i, failure in enumerate(mock.get("failures") or []):
            answers.append(MockedResponseThrow(i, i, failure["error"], failure.get("cause", "")))
        n = len(answers)
        answers.append(MockedResponseReturn(n, n + REPEATS, mock.get("output", {})))
        responses.append(StateMockedResponses(state, state, answers))
    return MockTestCase(machine, name, responses)


eval_parameters = StateTask._eval_parameters


def kept_parameters(self, env):
    """Keeps a task's parameters on its environment, for a mock by input."""
    parameters = eval_parameters(self, env)
    env.harness_parameters = parameters
    return parameters


StateTask._eval_parameters = kept_parameters
mocked_response = Environment.get_current_mocked_response


def response_by_input(self):
    """A mock by input (see aslrun.ByInput) answers from the mock for the
    value at its field of the task's parameters; its failures are counted
    by the state's retries, as moto counts any mock's."""
    execution = self.states.context_object.context_object_data["Execution"]["Name"]
    mock = PLANS[execution]["mocks"].get(self.next_state_name) or {}
    by = mock.get("byInput")
    if not by:
        return mocked_response(self)
    value = getattr(self, "harness_parameters", {})
    for key in by["field"].split("."):
        value = value.get(key) if isinstance(value, dict) else None
    chosen = by["mocks"].get(str(value))
    if chosen is None:
        return MockedResponseThrow(0, 0, "Harness.Unmocked", f"no mock for {by['field']} {value}")
    retry = self.states.context_object.context_object_data["State"]["RetryCount"]
    failures = chosen.get("failures") or []
    if retry < len(failures):
        return MockedResponseThrow(retry, retry, failures[retry]["error"], failures[retry].get("cause", ""))
    return MockedResponseReturn(retry, retry, chosen.get("output", {}))


Environment.get_current_mocked_response = response_by_input
start_worker = moto_execution.Execution._get_start_execution_worker


def planned_worker(self):
    self.start_date = PLANS[self.name]["start"]
    worker = start_worker(self)
    worker._mock_test_case = mock_test_case(self.state_machine.name, self.name)
    # The execution runs in the caller's thread, as moto runs a synchronous
    # execution: start_execution returns once it has ended, so nothing polls
    # for its end (polling took half of a run's time).
    worker.start = worker._execution_logic
    PLANS[self.name]["execution"] = self
    return worker


moto_execution.Execution._get_start_execution_worker = planned_worker


# AWS parses a definition once, when the machine is created; moto parses it
# again for every execution, which was most of a run's time. Its components
# keep what an execution changes in that execution's environment (env.heap,
# which is how a Map's iterations share them), so executions can share them
# too.
parse_program = execution_worker.ExecutionWorker._get_evaluation_entrypoint
PROGRAMS = {}


def shared_program(self):
    definition = self._evaluation_details.state_machine_details.definition
    if definition not in PROGRAMS:
        PROGRAMS[definition] = parse_program(self)
    return PROGRAMS[definition]


execution_worker.ExecutionWorker._get_evaluation_entrypoint = shared_program


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def trace(events):
    """Turns an execution history into run.js's trace fields."""
    by_id = {e["id"]: e for e in events}
    entered, exited, calls, kinds, scheduled, task_failed = [], set(), [], {}, {}, set()
    for e in events:
        kind = e["type"]
        if kind.endswith("StateEntered"):
            name = e["stateEnteredEventDetails"]["name"]
            entered.append(name)
            kinds[name] = kind[: -len("StateEntered")]
        elif kind.endswith("StateExited"):
            exited.add(e["stateExitedEventDetails"]["name"])
        elif kind == "TaskScheduled":
            name = owning_state(e, by_id)
            scheduled[name] = scheduled.get(name, 0) + 1
            calls.append({"state": name, "input": json.loads(e["taskScheduledEventDetails"]["parameters"])})
        elif kind == "TaskFailed":
            task_failed.add(owning_state(e, by_id))
    retries = []
    for name, n in scheduled.items():
        retries += [name] * (n - entered.count(name))
    # When one Parallel branch fails, the others stop where they are: a task
    # there was entered and never exited, but it did not fail.
    failed = [n for n in entered if n not in exited and (kinds[n] == "Fail" or n in task_failed)]
    return {
        "entered": entered,
        "retries": retries,
        "transitions": len(entered) + len(retries),
        "calls": calls,
        "failedState": failed[0] if failed else None,
    }


def owning_state(event, by_id):
    """The Task state an event belongs to: Parallel branches interleave their
    events, so follow previousEventId back to the state's entry."""
    while event is not None:
        if event["type"] == "TaskStateEntered":
            return event["stateEnteredEventDetails"]["name"]
        event = by_id.get(event.get("previousEventId"))
    return None


def answer(request):
    """The reply to one request: traces of canned histories, or a result
    per case of running the definition."""
    if "histories" in request:
        return [trace(events) for events in request["histories"]]
    PLANS.clear()
    start = parse_time(request["startTime"])
    results = []
    # A fresh mock per request: nothing one request created is seen by the
    # next one the same process answers.
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        arn = client.create_state_machine(
            name="machine",
            definition=json.dumps(request["definition"]),
            roleArn="arn:aws:iam::123456789012:role/machine",
        )["stateMachineArn"]
        for i, case in enumerate(request["cases"]):
            name = f"case-{i}"
            PLANS[name] = {"mocks": case.get("mocks") or {}, "start": start}
            execution = client.start_execution(stateMachineArn=arn, name=name, input=json.dumps(case.get("input", {})))[
                "executionArn"
            ]
            described = client.describe_execution(executionArn=execution)
            # The history from moto's own record: through the API, serializing
            # it cost more than running the execution.
            events = PLANS[name]["execution"].to_history_output()["events"]
            result = trace(events)
            result["status"] = described["status"]
            if described["status"] == "SUCCEEDED":
                result["output"] = json.loads(described["output"])
                result["failedState"] = None
            else:
                result["error"] = described.get("error", "")
                result["cause"] = described.get("cause", "")
            results.append(result)
    return results


def main():
    """Answers each request line of stdin with one line of JSON, until
    stdin ends: aslrun keeps the process for a test binary's runs."""
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(answer(json.loads(line))) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
