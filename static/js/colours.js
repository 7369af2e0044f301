// Fiber and tube colours as data: TIA-598 by default; makers differ, so a scheme is a list.
// 13-24 repeat the first twelve with a black stripe (black gets a yellow one).

export const SCHEMES = {
  "tia-598": {
    fibersPerTube: 12,
    colours: [
      ["blue", "#0057b8"], ["orange", "#ff7f00"], ["green", "#00a651"], ["brown", "#8b4513"],
      ["slate", "#708090"], ["white", "#ffffff"], ["red", "#e00000"], ["black", "#000000"],
      ["yellow", "#ffd700"], ["violet", "#8a2be2"], ["rose", "#ff66cc"], ["aqua", "#00ffff"],
    ],
  },
};

export function colour(number, scheme = SCHEMES["tia-598"]) {
  // {name, hex, stripe} for fiber or tube `number` (1-based), or null when out of range.
  const count = scheme.colours.length;
  if (!Number.isInteger(number) || number < 1 || number > count * 2) return null;
  const [name, hex] = scheme.colours[(number - 1) % count];
  const stripe = number > count ? (name === "black" ? "yellow" : "black") : null;
  return { name, hex, stripe };
}
