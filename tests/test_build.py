"""Building the dataset from the source files: what it contains, and how bad input is reported."""

from __future__ import annotations

import csv
import re

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from xiancheng.graph import BuildError, build_dataset
from xiancheng.graph.build import SOURCES_DIR
from xiancheng.graph.namespaces import XC

ID = "https://kg.xiancheng.example/id/"
ARTICLE = (SOURCES_DIR / "shanxi-daily-2023-10-10.txt").read_text(encoding="utf-8")


def _instances(built, cls):
    g = built.union()
    return set(g.subjects(RDF.type, cls))


def test_all_129_divisions_with_their_levels(built):
    assert len(_instances(built, XC.Province)) == 1
    assert len(_instances(built, XC.PrefectureLevelCity)) == 11
    counties = _instances(built, XC.County)
    cities = _instances(built, XC.CountyLevelCity)
    districts = _instances(built, XC.MunicipalDistrict)
    assert (len(counties), len(cities), len(districts)) == (80, 11, 26)
    with open(SOURCES_DIR / "divisions.csv", encoding="utf-8") as f:
        codes = {row["code"] for row in csv.DictReader(f)}
    assert len(codes) == 129
    g = built.union()
    assert {str(o) for o in g.objects(None, XC.divisionCode)} >= codes


def test_the_91_counties_group_matches_the_article(built):
    g = built.union()
    group = URIRef(ID + "group/counties-and-county-cities")
    members = set(g.objects(group, XC.member))
    assert len(members) == 91
    assert members == _instances(built, XC.County) | _instances(built, XC.CountyLevelCity)
    assert "全省91个县(市)" in ARTICLE


def _article_body():
    start = ARTICLE.index("10月9日上午")
    end = ARTICLE.index("优居网咨询电话")
    return ARTICLE[start:end]


# Numbers in the article that are not figures, with the reason. Everything else must be an observation.
NOT_FIGURES = [
    (r"\d+月\d*日?|\d+月份|\d+年底|\d{4}年", "a date"),
    (r"91个县\(市\)", "the group the road figures refer to (the division group's member count)"),
    (r"2023—2027年", "part of a document title"),
    (r"1月—9月", "a period"),
    (r"0000\.jpg", "an image file name in the page"),
]


def test_every_figure_in_the_article_is_an_observation_with_its_sentence(built):
    g = built.union()
    observations = set(g.subjects(RDF.type, URIRef("http://purl.org/linked-data/cube#Observation")))
    stated = []
    for obs in observations:
        for ev in g.objects(obs, XC.evidence):
            for quote in g.objects(ev, XC.quote):
                for as_stated in g.objects(obs, XC.valueAsStated):
                    assert str(as_stated) in str(quote)
                    stated.append((str(quote), str(as_stated)))
    body = _article_body()
    covered = set()
    for quote, as_stated in stated:
        start = body.find(quote)
        assert start >= 0, f"quote not in the article: {quote}"
        at = body.find(as_stated, start)
        covered.update(range(at, at + len(as_stated)))
    for pattern, _reason in NOT_FIGURES:
        for m in re.finditer(pattern, body):
            covered.update(range(m.start(), m.end()))
    missing = [(m.group(), body[max(0, m.start() - 12):m.end() + 6])
               for m in re.finditer(r"\d+(?:\.\d+)?", body) if m.start() not in covered]
    assert not missing, f"figures in the article with no observation: {missing}"
    assert len(stated) >= 30


def test_chinese_numeral_figures_and_ordinals(built):
    g = built.union()
    press = URIRef(ID + "event/press-conference-2023-10-09")
    assert int(g.value(press, XC.seriesNumber)) == 15  # 第十五场
    assert str(g.value(URIRef(ID + "observation/transformation-supports-2023-07"), XC.valueAsStated)) == "六大支撑"


