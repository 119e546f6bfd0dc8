"""Draw the two Teams app icons (run once; the PNGs are committed).

color.png: 192x192, full colour. outline.png: 32x32, white on transparent (Teams' rule).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent
ACCENT = (31, 111, 235, 255)
WHITE = (255, 255, 255, 255)


def tick(draw: ImageDraw.ImageDraw, size: int, width: int) -> None:
    points = [(size * 0.25, size * 0.52), (size * 0.43, size * 0.70), (size * 0.76, size * 0.32)]
    draw.line(points, fill=WHITE, width=width, joint="curve")


def main() -> None:
    color = Image.new("RGBA", (192, 192), ACCENT)
    tick(ImageDraw.Draw(color), 192, 18)
    color.save(HERE / "color.png")
    outline = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(outline)
    draw.rounded_rectangle((1, 1, 30, 30), radius=6, outline=WHITE, width=2)
    tick(draw, 32, 3)
    outline.save(HERE / "outline.png")


if __name__ == "__main__":
    main()
