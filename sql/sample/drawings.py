"""drawings.py - one flat SVG drawing per sample product, for sql/sample/generate.py.

Each drawing is the inside of a 64 x 64 viewBox, drawn over the category's tint:
the product itself (headphones look like headphones), in a few flat shapes so the
file stays small and reads at 64, 160 and 320 px. Book covers carry their title
as text; every other drawing is shapes only, so no two products look alike even
without their words. Keyed by product name; generate.py refuses a product
without a drawing, or a drawing without a product.
"""

from html import escape

INK = "#1e293b"


def _keys(x, y, count, step=5.2, size=4):
    """A row of square keys as one path, for the keyboard."""
    return "".join(f"M{x + i * step:g} {y:g}h{size}v{size}h-{size}z" for i in range(count))


def _fit(line, size, width=31):
    """Squeezes a title line that would run past the cover (capitals are about .72 em wide)."""
    return f' textLength="{width}" lengthAdjust="spacingAndGlyphs"' if 0.72 * size * len(line) > width else ""


def book(cover, lines, motif, ink="#fff", edge=None):
    """A standing book: page block, cover, spine shade, title lines, then its motif."""
    size = min(5.2, 31 / (0.64 * max(len(line) for line in lines)))
    title = "".join(f'<text x="34.5" y="{12 + i * (size + 1.5):.3g}"{_fit(line, size)}>{escape(line)}</text>'
                    for i, line in enumerate(lines))
    outline = f' stroke="{edge}"' if edge else ""
    return (f'<rect x="15" y="6" width="39" height="54" rx="2" fill="#f5f5f4" stroke="#a8a29e" stroke-width=".8"/>'
            f'<rect x="12" y="4" width="40" height="54" rx="2" fill="{cover}"{outline}/>'
            '<rect x="12" y="4" width="5" height="54" fill="#000" opacity=".25"/>'
            f'<g font-family="Georgia,serif" font-size="{size:.2g}" font-weight="bold" text-anchor="middle" '
            f'fill="{ink}">{title}</g>{motif}')


def _sock(x, y, colour, band, scale=1):
    """A sock, cuff at top left, toe to the right; drawn at (x, y), 20 x 24 at scale 1."""
    return (f'<g transform="translate({x} {y}) scale({scale})">'
            f'<path d="M0 0h9v13l7 3c3 1.5 4 4 3 6s-3.5 2.5-5.5 1.5L3 19c-2.5-1-3.5-4-3-6z" fill="{colour}" '
            f'stroke="{INK}" stroke-width=".8"/><path d="M0 2.5h9" stroke="{band}" stroke-width="2.5"/></g>')


def _garment(path, colour, extra):
    return f'<path d="{path}" fill="{colour}" stroke="{INK}" stroke-width="1.2" stroke-linejoin="round"/>{extra}'


JACKET = "M24 8 12 12 4 52l8 2 6-28v32h28V26l6 28 8-2-8-40-12-4-8 6z"

