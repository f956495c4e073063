"""The arcade itself: COLLECT, TRAINING and PLAYING on the screen, with config and the demo."""
