#!/usr/bin/env python3
"""Renders `tmux capture-pane -e -p` output (text with SGR colour escapes) to a PNG,
cell by cell in DejaVu Sans Mono. Usage: ansi2png.py IN.ansi OUT.png COLS ROWS"""
import re
import sys
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
# xterm's default 16 colours.
BASE = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
FG, BG = (220, 220, 220), (24, 24, 32)


def xterm256(n):
    if n < 16:
        return BASE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    v = 8 + (n - 232) * 10
    return v, v, v


def sgr(params, st):
    it = iter(params or [0])
    for p in it:
        if p == 0:
            st.update(fg=None, bg=None, bold=False, rev=False)
        elif p == 1:
            st["bold"] = True
        elif p == 22:
            st["bold"] = False
        elif p == 7:
            st["rev"] = True
        elif p == 27:
            st["rev"] = False
        elif 30 <= p <= 37:
            st["fg"] = BASE[p - 30]
        elif 90 <= p <= 97:
            st["fg"] = BASE[p - 90 + 8]
        elif 40 <= p <= 47:
            st["bg"] = BASE[p - 40]
        elif 100 <= p <= 107:
            st["bg"] = BASE[p - 100 + 8]
        elif p == 39:
            st["fg"] = None
        elif p == 49:
            st["bg"] = None
        elif p in (38, 48):
            mode = next(it, None)
            if mode == 5:
                c = xterm256(next(it, 0))
            elif mode == 2:
                c = (next(it, 0), next(it, 0), next(it, 0))
            else:
                continue
            st["fg" if p == 38 else "bg"] = c


def main():
    src, out, cols, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    font, bold = ImageFont.truetype(FONT, SIZE), ImageFont.truetype(BOLD, SIZE)
    cw = round(font.getlength("M"))
    ch = SIZE + 4
    img = Image.new("RGB", (cols * cw + 16, rows * ch + 16), BG)
    d = ImageDraw.Draw(img)
    text = open(src, encoding="utf-8", errors="replace").read()
    st = dict(fg=None, bg=None, bold=False, rev=False)
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        for tok in re.split(r"(\x1b\[[0-9;]*m)", line):
            m = re.fullmatch(r"\x1b\[([0-9;]*)m", tok)
            if m:
                sgr([int(p) if p else 0 for p in m.group(1).split(";")], st)
                continue
            for c in tok:
                if x >= cols:
                    break
                fg, bg = st["fg"] or FG, st["bg"] or BG
                if st["rev"]:
                    fg, bg = bg, fg
                px, py = 8 + x * cw, 8 + y * ch
                if bg != BG:
                    d.rectangle([px, py, px + cw - 1, py + ch - 1], fill=bg)
                if c != " ":
                    d.text((px, py + 1), c, font=bold if st["bold"] else font, fill=fg)
                x += 1
    img.save(out)


if __name__ == "__main__":
    main()
