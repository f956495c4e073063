"""Take your controller anywhere: the player's backbone and head as a Teachable Machine
TFLite zip."""
