"""Build the Kommo widget archive: build/kommo-widget.zip (manifest.json at the root).

Kommo wants manifest.json, script.js, i18n/<locale>.json for every locale in the manifest, and
five PNG logos in images/ (logo_min 84×84, logo_medium 240×84, logo_main 400×272, logo
130×100, logo_small 108×108). The logos are drawn here so no binary lives in the repository.

Usage: python scripts/build_kommo_widget.py [--out build/kommo-widget.zip]
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import zipfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "widgets" / "kommo"
LOGOS = {
    "logo_min.png": (84, 84),
    "logo_medium.png": (240, 84),
    "logo_main.png": (400, 272),
    "logo.png": (130, 100),
    "logo_small.png": (108, 108),
}


def png(width: int, height: int) -> bytes:
    """A simple logo: a teal field with a white switchboard of three dots and lines."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            cx, cy = width / 2, height / 2
            dots = any((x - (cx + dx * height / 4)) ** 2 + (y - cy) ** 2 < (height / 12) ** 2 for dx in (-1, 0, 1))
            line = abs(y - cy) < max(1, height / 60) and abs(x - cx) < height / 4
            row += bytes((255, 255, 255) if dots or line else (14, 116, 144))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def build(out: Path) -> Path:
    """Write the archive and return its path."""
    manifest = json.loads((SOURCE / "manifest.json").read_text())
    for locale in manifest["widget"]["locale"]:
        if not (SOURCE / "i18n" / f"{locale}.json").is_file():
            raise SystemExit(f"widgets/kommo/i18n/{locale}.json is missing")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(SOURCE / "manifest.json", "manifest.json")
        archive.write(SOURCE / "script.js", "script.js")
        for path in sorted((SOURCE / "i18n").glob("*.json")):
            archive.write(path, f"i18n/{path.name}")
        for name, (width, height) in LOGOS.items():
            archive.writestr(f"images/{name}", png(width, height))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "build" / "kommo-widget.zip"))
    args = parser.parse_args(argv)
    sys.stdout.write(f"built {build(Path(args.out))}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
