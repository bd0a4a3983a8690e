"""The portal's HTML pages: log in, a unit's home page, check and send a file, the province's overview.

Every page that shows verdicts is filtered by the account: a unit sees only its own unit's files
and the files it sent; another unit's page, file or template answers 404, as if it did not exist.

One module per audience, one `router` here that `portal.app` includes: `account` (log in and out,
set-password links, change a password), `unit` (the home page, a unit's page), `province` (the desk,
its lists, their downloads, the monitoring report) and `files` (check a file, send it, a sent file,
templates), `approvals` (approve, accept, return, reopen; the log), `desk` (the province's SQL desk),
`lineage` (where a figure comes from), `publications` (the province's publications and their kept
reports). They are included in this order, the order in which requests are matched to routes.
"""

from __future__ import annotations

from fastapi import APIRouter

from portal.pages import account, approvals, desk, files, lineage, province, publications, unit

router = APIRouter(include_in_schema=False)
router.include_router(account.router)
router.include_router(unit.router)
router.include_router(province.router)
router.include_router(files.router)
router.include_router(approvals.router)
router.include_router(desk.router)
router.include_router(lineage.router)
router.include_router(publications.router)
