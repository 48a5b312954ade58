#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""baton's console font: purgatory/font.txt (the design) -> purgatory/font.c (the bitmaps).

    scripts/mkfont.py            rewrite purgatory/font.c
    scripts/mkfont.py --check    exit 1 if purgatory/font.c is not what font.txt makes

The VM tests import cells() to compute the expected rendering from the same design.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DESIGN = ROOT / "purgatory" / "font.txt"
OUTPUT = ROOT / "purgatory" / "font.c"
FIRST, LAST = 0x20, 0x7E
WIDTH, HEIGHT = 8, 16
ROWS, COLS = 8, 5


def glyphs(text=None):
    """{code: [8 strings of 5 '#'/'.']} for every printable ASCII character."""
    text = DESIGN.read_text() if text is None else text
    out, code, rows = {}, None, []
    for line in text.splitlines():
        if code is None and line.startswith("# ") or not line.strip():
            continue
        if line.startswith(": "):
            name = line[2:]
            code = 0x20 if name == "space" else ord(name)
            if code in out or not FIRST <= code <= LAST or len(name) != 1 and name != "space":
                raise ValueError(f"font.txt: bad or repeated glyph {name!r}")
            out[code] = rows = []
            continue
        if code is None or len(line) != COLS or set(line) - set("#.") or len(rows) == ROWS:
            raise ValueError(f"font.txt: bad row {line!r} in glyph {code!r}")
        rows.append(line)
    missing = [chr(c) for c in range(FIRST, LAST + 1) if len(out.get(c, [])) != ROWS]
    if missing:
        raise ValueError(f"font.txt: missing or short glyphs {''.join(missing)!r}")
    return out


def cells(text=None):
    """{code: 16 bytes}, one byte a pixel row, bit 7 the leftmost pixel of the 8-pixel cell."""
    out = {}
    for code, rows in glyphs(text).items():
        bits = [sum(0x40 >> c for c, ch in enumerate(row) if ch == "#") for row in rows]
        # A blank top row, the body's rows twice each, the descender row once.
        out[code] = bytes([0] + [b for b in bits[:7] for _ in (0, 1)] + [bits[7]])
        assert len(out[code]) == HEIGHT
    return out


def render_c(text=None):
    lines = [
        "/* SPDX-License-Identifier: MIT */",
        "/* baton's console font, made by scripts/mkfont.py from purgatory/font.txt: do not edit. */",
        '#include "font.h"',
        "",
        "const uint8_t baton_font[BATON_FONT_GLYPHS][BATON_FONT_HEIGHT] = {",
    ]
    for code, rows in sorted(cells(text).items()):
        shown = "space" if code == 0x20 else chr(code)
        if shown in ("\\", "/", "*"):
            shown = f"0x{code:02x}"
        lines.append(f"\t/* {shown} */ {{ " + ", ".join(f"0x{b:02x}" for b in rows) + " },")
    lines += ["};", ""]
    return "\n".join(lines)


def main(argv):
    want = render_c()
    if argv[1:] == ["--check"]:
        if OUTPUT.read_text() != want:
            print("purgatory/font.c is stale: run scripts/mkfont.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(want)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
