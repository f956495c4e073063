"""Make the Teachable Machine fixtures with TM's own converter recipe (needs TensorFlow).

Run in a throw-away venv, never in EdgePac's (CI never needs TensorFlow):

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow tensorflowjs pillow
    git clone https://github.com/googlecreativelab/teachablemachine-community /tmp/tmc
    TF_USE_LEGACY_KERAS=1 /tmp/tfvenv/bin/python tests/data/tm/make_fixtures.py \
        /tmp/tmc/snippets/converter/image/test tests/data/tm [IMAGE...]

It follows snippets/converter/image/api.py step by step: tensorflowjs_converter
(tfjs_layers_model -> keras .h5), tf.keras load_model, save as a SavedModel, then
TFLiteConverter.from_saved_model with the defaults (model_unquant.tflite) and with
Optimize.DEFAULT, uint8 in and out and the representative dataset x/127.5-1 over the
test images (model.tflite); labels.txt is "{index} {label}" from metadata.json. Each model is
zipped with labels.txt as the website's "Tensorflow Lite" tab names them.

It also records what TM's recipe predicts, in a bare TFLite interpreter, for each IMAGE (and two
of TM's test images): centre square crop, bilinear resize to 224, x/127.5-1 for the float model,
raw uint8 pixels for the quantized one -> tm_predictions.json.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image

TEST_IMAGES = ("Class 1/0.png", "Class 2/0.png")


def main(test_dir: Path, out: Path, images: list[Path]) -> None:
    work = Path(tempfile.mkdtemp())
    with zipfile.ZipFile(test_dir / "image-model.zip") as z:
        z.extractall(work / "model")
    with zipfile.ZipFile(test_dir / "image-model-data.zip") as z:
        z.extractall(work / "data")
    labels = json.loads((work / "model/metadata.json").read_text())["labels"]
    (work / "labels.txt").write_text("".join(f"{i} {label}\n" for i, label in enumerate(labels)))

    subprocess.run(
        ["tensorflowjs_converter", "--input_format", "tfjs_layers_model",
         "--output_format", "keras", str(work / "model/model.json"), str(work / "keras_model.h5")],
        check=True,
    )
    model = tf.keras.models.load_model(work / "keras_model.h5")
    model.save(str(work / "model.savedmodel"))

    converter = tf.lite.TFLiteConverter.from_saved_model(str(work / "model.savedmodel"))
    unquant = converter.convert()

    def representative_dataset_gen():
        for label in labels:
            folder = work / "data" / label
            for f in os.listdir(folder):
                if not f.startswith("."):
                    img = tf.keras.preprocessing.image.load_img(folder / f)
                    x = (tf.keras.preprocessing.image.img_to_array(img) / 127.5 - 1.0)
                    yield [x.astype(np.float32).reshape(1, 224, 224, 3)]

    converter = tf.lite.TFLiteConverter.from_saved_model(str(work / "model.savedmodel"))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.inference_input_type = tf.uint8
    converter.inference_output_type = tf.uint8
    converter.representative_dataset = representative_dataset_gen
    converter.allow_custom_ops = True
    converter.change_concat_input_ranges = True
    quant = converter.convert()

    out.mkdir(parents=True, exist_ok=True)
    for zip_name, member, data in (
        ("converted_tflite.zip", "model_unquant.tflite", unquant),
        ("converted_tflite_quantized.zip", "model.tflite", quant),
    ):
        with zipfile.ZipFile(out / zip_name, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(member, data)
            z.write(work / "labels.txt", "labels.txt")

    # What TM's recipe predicts, in a bare interpreter.
    sources = [(f"tm:{name}", work / "data" / name) for name in TEST_IMAGES]
    sources += [(p.name, p) for p in images]
    predictions = {"labels": labels, "tensorflow": tf.__version__, "images": {}}
    for key, path in sources:
        rgb = Image.open(path).convert("RGB")
        w, h = rgb.size
        side = min(w, h)
        top, left = (h - side) // 2, (w - side) // 2
        square = rgb.resize((224, 224), Image.BILINEAR, box=(left, top, left + side, top + side))
        pixels = np.asarray(square)
        entry = {}
        for kind, data in (("float", unquant), ("uint8", quant)):
            interp = tf.lite.Interpreter(model_content=data)
            interp.allocate_tensors()
            inp, outp = interp.get_input_details()[0], interp.get_output_details()[0]
            if kind == "float":
                x = pixels.astype(np.float32) / 127.5 - 1.0
            else:
                x = pixels.astype(np.uint8)
            interp.set_tensor(inp["index"], x[None])
            interp.invoke()
            y = interp.get_tensor(outp["index"])[0]
            entry[kind] = y.astype(float).tolist() if kind == "float" else y.astype(int).tolist()
        predictions["images"][key] = entry
    (out / "tm_predictions.json").write_text(json.dumps(predictions, indent=1) + "\n")
    shutil.rmtree(work)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]])
