"""Draw the citizen app's icons (PNG) into grassroots/citizen/static/citizen/.

    python scripts/icons.py

A loudspeaker on the portal's blue; the maskable one keeps the drawing inside
the central safe zone (80 %). The PNGs are small and committed; run this
again only to change them.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "grassroots/citizen/static/citizen"
BLUE, WHITE, YELLOW = (10, 77, 140), (255, 255, 255), (255, 191, 71)


def draw(size: int, scale: float) -> Image.Image:
    image = Image.new("RGB", (size, size), BLUE)
    pen = ImageDraw.Draw(image)
    s = size * scale
    o = (size - s) / 2

    def p(x: float, y: float) -> tuple[float, float]:
        return (o + x * s, o + y * s)

    # The horn: a box and a flared cone, then three sound waves.
    pen.rectangle([p(0.14, 0.40), p(0.30, 0.60)], fill=WHITE)
    pen.polygon(
        [p(0.30, 0.40), p(0.55, 0.22), p(0.55, 0.78), p(0.30, 0.60)], fill=WHITE
    )
    width = max(2, int(s * 0.05))
    for i, r in enumerate((0.12, 0.22, 0.32)):
        box = [p(0.55 - r, 0.5 - r * 1.1), p(0.55 + r, 0.5 + r * 1.1)]
        pen.arc(box, -50, 50, fill=YELLOW if i == 2 else WHITE, width=width)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, 0.9).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, 0.7).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
