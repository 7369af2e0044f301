// Serial numbers and MAC addresses, checked as the server checks them (fieldapp/evidence/
// serials.py: the same rules, the same problem codes, whose sentences are the server's msgids).
// Lower case and spaces are normalised, not refused; anything that would need a guess is refused.
const SEPARATORS = /[\s\-_.:]/g;
const MAC = /^[0-9A-F]{2}([:-]?)[0-9A-F]{2}(\1[0-9A-F]{2}){4}$/;

/** { value } normalised, or { problem } with the code of what is wrong. */
export function ontSerial(text) {
  const value = text.replace(SEPARATORS, "").toUpperCase();
  if (value.length !== 12) return { problem: "ont_serial_length" };
  if (!/^[A-Z]{4}$/.test(value.slice(0, 4))) return { problem: "ont_serial_vendor" };
  if (!/^[0-9A-F]+$/.test(value.slice(4))) return { problem: "ont_serial_hex" };
  return { value };
}

/** A router's or media converter's serial: only spaces go and the case rises. */
export function otherSerial(text) {
  const value = text.replace(/\s+/g, "").toUpperCase();
  return value ? { value } : { problem: "err_required" };
}

export const serial = (deviceType, text) => (deviceType === "ont" ? ontSerial(text) : otherSerial(text));

/** { value } as six ':'-separated pairs, or { problem: "mac_format" }. */
export function mac(text) {
  const value = text.trim().toUpperCase();
  if (!MAC.test(value)) return { problem: "mac_format" };
  return { value: value.replace(/[:-]/g, "").match(/../g).join(":") };
}

/** The MAC a label's code names after "MAC" ("SN:…;MAC:001A2B3C4D5E"), normalised, or null. */
export function macFromScan(code) {
  const found = code.match(/MAC[\s:=#]*((?:[0-9A-F]{2}[:-]?){5}[0-9A-F]{2})\b/i);
  return found ? mac(found[1]).value || null : null;
}

/** A scanned code as a serial: labels print it bare, after "SN:" / "S/N", or inside a longer
 *  code ("SN:HWTC1A2B3C4D;MAC:…"), where only a whole word counts (never a guess across it). */
export function fromScan(deviceType, code) {
  const direct = serial(deviceType, code);
  if (direct.value) return direct.value;
  const bare = code.trim().replace(/^S\/?N\b[\s:#=]*/i, "");
  const unprefixed = serial(deviceType, bare);
  if (unprefixed.value) return unprefixed.value;
  const found = deviceType === "ont" && code.toUpperCase().match(/\b[A-Z]{4}[0-9A-F]{8}\b/);
  return found ? found[0] : bare;
}
