// A camera photo made into the bytes a 2G uplink must carry: sized to the server's display
// size (1600 px, what reviewers look at), never a canvas over 16 Mpx, then encoded.
// bench/bench_photo_codecs.py measured the encoders in Chromium on photos with labels and
// small text, by SSIM at review size: the browsers' default resize (one bilinear step from
// 4032 px) aliases, which costs bytes and detail alike; halving first, then one last step,
// gives a clean picture that JPEG q0.72 encodes in 12 % fewer bytes than the old q0.75 at no
// less quality on any photo. WebP came out no better at equal quality once the server makes
// its JPEG display version, and Safari before iOS 17 cannot encode it at all.

export const LONG_EDGE = 1600;
export const MAX_PIXELS = 16_000_000;
export const TYPE = "image/jpeg";
export const QUALITY = 0.72;

function target(width, height, longEdge) {
  let scale = Math.min(1, longEdge / Math.max(width, height));
  scale = Math.min(scale, Math.sqrt(MAX_PIXELS / (width * height)));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

function drawn(source, width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high"; // where supported; the halving does the rest
  context.drawImage(source, 0, 0, width, height);
  return canvas;
}

/** The photo on a canvas of its sent size: halved while more than twice that (each 2:1 step
 * averages whole pixels, so nothing aliases in any browser), then drawn to size. A step never
 * makes a canvas over MAX_PIXELS (a 108 Mpx photo's first step goes straight to 16 Mpx). */
export function resize(bitmap, longEdge = LONG_EDGE) {
  const [width, height] = target(bitmap.width, bitmap.height, longEdge);
  let source = bitmap;
  while (source.width >= 2 * width && source.height >= 2 * height) {
    const step = target(source.width, source.height, Math.max(source.width, source.height) / 2);
    const half = drawn(source, ...step);
    if (source !== bitmap) source.width = 0; // free each step at once (iOS keeps canvases alive)
    source = half;
  }
  const canvas = drawn(source, width, height);
  if (source !== bitmap) source.width = 0;
  return canvas;
}

/** The canvas's pixels as the bytes to upload. */
export function toBlob(canvas, type = TYPE, quality = QUALITY) {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}
