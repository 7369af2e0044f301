// How the supervisor's photo checks will see a photo, measured on the phone at capture, so a
// dark or blurred shot is retaken on site and not after a drive back to the village.
// fieldapp/evidence/imaging.py is the reference: brightness is the mean grey of a <= 320 px version;
// sharpness the variance of a 3x3 edge filter (clipped to 0..255, 1-px border left out) on a
// grey version box-reduced by an integer factor to about 640 px.

const THUMB_PX = 320;
const SHARPNESS_PX = 640;

/** Grey as Pillow converts RGB to "L" (ITU-R 601-2 luma). */
function luma(r, g, b) {
  return (r * 299 + g * 587 + b * 114) / 1000;
}

function pixels(source, width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0, width, height);
  const { data } = context.getImageData(0, 0, width, height);
  canvas.width = 0;
  return data;
}

function brightness(source) {
  const scale = Math.min(1, THUMB_PX / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const data = pixels(source, width, height);
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += luma(data[i], data[i + 1], data[i + 2]);
  return sum / (width * height);
}

/** A grey image reduced by `factor` with box averages (Pillow's Image.reduce), rounded. */
function reducedGrey(data, width, height, factor) {
  const w = Math.ceil(width / factor);
  const h = Math.ceil(height / factor);
  const out = new Float64Array(w * h);
  const counts = new Uint32Array(w * h);
  for (let y = 0; y < height; y += 1) {
    const row = Math.floor(y / factor) * w;
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 4;
      const cell = row + Math.floor(x / factor);
      out[cell] += luma(data[i], data[i + 1], data[i + 2]);
      counts[cell] += 1;
    }
  }
  for (let i = 0; i < out.length; i += 1) out[i] = Math.round(out[i] / counts[i]);
  return { grey: out, w, h };
}

function sharpness(source) {
  const factor = Math.max(1, Math.ceil(Math.max(source.width, source.height) / SHARPNESS_PX));
  const { grey, w, h } = reducedGrey(pixels(source, source.width, source.height), source.width, source.height, factor);
  if (w < 3 || h < 3) return 0;
  let sum = 0;
  let squares = 0;
  for (let y = 1; y < h - 1; y += 1) {
    for (let x = 1; x < w - 1; x += 1) {
      const c = y * w + x;
      const around = grey[c - w - 1] + grey[c - w] + grey[c - w + 1] + grey[c - 1] + grey[c + 1]
        + grey[c + w - 1] + grey[c + w] + grey[c + w + 1];
      const edge = Math.min(255, Math.max(0, 8 * grey[c] - around));
      sum += edge;
      squares += edge * edge;
    }
  }
  const n = (w - 2) * (h - 2);
  return squares / n - (sum / n) ** 2;
}

/** {brightness, sharpness} of a canvas or image bitmap, on the server's scales. */
export function measure(source) {
  return { brightness: brightness(source), sharpness: sharpness(source) };
}

/** What the profile's photo rules will say: [] or some of "dark", "blurred". */
export function problems(quality, rules) {
  if (!quality || !rules) return [];
  const found = [];
  if (quality.brightness <= rules.dark_max_brightness) found.push("dark");
  if (quality.sharpness < rules.blur_min_sharpness) found.push("blurred");
  return found;
}
