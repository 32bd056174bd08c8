"""Named sensors and real prime lens sets: data, in two small tables. No GL.

Sensor sizes are the image area in mm (width × height). Lens sets give each prime's
focal length and widest stop; cine lenses are rated in T-stops, used here as f-numbers
(a T-stop is the f-number plus the glass's light loss, a few tenths of a stop).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sensor:
    name: str
    width_mm: float
    height_mm: float
    title: str


SENSORS: dict[str, Sensor] = {s.name: s for s in (
    Sensor("full-frame", 36.0, 24.0, "full frame (35 mm still, 36 × 24)"),
    Sensor("super35", 24.89, 18.66, "Super 35 (4-perf film, 24.89 × 18.66)"),
    Sensor("aps-c", 23.6, 15.6, "APS-C (Nikon, Sony, Fujifilm; 23.6 × 15.6)"),
    Sensor("mft", 17.3, 13.0, "Micro Four Thirds (17.3 × 13)"),
    Sensor("1-inch", 13.2, 8.8, "1-inch type (13.2 × 8.8)"),
    Sensor("phone", 9.8, 7.3, "phone main camera (1/1.3-inch type, 9.8 × 7.3)"),
    Sensor("imax65", 70.41, 52.63, "IMAX 65 mm (15-perf camera aperture, 70.41 × 52.63)"),
)}  # fmt: skip
#: Other spellings people type.
SENSOR_ALIASES = {"ff": "full-frame", "fullframe": "full-frame", "full_frame": "full-frame",
                  "s35": "super35", "super-35": "super35", "apsc": "aps-c", "m43": "mft",
                  "micro-four-thirds": "mft", "1in": "1-inch", "imax": "imax65",
                  "imax-65": "imax65"}  # fmt: skip


@dataclass(frozen=True)
class Prime:
    set_name: str
    focal_length_mm: float
    max_f_stop: float

    @property
    def name(self) -> str:
        return f"{self.set_name}-{self.focal_length_mm:g}"


#: set name → (title, ((focal length mm, widest stop), ...)).
LENS_SETS: dict[str, tuple[str, tuple[tuple[float, float], ...]]] = {
    "ultra-prime": ("ARRI/Zeiss Ultra Prime (cine, T1.9)",
                    tuple((f, 1.9) for f in (16, 20, 24, 28, 32, 40, 50, 65, 85, 100, 135))),
    "cooke-s4": ("Cooke S4/i (cine, T2)",
                 tuple((f, 2.0) for f in (18, 25, 32, 40, 50, 75, 100, 135))),
    "canon-l": ("Canon EF L primes (photo)",
                ((24, 1.4), (35, 1.4), (50, 1.2), (85, 1.2), (135, 2.0))),
}  # fmt: skip

PRIMES: dict[str, Prime] = {
    p.name: p
    for set_name, (_, lenses) in LENS_SETS.items()
    for p in (Prime(set_name, f, n) for f, n in lenses)
}


def _problem(kind: str, name: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {kind} '{name}'{hint}; choose from {', '.join(known)}"


def sensor_named(name: str) -> Sensor:
    """A sensor by name (case-insensitive, aliases too); ValueError names the choices."""
    key = name.strip().lower()
    key = SENSOR_ALIASES.get(key, key)
    if key not in SENSORS:
        raise ValueError(_problem("sensor", name, list(SENSORS)))
    return SENSORS[key]


def prime_named(name: str) -> Prime:
    """A prime by ``SET-FOCAL`` name, e.g. ``cooke-s4-50``."""
    key = name.strip().lower()
    if key not in PRIMES:
        raise ValueError(_problem("lens", name, list(PRIMES)))
    return PRIMES[key]
