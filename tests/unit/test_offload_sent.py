"""What a worker gets (orchestration/offload.py): the objects of a task travel as marshal bytes inside the
pickle, and the task compares exactly as the one it stands for; data marshal cannot write still goes."""

from __future__ import annotations

import datetime
import json
import marshal
import pickle
from dataclasses import replace

from gitops_tui.engine.managedfields import noops
from gitops_tui.model import ResourceKey
from gitops_tui.orchestration.offload import _compare, _compare_sent, _objects, _Plain, _without_objects
from tests.engine.test_compare_app import _inputs

ARGS = ("abc1234", "sandbox", 1_700_000_000.0)


def sent(call: tuple) -> tuple:
    """A call as a worker receives it: pickled here, unpickled there."""
    return pickle.loads(pickle.dumps(call))


def test_a_compare_sent_to_a_worker_gives_what_the_compare_here_gives() -> None:
    inputs = _inputs()
    fn, *args = sent((_compare_sent, _without_objects(inputs), _Plain(_objects(inputs)), *ARGS))
    assert fn(*args) == _compare(inputs, *ARGS)
    assert _compare(inputs, *ARGS).resources  # something to agree on


def test_the_objects_travel_as_marshal_bytes() -> None:
    inputs = _inputs()
    loader, (blob,) = _Plain(_objects(inputs)).__reduce__()
    assert loader is marshal.loads and isinstance(blob, bytes)
    # and a worker gets plain lists and dicts back, equal to what was sent
    assert marshal.loads(blob) == _objects(inputs)


def test_a_prediction_that_is_the_live_object_is_written_once() -> None:
    inputs = _inputs()
    key = next(iter(inputs.live))
    as_live = replace(inputs, predicted={**inputs.predicted, key: inputs.live[key]})  # a proven no-op
    copied = replace(inputs, predicted={**inputs.predicted, key: json.loads(json.dumps(inputs.live[key]))})
    one, two = (len(_Plain(_objects(i)).__reduce__()[1][0]) for i in (as_live, copied))
    assert one < two - 1000  # the whole object once, not twice


def test_data_marshal_cannot_write_is_pickled_as_it_is() -> None:
    inputs = _inputs()
    dated = {**inputs.desired[0], "spec": {**inputs.desired[0]["spec"], "when": datetime.date(2026, 12, 7)}}
    odd = replace(inputs, desired=[dated, *inputs.desired[1:]])  # YAML reads an unquoted date as a date
    fn, *args = sent((_compare_sent, _without_objects(odd), _Plain(_objects(odd)), *ARGS))
    assert fn(*args) == _compare(odd, *ARGS)


def test_no_op_checks_sent_to_a_worker_answer_as_here() -> None:
    inputs = _inputs()
    keyed = [(ResourceKey.of(d), d) for d in inputs.desired]
    pairs = [(inputs.live[k], d) for k, d in keyed if k in inputs.live]
    fn, *args = sent((noops, _Plain(pairs), "gitops-tui"))
    assert fn(*args) == noops(pairs, "gitops-tui")
