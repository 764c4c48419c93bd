"""Tests of relu_geom.io.samples: sample files read exactly."""

from __future__ import annotations

import os
from fractions import Fraction as F

import pytest

import relu_geom as rg
from relu_geom.cli import main
from relu_geom.io import read_sample
from relu_geom.testing import specimens


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_entries_are_exact_decimals_and_rationals(tmp_path):
    path = write(tmp_path, "x.csv", "# header\n0.1, 1/3\n\n-2 5e-1  # comment\n")
    assert read_sample(path) == [(F(1, 10), F(1, 3)), (F(-2), F(1, 2))]


def test_json_numbers_are_exact_binary_values_and_strings_exact_decimals(tmp_path):
    path = write(tmp_path, "x.json", '{"points": [[0.1, "0.1"], [2, "-1/3"]]}')
    assert read_sample(path) == [(F(0.1), F(1, 10)), (F(2), F(-1, 3))]
    assert read_sample(write(tmp_path, "list.txt", "[[1, 2]]")) == [(F(1), F(2))]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[[1e-400]]", "underflows"),
        ("[[1e400]]", "beyond the range of floats"),
        ('{"pts": []}', "only 'points'"),
        ("[1, 2]", "expected a list of points"),
        ('[["1e-1000000000"]]', "exponent"),
        ("[[1, 2]", "invalid JSON at line 1"),
    ],
)
def test_bad_json_samples(tmp_path, text, match):
    with pytest.raises(rg.FileFormatError, match=match):
        read_sample(write(tmp_path, "x.json", text))


def test_bad_csv_entry_names_the_line(tmp_path):
    with pytest.raises(rg.FileFormatError, match="line 2 entry 1"):
        read_sample(write(tmp_path, "x.csv", "1 2\n3 x\n"))


def test_missing_and_non_regular_files(tmp_path):
    with pytest.raises(rg.FileFormatError, match="no such file"):
        read_sample(tmp_path / "none.csv")
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    # before: open() on a FIFO blocked forever
    with pytest.raises(rg.FileFormatError, match="not a regular file"):
        read_sample(fifo)


def test_fdim_command_reads_samples_through_io(tmp_path, capsys):
    net = tmp_path / "net.json"
    specimens.relu_sum_2d().to_json(net)
    sample = write(tmp_path, "x.csv", "1 1\n2 3\n-1 2\n")
    assert main(["fdim", str(net), "--sample", str(sample)]) == 0
    bad = write(tmp_path, "bad.json", "[[1e-400, 0]]")
    assert main(["fdim", str(net), "--sample", str(bad)]) == 2
    assert "underflows" in capsys.readouterr().err
