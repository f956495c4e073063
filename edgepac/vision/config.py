"""The `[model]` section: which backbone the arcade runs (EdgePac's own MobileNet or a
Teachable Machine model), at what size, on how many threads. Declared here, with the models, so
the vision doctor checks what the arcade will run; ``edgepac.app.config`` puts it in the file."""

from __future__ import annotations

from dataclasses import dataclass

from edgepac.settings import key
from edgepac.vision.models import MAX_INPUT, MIN_INPUT


@dataclass(frozen=True)
class ModelConfig:
    path: str | None = key(
        None,
        "str",
        'The MobileNet: a .tflite path or a variant name; "" = the default one.',
        none="",
        example='"mobilenet_v1_0.25_128_quant"',
    )
    input_size: int | None = key(
        None,
        "int",
        "Input size in pixels; 0 = the size EdgePac runs the model at (224 for 0.25_128).",
        lo=MIN_INPUT,
        hi=MAX_INPUT,
        none=0,
    )
    tm: str | None = key(
        None,
        "str",
        "A Teachable Machine model to play instead: a name from `edgepac import-tm`; "
        '"" = none (EdgePac\'s own MobileNet).',
        none="",
        example='"my-project"',
    )
    threads: int = key(
        2,
        "int",
        "Interpreter threads (a Pi 4/5 has 4 cores; the camera, "
        "training and the screen need some too).",
        lo=1,
        hi=16,
    )
