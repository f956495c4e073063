"""The demo player: a virtual person drawn with NumPy, standing in for a camera and a player.

A figure (head, body, arms, legs) stands in a room; ``pose`` says what it does:

    None      stands still, arms by the sides
    "up"      stretches up, both arms raised above the head
    "down"    crouches low, arms forward and down
    "left"    leans and steps to the left of the picture, left arm stretched out
    "right"   the mirror image of left

Every frame adds what a real camera and a real person add: the body sways and shifts, the arms
never sit at quite the same angle, the light flickers and the sensor adds noise. Between two
sittings the camera can be knocked and the light change (``move_camera``): the picture shifts
and zooms, and the light dims and warms, as a returning player finds the kiosk. The poses stay
clearly apart (a MobileNet's activations separate them) without being pixel-identical, so the
learner has real work to do. Each ``Frame.truth`` is the pose it was drawn in, which lets the demo
and the tests score every prediction.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from edgepac.camera.source import Capture, FrameSource, Pacer
from edgepac.poses import POSES as GAME_POSES

STANCES: tuple[str | None, ...] = (None, *GAME_POSES)  # the poses, and None: standing still

SKIN = (226, 184, 150)
HAIR = (60, 40, 30)
SHIRT = (200, 50, 45)
PANTS = (40, 60, 130)

# A pose as body angles (degrees, 0 = straight down, positive = towards the picture's right)
# plus where the hips are, as fractions of the frame: (hip_x, hip_y, lean, left arm upper/lower,
# right arm upper/lower, crouch 0..1). "Left arm" is the one on the picture's left.
_POSES: dict[str | None, tuple[float, float, float, float, float, float, float, float]] = {
    None: (0.50, 0.66, 0.0, -12.0, -8.0, 12.0, 8.0, 0.0),
    "up": (0.50, 0.62, 0.0, -165.0, -175.0, 165.0, 175.0, 0.0),
    "down": (0.50, 0.80, 0.0, -40.0, -75.0, 40.0, 75.0, 1.0),
    "left": (0.33, 0.66, -20.0, -110.0, -110.0, -10.0, -5.0, 0.0),
    "right": (0.67, 0.66, 20.0, 10.0, 5.0, 110.0, 110.0, 0.0),
}


def _room(height: int, width: int) -> np.ndarray:
    """A plain room: a lit wall, a window, a shelf and a floor (uint8 RGB)."""
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    wall = np.array([170, 165, 150], np.float32) * (1.05 - 0.25 * y)
    img = np.broadcast_to(wall, (height, width, 3)).copy()
    floor = int(height * 0.86)
    img[floor:] = (110, 85, 60)
    h, w = height / 240.0, width / 320.0
    img[int(30 * h) : int(100 * h), int(20 * w) : int(80 * w)] = (190, 215, 235)  # window
    img[int(64 * h) : int(67 * h), int(20 * w) : int(80 * w)] = (120, 110, 100)
    img[int(70 * h) : int(76 * h), int(235 * w) : int(305 * w)] = (95, 70, 50)  # shelf
    img[int(52 * h) : int(70 * h), int(245 * w) : int(262 * w)] = (60, 120, 70)  # a plant
    return img.astype(np.uint8)


class DemoPainter:
    """Draws the player in a pose; pure NumPy, reusable buffers, one new image per frame."""

    def __init__(self, size: tuple[int, int] = (320, 240), noise: float = 6.0) -> None:
        self.width, self.height = size
        if self.width < 32 or self.height < 32:
            raise ValueError(f"size must be at least 32x32, got {size}")
        self.background = _room(self.height, self.width)
        self._work = np.empty((self.height, self.width, 3), np.int16)
        # A bank of sensor noise, a little larger than a frame: each frame takes a random window.
        bank_rng = np.random.default_rng(12345)
        pad = 16
        self._noise = bank_rng.standard_normal((self.height + pad, self.width + pad, 3)) * noise
        self._noise = self._noise.astype(np.int16)
        self._pad = pad
        self._moved: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def move_camera(
        self,
        shift: tuple[float, float] = (0.0, 0.0),
        zoom: float = 1.0,
        light: tuple[float, float, float] = (1.0, 1.0, 1.0),
        roll: float = 0.0,
    ) -> None:
        """Knock the camera and change the light, for every frame from now on: the picture
        moves by ``shift`` (fractions of its width and height), turns ``roll`` degrees
        clockwise (a camera bumped on its mount), is magnified ``zoom`` times about its centre,
        and each of red, green and blue is scaled by ``light`` (dim and warm is
        e.g. (0.8, 0.7, 0.55)). The defaults put everything back."""
        if not 0.5 <= zoom <= 2.0:
            raise ValueError(f"zoom must be from 0.5 to 2, got {zoom}")
        if len(light) != 3 or not all(0.0 <= g <= 1.5 for g in light):
            raise ValueError(f"light must be three gains from 0 to 1.5, got {light}")
        if not -45.0 <= roll <= 45.0:
            raise ValueError(f"roll must be from -45 to 45 degrees, got {roll}")
        still = tuple(shift) == (0.0, 0.0) and zoom == 1.0 and roll == 0.0
        if still and tuple(light) == (1.0, 1.0, 1.0):
            self._moved = None
            return
        h, w = self.height, self.width
        # Output pixel p shows the scene at centre + R(-roll)·(p - centre) / zoom - shift: one
        # flat index per pixel, so a frame is remapped by one np.take into a reused buffer.
        y = np.arange(h, dtype=np.float64)[:, None] - (h - 1) / 2
        x = np.arange(w, dtype=np.float64)[None, :] - (w - 1) / 2
        c, s = math.cos(math.radians(roll)), math.sin(math.radians(roll))
        rows = (h - 1) / 2 + (c * y - s * x) / zoom - shift[1] * h
        cols = (w - 1) / 2 + (s * y + c * x) / zoom - shift[0] * w
        rows = np.clip(np.round(rows), 0, h - 1).astype(np.intp)
        cols = np.clip(np.round(cols), 0, w - 1).astype(np.intp)
        gains = np.array([round(64 * g) for g in light], dtype=np.int16)  # /64, as the flicker
        self._moved = ((rows * w + cols).ravel(), gains, np.empty((h, w, 3), np.int16))

    def draw(self, pose: str | None, rng: np.random.Generator, t: float = 0.0) -> np.ndarray:
        """An HxWx3 uint8 RGB picture of the player in ``pose`` with this frame's jitter."""
        if pose not in _POSES:
            raise ValueError(f"pose must be one of {STANCES}, got {pose!r}")
        hip_x, hip_y, lean, lu, ll, ru, rl, crouch = _POSES[pose]
        jitter = rng.standard_normal(8)
        sway = 0.012 * math.sin(t * 1.7)  # the slow sway of someone standing
        hip_x += sway + 0.012 * jitter[0]
        hip_y += 0.010 * jitter[1]
        lean += 2.5 * jitter[2]
        lu, ll = lu + 9.0 * jitter[3], ll + 10.0 * jitter[4]
        ru, rl = ru + 9.0 * jitter[5], rl + 10.0 * jitter[6]
        scale = 1.0 + 0.04 * jitter[7]
        work = self._work  # drawn in a reused int16 buffer; only the result is new
        np.copyto(work, self.background)
        self._figure(work, hip_x, hip_y, lean, (lu, ll), (ru, rl), crouch, scale)
        return self._camera(work, rng)

    def _figure(
        self,
        img: np.ndarray,
        hip_x: float,
        hip_y: float,
        lean: float,
        left_arm: tuple[float, float],
        right_arm: tuple[float, float],
        crouch: float,
        scale: float,
    ) -> None:
        H = self.height
        u = H * scale  # body lengths are fractions of the frame height
        hip = (hip_x * self.width, hip_y * H)

        def at(p: tuple[float, float], angle: float, length: float) -> tuple[float, float]:
            a = math.radians(angle)  # 0 = straight down the picture
            return (p[0] + math.sin(a) * length, p[1] + math.cos(a) * length)

        # Legs first (behind), bent when crouching, feet on the floor line.
        knee_spread = 0.05 + 0.07 * crouch
        for side in (-1, 1):
            knee = (hip[0] + side * knee_spread * u, hip[1] + (0.11 - 0.04 * crouch) * u)
            foot = (hip[0] + side * 0.05 * u, hip[1] + (0.22 - 0.10 * crouch) * u)
            self._capsule(img, hip, knee, 0.035 * u, PANTS)
            self._capsule(img, knee, foot, 0.03 * u, PANTS)
        torso = (0.26 - 0.05 * crouch) * u
        neck = at(hip, 180 - lean, torso)
        self._capsule(img, hip, neck, 0.07 * u, SHIRT)
        for side, (upper, lower) in ((-1, left_arm), (1, right_arm)):
            shoulder = (neck[0] + side * 0.055 * u, neck[1] + 0.02 * u)
            elbow = at(shoulder, upper - lean, 0.12 * u)
            hand = at(elbow, lower - lean, 0.11 * u)
            self._capsule(img, shoulder, elbow, 0.025 * u, SHIRT)
            self._capsule(img, elbow, hand, 0.021 * u, SKIN)
        head = at(neck, 180 - lean, 0.08 * u)
        hair = at(head, 180 - lean, 0.03 * u)
        self._capsule(img, hair, hair, 0.05 * u, HAIR)
        self._capsule(img, head, head, 0.06 * u, SKIN)

    def _capsule(
        self,
        img: np.ndarray,
        a: tuple[float, float],
        b: tuple[float, float],
        radius: float,
        color: tuple[int, int, int],
    ) -> None:
        """Fill every pixel within ``radius`` of the segment a-b (a disc when a == b)."""
        x0 = max(int(min(a[0], b[0]) - radius), 0)
        x1 = min(int(max(a[0], b[0]) + radius) + 2, self.width)
        y0 = max(int(min(a[1], b[1]) - radius), 0)
        y1 = min(int(max(a[1], b[1]) + radius) + 2, self.height)
        if x0 >= x1 or y0 >= y1:
            return
        px = np.arange(x0, x1, dtype=np.float32)[None, :] - a[0]
        py = np.arange(y0, y1, dtype=np.float32)[:, None] - a[1]
        dx, dy = b[0] - a[0], b[1] - a[1]
        length2 = dx * dx + dy * dy
        t = np.clip((px * dx + py * dy) / length2, 0.0, 1.0) if length2 else 0.0
        inside = (px - t * dx) ** 2 + (py - t * dy) ** 2 <= radius * radius
        img[y0:y1, x0:x1][inside] = color

    def _camera(self, work: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Flickering light and sensor noise, into a fresh uint8 image the caller owns."""
        if self._moved is not None:
            pixels, gains, spare = self._moved
            # The knocked camera sees another crop of the scene, turned.
            np.take(work.reshape(-1, 3), pixels, axis=0, out=spare.reshape(-1, 3))
            work = spare
            work *= gains  # the other light, before the sensor's noise
            work >>= 6
        oy, ox = rng.integers(0, self._pad, size=2)
        work += self._noise[oy : oy + self.height, ox : ox + self.width]
        gain = int(64 * (1.0 + 0.05 * rng.standard_normal()))  # /64 keeps int16 from overflow
        work *= gain
        work >>= 6
        np.clip(work, 0, 255, out=work)
        return work.astype(np.uint8)


class DemoPlayer(FrameSource):
    """A frame source showing the virtual player; set ``pose`` (from a script or the keyboard).

    ``script``: a list of (seconds, pose) steps played in a loop from ``start``; without one the
    pose stays whatever was last set. ``fps`` 0 draws as fast as the reader takes frames.
    """

    name = "demo player"
    hint = "this is a bug in the demo player"

    def __init__(
        self,
        size: tuple[int, int] = (320, 240),
        fps: float = 30.0,
        *,
        pose: str | None = None,
        script: Sequence[tuple[float, str | None]] | None = None,
        seed: int = 0,
        noise: float = 6.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.painter = DemoPainter(size, noise)
        self.fps = fps
        self.paced_by_reader = not fps
        self.pose = pose
        self.script = list(script) if script else None
        if self.script:
            for seconds, step_pose in self.script:
                _check_pose(step_pose)
                if seconds <= 0:
                    raise ValueError(f"script steps must last > 0 s, got {seconds}")
        self._rng = np.random.default_rng(seed)
        self._clock = clock
        self._t0 = 0.0
        self._pacer = Pacer(fps)
        self._lock = threading.Lock()

    @property
    def pose(self) -> str | None:
        return self._pose

    @pose.setter
    def pose(self, value: str | None) -> None:
        self._pose = _check_pose(value)

    def move_camera(
        self,
        shift: tuple[float, float] = (0.0, 0.0),
        zoom: float = 1.0,
        light: tuple[float, float, float] = (1.0, 1.0, 1.0),
        roll: float = 0.0,
    ) -> None:
        """The camera knocked and the light changed from the next frame on (see DemoPainter)."""
        with self._lock:
            self.painter.move_camera(shift, zoom, light, roll)

    def pose_at(self, seconds: float) -> str | None:
        """The scripted pose ``seconds`` after start (the set pose when there is no script)."""
        if not self.script:
            return self._pose
        total = sum(s for s, _ in self.script)
        t = seconds % total
        for length, pose in self.script:
            if t < length:
                return pose
            t -= length
        return self.script[-1][1]

    def _open(self) -> None:
        self._t0 = self._clock()
        self._pacer = Pacer(self.fps, self._stop)

    def _capture(self) -> Capture:
        self._pacer.tick()
        t = self._clock() - self._t0
        pose = self.pose_at(t)
        with self._lock:  # the generator is not thread-safe
            image = self.painter.draw(pose, self._rng, t)
        return image, pose


def _check_pose(pose: str | None) -> str | None:
    if pose not in STANCES:
        raise ValueError(f"pose must be one of {STANCES}, got {pose!r}")
    return pose
