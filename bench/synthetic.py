"""Synthetic, domain-shaped data at a chosen scale, streamed out as N-Quads.

    python bench/synthetic.py 1M -o var/bench/synthetic-1M.nq [--seed 1]

Provinces, prefecture-level cities and county-level divisions (six-digit codes, zh/en labels, pinyin,
centroid and seat points), specialty towns and rural e-towns, departments, programmes and the
designations of divisions and towns under them (with batches, years, statuses, categories and, now
and then, two sources that disagree), former divisions and code changes, and indicator observations
per county and year — each with evidence naming a source document. The classes, properties, IRI
patterns and named graphs are those of the shipped build (graph/builders/), so the project's shapes,
reasoner and competency queries apply unchanged; the data passes ontology/shapes.ttl.

It can never be mistaken for real data: every IRI is under https://synthetic.xiancheng.example/
(not the project's base), every source document is a "Synthetic source" whose comment says it was
generated, and every graph's description in the catalog says so. Names are random syllables.

The same scale and seed give the same bytes. A JSON summary (counts, and parameters for the
competency queries that exist in the data) is written next to the output.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

BASE = "https://synthetic.xiancheng.example/"
XC = "https://kg.xiancheng.example/def/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
GEO = "http://www.opengis.net/ont/geosparql#"
QB = "http://purl.org/linked-data/cube#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
TYPE, LABEL = f"<{RDF}type>", f"<{RDFS}label>"
SYLLABLES = [("安", "an"), ("平", "ping"), ("阳", "yang"), ("山", "shan"), ("河", "he"), ("宁", "ning"),
             ("清", "qing"), ("江", "jiang"), ("东", "dong"), ("西", "xi"), ("南", "nan"), ("北", "bei"),
             ("新", "xin"), ("华", "hua"), ("兴", "xing"), ("长", "chang"), ("永", "yong"), ("泉", "quan"),
             ("林", "lin"), ("石", "shi"), ("云", "yun"), ("德", "de"), ("丰", "feng"), ("广", "guang"),
             ("康", "kang"), ("宝", "bao"), ("明", "ming"), ("金", "jin"), ("桥", "qiao"), ("源", "yuan"),
             ("泽", "ze"), ("溪", "xi"), ("川", "chuan"), ("岭", "ling"), ("田", "tian"), ("沙", "sha"),
             ("龙", "long"), ("乐", "le"), ("福", "fu"), ("瑞", "rui"), ("绿", "lü"), ("吕", "lü")]
YEARS = range(2015, 2025)
# County indicators observed every year: id, zh, en, unit, typical value, decimals.
INDICATORS = [
    ("resident-population", "常住人口", "resident population", "person", 300_000, 0),
    ("gdp", "地区生产总值", "gross regional product", "ten-thousand-yuan", 2_000_000, 0),
    ("urbanization-rate", "常住人口城镇化率", "urbanization rate of the resident population", "percent", 50, 1),
    ("county-town-built-up-area", "县城建成区面积", "built-up area of the county town", "square-kilometre", 20, 2),
    ("sewage-treatment-rate", "县城污水处理率", "county-town sewage treatment rate", "percent", 90, 1),
    ("waste-harmless-treatment-rate", "县城生活垃圾无害化处理率", "harmless treatment rate of county-town household waste", "percent", 95, 1),
    ("rural-road-mileage", "农村公路里程", "rural road length", "kilometre", 1_500, 1),
    ("public-kindergartens", "公办幼儿园数", "public kindergartens", "count", 30, 0),
]
UNITS = {"person": ("人", "persons", "人"), "ten-thousand-yuan": ("万元", "ten thousand yuan", "万元"),
         "percent": ("百分比", "percent", "%"), "square-kilometre": ("平方公里", "square kilometres", "km²"),
         "kilometre": ("公里", "kilometres", "km"), "count": ("个", "count", "个")}
INDUSTRIES = [("vinegar", "食醋", "vinegar"), ("baijiu", "白酒", "baijiu"), ("ceramics", "陶瓷", "ceramics"),
              ("castings", "铸件", "castings"), ("herbs", "中药材", "medicinal herbs"),
              ("glassware", "玻璃器皿", "glassware"), ("millet", "小米", "millet"), ("beef", "牛肉制品", "beef products")]
# Programmes (id, class, type, zh, en); the ids the competency queries name are those of the shipped data.
PROGRAMMES = [
    ("county-town-urbanization", "Strategy", "strategy", "以县城为重要载体的新型城镇化", "County-town-centred new urbanization"),
    ("provincial-sponge-city-demonstration", "Programme", "demonstration", "省级海绵城市建设示范", "Provincial sponge-city demonstration"),
    ("poverty-county-exit", "Programme", "assessment", "贫困县退出", "Poverty-county exit"),
    ("regional-transformation-assessment", "Programme", "assessment", "县域转型发展分类考核", "Classification of counties for transformation"),
    ("provincial-key-specialty-towns", "Programme", "designation-scheme", "省级重点专业镇", "Provincial key specialty towns"),
    ("municipal-specialty-towns", "Programme", "designation-scheme", "市级专业镇", "Municipal specialty towns"),
    ("rural-e-towns", "Programme", "initiative", "乡村e镇", "Rural e-towns"),
]
CATEGORIES = {"county-classes-2017": ("县域分类", "county classes", [("class-i", "第一类县", "class I county"),
                                                                   ("class-ii", "第二类县", "class II county"),
                                                                   ("class-iii", "第三类县", "class III county")]),
              "poverty-categories": ("贫困县类别", "poverty-county categories",
                                     [("national-poverty-county", "国家扶贫开发工作重点县", "national poverty county"),
                                      ("provincial-poverty-county", "省定贫困县", "provincial poverty county")])}
GRAPH_TITLES = {
    "catalog": ("来源文件与机构", "Source documents and organisations"),
    "programmes": ("项目、政策文件与活动", "Programmes, policy documents and events"),
    "reference": ("参考词表", "Reference vocabulary"), "divisions": ("行政区划", "Administrative divisions"),
    "division-changes": ("行政区划变更", "Division changes"), "specialty-towns": ("特色专业镇", "Specialty towns"),
    "sponge-city": ("海绵城市建设示范", "Sponge-city demonstrations"), "rural-e-towns": ("乡村e镇", "Rural e-towns"),
    "county-classification-2017": ("2017年县域分类", "County classification 2017"),
    "poverty-exits": ("贫困县退出", "Poverty-county exits"), "census-2020": ("人口普查", "Census 2020"),
    "press-release": ("新闻发布会", "Press conference"),
    **{f"yearbook-{y}": (f"{y}年统计年鉴", f"Statistical yearbook {y}") for y in YEARS},
}


def parse_scale(text: str) -> int:
    """'10k' → 10000, '1M' → 1000000, '2500' → 2500."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a scale such as 10k, 100k, 1M or 5M")
    return int(float(m[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[m[2].lower()])


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^<{datatype}>' if datatype else f'"{escaped}"'


@dataclass
class Summary:
    triples: int = 0
    seed: int = 1
    base: str = BASE
    graphs: dict = field(default_factory=dict)
    provinces: int = 0
    prefectures: int = 0
    counties: int = 0
    observations: int = 0
    designations: int = 0
    params: dict = field(default_factory=dict)  # values for the competency queries' parameters


class Writer:
    """Writes quads, counting them per graph; the graph is chosen with ``into``."""

    def __init__(self, out, summary: Summary):
        self.out, self.summary, self.graph, self._lines = out, summary, "", []

    def into(self, name: str) -> "Writer":
        self.graph = name
        self._g = f"<{BASE}graph/{name}>"
        return self

    def __call__(self, s: str, p: str, o: str) -> None:
        self._lines.append(f"{s} {p} {o} {self._g} .\n")
        self.summary.graphs[self.graph] = self.summary.graphs.get(self.graph, 0) + 1
        if len(self._lines) >= 20_000:
            self.flush()

    def flush(self) -> None:
        self.out.write("".join(self._lines))
        self.summary.triples += len(self._lines)
        self._lines = []

    @property
    def count(self) -> int:
        return self.summary.triples + len(self._lines)


def iri(kind: str, key: str) -> str:
    return f"<{BASE}id/{kind}/{key}>"


def xc(name: str) -> str:
    return f"<{XC}{name}>"


class Generator:
    def __init__(self, out, target: int, seed: int):
        self.summary = Summary(seed=seed)
        self.w = Writer(out, self.summary)
        self.rnd = random.Random(seed)
        self.target = target
        self.sources: dict[str, list] = {}  # source key -> graphs it backs

    # --- shared statements ---------------------------------------------------------------------

    def labels(self, s: str, zh: str, en: str, concept: bool = False) -> None:
        for text, lang in ((zh, "zh"), (en, "en")):
            self.w(s, LABEL, lit(text, lang))
            if concept:
                self.w(s, f"<{SKOS}prefLabel>", lit(text, lang))

    def evidence(self, s: str, source: str, quote: str | None = None) -> None:
        ev = s[:-1] + f"/evidence/{source}>"
        self.w(s, xc("evidence"), ev)
        self.w(ev, TYPE, xc("Evidence"))
        self.w(ev, f"<{DCT}source>", iri("source", source))
        if quote:
            self.w(ev, xc("quote"), lit(quote, "zh"))
        self.sources.setdefault(source, set()).add(self.w.graph)

    def name(self) -> tuple[str, str]:
        (a, pa), (b, pb) = self.rnd.sample(SYLLABLES, 2)
        return a + b, f"{pa} {pb}"

    def concept(self, s: str, cls: str | None, scheme: str, zh: str, en: str) -> None:
        self.w(s, TYPE, f"<{SKOS}Concept>")
        if cls:
            self.w(s, TYPE, xc(cls))
        self.w(s, f"<{SKOS}inScheme>", scheme)
        self.w(s, f"<{SKOS}topConceptOf>", scheme)
        self.w(scheme, f"<{SKOS}hasTopConcept>", s)
        self.labels(s, zh, en, concept=True)

    def scheme(self, key: str, zh: str, en: str) -> str:
        s = iri("concept-scheme", key)
        self.w(s, TYPE, f"<{SKOS}ConceptScheme>")
        self.labels(s, zh, en, concept=True)
        return s

    # --- the frame: ontology, reference vocabulary, programmes, organisations ------------------

    def ontology(self) -> None:
        from xiancheng.graph.build import load_ontology

        from rdflib.compare import to_canonical_graph

        self.w.into("ontology")
        # Canonical blank node ids and a sorted order: the same bytes every time.
        text = to_canonical_graph(load_ontology()).serialize(format="nt", encoding="utf-8").decode()
        for line in sorted(line for line in text.splitlines() if line.strip()):
            s, p, o = line.rstrip(" .").split(" ", 2)
            self.w(s, p, o)

    def reference(self) -> None:
        w = self.w.into("reference")
        units = self.scheme("units", "计量单位", "units of measure")
        for key, (zh, en, symbol) in UNITS.items():
            self.concept(iri("unit", key), "Unit", units, zh, en)
            w(iri("unit", key), xc("symbol"), lit(symbol))
        indicators = self.scheme("indicators", "指标", "indicators")
        for key, zh, en, unit, _, _ in INDICATORS:
            self.concept(iri("indicator", key), "Indicator", indicators, zh, en)
            w(iri("indicator", key), xc("unitOfMeasure"), iri("unit", unit))
        industries = self.scheme("industries", "产业", "industries")
        for key, zh, en in INDUSTRIES:
            self.concept(iri("industry", key), None, industries, zh, en)
        for key, (zh, en, members) in CATEGORIES.items():
            scheme = self.scheme(key, zh, en)
            for ckey, czh, cen in members:
                self.concept(iri("category", ckey), None, scheme, czh, cen)
        for year in YEARS:
            self.period(str(year), f"{year}年", str(year), f"{year}-01-01", f"{year}-12-31")
        self.period("2020-11-01", "2020年11月1日", "1 November 2020", "2020-11-01", "2020-11-01")
        self.period("2021--2025", "2021年至2025年", "2021 to 2025", "2021-01-01", "2025-12-31")

    def period(self, key, zh, en, start, end) -> None:
        s = iri("period", key)
        self.w(s, TYPE, xc("Period"))
        self.labels(s, zh, en)
        self.w(s, xc("startDate"), lit(start, datatype=XSD + "date"))
        self.w(s, xc("endDate"), lit(end, datatype=XSD + "date"))

    def organisations(self) -> None:
        w = self.w.into("catalog")
        for key, zh, en in (("state-council", "国务院(合成)", "State Council (synthetic)"),
                            ("housing-ministry", "住房和城乡建设部(合成)", "Ministry of Housing (synthetic)"),
                            ("development-commission", "发展和改革委员会(合成)", "Development and Reform Commission (synthetic)"),
                            ("poverty-office", "扶贫开发办公室(合成)", "Poverty Alleviation Office (synthetic)"),
                            ("information-office", "新闻办公室(合成)", "Information Office (synthetic)")):
            s = iri("organisation", key)
            w(s, TYPE, xc("GovernmentBody"))
            self.labels(s, zh, en)
            self.evidence(s, "synthetic-programme-documents")

    def programmes(self) -> None:
        w = self.w.into("programmes")
        leaders = {"provincial-sponge-city-demonstration": "housing-ministry",
                   "poverty-county-exit": "poverty-office"}
        for key, cls, ptype, zh, en in PROGRAMMES:
            s = iri("programme", key)
            w(s, TYPE, xc(cls))
            w(s, xc("programmeType"), f"<{XC}programme-type/{ptype}>")
            self.labels(s, zh + "(合成)", en + " (synthetic)")
            w(s, xc("ledBy"), iri("organisation", leaders.get(key, "development-commission")))
            if key != "county-town-urbanization":
                w(s, xc("serves"), iri("programme", "county-town-urbanization"))
            else:
                w(s, xc("coversPeriod"), iri("period", "2021--2025"))
            self.evidence(s, "synthetic-programme-documents")
        doc = iri("document", "regional-transformation-assessment-measures")
        w(doc, TYPE, xc("PolicyDocument"))
        self.labels(doc, "县域转型发展分类考核办法(合成)", "Measures for classifying counties (synthetic)")
        w(doc, f"<{DCT}title>", lit("县域转型发展分类考核办法(合成)", "zh"))
        w(doc, f"<{DCT}issued>", lit("2017-03-01", datatype=XSD + "date"))
        w(doc, xc("issuedBy"), iri("organisation", "development-commission"))
        self.evidence(doc, "synthetic-programme-documents")

    def press_conference(self) -> None:
        """The event, person and role the press-conference query asks about."""
        w = self.w.into("press-release")
        event, person = iri("event", "press-conference-2023-10-09"), iri("person", "spokesperson")
        office = iri("organisation", "information-office")
        w(event, TYPE, xc("Event"))
        w(event, xc("eventType"), f"<{XC}event-type/press-conference>")
        self.labels(event, "新闻发布会(合成)", "Press conference (synthetic)")
        w(event, xc("eventDate"), lit("2023-10-09", datatype=XSD + "date"))
        w(event, xc("organizer"), office)
        w(event, xc("participant"), office)
        w(event, xc("participant"), person)
        w(event, xc("topic"), iri("programme", "county-town-urbanization"))
        self.evidence(event, "synthetic-press-release", "发布会介绍县城建设情况(合成)")
        w(person, TYPE, f"<{FOAF}Person>")
        self.labels(person, "王明(合成)", "Wang Ming (synthetic)")
        self.evidence(person, "synthetic-press-release", "副主任王明介绍(合成)")
        m = iri("membership", "spokesperson-development-commission")
        w(m, TYPE, f"<{ORG}Membership>")
        w(m, f"<{ORG}member>", person)
        w(m, f"<{ORG}organization>", iri("organisation", "development-commission"))
        w(m, f"<{ORG}role>", f"<{XC}role/deputy-director>")
        w(m, xc("reportedOn"), lit("2023-10-10", datatype=XSD + "date"))
        self.labels(m, "发展和改革委员会副主任王明(合成)", "Wang Ming, deputy director (synthetic)")
        self.evidence(m, "synthetic-press-release", "副主任王明介绍(合成)")
        self.summary.params.setdefault("source", "synthetic-press-release")
        self.summary.params.setdefault("department", "housing-ministry")

    # --- divisions -----------------------------------------------------------------------------

    def point(self, division: str, kind: str, lon: float, lat: float) -> str:
        g = division[:-1] + f"/{kind}>"
        w = self.w
        w(g, TYPE, f"<{GEO}Geometry>")
        w(g, f"<{GEO}asWKT>", lit(f"<{XC}crs/GCJ-02> POINT({lon:.6f} {lat:.6f})", datatype=GEO + "wktLiteral"))
        w(g, xc("longitude"), lit(f"{lon:.6f}", datatype=XSD + "decimal"))
        w(g, xc("latitude"), lit(f"{lat:.6f}", datatype=XSD + "decimal"))
        w(g, xc("coordinateSource"), lit("synthetic: bench/synthetic.py"))
        return g

    def division(self, code: str, cls: str, level: str, suffix: tuple, parent: str | None,
                 lon: float, lat: float) -> tuple[str, str, str]:
        w = self.w.into("divisions")
        s = iri("division", code)
        short, pinyin = self.name()
        zh, en = short + suffix[0], "".join(pinyin.split()).capitalize() + " " + suffix[1]
        w(s, TYPE, xc(cls))
        w(s, xc("divisionCode"), lit(code))
        w(s, xc("divisionLevel"), f"<{XC}division-level/{level}>")
        self.labels(s, zh, en)
        w(s, xc("pinyin"), lit(pinyin))
        w(s, f"<{SKOS}altLabel>", lit(short, "zh"))
        if parent:
            w(s, xc("parentDivision"), parent)
        w(s, f"<{GEO}hasCentroid>", self.point(s, "centroid", lon, lat))
        seat = self.point(s, "seat", lon + self.rnd.uniform(-.05, .05), lat + self.rnd.uniform(-.05, .05))
        w(s, xc("seatGeometry"), seat)
        w(s, f"<{GEO}hasDefaultGeometry>", seat)
        self.evidence(s, "synthetic-division-register")
        return s, zh, en

    def observations(self, area: str, code: str, names: tuple, province: str, scale: float) -> None:
        for year in YEARS:
            self.w.into(f"yearbook-{year}")
            for key, zh, en, unit, typical, decimals in INDICATORS:
                value = typical * scale * (1 + (year - 2015) * 0.02) * self.rnd.uniform(.7, 1.3)
                if unit == "percent":
                    value = min(value, 99.9)
                self.observation(area, code, names, key, zh, en, unit, str(year), (f"{year}年", str(year)),
                                 value, decimals, f"yearbook-{province}-{year}")

    def observation(self, area, code, names, key, zh, en, unit, period, period_labels, value, decimals,
                    source) -> None:
        w = self.w
        text = f"{value:.{decimals}f}"
        s = iri("observation", f"{key}-{code}-{period}")
        w(s, TYPE, f"<{QB}Observation>")
        w(s, f"<{QB}dataSet>", xc("figures"))
        w(s, xc("indicator"), iri("indicator", key))
        w(s, xc("refArea"), area)
        w(s, xc("refPeriod"), iri("period", period))
        w(s, xc("obsValue"), lit(text, datatype=XSD + "decimal"))
        w(s, xc("unitOfMeasure"), iri("unit", unit))
        w(s, xc("valueAsStated"), lit(text + UNITS[unit][2], "zh"))
        w(s, xc("observationStatus"), f"<{XC}observation-status/achieved>")
        self.labels(s, f"{zh}:{names[0]},{period_labels[0]}", f"{en}: {names[1]}, {period_labels[1]}")
        self.evidence(s, f"synthetic-{source}")
        self.summary.observations += 1

    def designation(self, key, designee, names, programme, status, source, **extra) -> str:
        w = self.w
        s = iri("designation", key)
        w(s, TYPE, xc("Designation"))
        w(s, xc("designee"), designee)
        w(s, xc("designatedUnder"), iri("programme", programme))
        w(s, xc("designationStatus"), f"<{XC}designation-status/{status}>")
        for prop, value in extra.items():
            w(s, xc(prop), value)
        pzh, pen = next((p[3], p[4]) for p in PROGRAMMES if p[0] == programme)
        self.labels(s, f"{names[0]} — {pzh}", f"{names[1]} — {pen}")
        self.evidence(s, f"synthetic-{source}", f"{names[0]}列入{pzh}(合成)")
        self.summary.designations += 1
        return s

    def county(self, code: str, cls: str, level: str, suffix, prefecture: str, lon, lat, province,
               featured: bool = False) -> str:
        """A county-level division with its figures, designations and towns. The first county of
        each province is ``featured``: it has every kind of designation, a town of each kind and a
        code change, so that every competency query has answers at every scale."""
        s, zh, en = self.division(code, cls, level, suffix, prefecture, lon, lat)
        names = (zh, en)

        def r() -> float:
            draw = self.rnd.random()
            return 0.0 if featured else draw
        year = lambda y: lit(str(y), datatype=XSD + "gYear")  # noqa: E731
        self.observations(s, code, names, province, self.rnd.uniform(.3, 2))
        self.w.into("census-2020")
        self.observation(s, code, names, "resident-population", "常住人口", "resident population",
                         "person", "2020-11-01", ("2020年11月1日", "1 November 2020"), 300_000 * self.rnd.uniform(.3, 2), 0,
                         "census-bulletin")
        if cls == "County" and r() < .15:
            self.w.into("sponge-city")
            batch = self.rnd.randint(1, 3)
            d = self.designation(f"sponge-{code}", s, names, "provincial-sponge-city-demonstration",
                                 "designated", "sponge-city-notice", batch=lit(str(batch), datatype=XSD + "integer"),
                                 designationYear=year(2020 + batch))
            if r() < .2:  # a second source that disagrees on the batch
                other = self.designation(f"sponge-{code}-b", s, names, "provincial-sponge-city-demonstration",
                                         "designated", "sponge-city-report",
                                         batch=lit(str(batch % 3 + 1), datatype=XSD + "integer"))
                self.w(d, xc("conflictsWith"), other)
        if r() < .3:
            self.w.into("poverty-exits")
            category = iri("category", self.rnd.choice(["national-poverty-county", "provincial-poverty-county"]))
            for status, date in (("exit-proposed", "2018-08-24"), ("exit-approved", "2019-04-18")):
                self.designation(f"poverty-{status}-{code}", s, names, "poverty-county-exit", status,
                                 "poverty-exit-notice", designationDate=lit(date, datatype=XSD + "date"),
                                 category=category, decidedBy=iri("organisation", "poverty-office"))
        if r() < .5:
            self.w.into("county-classification-2017")
            self.designation(f"county-class-2017-{code}", s, names, "regional-transformation-assessment",
                             "classified", "classification-2017", designationYear=year(2017),
                             category=iri("category", self.rnd.choice(["class-i", "class-ii", "class-iii"])),
                             decisionDocument=iri("document", "regional-transformation-assessment-measures"))
        if r() < .3:
            self.town(s, code, names, "specialty-town", featured)
        if r() < .1:
            self.town(s, code, names, "rural-e-town", featured)
        return s

    def town(self, county: str, code: str, county_names, kind: str, featured: bool = False) -> None:
        w = self.w.into("specialty-towns" if kind == "specialty-town" else "rural-e-towns")
        ind_key, ind_zh, ind_en = self.rnd.choice(INDUSTRIES)
        s = iri(kind, f"{code}-{ind_key}")
        names = (f"{county_names[0][:2]}{ind_zh}专业镇", f"{county_names[1].split()[0]} {ind_en.capitalize()} Specialty Town")
        if kind == "rural-e-town":
            names = (f"{county_names[0][:2]}{ind_zh}e镇", f"{county_names[1].split()[0]} {ind_en.capitalize()} E-town")
        w(s, TYPE, xc("SpecialtyTown" if kind == "specialty-town" else "RuralETown"))
        w(s, xc("locatedIn"), county)
        self.labels(s, *names)
        if kind == "specialty-town":
            provincial = self.rnd.random() < .3 or featured
            w(s, xc("industry"), iri("industry", ind_key))
            w(s, xc("specialtyTownLevel"), f"<{XC}specialty-town-level/{'provincial-key' if provincial else 'municipal'}>")
            self.evidence(s, "synthetic-specialty-town-list")
            batch = self.rnd.randint(1, 2)
            self.designation(f"specialty-town-{code}-{ind_key}", s, names,
                             "provincial-key-specialty-towns" if provincial else "municipal-specialty-towns",
                             "designated", "specialty-town-list", batch=lit(str(batch), datatype=XSD + "integer"),
                             designationYear=lit(str(2021 + batch), datatype=XSD + "gYear"))
        else:
            self.evidence(s, "synthetic-e-town-list")
            self.designation(f"rural-e-town-{code}-{ind_key}", s, names, "rural-e-towns",
                             "proposed-for-support", "e-town-list",
                             designationYear=lit("2022", datatype=XSD + "gYear"))

    def change(self, prefecture: str, code: str, successor: str) -> None:
        """A former county whose code was replaced by a current one."""
        w = self.w.into("division-changes")
        old = iri("division", code)
        short, pinyin = self.name()
        zh, en = short + "县", "".join(pinyin.split()).capitalize() + " County (former)"
        w(old, TYPE, xc("FormerDivision"))
        w(old, xc("divisionCode"), lit(code))
        w(old, xc("divisionLevel"), f"<{XC}division-level/county>")
        self.labels(old, zh, en)
        w(old, xc("parentDivision"), prefecture)
        w(old, xc("replacedBy"), successor)
        self.evidence(old, "synthetic-division-register")
        c = iri("division-change", f"change-{code}")
        w(c, TYPE, xc("DivisionChange"))
        w(c, f"<{DCT}description>", lit(f"撤销{zh},设立新区(合成)", "zh"))
        w(c, xc("formerUnit"), old)
        w(c, xc("successorUnit"), successor)
        w(c, xc("approvalDate"), lit("2019-01-15", datatype=XSD + "date"))
        w(c, xc("approvedBy"), iri("organisation", "state-council"))
        self.labels(c, f"{zh} → 新区(2019)", f"{en} → successor (2019)")
        self.evidence(c, "synthetic-division-register")

    def province(self, number: int) -> None:
        pp = f"{10 + number}"
        lon, lat = 76 + (number % 12) * 5, 20 + (number // 12) * 4
        province, _, _ = self.division(f"{pp}0000", "Province", "province", ("省", "Province"), None, lon, lat)
        self.summary.provinces += 1
        members = []
        for pref_no in range(1, self.rnd.randint(8, 14) + 1):
            cc = f"{pref_no:02d}"
            plon, plat = lon + self.rnd.uniform(-2, 2), lat + self.rnd.uniform(-1.5, 1.5)
            prefecture, pzh, pen = self.division(f"{pp}{cc}00", "PrefectureLevelCity", "prefecture",
                                                 ("市", "City"), province, plon, plat)
            self.summary.prefectures += 1
            self.w.into("census-2020")
            self.observation(prefecture, f"{pp}{cc}00", (pzh, pen), "resident-population", "常住人口",
                             "resident population", "person", "2020-11-01", ("2020年11月1日", "1 November 2020"),
                             3_000_000 * self.rnd.uniform(.3, 2), 0, "census-bulletin")
            self.summary.params.setdefault("prefecture", f"{pp}{cc}00")
            counties = [("MunicipalDistrict", "district", ("区", "District"), f"{n:02d}") for n in range(1, self.rnd.randint(2, 4))]
            counties += [("County", "county", ("县", "County"), f"{n:02d}") for n in range(21, 21 + self.rnd.randint(4, 10))]
            counties += [("CountyLevelCity", "county-city", ("市", "City"), f"{n:02d}") for n in range(81, 81 + self.rnd.randint(0, 2))]
            for cls, level, suffix, xx in counties:
                code = f"{pp}{cc}{xx}"
                featured = pref_no == 1 and xx == "21"
                s = self.county(code, cls, level, suffix, prefecture, plon + self.rnd.uniform(-.8, .8),
                                plat + self.rnd.uniform(-.6, .6), pp, featured)
                self.summary.counties += 1
                if cls != "MunicipalDistrict":
                    members.append(s)
                    self.summary.params.setdefault("county", code)
                if cls == "County" and (self.rnd.random() < .05 or featured):
                    self.change(prefecture, f"{pp}{cc}{int(xx) + 50:02d}", s)
                if self.w.count >= self.target:
                    break
            if self.w.count >= self.target:
                break
        if not members:  # cut short before its first county
            return
        w = self.w.into("reference")
        group = iri("group", f"counties-and-county-cities-{pp}")
        w(group, TYPE, xc("DivisionGroup"))
        self.labels(group, f"{pp}省的县和县级市(合成)", f"Counties and county-level cities of province {pp} (synthetic)")
        w(group, xc("membershipRule"), lit("Every county and county-level city of the province.", "en"))
        for member in members:
            w(group, xc("member"), member)
        w(group, xc("memberCount"), lit(str(len(members)), datatype=XSD + "integer"))

    # --- the catalog: sources and graphs, written last ----------------------------------------

    def catalog(self) -> None:
        w = self.w.into("catalog")
        for key in sorted(self.sources):
            s = iri("source", key)
            w(s, TYPE, xc("SourceDocument"))
            w(s, f"<{DCT}type>", lit("compiled-table"))
            self.labels(s, f"合成数据源:{key}", f"Synthetic source: {key}")
            w(s, f"<{RDFS}comment>", lit("Synthetic: generated by bench/synthetic.py for benchmarks; "
                                         "it states nothing true about any real place.", "en"))
        graphs = sorted(set(self.summary.graphs) - {"ontology"})
        for name in graphs:
            g = f"<{BASE}graph/{name}>"
            zh, en = GRAPH_TITLES[name]
            w(g, TYPE, xc("SourceGraph"))
            self.labels(g, f"合成数据:{zh}", f"Synthetic data: {en}")
            w(g, xc("sourceFile"), lit("bench/synthetic.py"))
            backing = [k for k, graphs_ in self.sources.items() if name in graphs_] or ["synthetic-programme-documents"]
            for key in sorted(backing):
                w(g, f"<{PROV}wasDerivedFrom>", iri("source", key))

    def run(self) -> Summary:
        self.ontology()
        self.reference()
        self.organisations()
        self.programmes()
        self.press_conference()
        number = 1
        while self.w.count < self.target:
            if number > 89:
                raise ValueError("at most 89 synthetic provinces: choose a smaller scale")
            self.province(number)
            number += 1
        self.catalog()
        self.w.flush()
        self.summary.params.setdefault("year", "2020")
        return self.summary


def generate(target: int, out, seed: int = 1) -> Summary:
    """Write about ``target`` quads (whole counties: a few thousand more at most) to ``out``."""
    return Generator(out, target, seed).run()


def write(target: int, path: Path, seed: int = 1) -> Summary:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        summary = generate(target, out, seed)
    path.with_suffix(".json").write_text(json.dumps(asdict(summary), indent=2), encoding="utf-8")
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scale", help="number of triples: 10k, 100k, 1M, 5M or a number")
    parser.add_argument("-o", "--output", help="N-Quads file to write (default: stdout)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    target = parse_scale(args.scale)
    if args.output:
        summary = write(target, Path(args.output), args.seed)
        print(f"{summary.triples} quads in {len(summary.graphs)} graphs → {args.output}", file=sys.stderr)
    else:
        generate(target, sys.stdout, args.seed)


if __name__ == "__main__":
    main()
