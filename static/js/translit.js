// Place names in Latin and a search key that finds them in any script: "akkol" finds
// "Акколь" and "Ақкөл". The table is Kazakh's official Latin alphabet (2021) with the Russian
// letters Kazakh lacks; the same table as fieldapp/translit.py (tests keep them equal).
const LATIN = {
  а: "a", ә: "ä", б: "b", в: "v", г: "g", ғ: "ğ", д: "d", е: "e", ё: "io", ж: "j", з: "z",
  и: "i", й: "i", к: "k", қ: "q", л: "l", м: "m", н: "n", ң: "ñ", о: "o", ө: "ö", п: "p",
  р: "r", с: "s", т: "t", у: "u", ұ: "ū", ү: "ü", ф: "f", х: "h", һ: "h", ц: "ts", ч: "ç",
  ш: "ş", щ: "şş", ъ: "", ы: "y", і: "ı", ь: "", э: "e", ю: "iu", я: "ia",
};
// What people type for the same sound, folded to one spelling: diacritics dropped, q as k,
// zh/kh/sh/ch as j/h/ş/ç, y as i; anything but letters and digits goes.
const FOLD = [[/zh/g, "j"], [/kh/g, "h"], [/sh/g, "ş"], [/ch/g, "ç"], [/ç/g, "c"], [/[äá]/g, "a"], [/[öó]/g, "o"], [/[üūú]/g, "u"],
  [/ı/g, "i"], [/ğ/g, "g"], [/q/g, "k"], [/ñ/g, "n"], [/ş/g, "s"], [/y/g, "i"], [/[^a-z0-9]/g, ""]];

/** A Cyrillic (kk or ru) text in Latin letters, case kept for the first letter of each word. */
export function latin(text) {
  return [...String(text || "")].map((ch) => {
    const lower = ch.toLowerCase();
    if (!(lower in LATIN)) return ch;
    const out = LATIN[lower];
    return ch !== lower && out ? out[0].toUpperCase() + out.slice(1) : out;
  }).join("");
}

/** The search key of a text in any script: equal keys for "Akkol", "Акколь" and "Ақкөл". */
export function searchKey(text) {
  let key = latin(String(text || "").toLowerCase()).normalize("NFC");
  for (const [pattern, to] of FOLD) key = key.replace(pattern, to);
  return key;
}
