"""The SPARQL 1.1 Protocol update operation at /update.

``POST /update`` with ``Content-Type: application/sparql-update`` (the update as the UTF-8 body)
or ``application/x-www-form-urlencoded`` (``update=…``), and optionally ``using-graph-uri`` and
``using-named-graph-uri`` (repeatable) to set the dataset of the WHERE clauses. Needs a write
token (``Authorization: Bearer …``). ``LOAD`` and ``SERVICE`` are refused. The answer is 200 with
what changed (JSON) and the new ``X-Data-Version``; a write that violates the shapes gets 422 with
the validation report and changes nothing. See docs/writes.md.
"""

from __future__ import annotations

import re

from flask import Blueprint, request
from werkzeug.datastructures import MultiDict

from xiancheng.graph.writes import WriteError

from .auth import require_writer
from .errors import ApiError
from .hardening import query_args, strict_pairs
from .live import error_for, write_response

bp = Blueprint("update", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-update"
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def _iris(params: MultiDict, name: str) -> list[str]:
    values = params.getlist(name)
    for value in values:
        if not _IRI.match(value):
            raise ApiError(400, "Invalid graph IRI", f"{name}={value!r} is not an absolute IRI")
    return values


def update_request() -> tuple[str, MultiDict]:
    """The update text and the protocol parameters of this request."""
    url = query_args()
    ctype = request.mimetype
    if ctype == DIRECT:
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise ApiError(415, "Unsupported charset", f"send the update as UTF-8, not {charset}")
        try:
            text = request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "Invalid encoding", "the request body is not UTF-8") from None
        if url.getlist("update"):
            raise ApiError(400, "Two updates", f"send the update in the body of a {DIRECT} POST or "
                           "as the update parameter of a form, not both")
        return text, url
    if ctype == FORM:
        form = strict_pairs(request.get_data(cache=True), "request body")
        params = MultiDict(list(url.items(multi=True)) + list(form.items(multi=True)))
        updates = form.getlist("update")
        if url.getlist("update"):
            raise ApiError(400, "Update in the URL", "send the update in the request body, not in "
                           "the URL")
        if len(updates) != 1:
            raise ApiError(400, "Missing update" if not updates else "Several updates",
                           f"send exactly one update parameter, not {len(updates)}")
        return updates[0], params
    if not ctype:
        raise ApiError(415, "Missing content type", f"POST an update as {DIRECT} or as {FORM} (update=…)")
    raise ApiError(415, "Unsupported media type", f"POST an update as {DIRECT} or as {FORM} "
                   f"(update=…), not {ctype}")


@bp.route("/update", methods=["POST"])
def update():
    writer, agent = require_writer()
    text, params = update_request()
    try:
        result = writer.update(text, agent, base_iri=request.base_url,
                               using=_iris(params, "using-graph-uri"),
                               using_named=_iris(params, "using-named-graph-uri"))
    except WriteError as e:
        return error_for(e)
    return write_response(result)