DRAWINGS = {
    # Electronics
    "Aurora Wireless Headphones":
        '<path d="M14 40v-8a18 18 0 0 1 36 0v8" fill="none" stroke="#334155" stroke-width="4" stroke-linecap="round"/>'
        '<rect x="8" y="34" width="12" height="20" rx="5" fill="#2563eb"/><rect x="44" y="34" width="12" height="20" rx="5" fill="#2563eb"/>'
        '<rect x="17" y="37" width="5" height="14" rx="2" fill="#1e293b"/><rect x="42" y="37" width="5" height="14" rx="2" fill="#1e293b"/>',
    "Pulse Smartwatch":
        '<rect x="23" y="3" width="18" height="58" rx="5" fill="#475569"/>'
        '<rect x="15" y="16" width="32" height="32" rx="8" fill="#cbd5e1" stroke="#64748b" stroke-width="1.5"/>'
        '<rect x="18.5" y="19.5" width="25" height="25" rx="6" fill="#0f172a"/><rect x="47" y="27" width="3.5" height="10" rx="1.5" fill="#64748b"/>'
        '<path d="M31 39l-6-6a3.5 3.5 0 1 1 6-4 3.5 3.5 0 1 1 6 4z" fill="#ef4444"/>',
    "Nimbus Bluetooth Speaker":
        '<rect x="19" y="8" width="26" height="48" rx="9" fill="#0ea5e9"/><circle cx="32" cy="38" r="10" fill="#0c4a6e"/>'
        '<circle cx="32" cy="38" r="4" fill="#38bdf8"/><circle cx="32" cy="19" r="4" fill="#0c4a6e"/>'
        '<path d="M14 28a10 10 0 0 0 0 16M9 24a16 16 0 0 0 0 24M50 28a10 10 0 0 1 0 16M55 24a16 16 0 0 1 0 24" fill="none" '
        'stroke="#0369a1" stroke-width="2.5" stroke-linecap="round"/>',
    "Vertex 4K Monitor 27\"":
        '<path d="M28 43h8l2 9H26z" fill="#475569"/><rect x="18" y="51" width="28" height="4" rx="2" fill="#334155"/>'
        '<rect x="5" y="9" width="54" height="35" rx="3" fill="#1e293b"/><rect x="8" y="12" width="48" height="29" fill="#38bdf8"/>'
        '<path d="M8 41l14-14 8 8 9-10 17 16z" fill="#0369a1"/><circle cx="46" cy="19" r="3" fill="#fde047"/>',
    "Quill Mechanical Keyboard":
        '<rect x="3" y="18" width="58" height="29" rx="4" fill="#334155"/>'
        f'<path d="{_keys(6.5, 21, 10)}{_keys(6.5, 26.5, 10)}{_keys(6.5, 32, 10)}M17 37.5h30v4H17z{_keys(6.5, 37.5, 2)}{_keys(48.1, 37.5, 2)}" fill="#e2e8f0"/>'
        '<path d="M53.3 21h4v4h-4z" fill="#f97316"/>',
    "Glide Wireless Mouse":
        '<path d="M32 6c-10 0-16 8-16 20v12c0 11 7 20 16 20s16-9 16-20V26C48 14 42 6 32 6z" fill="#64748b"/>'
        '<path d="M32 6v18M16.5 24c5 3 26 3 31 0" fill="none" stroke="#1e293b" stroke-width="1.5"/>'
        '<rect x="30" y="11" width="4" height="9" rx="2" fill="#1e293b"/><path d="M22 36c0 8 4 14 10 15" fill="none" stroke="#94a3b8" stroke-width="2"/>',
    "Beacon Smart Bulb (2-pack)":
        '<path d="M32 4v4M14 10l3 3M50 10l-3 3M7 24h4M57 24h-4" stroke="#f59e0b" stroke-width="2.5" stroke-linecap="round"/>'
        '<path d="M24 36a14 14 0 1 1 16 0c-2 2-3 4-3 7H27c0-3-1-5-3-7z" fill="#facc15" stroke="#a16207" stroke-width="1.5"/>'
        '<path d="M28 34l2-8 2 4 2-4 2 8" fill="none" stroke="#a16207" stroke-width="1.2"/>'
        '<rect x="26" y="43" width="12" height="9" rx="1.5" fill="#94a3b8"/><path d="M26 46.5h12M26 49.5h12" stroke="#475569" stroke-width="1.2"/>'
        '<path d="M29 52h6l-1 3h-4z" fill="#475569"/>',
    "Orbit USB-C Hub":
        '<path d="M44 32h8c3 0 4-2 4-5v-7" fill="none" stroke="#334155" stroke-width="3"/><rect x="52" y="9" width="8" height="12" rx="2" fill="#475569"/>'
        '<rect x="4" y="20" width="42" height="24" rx="6" fill="#9ca3af"/>'
        '<path d="M9 25h7v4H9zM19 25h7v4h-7zM29 25h7v4h-7zM9 35h9l-1 4h-7zM22 35h8v2h-8zM34 35h6v4h-6z" fill="#1e293b"/>'
        '<circle cx="41" cy="27" r="1.2" fill="#22c55e"/>',
    "Echo Pocket Camera":
        '<rect x="12" y="13" width="12" height="7" rx="2" fill="#334155"/><rect x="44" y="13" width="8" height="6" rx="1.5" fill="#ef4444"/>'
        '<rect x="6" y="18" width="52" height="34" rx="5" fill="#334155"/><rect x="10" y="22" width="8" height="5" rx="1" fill="#fde68a"/>'
        '<circle cx="34" cy="35" r="13" fill="#94a3b8"/><circle cx="34" cy="35" r="9" fill="#0f172a"/>'
        '<circle cx="34" cy="35" r="5" fill="#1e3a8a"/><circle cx="31" cy="32" r="2" fill="#fff"/>',
    "Sprint Power Bank 20000":
        '<rect x="28" y="3" width="8" height="5" rx="1" fill="#64748b"/><rect x="18" y="6" width="28" height="52" rx="6" fill="#1f2937"/>'
        '<path d="M35 14l-10 17h7l-3 14 11-19h-7l3-12z" fill="#facc15"/>'
        '<circle cx="24.5" cy="51" r="1.8" fill="#4ade80"/><circle cx="29.5" cy="51" r="1.8" fill="#4ade80"/>'
        '<circle cx="34.5" cy="51" r="1.8" fill="#4ade80"/><circle cx="39.5" cy="51" r="1.8" fill="#475569"/>',
    "Lumen E-Reader":
        '<rect x="13" y="5" width="38" height="54" rx="5" fill="#1f2937"/><rect x="17" y="9" width="30" height="40" rx="1" fill="#fdf6e3"/>'
        '<path d="M21 15h22M21 20h22M21 25h18M21 30h22M21 35h20M21 40h13" stroke="#78716c" stroke-width="1.6"/>'
        '<rect x="27" y="52" width="10" height="3" rx="1.5" fill="#475569"/>',
    # Books: a cover each, its title and a motif of its own
    "The Quiet Harbour": book("#1e3a5f", ("THE QUIET", "HARBOUR"),
        '<circle cx="44" cy="30" r="4" fill="#fde68a"/><path d="M33 29v14h9z" fill="#f8fafc"/><path d="M23 44h20l-3 4H26z" fill="#f8fafc"/>'
        '<path d="M18 52q4-3 8 0t8 0 8 0 8 0" fill="none" stroke="#60a5fa" stroke-width="1.5"/>'),
    "Practical C Programming": book("#111827", ("PRACTICAL C", "PROGRAMMING"),
        '<path d="M42 32a9 9 0 1 0 0 14" fill="none" stroke="#22d3ee" stroke-width="4.5" stroke-linecap="round"/>'
        '<path d="M21 49l3 2-3 2" fill="none" stroke="#4ade80" stroke-width="1.5"/><rect x="45" y="51" width="5" height="2" fill="#4ade80"/>',
        ink="#e5e7eb"),
    "The Orchard Cookbook": book("#15803d", ("THE ORCHARD", "COOKBOOK"),
        '<path d="M34.5 34c-3-2-10-1-10 6 0 5 4 11 7 11 1 0 2-1 3-1s2 1 3 1c3 0 7-6 7-11 0-7-7-8-10-6z" fill="#dc2626"/>'
        '<path d="M34.5 34v-4" stroke="#78350f" stroke-width="1.5"/><path d="M35 31c2-3 5-3 7-2-1 2-4 3-7 2z" fill="#86efac"/>'),
    "Maps of the Night Sky": book("#1e1b4b", ("MAPS OF THE", "NIGHT SKY"),
        '<path d="M20 48l6-12 8 6 8-12 6 10" fill="none" stroke="#a5b4fc" stroke-width=".8"/>'
        '<g fill="#fde68a"><circle cx="20" cy="48" r="1.6"/><circle cx="26" cy="36" r="1.6"/><circle cx="34" cy="42" r="1.8"/>'
        '<circle cx="42" cy="30" r="1.6"/><circle cx="48" cy="40" r="1.6"/><circle cx="22" cy="27" r=".8"/><circle cx="46" cy="52" r=".8"/>'
        '<circle cx="38" cy="52" r=".8"/></g>'),
    "Letters from Lisbon": book("#0e7490", ("LETTERS", "FROM LISBON"),
        '<rect x="21" y="32" width="27" height="17" rx="1" fill="#fef3c7"/><path d="M21 32l13.5 9 13.5-9" fill="none" stroke="#0e7490" stroke-width="1.5"/>'
        '<rect x="41" y="34" width="5" height="5" fill="#dc2626"/><circle cx="24" cy="53" r="2" fill="#fde047"/>'),
    "A Short History of Bridges": book("#475569", ("A SHORT", "HISTORY OF", "BRIDGES"),
        '<path d="M18 38h33" stroke="#f1f5f9" stroke-width="2"/><path d="M20 50q14-20 29 0" fill="none" stroke="#f1f5f9" stroke-width="2"/>'
        '<path d="M26 38v5M30.5 38v2M34.5 38v2M39 38v2M43 38v5" stroke="#f1f5f9" stroke-width="1.2"/>'
        '<path d="M18 53q3-2 6 0t6 0 6 0 6 0 6 0" fill="none" stroke="#7dd3fc" stroke-width="1.5"/>'),
    "The Patient Gardener": book("#4d7c0f", ("THE PATIENT", "GARDENER"),
        '<path d="M34.5 44V32" stroke="#bbf7d0" stroke-width="1.5"/>'
        '<path d="M34.5 41c-5 0-8-3-8-6 5 0 8 3 8 6zM34.5 38c5 0 8-3 8-6-5 0-8 3-8 6z" fill="#bbf7d0"/>'
        '<circle cx="34.5" cy="30" r="3.5" fill="#fde047"/><path d="M27 44h15l-2 10H29z" fill="#c2410c"/>'),
    "Deep Work Habits": book("#27272a", ("DEEP WORK", "HABITS"),
        '<path d="M27 30h15l-6 9 6 9H27l6-9z" fill="none" stroke="#e4e4e7" stroke-width="1.2"/>'
        '<path d="M29 32h11l-5.5 6zM28.5 48h12l-6-5z" fill="#f59e0b"/>'
        '<rect x="25" y="28" width="19" height="2" rx="1" fill="#a1a1aa"/><rect x="25" y="48" width="19" height="2" rx="1" fill="#a1a1aa"/>'),
    "Midnight at the Archive": book("#312e81", ("MIDNIGHT AT", "THE ARCHIVE"),
        '<path d="M46 26a5 5 0 1 0 4 8 4 4 0 1 1-4-8z" fill="#fde68a"/><circle cx="25" cy="44" r="4" fill="none" stroke="#fbbf24" stroke-width="2.5"/>'
        '<path d="M29 44h18M43 44v4M47 44v5" fill="none" stroke="#fbbf24" stroke-width="2.5"/>'),
    "Mountains and Men": book("#0369a1", ("MOUNTAINS", "AND MEN"),
        '<path d="M36 54l8-14 8 14z" fill="#64748b"/><path d="M17 54l14-24 21 24z" fill="#334155"/>'
        '<path d="M31 30l-5 8.5 3-1.5 2 2 2-2 3 1z" fill="#fff"/><path d="M31 30v-6" stroke="#fff" stroke-width="1"/><path d="M31 24h5l-5 3z" fill="#ef4444"/>'),
    "Learning to Draw": book("#fafaf9", ("LEARNING", "TO DRAW"),
        '<g transform="rotate(-35 34.5 38)"><rect x="22" y="35" width="20" height="6" fill="#facc15"/><path d="M42 35l6 3-6 3z" fill="#f5d0a9"/>'
        '<path d="M46 37l2 1-2 1z" fill="#1c1917"/><rect x="19" y="35" width="3" height="6" fill="#f472b6"/></g>'
        '<path d="M19 52c4-4 6 2 10-2s6 2 10-2 6 2 10-2" fill="none" stroke="#1c1917" stroke-width="1.2"/>',
        ink="#1c1917", edge="#a8a29e"),
    # Home & Kitchen
    "Cast Iron Skillet 26 cm":
        '<path d="M44 29h15a3 3 0 0 1 0 6H44z" fill="#1f2937"/><circle cx="57" cy="32" r="1.4" fill="#dcfce7"/>'
        '<circle cx="25" cy="32" r="21" fill="#1f2937"/><circle cx="25" cy="32" r="17" fill="#374151"/>'
        '<path d="M13 26a14 14 0 0 1 8-8" fill="none" stroke="#6b7280" stroke-width="2" stroke-linecap="round"/>',
    "Pour-Over Coffee Set":
        '<path d="M16 6h32l-10 16H26z" fill="#f8fafc" stroke="#475569" stroke-width="1.5"/><rect x="23" y="22" width="18" height="3" fill="#475569"/>'
        '<path d="M25 25h14v3c7 3 10 9 10 15v10a3 3 0 0 1-3 3H18a3 3 0 0 1-3-3V43c0-6 3-12 10-15z" fill="#e0f2fe" stroke="#475569" stroke-width="1.5"/>'
        '<path d="M16 44h32v9a2.5 2.5 0 0 1-2.5 2.5h-27A2.5 2.5 0 0 1 16 53z" fill="#78350f"/><rect x="22" y="29" width="20" height="5" rx="1" fill="#b45309"/>',
    "Linen Table Cloth":
        '<rect x="12" y="40" width="4" height="18" fill="#92400e"/><rect x="48" y="40" width="4" height="18" fill="#92400e"/>'
        '<path d="M12 14h40l4 6H8z" fill="#a7c4ab"/>'
        '<path d="M8 20h48l4 24q-5 3-10 0t-10 0-10 0-10 0-10 0q-3 2-6 0z" fill="#84a98c" stroke="#3f6248" stroke-width="1.2"/>'
        '<path d="M20 22l-2 22M32 22v22M44 22l2 22" stroke="#3f6248" stroke-width=".8" opacity=".6"/>',
    "Chef's Knife 20 cm":
        '<g transform="rotate(-30 32 32)"><path d="M2 28h38v12H26C14 40 6 35 2 28z" fill="#e2e8f0" stroke="#475569" stroke-width="1.2"/>'
        '<rect x="40" y="27" width="4" height="13" rx="1" fill="#94a3b8"/><path d="M44 29h15a3 3 0 0 1 3 3v3a3 3 0 0 1-3 3H44z" fill="#1f2937"/>'
        '<circle cx="49" cy="33.5" r="1.2" fill="#cbd5e1"/><circle cx="56" cy="33.5" r="1.2" fill="#cbd5e1"/></g>',
    "Ceramic Dinner Plates (4)":
        ''.join(f'<path d="M4 {y}v3c0 6 12 10 28 10s28-4 28-10v-3z" fill="#cbd5e1" stroke="#0e7490" stroke-width="1.2"/>'
                f'<ellipse cx="32" cy="{y}" rx="28" ry="10" fill="#f8fafc" stroke="#0e7490" stroke-width="1.5"/>' for y in (44, 39, 34, 29))
        + '<ellipse cx="32" cy="29" rx="17" ry="5.5" fill="#f1f5f9" stroke="#67e8f9" stroke-width="1.5"/>',
    "Bamboo Cutting Board":
        '<rect x="6" y="14" width="52" height="38" rx="6" fill="#d4a25a"/>'
        '<path d="M14 14v38M22 14v38M30 14v38M38 14v38M46 14v38" stroke="#b7853d" stroke-width="1"/>'
        '<rect x="11" y="19" width="42" height="28" rx="4" fill="none" stroke="#8a5a1c" stroke-width="1.5"/>',
    "Enamel Dutch Oven 5 L":
        '<rect x="4" y="32" width="8" height="7" rx="3" fill="#7f1d1d"/><rect x="52" y="32" width="8" height="7" rx="3" fill="#7f1d1d"/>'
        '<path d="M10 30h44v16c0 6-5 10-11 10H21c-6 0-11-4-11-10z" fill="#dc2626"/>'
        '<path d="M8 30c0-6 11-10 24-10s24 4 24 10z" fill="#b91c1c"/><rect x="27" y="14" width="10" height="7" rx="2" fill="#1f2937"/>'
        '<path d="M10 35h44" stroke="#7f1d1d" stroke-width="1.5"/>',
    "Glass Storage Jars (6)":
        ''.join(f'<rect x="{x}" y="{56 - h}" width="16" height="{h}" rx="3" fill="#e0f2fe" stroke="#64748b" stroke-width="1.2"/>'
                f'<rect x="{x + 1.5}" y="{56 - h * level:g}" width="13" height="{h * level - 1.5:g}" rx="2" fill="{fill}"/>'
                f'<rect x="{x - 1}" y="{51 - h}" width="18" height="5" rx="1.5" fill="#c08a4a"/>'
                for x, h, fill, level in ((5, 34, "#f59e0b", .6), (24, 44, "#fef3c7", .7), (43, 28, "#7c2d12", .55))),
    "Wool Throw Blanket":
        '<path d="M12 46v7M16 46v7M20 46v7M24 46v7M28 46v7M32 46v7M36 46v7M40 46v7M44 46v7M48 46v7M52 46v7" stroke="#b91c1c" stroke-width="1.5"/>'
        '<rect x="8" y="14" width="48" height="33" rx="4" fill="#b91c1c"/>'
        '<path d="M20 14v33M32 14v33M44 14v33M8 25h48M8 36h48" stroke="#fecaca" stroke-width="2" opacity=".55"/>'
        '<path d="M8 30.5h48" stroke="#7f1d1d" stroke-width="1.5"/>',
    "Scented Soy Candle":
        '<path d="M32 28v-5" stroke="#1f2937" stroke-width="1.5"/><path d="M32 6c4 5 6 9 6 12a6 6 0 0 1-12 0c0-3 2-7 6-12z" fill="#f59e0b"/>'
        '<path d="M32 12c2 3 3 5 3 7a3 3 0 0 1-6 0c0-2 1-4 3-7z" fill="#fde047"/>'
        '<rect x="17" y="28" width="30" height="29" rx="5" fill="#fef9c3" stroke="#a16207" stroke-width="1.5"/>'
        '<rect x="17" y="38" width="30" height="11" fill="#065f46"/><path d="M29 46c0-4 3-6 6-6-1 4-3 6-6 6z" fill="#a7f3d0"/>',
    "Electric Kettle 1.7 L":
        '<path d="M46 20h2a8 8 0 0 1 8 8v10a8 8 0 0 1-8 8h-3" fill="none" stroke="#334155" stroke-width="5"/>'
        '<path d="M19 18 7 12l-2 4 11 10z" fill="#9ca3af"/><path d="M18 18h28l4 34H14z" fill="#9ca3af"/>'
        '<rect x="16" y="14" width="32" height="5" rx="2" fill="#6b7280"/><rect x="27" y="9" width="10" height="5" rx="1.5" fill="#334155"/>'
        '<rect x="22" y="22" width="3" height="26" rx="1.5" fill="#e5e7eb"/><rect x="29" y="34" width="12" height="7" rx="1.5" fill="#0f172a"/>'
        '<rect x="31" y="36" width="8" height="3" fill="#22d3ee"/><rect x="12" y="52" width="40" height="5" rx="2" fill="#1f2937"/>',
    "Halo Desk Lamp":
        '<path d="M36 28h18l8 28H28z" fill="#fde047" opacity=".45"/><rect x="6" y="52" width="24" height="5" rx="2.5" fill="#334155"/>'
        '<path d="M18 52 24 30 42 14" fill="none" stroke="#475569" stroke-width="3" stroke-linejoin="round"/>'
        '<circle cx="24" cy="30" r="2.5" fill="#334155"/><path d="M40 10h10l6 18H34z" fill="#15803d"/>'
        '<path d="M40 28a5 5 0 0 0 10 0" fill="#fef08a"/>',
    # Sports & Outdoors
    "Trail Running Shoes":
        '<path d="M4 44h52c3 0 5 2 5 5v2H4z" fill="#e5e7eb"/><path d="M4 51h57v2a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2z" fill="#1f2937"/>'
        '<path d="M7 55h4v3H7zM15 55h4v3h-4zM23 55h4v3h-4zM31 55h4v3h-4zM39 55h4v3h-4zM47 55h4v3h-4zM55 55h4v3h-4z" fill="#1f2937"/>'
        '<path d="M6 44V26c0-2 2-3 4-2l8 4c3 1 6 1 8-1l3-3c2-2 4-2 6 0 6 6 14 10 22 12 4 1 6 3 6 8z" fill="#ea580c"/>'
        '<path d="M48 36c5 1 9 3 9 8H46z" fill="#9a3412"/><path d="M30 27l4 4M34 25l4 4M38 28l3 3" stroke="#fff" stroke-width="1.8"/>'
        '<path d="M12 40c8-2 16-6 24-3" fill="none" stroke="#fff" stroke-width="2"/>',
    "Ultralight Tent 2P":
        '<path d="M32 12V6" stroke="#334155" stroke-width="2"/><path d="M4 54 32 12l28 42z" fill="#16a34a"/>'
        '<path d="M32 26 22 54h20z" fill="#14532d"/><path d="M32 26l10 28h7z" fill="#4ade80"/>'
        '<path d="M2 55h60" stroke="#78350f" stroke-width="2"/><path d="M4 54 1 58M60 54l3 4" stroke="#334155" stroke-width="1"/>',
    "Yoga Mat 6 mm":
        '<rect x="4" y="46" width="42" height="4" fill="#c084fc"/><circle cx="44" cy="36" r="14" fill="#9333ea"/>'
        '<circle cx="44" cy="36" r="10" fill="none" stroke="#d8b4fe" stroke-width="1.5"/>'
        '<circle cx="44" cy="36" r="6" fill="none" stroke="#d8b4fe" stroke-width="1.5"/><circle cx="44" cy="36" r="2" fill="#d8b4fe"/>',
    "Insulated Water Bottle":
        '<path d="M26 7a6 5 0 0 1 12 0" fill="none" stroke="#1f2937" stroke-width="2.5"/><rect x="23" y="6" width="18" height="9" rx="3" fill="#1f2937"/>'
        '<rect x="24" y="14" width="16" height="8" rx="2" fill="#cbd5e1"/><rect x="21" y="19" width="22" height="39" rx="7" fill="#0d9488"/>'
        '<rect x="21" y="44" width="22" height="4" fill="#115e59"/><rect x="25" y="24" width="3" height="18" rx="1.5" fill="#5eead4"/>',
    "Adjustable Dumbbells":
        '<rect x="8" y="30" width="48" height="4" fill="#64748b"/><rect x="23" y="28.5" width="18" height="7" rx="2" fill="#1f2937"/>'
        '<g fill="#334155" stroke="#0f172a" stroke-width="1"><rect x="7" y="22" width="5" height="20" rx="1.5"/><rect x="12" y="18" width="5" height="28" rx="1.5"/>'
        '<rect x="17" y="18" width="5" height="28" rx="1.5"/><rect x="52" y="22" width="5" height="20" rx="1.5"/>'
        '<rect x="47" y="18" width="5" height="28" rx="1.5"/><rect x="42" y="18" width="5" height="28" rx="1.5"/></g>'
        '<rect x="3" y="27" width="4" height="10" rx="1" fill="#dc2626"/><rect x="57" y="27" width="4" height="10" rx="1" fill="#dc2626"/>',
    "Hiking Daypack 24 L":
        '<path d="M26 10a6 5 0 0 1 12 0" fill="none" stroke="#1e3a8a" stroke-width="3"/>'
        '<rect x="10" y="26" width="6" height="24" rx="3" fill="#1e3a8a"/><rect x="48" y="26" width="6" height="24" rx="3" fill="#1e3a8a"/>'
        '<path d="M16 24c0-9 7-15 16-15s16 6 16 15v28a4 4 0 0 1-4 4H20a4 4 0 0 1-4-4z" fill="#2563eb"/>'
        '<path d="M20 25c4-3 20-3 24 0" fill="none" stroke="#bfdbfe" stroke-width="1.5"/><rect x="30" y="23" width="4" height="4" rx="1" fill="#facc15"/>'
        '<rect x="21" y="34" width="22" height="16" rx="4" fill="#1e40af" stroke="#bfdbfe" stroke-width="1.2"/>',
    "Cycling Helmet":
        '<path d="M8 44C8 28 19 16 34 16c13 0 22 9 24 22l-4 6z" fill="#0891b2"/>'
        '<path d="M19 25l7-4 3 8-7 3zM33 20h7v9h-7zM45 23l6 5-4 5-5-4z" fill="#1f2937"/><path d="M52 38h10l-2 4h-9z" fill="#1f2937"/>'
        '<path d="M8 44h46" stroke="#155e75" stroke-width="3"/><path d="M20 45c2 8 7 11 11 11s8-3 10-11" fill="none" stroke="#1f2937" stroke-width="1.5"/>'
        '<rect x="5" y="36" width="6" height="5" rx="1" fill="#ef4444"/>',
    "Camping Stove":
        '<path d="M26 28c-1-4 1-6 3-8 0 3 2 4 1 8zM31 28c-1-5 1-9 3-11 1 4 3 6 1 11zM37 28c-1-4 0-6 2-8 1 3 2 5 0 8z" fill="#60a5fa"/>'
        '<path d="M16 27h10M38 27h10M18 27l7 6M46 27l-7 6" stroke="#374151" stroke-width="2.2" stroke-linecap="round"/>'
        '<rect x="23" y="28" width="18" height="6" rx="2" fill="#6b7280"/><rect x="27" y="33" width="10" height="5" fill="#94a3b8"/>'
        '<rect x="40" y="34" width="9" height="3" rx="1" fill="#f59e0b"/><rect x="17" y="37" width="30" height="20" rx="7" fill="#1d4ed8"/>'
        '<rect x="17" y="44" width="30" height="6" fill="#e0e7ff"/>',
    "Resistance Bands Set":
        ''.join(f'<ellipse cx="32" cy="{y}" rx="24" ry="6" fill="none" stroke="{colour}" stroke-width="3.5" transform="rotate({angle} 32 {y})"/>'
                for y, colour, angle in ((14, "#fde047", -6), (23, "#f97316", 4), (32, "#dc2626", -3), (41, "#2563eb", 6), (50, "#1f2937", -4))),
    "Merino Hiking Socks (3)":
        '<path d="M18 6h16v28l14 6c6 3 8 6 6 10s-6 5-10 3L22 46c-4-2-5-6-4-10z" fill="#9ca3af" stroke="#374151" stroke-width="1.2"/>'
        '<path d="M44 40.5l4-.5c6 3 8 6 6 10s-6 5-10 3z" fill="#dc2626"/><path d="M18 36c-1 4 0 8 4 10l5 2 1-9z" fill="#dc2626"/>'
        '<rect x="18" y="6" width="16" height="7" fill="#4b5563"/><path d="M18 18h16M18 23h16" stroke="#dc2626" stroke-width="2"/>',
    "Jump Rope Pro":
        '<path d="M16 22C10 66 54 66 48 22" fill="none" stroke="#1f2937" stroke-width="2.5"/>'
        '<rect x="12" y="4" width="8" height="18" rx="4" fill="#dc2626"/><rect x="44" y="4" width="8" height="18" rx="4" fill="#dc2626"/>'
        '<rect x="13" y="19" width="6" height="4" rx="1" fill="#94a3b8"/><rect x="45" y="19" width="6" height="4" rx="1" fill="#94a3b8"/>',
    # Toys & Games
    "Wooden Building Blocks (100)":
        '<g stroke="#7c5a2e" stroke-width="1"><rect x="8" y="42" width="16" height="14" fill="#e7c08f"/><rect x="24" y="42" width="16" height="14" fill="#dc2626"/>'
        '<rect x="40" y="42" width="16" height="14" fill="#e7c08f"/><rect x="16" y="30" width="32" height="12" fill="#2563eb"/>'
        '<path d="M20 30l12-16 12 16z" fill="#facc15"/></g>',
    "Strategy Board Game: Harbours":
        '<rect x="6" y="6" width="52" height="52" rx="3" fill="#0ea5e9" stroke="#0c4a6e" stroke-width="1.5"/>'
        '<path d="M12 22c4-8 16-8 18 0s-4 14-10 12-12-4-8-12z" fill="#a3e635"/><path d="M34 40c6-5 16-1 16 6s-9 8-13 6-7-8-3-12z" fill="#fcd34d"/>'
        '<path d="M28 30c4 4 6 6 8 10" fill="none" stroke="#fff" stroke-width="1.2" stroke-dasharray="2 2"/>'
        '<path d="M16 48h6l-1 2h-4zM19 42v6l-3-1z" fill="#fff"/><rect x="40" y="10" width="13" height="13" rx="2" fill="#fff" stroke="#1f2937"/>'
        '<g fill="#1f2937"><circle cx="43.5" cy="13.5" r="1.2"/><circle cx="46.5" cy="16.5" r="1.2"/><circle cx="49.5" cy="19.5" r="1.2"/></g>'
        '<circle cx="22" cy="26" r="2.5" fill="#dc2626"/>',
    "1000-Piece Puzzle: Alpine Lake":
        '<rect x="6" y="8" width="52" height="48" rx="2" fill="#bae6fd"/><path d="M6 40l14-20 10 12 8-10 20 18z" fill="#64748b"/>'
        '<path d="M20 20l-4 6 4-2 3 2zM38 22l-3 4 3-1 3 2z" fill="#fff"/><path d="M6 40h52v14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2z" fill="#2563eb"/>'
        '<path d="M37 38h5a2.5 2.5 0 1 1 4 0h5v5a2.5 2.5 0 1 1 0 4v5H37z" fill="#1e293b"/>'
        '<path d="M42 29h5a2.5 2.5 0 1 1 4 0h5v5a2.5 2.5 0 1 1 0 4v5H42z" fill="#3b82f6" stroke="#fff" stroke-width="1.2" transform="rotate(-15 49 36) translate(4 -10)"/>',
    "Remote Control Rover":
        '<path d="M46 22V8" stroke="#1f2937" stroke-width="1.5"/><circle cx="46" cy="8" r="2" fill="#dc2626"/>'
        '<path d="M18 28l4-8h18l6 8z" fill="#fdba74"/><rect x="25" y="22" width="12" height="5" rx="1" fill="#1e293b"/>'
        '<rect x="8" y="28" width="48" height="11" rx="3" fill="#f97316"/>'
        '<g fill="#1f2937"><circle cx="16" cy="44" r="8"/><circle cx="32" cy="44" r="8"/><circle cx="48" cy="44" r="8"/></g>'
        '<g fill="#9ca3af"><circle cx="16" cy="44" r="3"/><circle cx="32" cy="44" r="3"/><circle cx="48" cy="44" r="3"/></g>',
    "Plush Fox":
        '<path d="M10 10l14 12h16l14-12-2 20c-1 11-10 22-20 26C22 52 13 41 12 30z" fill="#ea580c"/>'
        '<path d="M13 14l8 8-6 3zM51 14l-8 8 6 3z" fill="#7c2d12"/>'
        '<path d="M13 32c6 1 14 6 17 14l2 10c-9-4-18-13-19-24zM51 32c-6 1-14 6-17 14l-2 10c9-4 18-13 19-24z" fill="#fff7ed"/>'
        '<circle cx="23" cy="32" r="2.5" fill="#1c1917"/><circle cx="41" cy="32" r="2.5" fill="#1c1917"/><path d="M29 50h6l-3 4z" fill="#1c1917"/>',
    "Card Game: Night Market":
        ''.join(f'<rect x="20" y="10" width="24" height="34" rx="3" fill="#1e1b4b" stroke="#fbbf24" stroke-width="1.5" transform="rotate({a} 32 56)"/>'
                for a in (-22, 22))
        + '<rect x="20" y="10" width="24" height="34" rx="3" fill="#312e81" stroke="#fbbf24" stroke-width="1.5"/>'
        '<path d="M36 15a4 4 0 1 0 3 6 3 3 0 1 1-3-6z" fill="#fde68a"/><path d="M32 22v3" stroke="#fbbf24" stroke-width="1"/>'
        '<rect x="27" y="25" width="10" height="12" rx="4" fill="#f97316"/><path d="M27 31h10" stroke="#fde68a" stroke-width="1"/>',
    "Magnetic Tiles Set (60)":
        '<g stroke-width="2" stroke-linejoin="round"><rect x="14" y="32" width="18" height="18" fill="#ef4444" fill-opacity=".55" stroke="#b91c1c"/>'
        '<rect x="32" y="32" width="18" height="18" fill="#22c55e" fill-opacity=".55" stroke="#15803d"/>'
        '<path d="M14 32l9-15 9 15z" fill="#3b82f6" fill-opacity=".55" stroke="#1d4ed8"/><path d="M23 17h18l-9 15z" fill="#a855f7" fill-opacity=".55" stroke="#7e22ce"/>'
        '<path d="M32 32l9-15 9 15z" fill="#facc15" fill-opacity=".6" stroke="#ca8a04"/></g>'
        '<path d="M18 36h10v10H18zM36 36h10v10H36z" fill="none" stroke="#fff" stroke-width="1" opacity=".7"/>',
    "Kids' Science Kit":
        '<path d="M22 8h12v4h-1v12l11 22c2 4 0 8-4 8H16c-4 0-6-4-4-8l11-22V12h-1z" fill="#e0f2fe" stroke="#334155" stroke-width="1.5"/>'
        '<path d="M14 42h28l2 4c1.5 3.5 0 7-3.5 7h-25c-3.5 0-5-3.5-3.5-7z" fill="#22c55e"/>'
        '<g fill="#bbf7d0"><circle cx="24" cy="38" r="1.5"/><circle cx="30" cy="33" r="2"/><circle cx="27" cy="27" r="1.2"/></g>'
        '<path d="M47 10h8v36a4 4 0 0 1-8 0z" fill="#e0f2fe" stroke="#334155" stroke-width="1.5"/><path d="M47.8 32h6.4v14a3.2 3.2 0 0 1-6.4 0z" fill="#a855f7"/>',
    "Wooden Train Set":
        '<rect x="2" y="56" width="60" height="2" fill="#92400e"/><rect x="12" y="20" width="6" height="10" fill="#1f2937"/>'
        '<rect x="8" y="30" width="26" height="14" rx="2" fill="#dc2626"/><rect x="32" y="20" width="18" height="24" rx="2" fill="#2563eb"/>'
        '<rect x="30" y="17" width="22" height="4" rx="1" fill="#1f2937"/><rect x="37" y="24" width="8" height="7" fill="#fef3c7"/>'
        '<rect x="5" y="43" width="50" height="5" rx="1" fill="#e7c08f"/><path d="M5 43 1 50h6z" fill="#e7c08f"/>'
        '<g fill="#facc15" stroke="#92400e" stroke-width="1.5"><circle cx="15" cy="50" r="5"/><circle cx="28" cy="50" r="5"/><circle cx="44" cy="49" r="6"/></g>',
    "Chess Set, Walnut":
        '<rect x="4" y="46" width="56" height="12" fill="#e7c08f"/>'
        '<path d="M4 46h7v6H4zM18 46h7v6h-7zM32 46h7v6h-7zM46 46h7v6h-7zM11 52h7v6h-7zM25 52h7v6h-7zM39 52h7v6h-7zM53 52h7v6h-7z" fill="#5b3a1e"/>'
        '<g fill="#3f2a1a"><rect x="13" y="42" width="18" height="4" rx="1"/><path d="M17 42l2-16h6l2 16z"/><rect x="16" y="24" width="12" height="3" rx="1"/>'
        '<path d="M18 24l-1-6h10l-1 6z"/></g><path d="M22 7v10M18.5 10.5h7" stroke="#3f2a1a" stroke-width="2"/>'
        '<g fill="#f5e6c8" stroke="#5b3a1e" stroke-width="1"><rect x="36" y="42" width="16" height="4" rx="1"/><path d="M40 42l2-10h4l2 10z"/>'
        '<rect x="39" y="30" width="10" height="3" rx="1"/><circle cx="44" cy="25" r="5"/></g>',
    "Kite: Red Dragon":
        '<path d="M32 24 62 62" stroke="#475569" stroke-width=".8"/><path d="M32 46c-4 4 2 6-2 10s-6 2-8 6" fill="none" stroke="#1f2937" stroke-width="1.2"/>'
        '<path d="M32 4l18 18-18 24-18-24z" fill="#dc2626"/><path d="M32 4v42M14 22h36" stroke="#7f1d1d" stroke-width="1.5"/>'
        '<circle cx="27" cy="16" r="2" fill="#facc15"/><circle cx="37" cy="16" r="2" fill="#facc15"/>'
        '<path d="M24 28l2 3 2-3 2 3 2-3 2 3 2-3 2 3 2-3" fill="none" stroke="#facc15" stroke-width="1.2"/>'
        '<path d="M31 52l-4-2v4zM31 52l4-2v4zM25 59l-4-2v4zM25 59l4-2v4z" fill="#facc15"/>',
    # Clothing
    "Organic Cotton T-Shirt": _garment("M22 8c2 4 6 6 10 6s8-2 10-6l14 8-6 12-6-3v31H20V25l-6 3-6-12z", "#0f766e",
        '<path d="M22 8c2 4 6 6 10 6s8-2 10-6" fill="none" stroke="#134e4a" stroke-width="2.5"/>'
        '<path d="M32 32c3-5 8-5 9-5-1 4-4 7-9 7zM32 32v5" fill="#99f6e4" stroke="#99f6e4" stroke-width="1"/>'),
    "Waxed Canvas Jacket": _garment(JACKET, "#6b5e3c",
        '<path d="M32 14v44" stroke="#1c1917" stroke-width="1.2"/><path d="M24 8l8 6 8-6 4 2-4 8-8-4-8 4-4-8z" fill="#3f3a2a"/>'
        '<rect x="21" y="40" width="8" height="8" rx="1" fill="none" stroke="#3f3a2a" stroke-width="1.2"/>'
        '<rect x="35" y="40" width="8" height="8" rx="1" fill="none" stroke="#3f3a2a" stroke-width="1.2"/>'),
    "Merino Crew Sweater": _garment("M24 8c2 3 5 4 8 4s6-1 8-4l12 4 8 40-8 2-6-28v32H18V26l-6 28-8-2 8-40z", "#9f1239",
        '<path d="M24 8c2 3 5 4 8 4s6-1 8-4" fill="none" stroke="#4c0519" stroke-width="3"/><rect x="18" y="53" width="28" height="5" fill="#881337"/>'
        '<path d="M4.7 48.5l8 2-.7 3.5-8-2zM59.3 48.5l-8 2 .7 3.5 8-2z" fill="#881337"/><path d="M27 18v34M37 18v34" stroke="#be123c" stroke-width="2"/>'),
    "Selvedge Denim Jeans": _garment("M18 6h28l4 52H37l-5-34-5 34H14z", "#1e3a8a",
        '<path d="M18 11h28M20 11c1 5 4 7 8 7M44 11c-1 5-4 7-8 7M32 11v12" fill="none" stroke="#93c5fd" stroke-width=".9" stroke-dasharray="1.5 1"/>'
        '<circle cx="32" cy="8.5" r="1.3" fill="#d97706"/><path d="M14.4 53h12.3L26 58H14zM37.3 53h12.3l.4 5H38z" fill="#60a5fa"/>'
        '<path d="M14.4 53.5h12.3M37.3 53.5h12.3" stroke="#dc2626" stroke-width="1"/>'),
    "Rain Shell": _garment(JACKET, "#facc15",
        '<path d="M22 12c0-7 4-10 10-10s10 3 10 10l-4 6H26z" fill="#eab308" stroke="#1e293b" stroke-width="1.2"/>'
        '<ellipse cx="32" cy="11" rx="5.5" ry="6" fill="#854d0e"/><path d="M32 18v40" stroke="#1c1917" stroke-width="1.2"/>'
        '<path d="M18 26l-6-14M46 26l6-14" stroke="#a16207" stroke-width="1"/>'),
    "Wool Beanie":
        '<path d="M12 42c0-17 9-28 20-28s20 11 20 28z" fill="#0891b2"/>'
        '<path d="M22 20c-2 6-3 12-3 20M32 14v26M42 20c2 6 3 12 3 20" fill="none" stroke="#0e7490" stroke-width="1.5"/>'
        '<rect x="10" y="38" width="44" height="14" rx="3" fill="#0e7490"/>'
        '<path d="M14 40v10M18 40v10M22 40v10M26 40v10M30 40v10M34 40v10M38 40v10M42 40v10M46 40v10M50 40v10" stroke="#155e75" stroke-width="1.5"/>',
    "Linen Shirt": _garment("M24 8 12 12 6 40l8 2 4-14v30h28V28l4 14 8-2-6-28-12-4-8 8z", "#e7e5e4",
        '<path d="M8.5 35l8 2-.9 3.5-8-2zM55.5 35l-8 2 .9 3.5 8-2z" fill="#d6d3d1" stroke="#57534e" stroke-width="1"/>'
        '<path d="M24 8l8 8-5 6-5-12zM40 8l-8 8 5 6 5-12z" fill="#d6d3d1" stroke="#57534e" stroke-width="1.2"/><path d="M32 16v42" stroke="#57534e" stroke-width="1"/>'
        '<g fill="#57534e"><circle cx="34" cy="24" r="1.1"/><circle cx="34" cy="32" r="1.1"/><circle cx="34" cy="40" r="1.1"/><circle cx="34" cy="48" r="1.1"/></g>'
        '<rect x="38" y="24" width="6" height="7" fill="none" stroke="#57534e" stroke-width="1"/>'),
    "Leather Belt":
        '<path d="M14 26h42l6 6-6 6H14z" fill="#78350f"/><path d="M16 28.5h40M16 35.5h40" stroke="#d6a35c" stroke-width=".8" stroke-dasharray="2 1.5"/>'
        '<g fill="#1c1917"><circle cx="42" cy="32" r="1.3"/><circle cx="47" cy="32" r="1.3"/><circle cx="52" cy="32" r="1.3"/></g>'
        '<rect x="22" y="24" width="5" height="16" rx="1" fill="#5c2a0b"/><rect x="4" y="22" width="14" height="20" rx="3" fill="none" stroke="#ca8a04" stroke-width="3.5"/>'
        '<path d="M11 32h10" stroke="#ca8a04" stroke-width="2"/>',
    "Down Vest": _garment("M22 6 14 10c2 8 2 14-2 18v28h40V28c-4-4-4-10-2-18l-8-4-4 2c-2 4-4 6-6 6s-4-2-6-6z", "#0369a1",
        '<path d="M15 21h34M12 30h40M12 39h40M12 48h40" stroke="#075985" stroke-width="1.5"/><path d="M32 14v42" stroke="#e0f2fe" stroke-width="1.2"/>'
        '<path d="M26 8c2 4 4 6 6 6s4-2 6-6" fill="none" stroke="#0c4a6e" stroke-width="2.5"/>'),
    "Canvas Sneakers":
        '<path d="M4 46h54a4 4 0 0 1 0 8H4z" fill="#f8fafc" stroke="#94a3b8" stroke-width="1"/><path d="M4 50h57" stroke="#dc2626" stroke-width="1.2"/>'
        '<path d="M6 46V32c0-3 3-4 6-3l10 3c4 1 8 0 10-2 8 4 16 8 24 10 3 1 4 3 4 6z" fill="#dc2626"/>'
        '<path d="M46 38c7 1 14 3 14 8H44z" fill="#f8fafc" stroke="#94a3b8" stroke-width="1"/>'
        '<path d="M25 31l6 5M31 31l-6 5M31 33l6 5M37 33l-6 5" stroke="#fff" stroke-width="1.6"/>',
    "Cotton Socks (5)":
        ''.join(_sock(x, y, colour, "#fff") for x, y, colour in
                ((44, 24, "#8b5cf6"), (33.5, 18, "#3b82f6"), (23, 12, "#10b981"), (12.5, 18, "#f59e0b"), (2, 24, "#f43f5e"))),
}
