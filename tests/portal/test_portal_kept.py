"""A checked file kept for "Send this file": once, for its session only, gone once used or expired."""

from __future__ import annotations

from portal.uploads import KeptFiles, Staged


def _staged(folder, name="123-abc.csv") -> Staged:
    path = folder / name
    path.write_bytes(b"a,b\n")
    return Staged(path, "Bao cao.csv", "0" * 64, 4)


def test_a_kept_file_is_taken_once_by_its_own_session(tmp_path):
    kept = KeptFiles(seconds=600)
    staged = _staged(tmp_path)
    key = kept.keep(staged, account_id=7, session="s1")
    assert kept.take(key, 8, "s1") is None and kept.take(key, 7, "s2") is None  # another account, session
    assert kept.take(key, 7, "s1") == staged
    assert kept.take(key, 7, "s1") is None and len(kept) == 0


def test_an_expired_file_is_deleted(tmp_path):
    kept = KeptFiles(seconds=0)
    staged = _staged(tmp_path)
    key = kept.keep(staged, account_id=7, session="s1")
    assert kept.take(key, 7, "s1") is None
    assert not staged.path.exists() and len(kept) == 0
