"""``/dumps/``: the current release as TriG, gzipped N-Quads, Turtle and JSON-LD, with the release
id and the checksums (``/dumps/dumps.json``, ``/dumps/SHA256SUMS``). The files are those
``xiancheng dump --all DIR`` writes; the service writes them once per release under
``<data_dir>/dumps/<release id>/``."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, jsonify, make_response, render_template, send_file

from xiancheng.graph.dumps import CHECKSUMS, DUMP_FILES, MANIFEST, read_manifest, write_dumps

from . import i18n
from .pagecache import cached_view
from .errors import ApiError
from .reader import service

bp = Blueprint("dumps", __name__)
_lock = threading.Lock()


def dumps_dir() -> Path:
    svc = service()
    return Path(svc.settings.data_dir) / "dumps" / svc.release.id


def manifest() -> dict:
    directory = dumps_dir()
    found = read_manifest(directory, service().release.id)
    if found is None:
        with _lock:
            try:
                found = read_manifest(directory, service().release.id) or write_dumps(service().release, directory)
            except OSError as e:
                raise ApiError(503, "Dumps unavailable", f"the dumps cannot be written under {directory.parent} "
                               f"({e.strerror}); make the data directory writable or run "
                               "`xiancheng dump --all DIR`") from None
    return found


@bp.route("/dumps/")
@cached_view
def index():
    lang = i18n.choose_language()
    data = manifest()
    response = make_response(render_template("dumps.html", m=data, lang=lang))
    response.headers["Link"] = f'</dumps/{MANIFEST}>; rel="alternate"; type="application/json"'
    response.headers["Vary"] = "Accept-Language, Cookie"
    return i18n.remember_language(response)


@bp.route("/dumps/<name>")
def download(name):
    data = manifest()
    if name == MANIFEST:
        return jsonify(data)
    types = {d.name: d.media_type for d in DUMP_FILES}
    types[CHECKSUMS] = "text/plain"
    if name not in types:
        raise ApiError(404, "No such file", f"'{name}' is not one of the dumps: {', '.join(types)}")
    response = send_file(dumps_dir() / name, mimetype=types[name], as_attachment=name != CHECKSUMS,
                         download_name=f"xiancheng-{data['release']}-{name}" if name != CHECKSUMS else None,
                         etag=True, conditional=True, max_age=0)
    response.headers["X-Data-Version"] = data["release"]
    return response
