"""Writes small OpenStreetMap extracts for tests: buildings and a street grid, no network. An
``.osm`` path gets OSM XML; ``.osm.pbf``, ``.osm.bz2`` and ``.osm.gz`` the same data written by
pyosmium in that format."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import osmium

#: Building outlines as (OSM way id, name, [(lat, lon), ...]) closed rings.
IMPERIAL_OUTLINE = [
    (52.63595, -1.09990),
    (52.63600, -1.09850),
    (52.63645, -1.09855),
    (52.63640, -1.09995),
]
WORKSHOP_OUTLINE = [
    (52.63300, -1.10600),
    (52.63300, -1.10540),
    (52.63330, -1.10540),
    (52.63330, -1.10600),
]


def write(
    path: Path,
    *,
    buildings: list[tuple[int, str, list[tuple[float, float]]]] | None = None,
    grid: tuple[float, float] = (52.630, -1.110),
    streets: int = 5,
    spacing: float = 0.002,
    first_node: int = 1,
    tags: dict[int, dict[str, str]] | None = None,
) -> Path:
    """An OSM XML file with the given buildings and a ``streets`` by ``streets`` street grid
    starting at ``grid`` (south-west corner), ``spacing`` degrees apart. Node ids start at
    ``first_node``: extracts loaded side by side must not reuse each other's ids, as real OSM
    extracts never do. ``tags`` adds tags to buildings, by way id."""
    buildings = (
        buildings
        if buildings is not None
        else [
            (9001, "Imperial Typewriter Building", IMPERIAL_OUTLINE),
            (9002, "", WORKSHOP_OUTLINE),
        ]
    )
    nodes: list[str] = []
    ways: list[str] = []
    next_node = first_node
    for way_id, name, ring in buildings:
        refs = []
        for lat, lon in ring:
            nodes.append(f'<node id="{next_node}" version="1" lat="{lat}" lon="{lon}"/>')
            refs.append(next_node)
            next_node += 1
        refs.append(refs[0])
        extra = {
            "building": "yes",
            **({"name": name} if name else {}),
            **(tags or {}).get(way_id, {}),
        }
        tags_xml = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in extra.items())
        ways.append(
            f'<way id="{way_id}" version="1">'
            + "".join(f'<nd ref="{r}"/>' for r in refs)
            + tags_xml
            + "</way>"
        )
    south, west = grid
    ids = {}
    for i in range(streets):
        for j in range(streets):
            ids[i, j] = next_node
            nodes.append(
                f'<node id="{next_node}" version="1" lat="{south + i * spacing:.6f}" '
                f'lon="{west + j * spacing:.6f}"/>'
            )
            next_node += 1
    way_id = 100_000
    for i in range(streets):
        for line in ([ids[i, j] for j in range(streets)], [ids[j, i] for j in range(streets)]):
            way_id += 1
            ways.append(
                f'<way id="{way_id}" version="1">'
                + "".join(f'<nd ref="{r}"/>' for r in line)
                + f'<tag k="highway" v="residential"/><tag k="name" v="Test Street '
                f'{way_id}"/></way>'
            )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" '
        'generator="sectormap tests">\n' + "\n".join(nodes + ways) + "\n</osm>\n"
    )
    if path.suffix == ".osm":
        path.write_text(xml, encoding="utf-8")
        return path
    plain = path.with_name(path.name + ".xml.osm")
    plain.write_text(xml, encoding="utf-8")
    writer = osmium.SimpleWriter(str(path), overwrite=True)
    for item in osmium.FileProcessor(str(plain)):
        writer.add(item)
    writer.close()
    plain.unlink()
    return path
