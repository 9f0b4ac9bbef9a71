"""Search over labels in Chinese, pinyin (pypinyin and the data's xc:pinyin) and English: the
index on its own, then /search and /search.json on the session's release. Expected resources are
found in the store by their labels, not copied from the service's answers."""

from __future__ import annotations

import pytest

from xiancheng.graph.search import SearchIndex, readings

ID = "https://kg.xiancheng.example/id/"
XC = "https://kg.xiancheng.example/def/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def by_label(store, text: str, lang: str = "zh") -> str:
    found = store.query(f'SELECT ?x WHERE {{ ?x <{RDFS_LABEL}> "{text}"@{lang} }}').rows
    assert len(found) == 1, f"{text} names {len(found)} resources"
    return str(found[0][0])


def search(client, q, **params):
    response = client.get("/search.json", query_string={"q": q, **params})
    assert response.status_code == 200, response.data
    return response.get_json()["results"]


# --- the index ------------------------------------------------------------------------------------

def test_readings_come_from_pypinyin_with_other_readings_of_polyphones():
    assert readings("汾阳市")[0] == ["fen", "yang", "shi"]
    assert ["chang", "zhi", "shi"] in readings("长治市")      # 长 is also zhang
    assert readings("吕梁")[0] == ["lv", "liang"]
    assert readings("乡村e镇")[0] == ["xiang", "cun", "e", "zhen"]


def test_index_ranks_whole_label_then_start_then_part():
    index = SearchIndex()
    index.add("a", "汾阳市", "label", "zh")
    index.add("a", "汾阳", "alt")
    index.add("a", "fen yang", "pinyin")
    index.add("b", "汾阳市 — 某项目", "label", "zh")
    index.add("c", "杏花村汾酒专业镇", "label", "zh")
    index.add("d", "Lüliang City", "label", "en")
    index.add("d", "吕梁市", "label", "zh")
    assert [h.entry.iri for h in index.search("汾阳")][:2] == ["a", "b"]
    assert index.search("fenyang")[0].entry.iri == "a"
    assert index.search("fen yang")[0].entry.iri == "a"
    assert index.search("FenYang")[0].entry.iri == "a"
    assert index.search("fys")[0].entry.iri == "a"
    assert [h.entry.iri for h in index.search("汾酒")] == ["c"]
    assert index.search("fenjiu")[0].entry.iri == "c"          # inside the label, at a syllable
    assert index.search("lvliang")[0].entry.iri == "d"
    assert index.search("luliang")[0].entry.iri == "d"
    assert index.search("lüliang")[0].entry.iri == "d"         # the English label
    assert index.search("yang")[0].entry.iri in {"a", "b"} and not index.search("nyan")
    assert index.search("   ") == [] and index.search("zzzz") == []


# --- the service ----------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["汾阳", "汾阳市", "fenyang", "fen yang", "Fenyang", "FENYANG", "Fenyang City", "fys",
                               "141182"])
def test_fenyang_is_found_first(client, oxigraph, q):
    fenyang = by_label(oxigraph, "汾阳市")
    results = search(client, q)
    assert results[0]["iri"] == fenyang
    assert results[0]["type"] == XC + "CountyLevelCity"
    assert results[0]["href"] == "/id/division/141182"


def test_fenjiu_finds_the_specialty_town(client, oxigraph):
    town = by_label(oxigraph, "杏花村汾酒专业镇")
    results = search(client, "汾酒")
    assert results[0]["iri"] == town and results[0]["type"] == XC + "SpecialtyTown"
    assert results[0]["labels"]["en"] == "Xinghuacun Fenjiu Specialty Town"


def test_polyphones_are_found_by_the_datas_pinyin(client, oxigraph):
    changzhi = by_label(oxigraph, "长治市")
    assert search(client, "changzhi")[0]["iri"] == changzhi


def test_every_division_is_found_by_its_name_and_its_pinyin(client, oxigraph):
    divisions = oxigraph.query(f"""SELECT ?d ?zh ?py WHERE {{ ?d a <{XC}AdministrativeDivision> ;
        <{RDFS_LABEL}> ?zh ; <{XC}pinyin> ?py FILTER(lang(?zh) = "zh") }}""").rows
    assert len(divisions) >= 129
    for d, zh, py in divisions:
        assert str(d) in [r["iri"] for r in search(client, str(zh), limit=5)], zh
        assert str(d) in [r["iri"] for r in search(client, str(py), limit=20)], py


def test_results_are_typed_and_filtered_by_type(client, oxigraph):
    results = search(client, "县", limit=100)
    assert all(r["type"] and r["type_label"] for r in results)
    county = XC + "County"
    only = search(client, "县", type=county, limit=100)
    assert all(r["type"] == county for r in only)
    expected = {str(row[0]) for row in oxigraph.query(f"""SELECT ?c WHERE {{ ?c a <{county}> ;
        <{RDFS_LABEL}> ?l FILTER(lang(?l) = "zh" && CONTAINS(?l, "县")) }}""").rows}
    assert expected and {r["iri"] for r in only} == expected


def test_labels_follow_the_language(client, oxigraph):
    en = search(client, "汾阳市", lang="en")[0]
    assert en["label"] == "Fenyang City" and en["type_label"] == "county-level city"
    assert search(client, "汾阳市", lang="zh")[0]["label"] == "汾阳市"


def test_search_page_and_its_json_twin(client, oxigraph):
    response = client.get("/search", query_string={"q": "fenyang"})
    assert response.status_code == 200
    assert '</search.json?q=fenyang>; rel="alternate"; type="application/json"' in response.headers["Link"]
    page = response.get_data(as_text=True)
    assert 'href="/id/division/141182"' in page and "汾阳市" in page
    assert 'name="q" value="fenyang"' in page
    empty = client.get("/search", query_string={"q": "zzqqxx"}).get_data(as_text=True)
    assert "没有找到结果" in empty
    assert client.get("/search").status_code == 200


@pytest.mark.parametrize("params,needle", [({}, "send the words"), ({"q": "x" * 201}, "at most 200"),
                                           ({"q": "a", "limit": "0"}, "limit"), ({"q": "a", "limit": "x"}, "limit")])
def test_bad_searches_get_400(client, params, needle):
    response = client.get("/search.json", query_string=params)
    assert response.status_code == 400
    assert needle in response.get_json()["error"]["detail"]


def test_every_page_has_the_search_box(client):
    for path in ["/", "/queries", "/browse/", "/id/division/141182.html", "/def/xiancheng.html", "/dumps/"]:
        page = client.get(path).get_data(as_text=True)
        assert 'action="/search"' in page and "data-typeahead" in page, path
    assert client.get("/static/typeahead.js").status_code == 200


def test_answers_are_kept_and_revalidated(client):
    first = client.get("/search.json?q=fenyang")
    etag = first.headers["ETag"]
    assert client.get("/search.json?q=fenyang", headers={"If-None-Match": etag}).status_code == 304
    again = client.get("/search.json?q=fenyang")
    assert again.data == first.data and again.headers["ETag"] == etag
    other = client.get("/search.json?q=fenyang&lang=en")
    assert other.headers["ETag"] != etag and other.get_json()["results"][0]["label"] == "Fenyang City"
