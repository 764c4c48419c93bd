"""Tests of relu_geom._util: the atomic file writer and short reprs."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

import relu_geom as rg
from relu_geom import _util
from relu_geom import io as rio
from relu_geom.errors import (
    FileFormatError,
)
from tests.io_cases import HAND, listing


# ---------------------------------------------------------------------------
# atomic writing
# ---------------------------------------------------------------------------
class TestAtomicWrites:
    def test_failed_replace_leaves_old_file_and_no_temporary(self, tmp_path, monkeypatch):
        path = tmp_path / "net.json"
        path.write_text("old content")

        def failing_replace(src, dst):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(_util.os, "replace", failing_replace)
        with pytest.raises(FileFormatError, match=f"{path}: cannot write: No space left on device"):
            rio.network_to_json(HAND, path)
        assert path.read_text() == "old content"
        assert listing(tmp_path) == ["net.json"]

    def test_failure_while_writing_leaves_no_partial_file(self, tmp_path, monkeypatch):
        def half_savez(fh, **arrays):
            fh.write(b"PK\x03\x04 partial")
            raise RuntimeError("interrupted")

        monkeypatch.setattr(np, "savez", half_savez)
        with pytest.raises(RuntimeError, match="interrupted"):
            rio.network_to_npz(HAND.rescale_neuron(1, 1, 2), tmp_path / "net.npz")
        assert listing(tmp_path) == []

    def test_failure_while_writing_keeps_the_previous_file(self, tmp_path, monkeypatch):
        path = tmp_path / "net.npz"
        rio.network_to_npz(HAND, path)
        before = path.read_bytes()

        def half_savez(fh, **arrays):
            fh.write(b"garbage")
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(np, "savez", half_savez)
        with pytest.raises(FileFormatError, match="cannot write: Input/output error"):
            rio.network_to_npz(HAND.rescale_neuron(1, 0, 4), path)
        assert path.read_bytes() == before
        assert listing(tmp_path) == ["net.npz"]

    def test_missing_directory_and_directory_target(self, tmp_path):
        with pytest.raises(FileFormatError, match="the directory .*missing does not exist"):
            rio.network_to_json(HAND, tmp_path / "missing" / "net.json")
        with pytest.raises(FileFormatError, match="is a directory"):
            rio.network_to_json(HAND, tmp_path)
        assert listing(tmp_path) == []

    def test_new_file_mode_follows_umask_and_existing_mode_is_kept(self, tmp_path):
        umask = os.umask(0o022)
        try:
            fresh = tmp_path / "fresh.json"
            rio.network_to_json(HAND, fresh)
            assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        finally:
            os.umask(umask)
        kept = tmp_path / "kept.json"
        kept.write_text("x")
        kept.chmod(0o600)
        rio.network_to_json(HAND, kept)
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert rio.network_from_json(kept) == HAND

    def test_text_writer_used_by_complexes_and_commands_is_the_same(self, tmp_path, monkeypatch):
        from relu_geom.commands import _common
        from relu_geom.compiler import complex as complex_module

        assert complex_module.write_text_atomic is _util.write_text_atomic
        assert _common.write_text_atomic is _util.write_text_atomic
        path = tmp_path / "out.txt"
        path.write_text("old")

        def failing_replace(src, dst):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(_util.os, "replace", failing_replace)
        with pytest.raises(FileFormatError, match="No space left"):
            _util.write_text_atomic(path, "new")
        assert path.read_text() == "old"
        assert listing(tmp_path) == ["out.txt"]


def test_short_repr_cuts_long_inputs():
    assert _util.short_repr("ab") == "'ab'"
    cut = _util.short_repr(list(range(10**5)))
    assert len(cut) == 80 and cut.endswith("...") and cut.startswith("[0, 1, 2")


@pytest.mark.parametrize("bad", [b"bytes", "", 3, None])
def test_as_path_refuses_non_paths(bad):
    with pytest.raises(rg.InvalidInputError, match="expected a file path"):
        _util.as_path(bad)
