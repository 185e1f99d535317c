"""The gazetteer finds the place an appeal names, from full names, short names and names without suffix."""

from __future__ import annotations

from rexian.routing.gazetteer import Gazetteer, Place, spoken_forms

# 青山区 (1) → 湖滨街道 (2) → 翠湖社区 (3); 北塘县 (4) → 翠湖社区 (5, a namesake); 湖滨 also names a county road.
PLACES = [
    Place(1, "云泽市青山区人民政府", "district", (), ("青山区", "青山")),
    Place(2, "青山区湖滨街道办事处", "street", (1,), ("湖滨街道", "湖滨")),
    Place(3, "湖滨街道翠湖社区居民委员会", "community", (1, 2), ("翠湖社区",)),
    Place(4, "北塘县人民政府", "district", (), ("北塘县",)),
    Place(5, "城关镇翠湖社区居民委员会", "community", (4, 6), ("翠湖社区",)),
    Place(6, "北塘县城关镇人民政府", "street", (4,), ("城关镇",)),
    Place(7, "云泽市人力资源和社会保障局", "department", (), ("人社局",)),
]


def test_spoken_forms_drop_suffixes_but_keep_two_characters() -> None:
    assert spoken_forms("湖滨街道") == {"湖滨街道", "湖滨"}
    assert spoken_forms("东区") == {"东区"}  # "东" alone would match anywhere
    assert "城关" in spoken_forms("城关镇")


def test_the_most_specific_place_with_its_district_and_street() -> None:
    found = Gazetteer(PLACES).locate("青山区湖滨街道翠湖社区5栋", "楼下烧烤店油烟扰民")
    assert (found.district_id, found.street_id, found.community_id) == (1, 2, 3)
    assert [m.matched for m in found.evidence] == ["青山区", "湖滨街道", "翠湖社区"]


def test_a_short_name_in_the_text_is_enough() -> None:
    found = Gazetteer(PLACES).locate("", "湖滨那边的工地晚上一直施工")
    assert (found.district_id, found.street_id) == (1, 2)


def test_a_namesake_is_settled_by_the_other_places_named() -> None:
    gazetteer = Gazetteer(PLACES)
    assert gazetteer.locate("北塘县翠湖社区").community_id == 5
    assert gazetteer.locate("湖滨街道翠湖社区").community_id == 3


def test_no_place_and_no_departments() -> None:
    gazetteer = Gazetteer(PLACES)
    assert gazetteer.locate("", "咨询社保卡补办流程") is None
    assert gazetteer.locate("人社局") is None  # a department is not a place
    assert len(gazetteer) == 6
