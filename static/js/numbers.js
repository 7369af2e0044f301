// One reading of a typed number on every field of the phone, whatever the keyboard writes:
// "48,5" (Russian and Kazakh settings), "48.5" and " 48,5 " are 48.5; "" is null (nothing
// typed); anything else is NaN, so the field says it is not a number. A <input type=number>
// in a Russian-language Chromium dropped the comma ("48,5" became 485): number fields are
// text fields with inputmode="decimal" read through this.
const DECIMAL = /^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/;

export function parseDecimal(text) {
  const s = String(text ?? "").trim().replace(/\s+/g, "");
  if (s === "") return null;
  return DECIMAL.test(s) ? Number(s.replace(",", ".")) : NaN;
}
