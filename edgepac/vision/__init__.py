"""The backbone: a quantized MobileNet v1 truncated at conv_pw_13_relu, and its model files.

Read top-down:
- `backbone`    Backbone: an RGB frame in, uint8 activations out (the per-frame hot path)
- `preprocess`  centre-crop and resize into the interpreter's input, allocation-free
- `truncate`    cut a TFLite classifier after a layer (schema object API)
- `models`      the manifest, fetch/import with checksums, ensure_model, the cut-model cache
- `interpreter` LiteRT, else tflite-runtime
- `images`      image files to RGB arrays
- `commands`, `bench`, `doctor`: the CLI's fetch-model/truncate/classify, figures and checks
"""
