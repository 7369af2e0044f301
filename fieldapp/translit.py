"""Place names in Latin and a search key that finds them in any script.

"akkol" finds "Акколь" (Russian) and "Ақкөл" (Kazakh): both names and what is typed are
folded to one key. The Latin form is Kazakh's official Latin alphabet (2021), with the Russian
letters Kazakh lacks; the same table as static/js/translit.js (tests/test_translit.py keeps the
two equal), so the phone and the admin lists find the same places.
"""

import re
import unicodedata

LATIN = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io",
    "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū",
    "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ç", "ш": "ş", "щ": "şş", "ъ": "",
    "ы": "y", "і": "ı", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}
# What people type for the same sound, folded to one spelling (the order matters).
FOLD = [
    ("zh", "j"), ("kh", "h"), ("sh", "ş"), ("ch", "ç"), ("ç", "c"), ("[äá]", "a"), ("[öó]", "o"),
    ("[üūú]", "u"), ("ı", "i"), ("ğ", "g"), ("q", "k"), ("ñ", "n"), ("ş", "s"), ("y", "i"),
    ("[^a-z0-9]", ""),
]
FOLD_RE = [(re.compile(pattern), to) for pattern, to in FOLD]


def latin(text):
    """A Cyrillic (kk or ru) text in Latin letters; a capital stays a capital."""
    out = []
    for ch in text or "":
        lower = ch.lower()
        if lower not in LATIN:
            out.append(ch)
            continue
        found = LATIN[lower]
        out.append(found[:1].upper() + found[1:] if ch != lower and found else found)
    return "".join(out)


def search_key(text):
    """The key of a text in any script: equal for "Akkol", "Акколь" and "Ақкөл"."""
    key = unicodedata.normalize("NFC", latin((text or "").lower()))
    for pattern, to in FOLD_RE:
        key = pattern.sub(to, key)
    return key