def test_every_department_the_article_names_is_there(built):
    g = built.union()
    names = {str(o) for s in _instances(built, XC.GovernmentBody) for o in g.objects(s, RDFS.label)}
    alt = {str(o) for s in _instances(built, XC.GovernmentBody)
           for o in g.objects(s, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"))}
    for name in ["省发展改革委", "省教育厅", "省住建厅", "省农业农村厅", "省卫生健康委", "省乡村振兴局",
                 "山西省政府新闻办", "山西省委", "国家疾控部门"]:
        assert name in names | alt, name


def test_the_articles_specialty_towns_are_placed_in_their_counties(built):
    g = built.union()
    expected = {"yunzhou-daylily": "140215", "jinyuan-flowers": "140110",
                "lucheng-carbon-materials": "140406", "dingxiang-flanges": "140921",
                "xinghuacun-fenjiu": "141182", "taigu-malleable-iron": "140703"}
    for town, county in expected.items():
        assert g.value(URIRef(ID + "specialty-town/" + town), XC.locatedIn) == URIRef(ID + "division/" + county)


def test_each_triple_lives_in_exactly_one_graph(built):
    seen = {}
    for name, iri in built.graphs.items():
        for triple in built.dataset.graph(iri):
            assert triple not in seen, f"{triple} in {seen.get(triple)} and {name}"
            seen[triple] = name


def test_building_twice_gives_the_same_graph():
    from rdflib.compare import isomorphic

    a, b = build_dataset(), build_dataset()
    assert isomorphic(a.union(), b.union())


# --- bad input -----------------------------------------------------------------------------------

def _edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path, needle):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def _build_error(sources) -> str:
    with pytest.raises(BuildError) as info:
        build_dataset(sources)
    return str(info.value)


def test_unknown_division_code(sources):
    path = sources / "specialty_towns.csv"
    _edit(path, "qixian-glassware,祁县玻璃器皿专业镇,Qixian Glassware Specialty Town,hand-blown-glassware,140727",
          "qixian-glassware,祁县玻璃器皿专业镇,Qixian Glassware Specialty Town,hand-blown-glassware,149999")
    message = _build_error(sources)
    line = _line_of(path, "149999")
    assert message == f"specialty_towns.csv, line {line}: unknown division code '149999' (qixian-glassware)"


def test_unknown_source(sources):
    path = sources / "sponge_city.csv"
    _edit(path, "sponge-jincheng,140500,national-sponge-city-demonstration,,Selected after 长治 (先后); the batch and year are not stated.,,2024-01-15,,china-designer-2024-01-15",
          "sponge-jincheng,140500,national-sponge-city-demonstration,,Selected after 长治 (先后); the batch and year are not stated.,,2024-01-15,,no-such-source")
    assert _build_error(sources) == (f"sponge_city.csv, line {_line_of(path, 'no-such-source')}: "
                                     "unknown source 'no-such-source' (sponge-jincheng)")


def test_missing_source(sources):
    path = sources / "rural_e_towns.csv"
    _edit(path, "2022,up to 2000万元 per project,chinadevelopment-2022-08-e-towns,\nyunzhou-daylily",
          "2022,up to 2000万元 per project,,\nyunzhou-daylily")
    message = _build_error(sources)
    assert message.startswith("rural_e_towns.csv, line 2: no source")


def test_malformed_number(sources):
    path = sources / "census_2020.csv"
    _edit(path, "140100,2020-11-01,5304061,5304061", "140100,2020-11-01,5,304,061,5304061")
    message = _build_error(sources)
    assert message.startswith("census_2020.csv, line 2: expected 9 cells, found 11")


def test_malformed_value(sources):
    path = sources / "figures.csv"
    _edit(path, "..2023-07-28,92,92", "..2023-07-28,9x2,92")
    assert _build_error(sources) == "figures.csv, line 2: '9x2' is not a number (specialty-towns-total-2023-07)"


def test_malformed_date(sources):
    path = sources / "poverty_exits.csv"
    _edit(path, "exit-approved,2019-05-21", "exit-approved,2019-13-21")
    line = _line_of(path, "2019-13-21")
    message = _build_error(sources)
    assert message.startswith(f"poverty_exits.csv, line {line}: month must be in 1..12")


def test_malformed_period(sources):
    _edit(sources / "shanxi-daily-2023-10-10.yaml", 'period: "2023-01..2023-09"', 'period: "2023-09..2023-01"')
    message = _build_error(sources)
    assert re.match(r"shanxi-daily-2023-10-10\.yaml, line \d+: period '2023-09\.\.2023-01': "
                    r"the period ends before it starts \(old-communities-renovation-2023-jan-sep\)", message)


def test_duplicate_key_in_csv(sources):
    path = sources / "specialty_towns.csv"
    _edit(path, "pingyao-lacquerware,", "pingyao-beef,")
    first = _line_of(path, "pingyao-beef,")
    assert f"duplicate id 'pingyao-beef' (first on line {first})" in _build_error(sources)


def test_duplicate_key_in_yaml(sources):
    _edit(sources / "programmes.yaml", "    type: campaign\n", "    type: campaign\n    type: reform\n")
    assert re.match(r"programmes\.yaml, line \d+: duplicate key 'type'$", _build_error(sources))


def test_duplicate_id_across_yaml_entries(sources):
    _edit(sources / "programmes.yaml", "  - id: safe-lunch\n", "  - id: qianwan-project\n")
    assert "programme 'qianwan-project' is defined twice" in _build_error(sources)


def test_a_quote_that_is_not_in_the_article(sources):
    _edit(sources / "programmes.yaml", "坚持以特色产业发展专业功能县城", "坚持以特色产业发展专业县城")
    message = _build_error(sources)
    assert re.match(r"programmes\.yaml, line \d+: the quote is not a verbatim part of "
                    r"shanxi-daily-2023-10-10: 坚持以特色产业发展专业县城", message)


def test_a_figure_missing_from_its_quote(sources):
    _edit(sources / "shanxi-daily-2023-10-10.yaml", 'as_stated: "606个"', 'as_stated: "607个"')
    assert "as_stated '607个' does not appear in the quote" in _build_error(sources)


def test_a_value_that_does_not_match_the_figure_as_written(sources):
    _edit(sources / "shanxi-daily-2023-10-10.yaml", 'value: "121000"', 'value: "12100"')
    assert "value 12100 does not match as_stated '12.1万公里' (= 121000.0)" in _build_error(sources)


def test_a_group_count_that_the_divisions_do_not_bear_out(sources):
    _edit(sources / "reference.yaml", "member_count: 91", "member_count: 92")
    assert "the source counts 92 members but the rule finds 91 in divisions.csv" in _build_error(sources)


def test_wrong_columns(sources):
    _edit(sources / "figures.csv", "id,indicator,area", "id,indicator,region")
    assert _build_error(sources).startswith("figures.csv, line 1: expected columns")


def test_missing_file(sources):
    (sources / "poverty_exits.csv").unlink()
    assert _build_error(sources).startswith("missing source file:")
    assert "poverty_exits.csv" in _build_error(sources)


def test_a_fact_stated_in_two_graphs_stops_the_build(built):
    """Oxigraph's union default graph counts a triple once per graph; the build refuses duplicates."""
    from xiancheng.graph.build import check_each_triple_once

    copy = build_dataset()
    triple = next(iter(copy.graph("divisions")))
    copy.graph("census-2020").add(triple)
    with pytest.raises(BuildError, match=r"1 triple\(s\) are stated in two graphs"):
        check_each_triple_once(copy)
