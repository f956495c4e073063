"""The camera's settings: the ``[camera]`` section of the arcade's config file."""

from __future__ import annotations

from dataclasses import dataclass

from edgepac.errors import EdgePacError
from edgepac.settings import Origin, key

SOURCES = ("auto", "picamera2", "webcam", "replay", "demo")


@dataclass(frozen=True)
class CameraConfig:
    source: str = key(
        "auto",
        "choice",
        "Where frames come from. auto: the Pi camera if there is one, else a USB webcam, else "
        "the built-in demo player.",
        choices=SOURCES,
    )
    width: int = key(
        640, "int", "Frame width the camera delivers (the Pi's ISP scales).", lo=64, hi=4096
    )
    height: int = key(480, "int", "Frame height.", lo=48, hi=4096)
    fps: int = key(
        30, "int", "Frames a second asked of the camera (and the replay rate).", lo=1, hi=120
    )
    rotation: int = key(
        0,
        "int",
        "Degrees to turn the picture: 180 for a camera mounted upside down.",
        choices=(0, 180),
    )
    device: str = key("", "device", 'Webcam: index or /dev/video path; "" = the first found.')
    replay_path: str | None = key(
        None,
        "str",
        "Replay: a folder of images or a video file (needed when source = replay).",
        none="",
        example='"/home/pi/poses"',
    )
    replay_loop: bool = key(True, "bool", "Replay: start again at the end.")
    isp_scale: bool = key(
        True,
        "bool",
        "Pi camera: the ISP delivers the model's input (the centre square at the model's size) "
        "so the CPU neither crops nor resizes, and the preview shows what the model sees; "
        "false = width x height, cropped and resized by the CPU.",
    )



    def validate(self, origin: Origin) -> None:
        if self.source == "replay" and not self.replay_path:
            raise EdgePacError(
                f'config: camera.source = "replay" {origin("source")} '
                "needs camera.replay_path: a folder of images or a video file"
            )
