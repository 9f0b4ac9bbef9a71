"""The named competency queries: each runs on both stores with identical answers, and each has an
expected result computed independently from the source files."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pytest
import yaml
from rdflib import Literal, URIRef

from xiancheng.graph.build import SOURCES_DIR
from xiancheng.graph.namespaces import Minter
from xiancheng.graph.periods import parse_period
from xiancheng.graph.queries import ParameterError, load_queries

QUERIES = load_queries()
MINT = Minter()
ID = "https://kg.xiancheng.example/id/"


def _csv(name):
    with open(SOURCES_DIR / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _yaml(name):
    return yaml.safe_load((SOURCES_DIR / name).read_text(encoding="utf-8"))


DIVISIONS = {r["code"]: r for r in _csv("divisions.csv")}


def run(store, name, **params):
    query = QUERIES[name]
    return store.query(query.text, bindings=query.bindings(params, MINT))


def rows(result, *columns):
    index = [result.variables.index(c) for c in columns]
    return [tuple(None if row[i] is None else row[i].toPython() if isinstance(row[i], Literal) else str(row[i])
                  for i in index) for row in result.rows]


def test_at_least_twelve_documented_queries():
    assert len(QUERIES) >= 12
    for query in QUERIES.values():
        assert len(query.summary.strip()) > 20, f"{query.name} needs a summary saying what it answers"
        for p in query.params:
            assert p.description, f"{query.name}: parameter {p.name} has no description"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_both_stores_give_the_same_answer(name, oxigraph, rdflib_store):
    query = QUERIES[name]
    bindings = query.bindings({p.name: p.example for p in query.params if p.example}, MINT)
    a = oxigraph.query(query.text, bindings=bindings)
    b = rdflib_store.query(query.text, bindings=bindings)
    assert a.variables == b.variables
    assert sorted(map(repr, a.rows)) == sorted(map(repr, b.rows))
    assert a.rows, f"{name} returns nothing with its example parameters"


# --- expected results, one test per query (run on both stores) ------------------------------------

def test_provincial_specialty_towns(store):
    expected = {(r["county_code"], r["name_zh"]) for r in _csv("specialty_towns.csv") if r["level"] == "provincial"}
    result = run(store, "provincial-specialty-towns")
    assert set(rows(result, "countyCode", "townName")) == expected
    jinzhong = {(c, t) for c, t in expected if DIVISIONS[c]["parent_code"] == "140700"}
    assert set(rows(run(store, "provincial-specialty-towns", prefecture="140700"), "countyCode", "townName")) == jinzhong
    assert len(jinzhong) == 5


def test_sponge_city_counties_keep_both_sources(store):
    result = rows(run(store, "sponge-city-counties"), "countyCode", "batch", "source", "conflicting", "departmentName")
    assert sorted(result) == sorted(
        [(code, batch, ID + "source/" + source, True, "山西省住房和城乡建设厅")
         for code in ("140522", "141024", "140826")
         for batch, source in ((1, "china-designer-2024-01-15"), (2, "shanxi-daily-2023-10-10"))])


def _observations():
    article = _yaml("shanxi-daily-2023-10-10.yaml")["observations"]
    return ([(o["id"], o["period"]) for o in article] +
            [(r["id"], r["period"]) for r in _csv("figures.csv") + _csv("census_2020.csv")])


def test_figures_for_a_year(store):
    for year in ("2022", "2023", "2020"):
        expected = {ID + "observation/" + i for i, period in _observations() if parse_period(period).end.year == int(year)}
        found = {row[0] for row in rows(run(store, "figures-for-year", year=year), "observation")}
        assert found == expected, year
    every = rows(run(store, "figures-for-year", year="2023"), "source", "quote", "note")
    for source, quote, note in every:
        assert quote if source.endswith("shanxi-daily-2023-10-10") else note


def test_county_profile_has_sources_for_every_aspect(store):
    result = rows(run(store, "county-profile", county="141182"), "aspect", "value", "valueName", "source")
    aspects = defaultdict(set)
    for aspect, value, name, source in result:
        aspects[aspect].add(name if name is not None else value)
        assert source.startswith(("https://kg.xiancheng.example/graph/", ID + "source/"))
    assert "杏花村汾酒专业镇" in aspects["place"]
    assert "山西省区域经济转型升级考核评价" in aspects["designation"]
    assert {"汾阳市", "Fenyang City", "141182"} <= aspects["fact"]


def test_department_programmes(store):
    result = rows(run(store, "department-programmes", department="shanxi-housing"), "programme", "participant", "batch")
    programmes = Counter(p for p, _, _ in result)
    assert programmes == {ID + "programme/provincial-sponge-city-demonstration": 6,
                          ID + "programme/provincial-sponge-city-pilot-cities": 6}
    commerce = rows(run(store, "department-programmes", department="shanxi-commerce"), "participant")
    assert len(commerce) == len(_csv("rural_e_towns.csv"))


def test_division_changes(store):
    result = rows(run(store, "division-changes"), "oldCode", "newCode")
    assert {old for old, _ in result} == {r["code"] for r in _csv("former_divisions.csv")}
    expected = set()
    for r in _csv("division_changes.csv"):
        for old in r["old_code"].split(";"):
            for new in r["new_codes"].split(";"):
                expected.add((old.strip(), new.strip()))
    assert set(result) == expected


def test_prefecture_contents_uses_the_inferred_closure(store):
    counties = {c for c, r in DIVISIONS.items() if r["parent_code"] == "141100"}
    towns = {r["name_zh"] for r in _csv("specialty_towns.csv") if r["county_code"] in counties}
    e_towns = {r["name_zh"] for r in _csv("rural_e_towns.csv") if r["county_code"] in counties}
    names = {DIVISIONS[c]["name_zh"] for c in counties} | towns | e_towns
    assert {n for (n,) in rows(run(store, "prefecture-contents", prefecture="141100"), "name")} == names
    without = store.query(QUERIES["prefecture-contents"].text, inference=False,
                          bindings={"prefecture": MINT.division("141100")})
    assert without.rows == []


def test_indicators_count_their_observations(store):
    expected = Counter()
    for o in _yaml("shanxi-daily-2023-10-10.yaml")["observations"]:
        expected[o["indicator"]] += 1
    for r in _csv("figures.csv") + _csv("census_2020.csv"):
        expected[r["indicator"]] += 1
    result = rows(run(store, "indicators"), "indicator", "observations")
    assert {i.rsplit("/", 1)[1]: n for i, n in result if n} == dict(expected)
    assert len(result) == len(_yaml("reference.yaml")["indicators"])


def test_poverty_exits(store):
    result = rows(run(store, "poverty-exits"), "code", "statusName")
    assert sorted(result) == sorted(
        (r["code"], {"exit-proposed": "拟退出(公示)", "exit-approved": "批准退出"}[r["status"]])
        for r in _csv("poverty_exits.csv"))


def test_county_classes_name_the_current_successor(store):
    result = rows(run(store, "county-classes-2017"), "code", "currentCode")
    expected = {(r["code_in_source"], None if r["code_in_source"] == r["current_code"] else r["current_code"])
                for r in _csv("county_classification_2017.csv")}
    assert set(result) == expected


def test_population_2020(store):
    result = rows(run(store, "population-2020"), "code", "population")
    expected = {(r["area"], int(r["value"])) for r in _csv("census_2020.csv")}
    assert {(c, int(p)) for c, p in result} == expected
    assert sum(int(p) for _, p in result) == 34_915_616  # the total stated in SOURCES.md
    assert result[0][0] == "140100"  # ordered by population, 太原 first


def test_source_conflicts_are_symmetric(store):
    result = rows(run(store, "source-conflicts"), "record", "other")
    assert len(result) == 6
    assert {(a, b) for a, b in result} == {(b, a) for a, b in result}


def test_press_conference(store):
    result = rows(run(store, "press-conference"), "participantName", "roleName", "organisationName", "number")
    assert len(result) == 7
    assert ("马双喜", "副主任", "山西省发展改革委", 15) in result


def test_counties_by_programmes_matches_the_designations(store, built):
    from rdflib.namespace import RDF
    from xiancheng.graph.namespaces import XC

    g = built.union()
    county_like = set()
    for cls in (XC.County, XC.CountyLevelCity, XC.MunicipalDistrict):
        county_like |= set(g.subjects(RDF.type, cls))
    expected = defaultdict(set)
    for d in g.subjects(RDF.type, XC.Designation):
        designee = g.value(d, XC.designee)
        if designee in county_like:
            expected[str(designee)].add(str(g.value(d, XC.designatedUnder)))
    result = rows(run(store, "counties-by-programmes"), "county", "programmes", "programme")
    found = defaultdict(set)
    for county, total, programme in result:
        found[county].add(programme)
        assert total == len(expected[county])
    assert dict(found) == dict(expected)


def test_source_facts(store, built):
    from rdflib.namespace import DCTERMS
    from xiancheng.graph.namespaces import XC

    g = built.union()
    article = URIRef(ID + "source/shanxi-daily-2023-10-10")
    expected = {str(s) for s, ev in g.subject_objects(XC.evidence) if (ev, DCTERMS.source, article) in g}
    found = {t for (t,) in rows(run(store, "source-facts", source="shanxi-daily-2023-10-10"), "thing")}
    assert found == expected


def test_rural_e_towns(store):
    result = rows(run(store, "rural-e-towns"), "name", "countyName", "statusName")
    assert sorted(result) == sorted((r["name_zh"], DIVISIONS[r["county_code"]]["name_zh"], "拟支持")
                                    for r in _csv("rural_e_towns.csv"))


def test_every_query_has_an_expected_result_test():
    tested = {name for name in QUERIES
              if any(f'"{name}"' in line for line in open(__file__, encoding="utf-8")
                     if "run(store" in line or "QUERIES[" in line)}
    assert tested == set(QUERIES)


# --- parameters ---------------------------------------------------------------------------------

def test_parameters_are_validated():
    query = QUERIES["county-profile"]
    with pytest.raises(ParameterError, match="needs parameter 'county'"):
        query.bindings({}, MINT)
    with pytest.raises(ParameterError, match="six-digit GB/T 2260 code"):
        query.bindings({"county": "141182 } ; DROP"}, MINT)
    with pytest.raises(ParameterError, match="unknown parameter"):
        query.bindings({"county": "141182", "year": "2023"}, MINT)
    with pytest.raises(ParameterError, match="a year"):
        QUERIES["figures-for-year"].bindings({"year": "2023'"}, MINT)
    assert query.bindings({"county": "141182"}, MINT) == {"county": MINT.division("141182")}
