"""A planned route as files: GPX for phones and satnavs, CSV for a spreadsheet."""

from __future__ import annotations

import datetime as dt

import gpxpy.gpx

from layers.core.cells import annotated_csv
from layers.routes.routing import MODES, RoutePlan


def to_gpx(plan: RoutePlan, *, title: str, attribution: list[str]) -> str:
    """The route as GPX 1.1: a waypoint per stop (numbered in visiting order), one track along
    the legs, and metadata saying how the distances were measured and whose data it is."""
    gpx = gpxpy.gpx.GPX()
    gpx.name = title
    gpx.description = f"{MODES[plan.mode]} route. {plan.summary()}"
    gpx.author_name = "Sectormap"
    gpx.copyright_author = "; ".join(attribution)
    gpx.time = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for stop in plan.stops.itertuples():
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(
                latitude=float(stop.lat),
                longitude=float(stop.lon),
                name=f"{stop.stop}. {stop.name}",
                description=str(getattr(stop, "postcode", "") or ""),
            )
        )
    track = gpxpy.gpx.GPXTrack(
        name=title,
        description="Along the streets" if plan.on_network else "Straight lines between stops",
    )
    segment = gpxpy.gpx.GPXTrackSegment()
    for path in plan.paths:
        for lat, lon in path:
            point = gpxpy.gpx.GPXTrackPoint(float(lat), float(lon))
            if not segment.points or (
                segment.points[-1].latitude,
                segment.points[-1].longitude,
            ) != (point.latitude, point.longitude):
                segment.points.append(point)
    track.segments.append(segment)
    gpx.tracks.append(track)
    return gpx.to_xml(version="1.1")


def to_csv(plan: RoutePlan, *, attribution: list[str]) -> bytes:
    """The stops in visiting order with each leg's distance and time, and the cumulative
    distance; text cells neutralised against formula injection; how it was measured and the
    attributions as trailing comment lines."""
    stops = plan.stops
    legs = plan.legs
    columns = [c for c in ("stop", "kind", "place_id", "name", "postcode", "address") if c in stops]
    table = stops[[*columns, "lat", "lon"]].copy()
    table["metres_from_previous"] = [0.0, *legs["metres"].tolist()]
    table["minutes_from_previous"] = [0.0, *legs["minutes"].tolist()]
    table["cumulative_metres"] = table["metres_from_previous"].cumsum()
    return annotated_csv(table, [plan.note, *attribution])
