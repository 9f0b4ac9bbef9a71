"""Validation at scale: the project's SHACL shapes compiled to SPARQL and run on Oxigraph.

pyshacl walks the data in Python (70 s for a million triples here). Instead, each constraint of the
shapes becomes one SPARQL ``SELECT`` returning the focus nodes (and value nodes) that violate it,
evaluated by Oxigraph over the store's graphs; a million triples take seconds. The result is the same
``ValidationResult`` as ``validate.py`` gives, with the focus nodes, paths, shapes, constraint
components and values pyshacl reports: tests compare the two on the shipped data, on mutated copies
of it and on the PASS/FAIL examples.

Supported (everything ``ontology/shapes.ttl`` uses, and a little more): ``sh:targetClass``,
``targetNode``, ``targetSubjectsOf``, ``targetObjectsOf``; property shapes with an IRI path;
``minCount``, ``maxCount``, ``datatype`` (ill-typed literals fail), ``class``, ``nodeKind``,
``pattern``/``flags``, ``in``, ``hasValue``, ``languageIn``, ``min/maxInclusive``,
``min/maxExclusive``, ``min/maxLength``, ``lessThan``, ``lessThanOrEquals``, ``disjoint``,
``qualifiedValueShape`` with ``qualifiedMinCount``/``qualifiedMaxCount``, ``node``, ``or``, ``and``,
``not``; ``sh:message``; ``sh:deactivated``. A shapes graph using anything else raises
``UnsupportedShape`` naming it — it is never validated in part. Shapes nested in ``node``/``or``/
``and``/``not``/qualified shapes may use cardinalities of 0 or 1 only.

Differences from pyshacl: one result per distinct (focus, path, shape, component, value) — pyshacl
repeats a result when two targeted node shapes share a property shape; literals are compared as
Oxigraph stores them (in canonical form, so ``"01"^^xsd:integer`` is ``"1"``); ill-typed literals
are recognised for the XSD types SPARQL can cast to (integer, decimal, double, float, boolean, date,
dateTime, time, the g* types and durations).
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD, Namespace

from .build import load_ontology, load_shapes
from .formats import RDF_FORMATS
from .store import OxigraphStore
from .validate import ValidationResult, Violation

SH = Namespace("http://www.w3.org/ns/shacl#")

# XSD types Oxigraph can cast a string to: a literal of one of them is well-formed iff the cast works.
CASTABLE = {XSD[t] for t in ("integer", "decimal", "double", "float", "boolean", "date", "dateTime",
                             "time", "gYear", "gYearMonth", "gMonthDay", "gDay", "gMonth", "duration",
                             "dayTimeDuration", "yearMonthDuration")}
NODE_KINDS = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
              SH.BlankNodeOrIRI: "!isLiteral({v})", SH.BlankNodeOrLiteral: "!isIRI({v})",
              SH.IRIOrLiteral: "!isBlank({v})"}
COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
VALUE_PARAMETERS = {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH["in"], SH.languageIn,
                    SH.minLength, SH.maxLength, SH.node, SH["or"], SH["and"], SH["not"], *COMPARISONS}
OTHER_PARAMETERS = {SH.path, SH.minCount, SH.maxCount, SH.hasValue, SH.qualifiedValueShape,
                    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
                    SH.lessThan, SH.lessThanOrEquals, SH.disjoint, SH.property, SH.flags, SH.message,
                    SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
                    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
COMPONENT_NAMES = {SH["class"]: "Class", SH.datatype: "Datatype", SH.nodeKind: "NodeKind",
                   SH.pattern: "Pattern", SH["in"]: "In", SH.languageIn: "LanguageIn",
                   SH.minLength: "MinLength", SH.maxLength: "MaxLength", SH.node: "Node", SH["or"]: "Or",
                   SH["and"]: "And", SH["not"]: "Not", SH.minInclusive: "MinInclusive",
                   SH.maxInclusive: "MaxInclusive", SH.minExclusive: "MinExclusive",
                   SH.maxExclusive: "MaxExclusive", SH.minCount: "MinCount", SH.maxCount: "MaxCount",
                   SH.hasValue: "HasValue", SH.qualifiedMinCount: "QualifiedMinCount",
                   SH.qualifiedMaxCount: "QualifiedMaxCount", SH.lessThan: "LessThan",
                   SH.lessThanOrEquals: "LessThanOrEquals", SH.disjoint: "Disjoint"}


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature this validator does not translate; the message names it."""


