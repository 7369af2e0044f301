// Just enough EXIF for evidence: capture time, GPS and orientation, read from the camera's
// JPEG before the canvas re-encode drops them.

const TAGS = { orientation: 0x0112, exifIfd: 0x8769, gpsIfd: 0x8825, taken: 0x9003 };

export function read(buffer) {
  const view = new DataView(buffer);
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return {};
  let offset = 2;
  while (offset + 4 <= view.byteLength) {
    const marker = view.getUint16(offset);
    const length = view.getUint16(offset + 2);
    if (marker === 0xffe1 && view.getUint32(offset + 4) === 0x45786966) return parse(view, offset + 10);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) break;
    offset += 2 + length;
  }
  return {};
}

function parse(view, tiff) {
  const little = view.getUint16(tiff) === 0x4949;
  const u16 = (o) => view.getUint16(o, little);
  const u32 = (o) => view.getUint32(o, little);
  const entries = (ifd) => {
    const result = {};
    const count = u16(tiff + ifd);
    for (let i = 0; i < count; i += 1) {
      const at = tiff + ifd + 2 + i * 12;
      result[u16(at)] = { type: u16(at + 2), count: u32(at + 4), at: at + 8 };
    }
    return result;
  };
  const ascii = (e) => {
    const start = e.count > 4 ? tiff + u32(e.at) : e.at;
    let text = "";
    for (let i = 0; i < e.count - 1; i += 1) text += String.fromCharCode(view.getUint8(start + i));
    return text;
  };
  const rationals = (e) => {
    const start = tiff + u32(e.at);
    return Array.from({ length: e.count }, (_, i) => u32(start + i * 8) / (u32(start + i * 8 + 4) || 1));
  };
  const out = {};
  const main = entries(u32(tiff + 4));
  if (main[TAGS.orientation]) out.orientation = u16(main[TAGS.orientation].at);
  if (main[TAGS.exifIfd]) {
    const exif = entries(u32(main[TAGS.exifIfd].at));
    if (exif[TAGS.taken]) out.takenAt = toIso(ascii(exif[TAGS.taken]));
  }
  if (main[TAGS.gpsIfd]) Object.assign(out, gps(entries(u32(main[TAGS.gpsIfd].at)), ascii, rationals));
  return out;
}

function gps(tags, ascii, rationals) {
  // Tags 1-4: latitude ref, latitude (d, m, s), longitude ref, longitude.
  if (!tags[2] || !tags[4]) return {};
  const degrees = ([d, m, s]) => d + m / 60 + s / 3600;
  const lat = degrees(rationals(tags[2])) * (tags[1] && ascii(tags[1]) === "S" ? -1 : 1);
  const lon = degrees(rationals(tags[4])) * (tags[3] && ascii(tags[3]) === "W" ? -1 : 1);
  return Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : {};
}

function toIso(text) {
  // EXIF time "2026:11:24 09:15:02" has no zone; the phone's own zone is the best guess.
  const m = text.match(/^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)/);
  if (!m) return null;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
