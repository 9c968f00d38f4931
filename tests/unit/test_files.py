"""Replacing a file in one step (clinic_bot/files.py): the permissions each caller asks for, nothing left behind
when a write fails, and the old file intact until the new one is complete."""
import os
import stat
from pathlib import Path
from typing import BinaryIO, List

import pytest

from clinic_bot import files


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path, keep: str) -> List[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_a_new_file_is_private_unless_asked_otherwise(tmp_path):
    private, public = tmp_path / "accounts.json", tmp_path / "servers.json"
    files.write_atomically(private, "secret\n")
    files.write_atomically(public, "{}\n", mode=files.PUBLIC, fsync=False)
    assert private.read_text() == "secret\n" and mode_of(private) == 0o600
    assert public.read_text() == "{}\n" and mode_of(public) == 0o644


@pytest.mark.parametrize("old_mode, asked, expected", [
    (0o644, files.PRIVATE, 0o600),  # the mode asked for, not the old file's
    (0o640, files.SAME_MODE, 0o640),  # the file's own mode kept
])
def test_replacing_a_file_gives_it_the_mode_asked_for(tmp_path, old_mode, asked, expected):
    path = tmp_path / "answers.yml"
    path.write_text("old")
    path.chmod(old_mode)
    files.write_atomically(path, "new", mode=asked)
    assert path.read_text() == "new" and mode_of(path) == expected


def test_same_mode_needs_the_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        files.write_atomically(tmp_path / "missing.yml", "text", mode=files.SAME_MODE)
    assert list(tmp_path.iterdir()) == []


def test_text_is_written_as_given_in_utf8(tmp_path):
    path = tmp_path / "data.yml"
    files.write_atomically(path, "a\r\nb\n\u00f1\u2026")
    assert path.read_bytes() == "a\r\nb\n\u00f1\u2026".encode("utf-8")


def test_fsync_only_when_asked(tmp_path, monkeypatch):
    synced: List[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(files.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    files.write_atomically(tmp_path / "a", "x")
    assert len(synced) == 1
    files.write_atomically(tmp_path / "b", "x", fsync=False)
    assert len(synced) == 1


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "answers.yml"
    path.write_text("old")

    def fail(handle: BinaryIO) -> None:
        handle.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        files.staged(path, fail)
    assert path.read_text() == "old" and leftovers(tmp_path, path.name) == []


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "answers.yml"
    path.write_text("old")

    def refuse(source: str, target: str) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(PermissionError):
        files.write_atomically(path, "new")
    assert path.read_text() == "old" and leftovers(tmp_path, path.name) == []


def test_staged_is_a_complete_hidden_file_beside_the_target_until_renamed(tmp_path):
    target = tmp_path / "clinic.tar.gz"
    target.write_bytes(b"old model")
    temporary = files.staged(target, lambda handle: handle.write(b"new model"), mode=files.PUBLIC)
    assert temporary.parent == tmp_path and temporary.name.startswith(".clinic.tar.gz.")
    assert temporary.suffix == ".tmp" and temporary.read_bytes() == b"new model" and mode_of(temporary) == 0o644
    assert target.read_bytes() == b"old model"
    os.replace(temporary, target)
    assert target.read_bytes() == b"new model" and leftovers(tmp_path, target.name) == []