@dataclass(frozen=True)
class Check:
    """One constraint, as the pattern ``body`` that holds for each violation once ``focus`` has
    bound ``?focus`` (and binds ``?value`` when the violation has a value node). Checks of counts
    above one are whole queries (``sparql``); a check of qualified counts selects ``?focus`` and a
    count ``?n0``, ``?n1`` … per entry of ``counted`` (shape, message, least, most)."""

    shape: URIRef | None
    component: URIRef | None
    path: URIRef | None
    message: str
    focus: str = ""
    body: str = ""
    sparql: str = ""
    counted: tuple = ()

    @property
    def query(self) -> str:
        return self.sparql or f"SELECT DISTINCT ?focus ?value WHERE {{ {self.focus} {self.body} }}"

    def violations(self, result) -> list[Violation]:
        column = {v: i for i, v in enumerate(result.variables)}
        found = []
        for row in result.rows:
            if not self.counted:
                value = row[column["value"]] if "value" in column else None
                found.append(Violation(row[0], self.path, self.shape, self.component, self.message, value))
                continue
            for k, (shape, message, least, most) in enumerate(self.counted):
                n = int(row[column[f"n{k}"]])
                if least is not None and n < least:
                    found.append(Violation(row[0], self.path, shape, _component(SH.qualifiedMinCount), message))
                if most is not None and n > most:
                    found.append(Violation(row[0], self.path, shape, _component(SH.qualifiedMaxCount), message))
        return found


@dataclass(frozen=True)
class Batch:
    """Checks on one focus set in one query: for each focus node, every check's body in turn
    (``LATERAL``), so the focus set is found once. Twice as fast as one query per check here."""

    focus: str
    checks: tuple

    @property
    def query(self) -> str:
        branches = " UNION ".join(f"{{ {c.body} BIND({k} AS ?_check) }}" for k, c in enumerate(self.checks))
        return f"SELECT DISTINCT ?focus ?value ?_check WHERE {{ {self.focus} LATERAL {{ {branches} }} }}"

    def violations(self, result) -> list[Violation]:
        found = []
        for focus, value, k in result.rows:
            c = self.checks[int(k)]
            found.append(Violation(focus, c.path, c.shape, c.component, c.message, value))
        return found


def batches(checks: list[Check], size: int = 40) -> list:
    """The checks grouped by focus set, ``size`` at most to a query; whole-query checks alone."""
    by_focus: dict = {}
    for check in checks:
        if check.sparql:
            by_focus.setdefault(("", id(check)), []).append(check)
        else:
            by_focus.setdefault((check.focus, 0), []).append(check)
    out = []
    for (focus, _), group in by_focus.items():
        if not focus:
            out += group
            continue
        out += [Batch(focus, tuple(group[i:i + size])) for i in range(0, len(group), size)]
    return out


def _component(parameter) -> URIRef:
    return SH[COMPONENT_NAMES[parameter] + "ConstraintComponent"]


