"""On-device learning: the sample store and the heads that learn the player's poses."""
