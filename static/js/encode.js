// A camera photo made into the bytes a 2G uplink must carry: sized to the server's display
// size (1600 px, what reviewers look at), never a canvas over 16 Mpx, then encoded.
// bench/bench_photo_codecs.py measured the encoders in Chromium on photos with labels and
// small text, by SSIM at review size. The browsers' default resize (one cheap bilinear step
// from 4032 px) aliases, which costs bytes and detail alike; asked for "high" smoothing, the
// same step gives a clean picture. The server shows a display-size WebP as it came (no JPEG
// of it, fieldapp/evidence/imaging.py), and WebP q0.78 is the smallest that keeps every
// photo's SSIM, whole and on its smallest text, within the bench's tolerance of the old JPEG
// q0.75: 29 % fewer bytes (q0.77 loses the label photo). A browser whose canvas cannot encode
// WebP (Safari before iOS 17 gives a PNG when asked) sends JPEG q0.72, 12 % under the old
// q0.75, no photo losing quality. A browser without imageSmoothingQuality resizes as before.

export const LONG_EDGE = 1600;
export const MAX_PIXELS = 16_000_000;
// What the phone sends, best first: the first type the canvas really produces wins.
export const ENCODINGS = [
  { type: "image/webp", quality: 0.78 },
  { type: "image/jpeg", quality: 0.72 },
];
const refused = new Set(); // types this browser's canvas turned into something else: not asked again

/** The photo on a canvas of the size it is sent at. */
export function resize(bitmap, longEdge = LONG_EDGE) {
  let scale = Math.min(1, longEdge / Math.max(bitmap.width, bitmap.height));
  scale = Math.min(scale, Math.sqrt(MAX_PIXELS / (bitmap.width * bitmap.height)));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** The canvas's pixels as the bytes to upload: a Blob whose type says what they are. The
 * canvas answers a type it cannot encode with a PNG (the spec's fallback), so the type of the
 * blob is checked, never assumed. */
export async function toBlob(canvas, encodings = ENCODINGS) {
  for (const { type, quality } of encodings) {
    if (refused.has(type)) continue;
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, type, quality));
    if (blob && blob.type === type) return blob;
    if (blob) refused.add(type); // null is a canvas out of memory, not a type it lacks
  }
  throw new Error(`this browser cannot encode ${encodings.map((e) => e.type).join(" or ")}`);
}
