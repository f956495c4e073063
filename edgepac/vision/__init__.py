"""The backbone: a quantized MobileNet v1 truncated at conv_pw_13_relu, and its model files."""
