"""The language of a page (zh or en) and the words of the interface in both.

The language is chosen by ``?lang=`` (remembered in a cookie, so the visible switch sticks), then the
cookie, then ``Accept-Language``, else Chinese. Only the interface's own words are here; everything
said about the data comes from the graph.
"""

from __future__ import annotations

from flask import g, request

from .errors import ApiError

LANGUAGES = ("zh", "en")
COOKIE = "lang"

WORDS = {
    "type": ("类型", "Type"),
    "properties": ("属性", "Properties"),
    "property": ("属性", "Property"),
    "value": ("值", "Value"),
    "source": ("来源", "Source"),
    "sources": ("来源与引文", "Sources and quotations"),
    "incoming": ("指向此处的链接", "Links to this resource"),
    "linked_by": ("以「{p}」指向此处", "linked here by “{p}”"),
    "inferred": ("推理所得", "inferred"),
    "inferred_facts": ("推理所得的事实", "Inferred facts"),
    "inferred_note": ("由推理机根据本体公理推出(命名图 {g}),不单独引用来源。",
                      "Derived by the reasoner from the ontology's axioms (graph {g}); not cited separately."),
    "ontology_fact": ("本体", "ontology"),
    "graph_fact": ("数据文件", "data file"),
    "from_graph": ("见于命名图", "stated in graph"),
    "drawing_on": ("依据", "drawing on"),
    "quote": ("原文", "Quotation"),
    "note": ("说明", "Note"),
    "source_page": ("来源网页", "source page"),
    "no_page": ("来源未给出网址", "no URL recorded for this source"),
    "map": ("位置", "Location"),
    "map_caption": ("圆点为各行政区中心点,红点为本区划", "Dots are the centroids of the divisions; red is this one"),
    "concerning": ("与本区划相关", "Concerning this division"),
    "towns": ("专业镇与乡村e镇", "Specialty towns and rural e-towns"),
    "programmes": ("项目与认定", "Programmes and designations"),
    "figures": ("数字", "Figures"),
    "observations": ("观测值", "Observations"),
    "area": ("地区", "Area"),
    "period": ("时期", "Period"),
    "unit": ("单位", "Unit"),
    "as_stated": ("原文数值", "as stated"),
    "chart": ("图表", "Chart"),
    "more": ("另有 {n} 项", "and {n} more"),
    "browse": ("浏览", "Browse"),
    "browse_all": ("按类别浏览", "Browse by class"),
    "instances": ("实例", "instances"),
    "page_n": ("第 {n} 页,共 {m} 页", "page {n} of {m}"),
    "previous": ("上一页", "previous"),
    "next": ("下一页", "next"),
    "within": ("位于", "within"),
    "search": ("搜索", "Search"),
    "search_placeholder": ("搜索:汾阳、fenyang、Fenyang …", "Search: 汾阳, fenyang, Fenyang …"),
    "results": ("{n} 个结果", "{n} results"),
    "no_results": ("没有找到结果。", "Nothing found."),
    "not_found": ("未找到", "Not found"),
    "not_found_detail": ("本数据集中没有 {iri}。", "There is nothing about {iri} in this dataset."),
    "try_search": ("试试搜索:", "Try a search:"),
    "alternates": ("其他格式", "Other formats"),
    "dumps": ("数据下载", "Downloads"),
    "dataset": ("数据集", "Dataset"),
    "ontology": ("本体", "Ontology"),
    "classes": ("类", "Classes"),
    "object_properties": ("对象属性", "Object properties"),
    "datatype_properties": ("数据属性", "Datatype properties"),
    "other_properties": ("其他属性", "Other properties"),
    "shapes": ("SHACL 约束", "SHACL shapes"),
    "vocabularies": ("词表", "Vocabularies"),
    "domain": ("定义域", "Domain"),
    "range": ("值域", "Range"),
    "superclass": ("父类", "Superclass"),
    "subclasses": ("子类", "Subclasses"),
    "definition": ("定义", "Definition"),
    "target": ("目标", "Target"),
    "path": ("路径", "Path"),
    "constraints": ("约束", "Constraints"),
    "used": ("使用次数", "uses"),
    "release": ("版本", "Release"),
    "file": ("文件", "File"),
    "format": ("格式", "Format"),
    "size": ("大小", "Size"),
    "triples": ("三元组", "triples"),
    "graph": ("命名图", "Graph"),
    "licence": ("许可", "Licence"),
    "released": ("发布日期", "Released"),
    "endpoint": ("SPARQL 端点", "SPARQL endpoint"),
    "examples": ("示例资源", "Example resources"),
    "in_class": ("类", "Class"),
    "count": ("数量", "Count"),
    "summary_in": ("{type},位于{place}", "{type} in {place}"),
    "identifier": ("代码", "code"),
    "named_graph": ("命名图,含 {n} 个三元组", "a named graph of {n} triples"),
    "graph_contents": ("查询该图的内容", "query its contents"),
}


def choose_language() -> str:
    """The page's language; also stored on ``g.lang``."""
    asked = request.args.get("lang")
    if asked is not None:
        if asked not in LANGUAGES:
            raise ApiError(400, "Invalid parameter", f"lang must be zh or en, not {asked!r}")
        lang = asked
    elif request.cookies.get(COOKIE) in LANGUAGES:
        lang = request.cookies[COOKIE]
    else:
        lang = request.accept_languages.best_match(LANGUAGES) or "zh"
    g.lang = lang
    return lang


def remember_language(response):
    """Keep an explicit ``?lang=`` choice in a cookie."""
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def t(key: str, **values) -> str:
    lang = getattr(g, "lang", "zh")
    text = WORDS[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text
