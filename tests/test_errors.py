"""The exception hierarchy."""

from __future__ import annotations

import pickle

import relu_geom as rg


def test_every_error_is_a_relu_geom_error_and_input_errors_are_value_errors():
    for cls in (rg.InvalidInputError, rg.LimitExceededError, rg.FileFormatError, rg.UnsupportedInputError):
        assert issubclass(cls, rg.ReluGeomError)
    assert issubclass(rg.FileFormatError, ValueError) and not issubclass(rg.LimitExceededError, ValueError)


def test_a_limit_error_keeps_its_partial_result_across_processes():
    err = pickle.loads(pickle.dumps(rg.LimitExceededError("max_seconds=1 exceeded", partial=[(1, 2)])))
    assert type(err) is rg.LimitExceededError and str(err) == "max_seconds=1 exceeded"
    assert err.partial == [(1, 2)]
    assert rg.LimitExceededError("x").partial is None
