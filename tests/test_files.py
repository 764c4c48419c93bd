"""Tests of relu_geom.files: the atomic file writer and the checks of output paths."""

from __future__ import annotations

import ast
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import relu_geom as rg
from relu_geom import files
from relu_geom import io as rio
from relu_geom.errors import (
    FileFormatError,
)
from tests.io_cases import HAND, listing

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------
# atomic writing
# ---------------------------------------------------------------------------
class TestAtomicWrites:
    def test_failed_replace_leaves_old_file_and_no_temporary(self, tmp_path, monkeypatch):
        path = tmp_path / "net.json"
        path.write_text("old content")

        def failing_replace(src, dst):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(files.os, "replace", failing_replace)
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
        with pytest.raises(FileFormatError, match="the folder .*missing does not exist"):
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

    def test_one_writer_for_every_file(self, tmp_path, monkeypatch):
        # no module but relu_geom.files replaces a file (os.replace), so every file relu_geom
        # writes goes through the writer tested here
        package = ROOT / "relu_geom"
        replacing = sorted(
            str(p.relative_to(package))
            for p in package.rglob("*.py")
            if any(
                isinstance(node, ast.Attribute) and node.attr in ("replace", "rename")
                and isinstance(node.value, ast.Name) and node.value.id == "os"
                for node in ast.walk(ast.parse(p.read_text()))
            )
        )
        assert replacing == ["files.py"]
        path = tmp_path / "out.txt"
        path.write_text("old")

        def failing_replace(src, dst):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(files.os, "replace", failing_replace)
        with pytest.raises(FileFormatError, match="No space left"):
            files.write_text_atomic(path, "new")
        assert path.read_text() == "old"
        assert listing(tmp_path) == ["out.txt"]


    def test_symlink_is_written_through_and_kept(self, tmp_path):
        real = tmp_path / "real.json"
        real.write_text("old")
        real.chmod(0o640)
        link = tmp_path / "link.json"
        link.symlink_to("real.json")
        files.write_text_atomic(link, "new")
        assert link.is_symlink() and os.readlink(link) == "real.json"
        assert real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == 0o640
        assert listing(tmp_path) == ["link.json", "real.json"]

    def test_dangling_symlink_creates_its_target_and_a_loop_is_refused(self, tmp_path):
        (tmp_path / "sub").mkdir()
        link = tmp_path / "link.json"
        link.symlink_to(tmp_path / "sub" / "new.json")
        files.write_text_atomic(link, "x")
        assert (tmp_path / "sub" / "new.json").read_text() == "x" and link.is_symlink()
        loop = tmp_path / "loop"
        loop.symlink_to("loop")
        with pytest.raises(FileFormatError, match=f"{loop}: cannot write"):
            files.write_text_atomic(loop, "x")
        dangling = tmp_path / "far.json"
        dangling.symlink_to(tmp_path / "nowhere" / "f.json")
        with pytest.raises(FileFormatError, match="nowhere does not exist"):
            files.write_text_atomic(dangling, "x")

    @pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit, MemoryError])
    def test_interrupted_write_removes_its_named_temporary(self, tmp_path, interrupt):
        seen = []

        def write(fh):
            seen.extend(os.listdir(tmp_path))
            fh.write(b"part")
            raise interrupt()

        with pytest.raises(interrupt):
            files.write_bytes_atomic(tmp_path / "out.bin", write)
        assert len(seen) == 1 and seen[0].startswith(".out.bin.relu-geom-tmp-")
        assert listing(tmp_path) == []

    def test_error_names_the_users_path_not_the_temporary(self, tmp_path, monkeypatch):
        def failing_fsync(fd):
            raise OSError(122, "Disk quota exceeded", "/somewhere/.out.relu-geom-tmp-1234")

        monkeypatch.setattr(files.os, "fsync", failing_fsync)
        with pytest.raises(FileFormatError) as info:
            files.write_text_atomic(tmp_path / "out.txt", "x")
        assert str(info.value) == f"{tmp_path / 'out.txt'}: cannot write: Disk quota exceeded"
        assert listing(tmp_path) == []

    def test_killed_writes_leftovers_are_removed_when_stale(self, tmp_path):
        stale = tmp_path / ".out.txt.relu-geom-tmp-dead"
        fresh = tmp_path / ".out.txt.relu-geom-tmp-live"
        other = tmp_path / ".other.txt.relu-geom-tmp-dead"
        for f in (stale, fresh, other):
            f.write_text("leftover")
        old = time.time() - files.STALE_SECONDS - 60
        os.utime(stale, (old, old))
        os.utime(other, (old, old))
        files.write_text_atomic(tmp_path / "out.txt", "x")
        assert listing(tmp_path) == [other.name, fresh.name, "out.txt"]

    def test_killed_write_leaves_only_a_named_temporary(self, tmp_path):
        script = (
            "import os, sys, time\n"
            "from relu_geom.files import write_bytes_atomic\n"
            "def hang(fh):\n"
            "    fh.write(b'part'); fh.flush(); print('writing', flush=True); time.sleep(60)\n"
            "write_bytes_atomic(sys.argv[1], hang)\n"
        )
        proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "out.bin")],
                                stdout=subprocess.PIPE, cwd=ROOT)
        try:
            assert proc.stdout.readline() == b"writing\n"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        (left,) = listing(tmp_path)
        assert left.startswith(".out.bin.relu-geom-tmp-")

    def test_new_file_gets_0666_less_the_umask(self, tmp_path):
        for umask, expected in [(0o077, 0o600), (0o002, 0o664), (0o027, 0o640)]:
            old = os.umask(umask)
            try:
                path = tmp_path / f"f{umask:o}"
                files.write_text_atomic(path, "x")
            finally:
                os.umask(old)
            assert stat.S_IMODE(path.stat().st_mode) == expected