def _term(t) -> str:
    """A term in SPARQL syntax."""
    if isinstance(t, BNode):
        raise UnsupportedShape(f"a blank node ({t}) where a constraint needs an IRI or a literal")
    return t.n3()


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Compiler:
    def __init__(self, shapes: Graph, subclasses):
        self.g = shapes
        self.subclasses = subclasses  # class IRI -> set of it and its subclasses in the data
        self._names = itertools.count()
        self._nesting: list = []  # shapes being expanded into an expression (sh:node, sh:or …)

    def var(self, stem: str = "x") -> str:
        return f"?_{stem}{next(self._names)}"

    def one(self, shape, parameter):
        return self.g.value(shape, parameter)

    def items(self, head) -> list:
        return list(Collection(self.g, head))

    def check_parameters(self, shape) -> None:
        for p in set(self.g.predicates(shape, None)):
            if str(p).startswith(str(SH)) and p not in VALUE_PARAMETERS | OTHER_PARAMETERS:
                raise UnsupportedShape(f"{shape.n3()} uses {p.n3()}, which the fast validator "
                                       "does not translate")
        severity = self.one(shape, SH.severity)
        if severity not in (None, SH.Violation):
            raise UnsupportedShape(f"{shape.n3()} has severity {severity.n3()}; only sh:Violation is supported")
        if self.one(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
            raise UnsupportedShape(f"{shape.n3()} uses sh:qualifiedValueShapesDisjoint")

    def path(self, shape) -> URIRef:
        path = self.one(shape, SH.path)
        if not isinstance(path, URIRef):
            raise UnsupportedShape(f"{shape.n3()} has a complex sh:path; only IRI paths are supported")
        return path

    # --- conditions on one value node --------------------------------------------------------

    def instance_of(self, v: str, cls) -> str:
        t = self.var("t")
        classes = " ".join(_term(c) for c in sorted(self.subclasses(cls)))
        return f"EXISTS {{ {v} a {t} VALUES {t} {{ {classes} }} }}"

    def condition(self, parameter, value, v: str, shape) -> str:
        """The SPARQL expression that holds when the value node ``v`` satisfies the constraint."""
        if parameter == SH["class"]:
            return self.instance_of(v, value)
        if parameter == SH.datatype:
            if value == RDF.langString:
                return f'(isLiteral({v}) && lang({v}) != "")'
            test = f"(isLiteral({v}) && sameTerm(datatype({v}), {_term(value)})"
            if value in CASTABLE:
                test += f" && isLiteral(COALESCE({_term(value)}(STR({v})), <urn:x-not-castable>))"
            return test + ")"
        if parameter == SH.nodeKind:
            return NODE_KINDS[value].format(v=v)
        if parameter == SH.pattern:
            flags = self.one(shape, SH.flags)
            extra = f", {_string(str(flags))}" if flags else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {_string(str(value))}{extra}))"
        if parameter == SH["in"]:
            members = self.items(value)
            return "(" + (" || ".join(f"sameTerm({v}, {_term(m)})" for m in members) or "false") + ")"
        if parameter == SH.languageIn:
            tags = " || ".join(f"langMatches(lang({v}), {_string(str(t))})" for t in self.items(value))
            return f"(isLiteral({v}) && ({tags or 'false'}))"
        if parameter in COMPARISONS:
            return f"COALESCE({v} {COMPARISONS[parameter]} {_term(value)}, false)"
        if parameter in (SH.minLength, SH.maxLength):
            op = ">=" if parameter == SH.minLength else "<="
            return f"(!isBlank({v}) && COALESCE(STRLEN(STR({v})) {op} {int(value)}, false))"
        if parameter == SH.node:
            return self.conforms(value, v)
        if parameter == SH["or"]:
            return "(" + (" || ".join(self.conforms(s, v) for s in self.items(value)) or "false") + ")"
        if parameter == SH["and"]:
            return "(" + (" && ".join(self.conforms(s, v) for s in self.items(value)) or "true") + ")"
        if parameter == SH["not"]:
            return f"(!{self.conforms(value, v)})"
        raise UnsupportedShape(f"{parameter.n3()} on {shape.n3()}")  # pragma: no cover

    def value_conditions(self, shape):
        """(parameter, condition template) for each value-node constraint of ``shape``."""
        for parameter in sorted(VALUE_PARAMETERS, key=str):
            for value in self.g.objects(shape, parameter):
                yield parameter, value

    # --- whether a node conforms to a whole shape (for node, or, and, not, qualified) --------

    def conforms(self, shape, v: str) -> str:
        if shape in self._nesting:
            raise UnsupportedShape(f"{shape.n3()} refers to itself (recursive shapes)")
        self._nesting.append(shape)
        try:
            return self._conforms(shape, v)
        finally:
            self._nesting.pop()

    def _conforms(self, shape, v: str) -> str:
        self.check_parameters(shape)
        if self.one(shape, SH.deactivated) == Literal(True):
            return "true"
        parts = [self.condition(p, value, v, shape) for p, value in self.value_conditions(shape)
                 if self.one(shape, SH.path) is None]
        if self.one(shape, SH.path) is not None:
            parts.append(self.property_holds(shape, v))
        if self.one(shape, SH.hasValue) is not None and self.one(shape, SH.path) is None:
            parts.append(f"sameTerm({v}, {_term(self.one(shape, SH.hasValue))})")
        for prop in self.g.objects(shape, SH.property):
            self.check_parameters(prop)
            parts.append(self.property_holds(prop, v))
        return "(" + (" && ".join(parts) or "true") + ")"

    def property_holds(self, prop, x: str) -> str:
        """The expression that holds when ``x`` satisfies the property shape ``prop``."""
        if self.one(prop, SH.deactivated) == Literal(True):
            return "true"
        path, y, y2 = _term(self.path(prop)), self.var("y"), self.var("y")
        unsupported = [p for p in (SH.qualifiedValueShape, SH.lessThan, SH.lessThanOrEquals, SH.disjoint)
                       if self.one(prop, p) is not None]
        if unsupported:
            raise UnsupportedShape(f"{prop.n3()}: {unsupported[0].n3()} inside a nested shape")
        parts = []
        low, high = self.one(prop, SH.minCount), self.one(prop, SH.maxCount)
        if low is not None and int(low) > 1 or high is not None and int(high) > 1:
            raise UnsupportedShape(f"{prop.n3()}: counts above 1 inside a nested shape")
        if low is not None and int(low) == 1:
            parts.append(f"EXISTS {{ {x} {path} {y} }}")
        if high is not None and int(high) == 0:
            parts.append(f"NOT EXISTS {{ {x} {path} {y} }}")
        if high is not None and int(high) == 1:
            parts.append(f"NOT EXISTS {{ {x} {path} {y}, {y2} FILTER(!sameTerm({y}, {y2})) }}")
        if self.one(prop, SH.hasValue) is not None:
            parts.append(f"EXISTS {{ {x} {path} {_term(self.one(prop, SH.hasValue))} }}")
        conditions = [self.condition(p, value, y, prop) for p, value in self.value_conditions(prop)]
        if conditions:
            parts.append(f"NOT EXISTS {{ {x} {path} {y} FILTER(!({' && '.join(conditions)})) }}")
        return "(" + (" && ".join(parts) or "true") + ")"

    # --- the checks of a shape with targets ---------------------------------------------------

    def focus_pattern(self, shapes) -> str:
        """The graph pattern binding ``?focus`` to every target of ``shapes``."""
        classes, blocks = set(), []
        for shape in shapes:
            for cls in self.g.objects(shape, SH.targetClass):
                classes |= self.subclasses(cls)
            nodes = list(self.g.objects(shape, SH.targetNode))
            if nodes:
                blocks.append(f"VALUES ?focus {{ {' '.join(_term(n) for n in nodes)} }}")
            for p in self.g.objects(shape, SH.targetSubjectsOf):
                blocks.append(f"?focus {_term(p)} {self.var('any')}")
            for p in self.g.objects(shape, SH.targetObjectsOf):
                blocks.append(f"{self.var('any')} {_term(p)} ?focus")
            if (shape, RDF.type, RDFS.Class) in self.g:
                raise UnsupportedShape(f"{shape.n3()} is a class (implicit class target)")
        if classes:
            blocks.append(f"?focus a ?_ft VALUES ?_ft {{ {' '.join(_term(c) for c in sorted(classes))} }}")
        return " UNION ".join(f"{{ {b} }}" for b in blocks) if blocks else "FILTER(false)"

    def message(self, shape, default: str) -> str:
        messages = sorted(str(m) for m in self.g.objects(shape, SH.message))
        return "; ".join(messages) or default

    def node_checks(self, shape, focus: str):
        for parameter, value in self.value_conditions(shape):
            cond = self.condition(parameter, value, "?focus", shape)
            yield Check(shape, _component(parameter), None,
                        self.message(shape, f"Node does not satisfy {COMPONENT_NAMES[parameter]} {value.n3()}"),
                        focus, f"FILTER(!{cond}) BIND(?focus AS ?value)")
        if self.one(shape, SH.hasValue) is not None:
            value = _term(self.one(shape, SH.hasValue))
            yield Check(shape, _component(SH.hasValue), None, self.message(shape, f"Node is not {value}"),
                        focus, f"FILTER(!sameTerm(?focus, {value}))")

    def property_checks(self, prop, focus: str):
        path = self.path(prop)
        p = _term(path)

        def check(parameter, body, default, sparql=""):
            return Check(prop, _component(parameter), path, self.message(prop, default), focus, body, sparql)

        for parameter, value in self.value_conditions(prop):
            cond = self.condition(parameter, value, "?value", prop)
            yield check(parameter, f"?focus {p} ?value FILTER(!{cond})",
                        f"Value does not satisfy {COMPONENT_NAMES[parameter]} {value.n3()}")
        low, high = self.one(prop, SH.minCount), self.one(prop, SH.maxCount)
        if low is not None and int(low) == 1:
            yield check(SH.minCount, f"FILTER NOT EXISTS {{ ?focus {p} ?_v }}", f"Less than 1 values on {path.n3()}")
        elif low is not None and int(low) > 1:
            yield check(SH.minCount, "", f"Less than {int(low)} values on {path.n3()}",
                        f"SELECT ?focus WHERE {{ {focus} OPTIONAL {{ ?focus {p} ?_v }} }} "
                        f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?_v) < {int(low)})")
        if high is not None and int(high) == 0:
            yield check(SH.maxCount, f"FILTER EXISTS {{ ?focus {p} ?_v }}", f"More than 0 values on {path.n3()}")
        elif high is not None and int(high) == 1:  # the common case, without grouping
            yield check(SH.maxCount, f"FILTER EXISTS {{ ?focus {p} ?_v, ?_w FILTER(!sameTerm(?_v, ?_w)) }}",
                        f"More than 1 values on {path.n3()}")
        elif high is not None:
            yield check(SH.maxCount, "", f"More than {int(high)} values on {path.n3()}",
                        f"SELECT ?focus WHERE {{ {focus} ?focus {p} ?_v }} "
                        f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?_v) > {int(high)})")
        if self.one(prop, SH.hasValue) is not None:
            value = _term(self.one(prop, SH.hasValue))
            yield check(SH.hasValue, f"FILTER NOT EXISTS {{ ?focus {p} {value} }}", f"No value {value} on {path.n3()}")
        for parameter, op in ((SH.lessThan, "<"), (SH.lessThanOrEquals, "<=")):
            for other in self.g.objects(prop, parameter):
                yield check(parameter, f"?focus {p} ?value . ?focus {_term(other)} ?_o "
                                       f"FILTER(!COALESCE(?value {op} ?_o, false))",
                            f"Value is not {op} the value of {other.n3()}")
        for other in self.g.objects(prop, SH.disjoint):
            yield check(SH.disjoint, f"?focus {p} ?value . ?focus {_term(other)} ?value",
                        f"Value is also a value of {other.n3()}")

    def qualified_check(self, props, focus: str) -> Check:
        """The qualified counts of the property shapes ``props`` (one path, one focus set) in one pass:
        a value is counted for each shape it conforms to."""
        path = self.path(props[0])
        counts, tests, counted = [], [], []
        for k, prop in enumerate(props):
            cond = self.conforms(self.one(prop, SH.qualifiedValueShape), "?_v")
            count = f"COUNT(DISTINCT IF({cond}, ?_v, ?_none))"  # an error (unbound) is not counted
            counts.append(f"({count} AS ?n{k})")
            least, most = self.one(prop, SH.qualifiedMinCount), self.one(prop, SH.qualifiedMaxCount)
            least, most = (None if least is None else int(least)), (None if most is None else int(most))
            # HAVING cannot name the SELECT's aliases: the counts are repeated there.
            tests += [f"{count} < {least}"] if least is not None else []
            tests += [f"{count} > {most}"] if most is not None else []
            default = f"qualified count {least}..{most} not met on {path.n3()}"
            counted.append((prop, self.message(prop, default), least, most))
        sparql = (f"SELECT ?focus {' '.join(counts)} WHERE {{ {focus} OPTIONAL {{ ?focus {_term(path)} ?_v }} }} "
                  f"GROUP BY ?focus HAVING ({' || '.join(tests) or 'false'})")
        return Check(None, None, path, "", focus, "", sparql, tuple(counted))


