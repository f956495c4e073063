"""The player's inputs: GPIO buttons (gpiozero) and the keyboard."""
