"""Build data/rutland/boundary.geojson, the LA's outline for the app's maps, from local OSM data.

Reads the admin_level=6 boundary relation of the LA from an OSM extract (Geofabrik's Rutland
.pbf by default), assembles it into a (multi)polygon with pyosmium, simplifies it to about
20 m and writes a small GeoJSON in WGS84. Needs `pip install -e .[build]` (osmium, this script
only).

    python scripts/build_boundary.py [--pbf FILE] [--name Rutland] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import osmium
import shapely
from shapely.geometry import mapping, shape

REPO = Path(__file__).resolve().parent.parent
PBF = Path("/work/shared/data/osm-rutland/rutland-latest.osm.pbf")


def boundary(pbf: Path, name: str, admin_level: str = "6") -> shapely.Geometry:
    """The named administrative area's (multi)polygon, as OSM's boundary relation draws it."""
    factory = osmium.geom.GeoJSONFactory()
    found = []
    for area in osmium.FileProcessor(str(pbf)).with_areas().with_locations():
        if (
            area.is_area()
            and not area.from_way()
            and area.tags.get("boundary") == "administrative"
            and area.tags.get("admin_level") == admin_level
            and area.tags.get("name") == name
        ):
            found.append(shape(json.loads(factory.create_multipolygon(area))))
    if len(found) != 1:
        raise SystemExit(
            f"expected one {name} boundary at admin_level {admin_level}, got {len(found)}"
        )
    return found[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pbf", type=Path, default=PBF)
    parser.add_argument("--name", default="Rutland")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "rutland" / "boundary.geojson")
    args = parser.parse_args()
    outline = shapely.set_precision(boundary(args.pbf, args.name).simplify(0.0002), 1e-5)
    feature = {
        "type": "Feature",
        "properties": {"name": args.name, "source": "OpenStreetMap contributors (ODbL)"},
        "geometry": mapping(outline),
    }
    collection = {"type": "FeatureCollection", "features": [feature]}
    args.out.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {shapely.get_num_coordinates(outline)} vertices")


if __name__ == "__main__":
    main()
