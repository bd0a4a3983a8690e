"""A unit's reporting template (`chiso template`), served as a download, for pages and the API alike."""

from __future__ import annotations

from starlette.responses import Response

from core.catalog import Catalog
from portal.errors import PortalError
from transforms.template.form import TemplateError, template_file_name
from transforms.template.workbook import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_QUOTED = 40  # characters of a code from the address quoted back in a refusal


def template_response(catalog: Catalog, dataset: str, unit_code: str | None, period: str) -> Response:
    """The workbook as an attachment; 404 with the reason's words when the unit does not send that report."""
    try:
        if unit_code is None:
            raise TemplateError("no unit")
        data = build_template(catalog, dataset, unit_code, period)
        name = template_file_name(dataset, unit_code, period)
    except TemplateError:
        raise PortalError(
            404, "portal.no_template", dataset_code=dataset[:_QUOTED], period=period[:_QUOTED], unit_code=unit_code
        ) from None
    headers = {"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"}
    return Response(data, media_type=XLSX, headers=headers)
