"""The query page: an editor for SPARQL, the named queries one click away, a results table and
download links for each format. It works without internet: nothing is loaded from elsewhere."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("ui", __name__)


def query_page():
    svc = current_app.extensions["xiancheng"]
    return render_template("query.html", queries=list(svc.queries.values()), release=svc.release,
                           settings=svc.settings)


@bp.route("/")
def index():
    return query_page()
