"""What the `chiso` command says when a run fails for a reason outside the code: one line that names
what happened and what to do next, instead of a traceback (`--debug` or CHISO_DEBUG=1 shows it).

`explain(error)` maps an exception to (exit status, line), or None for an error it does not know
(a bug: its traceback is printed). Status 2: the command as typed cannot run (a mistake to fix
in the command); 1: the run failed (a damaged or foreign file, a lock, a full disk, a limit).
"""

from __future__ import annotations

import errno
import re
import sys

from chiso.commands import Failed, UserError
from core.catalog import CatalogError
from core.settings import SettingError

MISTAKE, FAILED = 2, 1

_QUOTED = re.compile(r'"([^"]+)"')
_HOLDER = re.compile(r"held in (.+?) \(PID (\d+)\)")


def explain(error: BaseException) -> tuple[int, str] | None:
    if isinstance(error, (UserError, CatalogError, SettingError)):
        return MISTAKE, str(error)
    if isinstance(error, Failed):
        return FAILED, str(error)
    if _is_from(error, "warehouse.db", "NotAWarehouse") or _is_from(error, "warehouse.lock", "WarehouseBusy"):
        return FAILED, str(error)
    if isinstance(error, OSError):
        return _os_error(error)
    if _is_duckdb(error):
        return _duckdb_error(error)
    if _is_from(error, "sqlite3", "Error"):
        return _sqlite_error(error)
    return None


def _is_from(error: BaseException, module: str, name: str) -> bool:
    """Whether `error` is a `module.name`, without importing the module (a command that never loaded
    it cannot have raised its errors)."""
    kind = getattr(sys.modules.get(module), name, None)
    return isinstance(kind, type) and isinstance(error, kind)


def _is_duckdb(error: BaseException) -> bool:
    return _is_from(error, "duckdb", "Error")


def _os_error(error: OSError) -> tuple[int, str]:
    where = error.filename or "a file"
    if isinstance(error, (FileNotFoundError, NotADirectoryError)):
        if not error.filename:  # a message of our own ("no warehouse at …: run …")
            return MISTAKE, str(error)
        return MISTAKE, f"no such file or folder: {where}; check the path given (or its setting: `chiso settings`)"
    if isinstance(error, IsADirectoryError):
        return MISTAKE, f"{where} is a folder, where a file was expected; give the file's path"
    if error.errno == errno.ENOSPC:
        return FAILED, _disk_full(where)
    if isinstance(error, PermissionError) or error.errno == errno.EROFS:
        return FAILED, _read_only(where, error.strerror or "permission denied")
    return FAILED, f"{error.strerror or error}: {where}; check that file and its disk, then run the command again"


def _duckdb_error(error: BaseException) -> tuple[int, str]:
    text = str(error)
    quoted = _QUOTED.search(text)
    noted = [note.removeprefix("file: ") for note in getattr(error, "__notes__", ()) if note.startswith("file: ")]
    where = quoted[1] if quoted else noted[0] if noted else "the DuckDB file"
    if "Could not set lock on file" in text:
        holder = _HOLDER.search(text)
        by = f" (pid {holder[2]}, {holder[1]})" if holder else ""
        return FAILED, (
            f"{where} is in use by another process{by}: wait for it to finish and run the command again;"
            " analysts query the snapshot (CHISO_SNAPSHOT), never the loader's file"
        )
    if "not a valid DuckDB database file" in text:
        return FAILED, f"{where} is not a DuckDB database: give the warehouse's file, or the snapshot (CHISO_SNAPSHOT)"
    if "No space left on device" in text:
        return FAILED, _disk_full(where)
    if "Permission denied" in text or "Read-only file system" in text:
        return FAILED, _read_only(where, "permission denied" if "Permission" in text else "read-only file system")
    damaged = ("Corrupt database file", "Could not read enough bytes", "checksum", "Serialization Error")
    if any(word in text for word in damaged) or type(error).__name__ == "SerializationException":
        return FAILED, (
            f"{where} is damaged ({_first_line(text)}): restore it from a backup; a damaged snapshot is"
            " replaced by the loader's next publish (`chiso inbox`)"
        )
    return FAILED, f"DuckDB: {_first_line(text)}"


def _sqlite_error(error: BaseException) -> tuple[int, str] | None:
    text = str(error)
    if "locked" in text:
        return FAILED, "the portal's accounts file (CHISO_ACCOUNTS) is busy: run the command again in a moment"
    if "readonly" in text or "unable to open" in text:
        return FAILED, _read_only("the portal's accounts file (CHISO_ACCOUNTS)", text)
    if "not a database" in text or "malformed" in text:
        return FAILED, f"the portal's accounts file (CHISO_ACCOUNTS) is damaged or not SQLite ({text}): restore it"
    if "full" in text:
        return FAILED, _disk_full("the portal's accounts file (CHISO_ACCOUNTS)")
    return None if not text else (FAILED, f"SQLite: {text}")


def _disk_full(where: str) -> str:
    return (
        f"the disk is full (writing {where}): free some space, or move CHISO_HOME to a bigger disk,"
        " then run the command again"
    )


def _read_only(where: str, reason: str) -> str:
    return (
        f"{where}: {reason} (a read-only file, folder or disk): run chiso as the user who owns it,"
        " or point its setting (`chiso settings`) to a place that user may write"
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no detail"
