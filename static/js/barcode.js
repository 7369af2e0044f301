// Reading codes from the camera or a picture: the native BarcodeDetector where the browser has
// it (Android Chrome: QR, Code 128, Data Matrix...), else the qr-scanner module, loaded only
// then, which reads QR codes alone (so a Code 128 label is typed where there is no detector).
const FULL_FRAME = 1024;
const RETRY_FRAME = 400;
const engines = new Map();

async function nativeEngine(formats) {
  if (!("BarcodeDetector" in window)) return null;
  const supported = (await BarcodeDetector.getSupportedFormats()).filter((f) => formats.includes(f));
  if (!supported.length) return null;
  const detector = new BarcodeDetector({ formats: supported });
  return async (source) => ((await detector.detect(source))[0] || {}).rawValue || null;
}

async function qrEngine() {
  const QrScanner = (await import("/vendor/qr-scanner/qr-scanner.min.js")).default;
  const engine = await QrScanner.createQrEngine();
  return async (source, width, height) => {
    // The whole frame at <= 1024 px, then a 400 px retry: the best JS result measured.
    for (const edge of [FULL_FRAME, RETRY_FRAME]) {
      const scale = Math.min(1, edge / Math.max(width, height));
      const region = { x: 0, y: 0, width, height, downScaledWidth: Math.round(width * scale),
        downScaledHeight: Math.round(height * scale) };
      try {
        return (await QrScanner.scanImage(source, { scanRegion: region, qrEngine: engine, returnDetailedScanResult: true })).data;
      } catch { /* nothing found at this size */ }
    }
    return null;
  };
}

/** decode(source, width, height) -> the first code's text or null, for these BarcodeDetector formats. */
export async function decoder(formats) {
  const key = formats.join(",");
  if (!engines.has(key)) engines.set(key, (await nativeEngine(formats)) || (await qrEngine()));
  return engines.get(key);
}

/** Watch the camera in `video` until a code is read: found(text). Returns stop(). `failed(error)`
 *  when there is no camera or it is not allowed. */
export function watch(video, formats, found, failed) {
  const camera = { stream: null, stopped: false };
  const stop = () => {
    camera.stopped = true;
    if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
    camera.stream = null;
    video.srcObject = null;
    video.hidden = true;
  };
  (async () => {
    try {
      camera.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (error) {
      video.hidden = true;
      return failed(error);
    }
    if (camera.stopped) return stop();
    video.hidden = false;
    video.srcObject = camera.stream;
    await video.play().catch(() => {});
    const decode = await decoder(formats);
    while (!camera.stopped) {
      if (video.videoWidth) {
        const code = await decode(video, video.videoWidth, video.videoHeight);
        if (code && !camera.stopped) {
          stop();
          return found(code);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return stop;
}
