"""The refused files no known unit sent, told to the province: nobody else can be told of them."""

from __future__ import annotations

from chiso.notices.kinds import QUERIES, NoticeKind, register
from chiso.notices.kinds.ingest import files_told

KIND = register(
    NoticeKind(
        name="unattributed",
        items=("unattributed",),
        query=QUERIES / "owed_ingest.sql",  # its `notice_unit` is the province's code
        when="after_ingest",
        audience="province",
        subject="notice.subject_unattributed",
        subject_fields=lambda unit_name, content: {"count": len(content["files"])},
        content=lambda files, owed: {"files": files_told(files, owed)},
    )
)
