"""Frame sources: where frames come from (Pi camera, webcam, replay, the demo player)."""