def compile_shapes(shapes: Graph, subclasses) -> list[Check]:
    """Every check of the shapes graph. ``subclasses(C)`` gives C and its subclasses in the data."""
    compiler = _Compiler(shapes, subclasses)
    targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                for s in shapes.subjects(p, None)}
    owners: dict = {}  # property shape -> the targeted node shapes that hold it
    checks = []
    for shape in sorted(targeted, key=str):
        compiler.check_parameters(shape)
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        if shapes.value(shape, SH.path) is not None:  # a property shape with its own targets
            owners.setdefault(shape, []).append(shape)
            continue
        checks += compiler.node_checks(shape, compiler.focus_pattern([shape]))
        for prop in shapes.objects(shape, SH.property):
            owners.setdefault(prop, []).append(shape)
    qualified: dict = {}  # (focus pattern, path) -> property shapes with a qualified value shape
    for prop, holders in sorted(owners.items(), key=lambda kv: str(kv[0])):
        compiler.check_parameters(prop)
        if shapes.value(prop, SH.deactivated) == Literal(True):
            continue
        # One query for all the node shapes that share the property shape.
        focus = compiler.focus_pattern(holders)
        checks += compiler.property_checks(prop, focus)
        if shapes.value(prop, SH.qualifiedValueShape) is not None:
            qualified.setdefault((focus, compiler.path(prop)), []).append(prop)
    for (focus, _), props in qualified.items():
        checks.append(compiler.qualified_check(props, focus))
    return checks


