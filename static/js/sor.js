// A small reader of Telcordia SR-4731 version 2 OTDR files (.sor), so the phone can show a
// trace's wavelength, length, loss and events at the site, offline. It reads the Map,
// GenParams, FxdParams and KeyEvents blocks (the data points are the server's: it draws them).
// The server parses every file again (fieldapp/otdr.py); this reading only guides the
// technician, and returns the same keys as the server's parse (minus `points`) so a parity
// test can compare the two on every file the test writer makes.
//
// A file comes from a USB stick or a chat: every declared count and size is checked against
// the bytes really there and capped, and nothing but a SorError (with a `reason`) is thrown.

const LIGHT_M_PER_S = 299_792_458;
// Reflectance -2147483.647 dB (and the i32 minimum a few OTDRs write) means "not measured".
const NOT_MEASURED = -2147483647;
const MAGIC = "Map\0";

/** Caps on what a file may declare: the server's (fieldapp/otdr.py), so a file one side refuses
 *  the other refuses too (a real trace holds a dozen blocks and tens of events). */
export const LIMITS = { fileBytes: 8 * 1024 * 1024, blocks: 64, events: 1000, points: 1_000_000, pulses: 16,
  text: 1024 };

/** Why a file cannot be read: `reason` is one of not_sor, v1, truncated, too_large, absurd,
 *  no_fxdparams, no_points, unreadable; the message names it for a log. */
export class SorError extends Error {
  constructor(reason, detail = "") {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = "SorError";
    this.reason = reason;
  }
}

// A bounded little-endian reader over one block: reading past its end is a truncated file.
class Cursor {
  constructor(view, start, end) {
    this.view = view;
    this.pos = start;
    this.end = end;
  }

