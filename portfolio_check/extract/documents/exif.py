"""EXIF: when and with what camera a picture was taken, and whether it holds a real location, from
the tags Pillow reads (`_exif_facts`)."""

from __future__ import annotations

import math
import re
import struct
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from portfolio_check.extract.documents.common import _clean

if TYPE_CHECKING:
    from PIL import Image as PILImage

# EXIF tags (see the EXIF 2.32 specification).
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_DATETIME = 0x0132
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
GPS_LATITUDE = 0x0002
GPS_LONGITUDE = 0x0004


def _exif_from_tiff(payload: bytes) -> Any:
    """A Pillow ``Exif`` from TIFF-structured EXIF bytes (with or without the "Exif\\0\\0" prefix)."""
    from PIL import Image

    if payload.startswith(b"Exif\x00\x00"):
        payload = payload[6:]
    if payload[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    exif = Image.Exif()
    try:
        exif.load(payload)
    except (SyntaxError, ValueError, struct.error, IndexError, KeyError, TypeError, OSError):
        return None
    return exif


def _read_exif(image: PILImage.Image) -> Any:
    # Pillow's PNG reader decodes the whole picture to look for EXIF after the pixels: avoid that.
    if image.format == "PNG" and "exif" not in image.info and "Raw profile type exif" not in image.info:
        return None
    try:
        return image.getexif()
    except Exception:  # noqa: BLE001 - a damaged EXIF block is no EXIF; the picture is still read
        return None


def _exif_facts(exif: Any) -> dict[str, Any]:
    """``taken``, ``camera`` and ``has_gps`` from a Pillow ``Exif`` (None when there is none)."""
    facts: dict[str, Any] = {"taken": None, "camera": None, "has_gps": False}
    if not exif:
        return facts
    try:
        details = exif.get_ifd(EXIF_IFD)
    except Exception:  # noqa: BLE001 - Pillow raises anything on a malformed sub-directory
        details = {}
    facts["taken"] = (
        _exif_date(details.get(TAG_DATETIME_ORIGINAL), details.get(TAG_OFFSET_TIME_ORIGINAL))
        or _exif_date(exif.get(TAG_DATETIME))
    )
    make, model = _clean(exif.get(TAG_MAKE)), _clean(exif.get(TAG_MODEL))
    if make and model and model.lower().startswith(make.lower()):
        make = None  # "Canon" + "Canon EOS 1000D"
    facts["camera"] = " ".join(part for part in (make, model) if part) or None
    try:
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001 - Pillow raises anything on a malformed sub-directory
        gps = {}
    facts["has_gps"] = _gps_location(gps) is not None
    return facts


def _gps_location(gps: Any) -> tuple[float, float] | None:
    """(latitude, longitude) in degrees when the GPS block holds a real position, else None.

    Cameras and apps write GPS blocks with nothing in them, zeros (0° 0° is in the sea off West
    Africa: "no fix" in practice) or placeholders out of range; none of those is a location.
    """
    latitude, longitude = _degrees(gps.get(GPS_LATITUDE)), _degrees(gps.get(GPS_LONGITUDE))
    if latitude is None or longitude is None:
        return None
    if not (abs(latitude) <= 90 and abs(longitude) <= 180) or (latitude == 0 and longitude == 0):
        return None
    return latitude, longitude


def _degrees(value: Any) -> float | None:
    """Degrees from an EXIF (degrees, minutes, seconds) triple of rationals; None when it is not one."""
    try:
        parts = [float(part) for part in value]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not 1 <= len(parts) <= 3 or not all(math.isfinite(part) and part >= 0 for part in parts):
        return None
    return sum(part / 60**index for index, part in enumerate(parts))


EXIF_DATE = re.compile(r"^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
EXIF_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _exif_date(raw: Any, offset: Any = None) -> str | None:
    """An EXIF date (``2014:09:21 15:51:22``) as ISO 8601, with its offset when recorded."""
    text = _clean(raw)
    match = EXIF_DATE.match(text) if text else None
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:  # "0000:00:00 00:00:00" from cameras whose clock was never set
        return None
    offset_match = EXIF_OFFSET.match(_clean(offset) or "")
    if offset_match:
        sign, hours, minutes = offset_match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta < timedelta(hours=24):
            moment = moment.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    return moment.isoformat()