class TestOutputFolderCheckedFirst:
    """Every library function taking an output path refuses a missing folder before working."""

    def _cases(self, tmp_path):
        cx = rg.compile_network(rg.zoo.abs_1d())
        missing = tmp_path / "missing" / "out"
        res = rg.output_range(rg.zoo.abs_1d(), (-1, 1))
        return missing, [
            lambda: cx.to_json(missing),
            lambda: cx.save(missing),
            lambda: rg.io.network_to_json(HAND, missing),
            lambda: res.write_certificate(missing),
        ]

    def test_missing_folder_is_our_error_naming_the_path(self, tmp_path):
        missing, cases = self._cases(tmp_path)
        for call in cases:
            with pytest.raises(FileFormatError, match=f"{missing}: cannot write, the folder"):
                call()
        assert listing(tmp_path) == []

    def test_complex_to_json_checks_before_serializing(self, tmp_path, monkeypatch):
        cx = rg.compile_network(rg.zoo.abs_1d())
        monkeypatch.setattr(type(cx), "to_dict", lambda self: pytest.fail("work started"))
        with pytest.raises(FileFormatError, match="does not exist"):
            cx.to_json(tmp_path / "missing" / "cx.json")

    def test_search_refuses_an_output_folder_that_is_a_file(self, tmp_path):
        blocker = tmp_path / "file"
        blocker.write_text("x")
        from relu_geom.search.space import SearchSpace

        space = SearchSpace.parse("1,1,1", "-1..1")
        with pytest.raises(FileFormatError, match=f"{blocker}: cannot create the output folder"):
            rg.search(rg.regions_at_least(2), space, out_dir=blocker, max_candidates=10)


def test_messages_show_short_reprs_of_bad_paths():
    # the message ends with the input's repr, cut to 80 characters ("..." included)
    def message(bad):
        with pytest.raises(rg.InvalidInputError) as info:
            files.as_path(bad, "p")
        head = f"p: expected a file path (str or pathlib.Path), got {type(bad).__name__} "
        text = str(info.value)
        assert text.startswith(head)
        return text[len(head):]

    assert message(b"ab") == "b'ab'"
    cut = message(list(range(10**5)))
    assert len(cut) == 80 and cut.endswith("...") and cut.startswith("[0, 1, 2")
    assert message(-(2**40)) == "-1099511627776"
    assert message(7**10000) == f"an integer of {(7**10000).bit_length()} bits"  # repr refuses it

    class Broken:
        def __repr__(self):
            raise RuntimeError("no repr")

    assert message(Broken()) == "<Broken object>"


@pytest.mark.parametrize("bad", [b"bytes", "", 3, None])
def test_as_path_refuses_non_paths(bad):
    with pytest.raises(rg.InvalidInputError, match="expected a file path"):
        files.as_path(bad)
