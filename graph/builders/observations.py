"""Tables of observations from sources other than the article: the 2020 census by prefecture
(census_2020.csv) and figures from other reports (figures.csv)."""

from __future__ import annotations

from types import SimpleNamespace

from rdflib import Graph

from ..readers import read_csv
from .common import add_observation

COLUMNS = ["id", "indicator", "area", "period", "value", "as_stated", "status", "sources", "note"]


def _table(name, file, title):
    def read(ctx):
        rows = read_csv(ctx.sources_dir / file, COLUMNS, key="id")
        for row in rows:
            ctx.register("observation", row["id"], ctx.mint_id("observation", row["id"], row), row)
        return rows

    def build(ctx, rows) -> Graph:
        g = Graph()
        for row in rows:
            add_observation(ctx, g, ctx.ref("observation", row["id"], row), row,
                            sources=row.list("sources"))
        return g

    return SimpleNamespace(NAME=name, FILES=[file], TITLE=title, read=read, build=build)


census = _table("census-2020", "census_2020.csv",
                {"zh": "第七次全国人口普查:各地级市常住人口", "en": "7th census 2020: resident population by prefecture"})
figures = _table("figures", "figures.csv",
                 {"zh": "其他来源报告的数字", "en": "Figures from other reports"})