  take(n) {
    if (this.pos + n > this.end) throw new SorError("truncated", `at byte ${this.pos}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u16() { return this.view.getUint16(this.take(2), true); }
  i16() { return this.view.getInt16(this.take(2), true); }
  u32() { return this.view.getUint32(this.take(4), true); }
  i32() { return this.view.getInt32(this.take(4), true); }

  fixed(n) {
    const at = this.take(n);
    return latin1(new Uint8Array(this.view.buffer, this.view.byteOffset + at, n)).trim();
  }

  text() {
    // Zero-terminated; a string longer than the cap is no string a trace holds.
    const bytes = new Uint8Array(this.view.buffer, this.view.byteOffset + this.pos, Math.max(0, this.end - this.pos));
    const stop = bytes.indexOf(0);
    if (stop < 0) throw new SorError("truncated", `string at byte ${this.pos}`);
    if (stop > LIMITS.text) throw new SorError("absurd", `string of ${stop} bytes`);
    this.pos += stop + 1;
    return latin1(bytes.subarray(0, stop)).trim();
  }
}

function latin1(bytes) {
  // Names and codes are ASCII; anything else is shown byte for byte, never a decoding error.
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function readMap(view) {
  if (view.byteLength < 4) throw new SorError("not_sor", "too short");
  const head = latin1(new Uint8Array(view.buffer, view.byteOffset, 4));
  if (head !== MAGIC) {
    // Version 1 files start with the Map block's version number (1.xx), not its name.
    const version = view.byteLength >= 2 ? view.getUint16(0, true) : 0;
    throw version >= 100 && version < 200 ? new SorError("v1") : new SorError("not_sor");
  }
  const c = new Cursor(view, 0, view.byteLength);
  c.text();
  const version = c.u16();
  if (version < 200 || version >= 300) throw new SorError("v1", `version ${version / 100}`);
  const size = c.u32();
  const count = c.u16();
  if (count < 1 || count > LIMITS.blocks) throw new SorError("absurd", `${count} blocks`);
  const blocks = {};
  let offset = size;
  for (let i = 1; i < count; i += 1) {
    const name = c.text();
    c.u16();
    const bytes = c.u32();
    if (!(name in blocks)) blocks[name] = { offset, bytes };
    offset += bytes;
  }
  if (offset > view.byteLength) throw new SorError("truncated", `blocks end at ${offset}, file has ${view.byteLength}`);
  return blocks;
}

function open(view, blocks, name) {
  // A cursor on a block's body, after its own copy of the name.
  const block = blocks[name];
  if (!block) return null;
  const c = new Cursor(view, block.offset, block.offset + block.bytes);
  if (c.text() !== name) throw new SorError("not_sor", `${name} block not where the map says`);
  return c;
}

function readGenParams(c) {
  // Language code and cable ID run together here (v2 puts the 2-letter code before the ID).
  if (!c) return {};
  c.text();
  c.text();
  c.u16(); // fiber type
  return { nominal_nm: c.u16() };
}

function readFxdParams(c) {
  if (!c) throw new SorError("no_fxdparams");
  const f = { date: c.u32() };
  c.fixed(2); // distance units
  f.wavelength = c.u16() / 10;
  c.i32(); // acquisition offset
  c.i32(); // acquisition offset distance
  const pulses = c.u16();
  if (pulses < 1 || pulses > LIMITS.pulses) throw new SorError("absurd", `${pulses} pulse widths`);
  const widths = Array.from({ length: pulses }, () => c.u16());
  for (let i = 0; i < pulses; i += 1) c.u32(); // sample spacing
  for (let i = 0; i < pulses; i += 1) c.u32(); // data points
  f.pulse = widths[0];
  f.ior = c.u32() / 100000;
  if (!(f.ior >= 1 && f.ior < 2)) throw new SorError("absurd", `index of refraction ${f.ior}`);
  f.backscatter = round(c.u16() * -0.1, 1); // dB, for the pair's mismatch warning
  f.averages = c.u32();
  f.averaging = c.u16() / 10; // 0.1 s
  f.range = c.u32() * 0.02; // 2e-5 km
  return f;
}

const EVENT_BYTES = 43; // fixed part of an event plus the shortest comment (its zero)

function readKeyEvents(c, ior) {
  if (!c) return null;
  const count = c.u16();
  if (count > LIMITS.events || count * EVENT_BYTES > c.end - c.pos) throw new SorError("absurd", `${count} events`);
  const events = [];
  for (let i = 0; i < count; i += 1) {
    const number = c.u16();
    const time = c.u32();
    c.i16(); // slope
    const loss = c.i16();
    const reflectance = c.i32();
    const code = c.fixed(8);
    for (let k = 0; k < 5; k += 1) c.u32(); // marker positions
    c.text(); // comment
    events.push({ index: number, distance_m: round(metres(time, ior), 2), splice_loss_db: loss / 1000,
      reflectance_db: reflectance <= NOT_MEASURED ? null : reflectance / 1000, type: eventType(code) });
  }
  return { events, total_loss_db: c.i32() / 1000 };
}

function checkDataPts(c) {
  // The points are not read here (the server draws them), but a trace without them, or with
  // counts no block could hold, is a file the server refuses too.
  if (!c) throw new SorError("no_points");
  const count = c.u32();
  const traces = c.u16();
  const again = c.u32();
  const scale = c.u16();
  if (count > LIMITS.points || count * 2 > c.end - c.pos) throw new SorError("absurd", `${count} data points`);
  if (traces !== 1 || again !== count || scale === 0) throw new SorError("absurd", `${traces} traces, ${again} points`);
}

function eventType(code) {
  // "nx9999LS": n 0 non-reflective, 1 reflective, 2 saturated; x E (or D) the fiber's end.
  if (code[1] === "E" || code[1] === "D") return "end";
  return code[0] === "1" || code[0] === "2" ? "reflective" : "non-reflective";
}

function length(events) {
  // Where the fiber ends: its end event, else the last event.
  const end = events.find((e) => e.type === "end");
  return end ? end.distance_m : events.length ? events[events.length - 1].distance_m : null;
}

const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;

function metres(time, ior) {
  // Time of travel in 100 ps units, one way, at the fiber's group index.
  return (time * 1e-10 * LIGHT_M_PER_S) / ior;
}

// CRC-16/CCITT-FALSE (poly 0x1021, start 0xFFFF), the checksum SR-4731 stores in Cksum.
const CRC_TABLE = Uint16Array.from({ length: 256 }, (_, n) => {
  let crc = n << 8;
  for (let k = 0; k < 8; k += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});

function crc16(bytes) {
  // Indexed, over a typed table: every byte of the file passes here.
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i += 1) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc;
}

function checksumOk(view, blocks) {
  // Over every byte before the stored value; a file without a Cksum block has none to match.
  const c = open(view, blocks, "Cksum");
  if (!c) return false;
  const at = c.pos;
  const stored = c.u16();
  return crc16(new Uint8Array(view.buffer, view.byteOffset, at)) === stored;
}

/** The trace's settings and events from the bytes of a .sor file (an ArrayBuffer); throws
 *  only a SorError. */
export function readSor(buffer) {
  try {
    return read(buffer);
  } catch (error) {
    if (error instanceof SorError) throw error;
    throw new SorError("unreadable", String(error && error.message)); // a case no check foresaw
  }
}

function read(buffer) {
  if (!(buffer instanceof ArrayBuffer)) throw new SorError("not_sor", "no bytes");
  if (buffer.byteLength > LIMITS.fileBytes) throw new SorError("too_large", `${buffer.byteLength} bytes`);
  const view = new DataView(buffer);
  const blocks = readMap(view);
  const gen = readGenParams(open(view, blocks, "GenParams"));
  const fxd = readFxdParams(open(view, blocks, "FxdParams"));
  const keys = readKeyEvents(open(view, blocks, "KeyEvents"), fxd.ior);
  checkDataPts(open(view, blocks, "DataPts"));
  const events = keys ? keys.events : [];
  return {
    wavelength_nm: Math.round(fxd.wavelength) || gen.nominal_nm || null,
    pulse_width_ns: fxd.pulse,
    range_m: round(fxd.range, 2),
    ior: fxd.ior,
    backscatter_db: fxd.backscatter,
    averages: fxd.averages || null,
    averaging_s: round(fxd.averaging, 1) || null,
    acquired_at: fxd.date ? new Date(fxd.date * 1000).toISOString() : null,
    length_m: length(events),
    total_loss_db: keys ? keys.total_loss_db : null,
    events,
    checksum_ok: checksumOk(view, blocks),
  };
}