def _subclass_finder(store: OxigraphStore, graphs: list[str] | None):
    cache: dict = {}

    def subclasses(cls) -> set:
        if cls not in cache:
            result = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c {RDFS.subClassOf.n3()}+ {_term(cls)} }}",
                                 default_graph=graphs)
            cache[cls] = {cls} | {row[0] for row in result.rows if isinstance(row[0], URIRef)}
        return cache[cls]
    return subclasses


def report_graph(violations: list[Violation]) -> Graph:
    """A SHACL validation report, shaped like pyshacl's."""
    report = Graph()
    report.bind("sh", SH)
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.add((node, SH.conforms, Literal(not violations)))
    for v in violations:
        result = BNode()
        report.add((node, SH.result, result))
        report.add((result, RDF.type, SH.ValidationResult))
        report.add((result, SH.focusNode, v.focus))
        report.add((result, SH.resultSeverity, SH.Violation))
        report.add((result, SH.sourceShape, v.shape))
        report.add((result, SH.sourceConstraintComponent, v.component))
        report.add((result, SH.resultMessage, Literal(v.message)))
        if v.path is not None:
            report.add((result, SH.resultPath, v.path))
        if v.value is not None:
            report.add((result, SH.value, v.value))
    return report


def validate_store(store: OxigraphStore, shapes: Graph | None = None,
                   graphs: list[str] | None = None) -> ValidationResult:
    """Validate the union of ``graphs`` (default: the store's asserted graphs) against the shapes.
    The ontology must be one of the graphs for ``sh:class`` to follow ``rdfs:subClassOf``."""
    shapes = shapes if shapes is not None else load_shapes()
    graphs = graphs if graphs is not None else store.asserted_graphs()
    if not graphs:
        return ValidationResult(True, report_graph([]), [])
    # Oxigraph answers over its union default graph several times faster than over a list of graphs.
    scope = None if set(graphs) == set(store.graphs()) else graphs
    queries = batches(compile_shapes(shapes, _subclass_finder(store, scope)))
    # pyoxigraph lets go of the GIL while it evaluates: the queries run on every core.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = pool.map(lambda q: q.violations(store.query(q.query, default_graph=scope)), queries)
        found = {v for violations in results for v in violations}
    violations = sorted(found, key=lambda v: (str(v.focus), str(v.path), str(v.shape),
                                              str(v.component), str(v.value)))
    return ValidationResult(not violations, report_graph(violations), violations)


def validate_graph(data: Graph, shapes: Graph | None = None,
                   ontology: Graph | None = None) -> ValidationResult:
    """Like ``validate.validate_graph``: ``data`` together with the ontology, on a scratch store."""
    ontology = ontology if ontology is not None else load_ontology()
    store = OxigraphStore()
    graphs = []
    for name, graph in (("data", data), ("ontology", ontology)):
        if len(graph):
            iri = f"urn:x-xiancheng:validate:{name}"
            store.load(graph.serialize(format="nt", encoding="utf-8"), RDF_FORMATS["ntriples"], iri)
            graphs.append(iri)
    return validate_store(store, shapes, graphs)
