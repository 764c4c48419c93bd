"""``relu-geom search`` through ``relu_geom.cli.main``."""

from __future__ import annotations

import json

import pytest

from relu_geom.cli import main
from relu_geom.commands.search import parse_budget
from relu_geom.verify.search_claims import CHECKERS


def test_search_writes_valid_certificates(tmp_path, capsys):
    out = tmp_path / "hits"
    code = main(["search", "regions:7", "--arch", "1,2,2,1", "--hidden-only", "--max-candidates", "3000",
                 "--max-hits", "2", "-o", str(out), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["n_hits"] >= 1
    assert summary["candidates_screened"] >= 1 and summary["best_objective"] == "7"
    for path in summary["hits"]:
        cert = json.loads(open(path).read())
        CHECKERS[cert["claim"]](cert)


def test_no_hit_exits_1_and_reports_the_stop(capsys):
    code = main(["search", "regions:9", "--arch", "1,2,1", "--weights=-1..1", "--max-candidates", "100"])
    text = capsys.readouterr().out
    assert code == 1
    assert "candidate limit" in text and "hits        0" in text


def test_exhaustive_and_budget(capsys):
    assert main(["search", "regions:3", "--arch", "1,2,1", "--weights=-1..1", "--exhaustive", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["stopped"] == "complete" and summary["candidates_screened"] == 1134
    main(["search", "hidden-symmetry", "--arch", "2,3,1", "--budget", "1s", "--max-hits", "1000"])
    assert "time budget ran out" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, match",
    [
        (["search", "nonsense", "--arch", "1,2,1"], "PROPERTY"),
        (["search", "regions:3", "--arch", "1,x,1"], "--arch"),
        (["search", "regions:3", "--arch", "1"], "--arch"),
        (["search", "regions:3", "--arch", "1,2,1", "--weights", "3..1"], "--weights"),
        (["search", "regions:3", "--arch", "1,2,1", "--budget", "0s"], "--budget"),
        (["search", "regions:3", "--arch", "1,2,1", "--budget", "soon"], "--budget"),
        (["search", "regions:3", "--arch", "1,2,1", "--workers", "0"], "--workers"),
        (["search", "regions:3", "--arch", "1,2,1", "--weights=-1..1/2", "--exhaustive"], "exhaustive"),
    ],
)
def test_bad_input_names_the_argument(argv, match, capsys):
    assert main(argv) == 2
    assert match in capsys.readouterr().err


def test_parse_budget():
    assert parse_budget("90") == 90 and parse_budget("2m") == 120 and parse_budget(None) is None
