"""Place names in any script (fieldapp/translit.py and static/js/translit.js, issue 15)."""

import pytest

from fieldapp import translit

NAMES = ["Акколь", "Ақкөл", "Akkol", "Akköl", "Жетісу", "Zhetysu", "Шымкент", "Қызылорда",
         "Kyzylorda", "Хромтау", "Khromtau", "Усть-Каменогорск", "Өскемен", "Щучинск", "Ұлытау",
         "Үржар", "Тараз", "Маңғыстау", "Ёлка", "Юбилейное", "Яблоневка", "Чапаево", "Һ"]


@pytest.mark.parametrize("typed, name", [
    ("akkol", "Акколь"), ("akkol", "Ақкөл"), ("AKKÖL", "Ақкөл"), ("zhetysu", "Жетісу"),
    ("kyzylorda", "Қызылорда"), ("qyzylorda", "Кызылорда"), ("khromtau", "Хромтау"),
    ("oskemen", "Өскемен"), ("shymkent", "Шымкент"), ("ust-kamen", "Усть-Каменогорск"),
])
def test_latin_typing_finds_cyrillic_names(typed, name):
    assert translit.search_key(typed) in translit.search_key(name)


def test_latin_follows_the_kazakh_alphabet_and_keeps_capitals():
    assert translit.latin("Ақкөл ауданы") == "Aqköl audany"
    assert translit.latin("Щучинск") == "Şşuçinsk"
    assert translit.latin("Шымкент") == "Şymkent"


def test_the_phone_folds_exactly_as_the_server(page, live_server):
    page.goto(f"{live_server.url}/login")
    got = page.evaluate("""async (names) => {
      const t = await import("/static/js/translit.js");
      return names.map((n) => [t.latin(n), t.searchKey(n)]);
    }""", NAMES)
    assert got == [[translit.latin(n), translit.search_key(n)] for n in NAMES]
