"""Serial numbers and MAC addresses as the label prints them, one rule each (the phone's copy
is static/js/serials.js, with the same codes and the same sentences).

Lower case and spaces are accepted and normalised, not refused: a gloved thumb types
'hwtc 1a2b 3c4d', labels print the serial in groups, and the normalised form is unambiguous
(a GPON serial is upper-case hex by definition). What cannot be normalised without guessing
(an O where a 0 belongs, a character too many) is refused with a sentence saying what is wrong.
"""

import re

from fieldapp.evidence.fields import N_

SEPARATORS = re.compile(r"[\s\-_.:]")
VENDOR = re.compile(r"^[A-Z]{4}$")
HEX = re.compile(r"^[0-9A-F]+$")
MAC = re.compile(r"^[0-9A-F]{2}([:-]?)[0-9A-F]{2}(\1[0-9A-F]{2}){4}$")
ONT_LENGTH = 12
# The sentences the phone and the server show next to the field (js_messages uses the same msgids).
MESSAGES = {
    "ont_serial_length": N_("An ONT serial has 12 characters: 4 letters, then 8 digits 0-9 or "
                            "letters A-F (e.g. HWTC1A2B3C4D)."),
    "ont_serial_vendor": N_("An ONT serial starts with 4 letters, the vendor (e.g. HWTC, ZTEG)."),
    "ont_serial_hex": N_("After the 4 letters an ONT serial has only digits 0-9 and letters A-F: "
                         "check for an O typed instead of a zero."),
    "mac_format": N_("A MAC address is 6 pairs of digits 0-9 or letters A-F, e.g. "
                     "00:1A:2B:3C:4D:5E (with ':' or '-' between the pairs, or nothing)."),
}


def ont_serial(text):
    """(normalised serial, None) or (None, problem code) for a GPON ONT serial."""
    value = SEPARATORS.sub("", text).upper()
    if len(value) != ONT_LENGTH:
        return None, "ont_serial_length"
    if not VENDOR.match(value[:4]):
        return None, "ont_serial_vendor"
    if not HEX.match(value[4:]):
        return None, "ont_serial_hex"
    return value, None


def other_serial(text):
    """A router's or media converter's serial: vendors differ, so only spaces go and case rises."""
    value = re.sub(r"\s+", "", text).upper()
    return (value, None) if value else (None, "required")


def mac(text):
    """(MAC as six ':'-separated upper-case pairs, None) or (None, 'mac_format')."""
    value = text.strip().upper()
    if not MAC.match(value):
        return None, "mac_format"
    digits = re.sub(r"[:-]", "", value)
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2)), None


def same_serial(typed, read):
    """Does a code read from a label name this serial? Labels print it bare, with a prefix
    ('SN:HWTC1A2B3C4D') or inside a longer code, so a read code that holds it counts."""
    return typed in SEPARATORS.sub("", read).upper()
